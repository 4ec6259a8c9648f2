//! Python ints: an i64 fast path that overflows into num-bigint, with CPython's floor semantics.
use std::cmp::Ordering;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

/// Invariant: `Big` only holds values outside the i64 range, so equal ints have equal representations.
#[derive(Clone, Debug)]
pub enum Int {
    Small(i64),
    Big(Rc<BigInt>),
}

impl PartialEq for Int {
    fn eq(&self, other: &Int) -> bool {
        match (self, other) {
            (Int::Small(a), Int::Small(b)) => a == b,
            (Int::Big(a), Int::Big(b)) => a == b,
            _ => false,
        }
    }
}
impl Eq for Int {}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Int {
    fn cmp(&self, other: &Int) -> Ordering {
        match (self, other) {
            (Int::Small(a), Int::Small(b)) => a.cmp(b),
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

/// Refuse to build ints whose size would exhaust memory (CPython would try, then die).
const MAX_BITS: u64 = 1 << 24;

impl Int {
    pub fn from_big(b: BigInt) -> Int {
        match b.to_i64() {
            Some(i) => Int::Small(i),
            None => Int::Big(Rc::new(b)),
        }
    }
    pub fn to_big(&self) -> BigInt {
        match self {
            Int::Small(i) => BigInt::from(*i),
            Int::Big(b) => (**b).clone(),
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Int::Small(i) => Some(*i),
            Int::Big(_) => None,
        }
    }
    pub fn is_zero(&self) -> bool {
        matches!(self, Int::Small(0))
    }
    pub fn is_negative(&self) -> bool {
        match self {
            Int::Small(i) => *i < 0,
            Int::Big(b) => b.is_negative(),
        }
    }
    pub fn bits(&self) -> u64 {
        match self {
            Int::Small(i) => 64 - i.unsigned_abs().leading_zeros() as u64,
            Int::Big(b) => b.bits(),
        }
    }
    /// int -> float; None on overflow ("int too large to convert to float").
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            Int::Small(i) => Some(*i as f64),
            Int::Big(b) => b.to_f64().filter(|f| f.is_finite()),
        }
    }
    pub fn add(&self, o: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, o) {
            if let Some(r) = a.checked_add(*b) {
                return Int::Small(r);
            }
        }
        Int::from_big(self.to_big() + o.to_big())
    }
    pub fn sub(&self, o: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, o) {
            if let Some(r) = a.checked_sub(*b) {
                return Int::Small(r);
            }
        }
        Int::from_big(self.to_big() - o.to_big())
    }
    pub fn mul(&self, o: &Int) -> Option<Int> {
        if let (Int::Small(a), Int::Small(b)) = (self, o) {
            if let Some(r) = a.checked_mul(*b) {
                return Some(Int::Small(r));
            }
        }
        if self.bits() + o.bits() > MAX_BITS {
            return None;
        }
        Some(Int::from_big(self.to_big() * o.to_big()))
    }
    pub fn neg(&self) -> Int {
        match self {
            Int::Small(i) => match i.checked_neg() {
                Some(r) => Int::Small(r),
                None => Int::from_big(-BigInt::from(*i)),
            },
            Int::Big(b) => Int::from_big(-(**b).clone()),
        }
    }
    pub fn abs(&self) -> Int {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }
    /// Floor division and modulo with the sign of the divisor (CPython). None when dividing by zero.
    pub fn divmod(&self, o: &Int) -> Option<(Int, Int)> {
        if o.is_zero() {
            return None;
        }
        if let (Int::Small(a), Int::Small(b)) = (self, o) {
            if let (Some(q), Some(r)) = (a.checked_div(*b), a.checked_rem(*b)) {
                if r != 0 && ((r < 0) != (*b < 0)) {
                    return Some((Int::Small(q - 1), Int::Small(r + b)));
                }
                return Some((Int::Small(q), Int::Small(r)));
            }
        }
        let (a, b) = (self.to_big(), o.to_big());
        let q = &a / &b;
        let r = &a % &b;
        if !r.is_zero() && (r.is_negative() != b.is_negative()) {
            Some((Int::from_big(q - 1), Int::from_big(r + b)))
        } else {
            Some((Int::from_big(q), Int::from_big(r)))
        }
    }
    /// Non-negative exponent only; None when the result would be absurdly large.
    pub fn pow(&self, exp: u64) -> Option<Int> {
        if let Int::Small(b) = self {
            if let Ok(e) = u32::try_from(exp) {
                if let Some(r) = b.checked_pow(e) {
                    return Some(Int::Small(r));
                }
            }
            if *b == 0 || *b == 1 {
                return Some(Int::Small(*b));
            }
            if *b == -1 {
                return Some(Int::Small(if exp.is_multiple_of(2) { 1 } else { -1 }));
            }
        }
        if self.bits().saturating_mul(exp) > MAX_BITS {
            return None;
        }
        let e = u32::try_from(exp).ok()?;
        Some(Int::from_big(num_traits::pow::Pow::pow(self.to_big(), e)))
    }
    pub fn shl(&self, n: u64) -> Option<Int> {
        if self.is_zero() {
            return Some(Int::Small(0));
        }
        if self.bits() + n > MAX_BITS {
            return None;
        }
        if let Int::Small(a) = self {
            if n < 63 {
                if let Some(r) = a.checked_mul(1i64 << n) {
                    return Some(Int::Small(r));
                }
            }
        }
        Some(Int::from_big(self.to_big() << n as usize))
    }
    pub fn shr(&self, n: u64) -> Int {
        match self {
            Int::Small(a) => Int::Small(if n >= 64 {
                if *a < 0 {
                    -1
                } else {
                    0
                }
            } else {
                a >> n
            }),
            Int::Big(b) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                // BigInt's >> on negatives rounds toward -inf like Python.
                Int::from_big((**b).clone() >> n)
            }
        }
    }
    pub fn bitop(&self, o: &Int, op: char) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, o) {
            return Int::Small(match op {
                '&' => a & b,
                '|' => a | b,
                _ => a ^ b,
            });
        }
        let (a, b) = (self.to_big(), o.to_big());
        Int::from_big(match op {
            '&' => a & b,
            '|' => a | b,
            _ => a ^ b,
        })
    }
    pub fn invert(&self) -> Int {
        self.neg().sub(&Int::Small(1))
    }
    pub fn to_string_radix(&self, radix: u32) -> String {
        match self {
            Int::Small(i) if radix == 10 => i.to_string(),
            _ => self.to_big().to_str_radix(radix),
        }
    }
    pub fn parse(s: &str) -> Option<Int> {
        let t = s.trim();
        let t = t.replace('_', "");
        if let Ok(i) = t.parse::<i64>() {
            return Some(Int::Small(i));
        }
        let digits = t.strip_prefix('+').unwrap_or(&t);
        if digits.is_empty() || digits.starts_with('+') {
            return None;
        }
        digits.parse::<BigInt>().ok().map(Int::from_big)
    }
}

impl std::fmt::Display for Int {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Int::Small(i) => write!(f, "{i}"),
            Int::Big(b) => write!(f, "{b}"),
        }
    }
}

/// CPython's float divmod (Objects/floatobject.c), so signs and rounding match exactly. `b` must be non-zero.
pub fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let mut fd = div.floor();
        if div - fd > 0.5 {
            fd += 1.0;
        }
        fd
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}

/// int / int as CPython: correctly rounded when both fit in 53 bits; big operands go through f64 (close enough).
pub fn int_truediv(a: &Int, b: &Int) -> Option<f64> {
    if let (Int::Small(x), Int::Small(y)) = (a, b) {
        if x.unsigned_abs() < (1 << 53) && y.unsigned_abs() < (1 << 53) {
            return Some(*x as f64 / *y as f64);
        }
    }
    let (x, y) = (a.to_big(), b.to_big());
    // Scale so the quotient keeps 64+ significant bits before the final rounding.
    let shift = 64i64 - (x.bits() as i64 - y.bits() as i64);
    let q = if shift > 0 { (x << shift as usize) / y } else { x / (y << (-shift) as usize) };
    let f = q.to_f64()? * 2f64.powi(-(shift as i32));
    f.is_finite().then_some(f)
}
