//! decimal.Decimal arithmetic in CPython's default context (prec=28, ROUND_HALF_EVEN), following the General
//! Decimal Arithmetic specification as `_pydecimal` implements it: exact results keep their ideal exponent,
//! inexact ones are rounded to 28 digits, `str()` is to-scientific-string.
//!
//! Values stay `Value::Decimal(str(d))` (the wire form); operations parse, compute and print.
use std::cmp::Ordering;

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Pow, ToPrimitive, Zero};

use crate::exc::{Flow, R};
use crate::num::Int;
use crate::value::{Exception, Str, Value};

pub const PREC: usize = 28;
const EMAX: i64 = 999_999;
const EMIN: i64 = -999_999;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dec {
    Finite { neg: bool, coef: BigUint, exp: i64 },
    Inf { neg: bool },
    NaN { neg: bool, signaling: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    HalfEven,
    HalfUp,
    HalfDown,
    Up,
    Down,
    Ceiling,
    Floor,
    ZeroFiveUp,
}

impl Rounding {
    pub fn parse(s: &str) -> Option<Rounding> {
        Some(match s {
            "ROUND_HALF_EVEN" => Rounding::HalfEven,
            "ROUND_HALF_UP" => Rounding::HalfUp,
            "ROUND_HALF_DOWN" => Rounding::HalfDown,
            "ROUND_UP" => Rounding::Up,
            "ROUND_DOWN" => Rounding::Down,
            "ROUND_CEILING" => Rounding::Ceiling,
            "ROUND_FLOOR" => Rounding::Floor,
            "ROUND_05UP" => Rounding::ZeroFiveUp,
            _ => return None,
        })
    }
}

/// A decimal.* exception: `signal` is the class raised, `cause` the condition named in the message.
pub fn decimal_error(signal: &str, condition: &str) -> Flow {
    let mro: Vec<&str> = match signal {
        "DivisionByZero" => vec![
            "decimal.DivisionByZero",
            "decimal.DecimalException",
            "builtins.ZeroDivisionError",
            "builtins.ArithmeticError",
            "builtins.Exception",
            "builtins.BaseException",
        ],
        _ => vec![
            "decimal.InvalidOperation",
            "decimal.DecimalException",
            "builtins.ArithmeticError",
            "builtins.Exception",
            "builtins.BaseException",
        ],
    };
    let msg = format!("[<class 'decimal.{condition}'>]");
    Flow::Raise(Value::exception(Exception::new(
        Str::from(mro[0]),
        mro.into_iter().map(Str::from).collect(),
        vec![Value::str(&msg)],
    )))
}

fn ten_pow(n: u64) -> BigUint {
    Pow::pow(BigUint::from(10u32), n)
}

fn ndigits(c: &BigUint) -> usize {
    if c.is_zero() {
        1
    } else {
        c.to_str_radix(10).len()
    }
}

/// Round `coef` dropping `drop` digits with `mode` (sign `neg` for the directed modes).
fn round_coef(coef: &BigUint, drop: u64, mode: Rounding, neg: bool) -> BigUint {
    if drop == 0 {
        return coef.clone();
    }
    let div = ten_pow(drop);
    let (q, r) = coef.div_rem(&div);
    if r.is_zero() {
        return q;
    }
    let half = &div / 2u32;
    let up = match mode {
        Rounding::Down => false,
        Rounding::Up => true,
        Rounding::Ceiling => !neg,
        Rounding::Floor => neg,
        Rounding::HalfUp => r >= half,
        Rounding::HalfDown => r > half,
        Rounding::HalfEven => r > half || (r == half && q.is_odd()),
        Rounding::ZeroFiveUp => {
            let last = (&q % 10u32).to_u32().unwrap_or(0);
            last == 0 || last == 5
        }
    };
    if up {
        q + 1u32
    } else {
        q
    }
}

impl Dec {
    pub fn zero() -> Dec {
        Dec::Finite { neg: false, coef: BigUint::zero(), exp: 0 }
    }

    pub fn parse(s: &str) -> Option<Dec> {
        let t = s.trim().replace('_', "");
        let (neg, body) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t.strip_prefix('+').unwrap_or(&t)),
        };
        let lower = body.to_ascii_lowercase();
        match lower.as_str() {
            "inf" | "infinity" => return Some(Dec::Inf { neg }),
            "nan" => return Some(Dec::NaN { neg, signaling: false }),
            "snan" => return Some(Dec::NaN { neg, signaling: true }),
            _ => {}
        }
        let (mant, exp) = match lower.find('e') {
            Some(i) => (&lower[..i], lower[i + 1..].parse::<i64>().ok()?),
            None => (&lower[..], 0),
        };
        let (int_part, frac) = match mant.find('.') {
            Some(i) => (&mant[..i], &mant[i + 1..]),
            None => (mant, ""),
        };
        if int_part.is_empty() && frac.is_empty() {
            return None;
        }
        if !int_part.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digits = format!("{int_part}{frac}");
        let coef = BigUint::parse_bytes(digits.as_bytes(), 10)?;
        Some(Dec::Finite { neg, coef, exp: exp.checked_sub(frac.len() as i64)? })
    }

    pub fn from_int(i: &Int) -> Dec {
        let b = i.to_big();
        Dec::Finite { neg: b.sign() == Sign::Minus, coef: b.magnitude().clone(), exp: 0 }
    }

    /// The exact value of a float (Decimal(0.1) has 55 digits).
    pub fn from_f64(f: f64) -> Dec {
        if f.is_nan() {
            return Dec::NaN { neg: f.is_sign_negative(), signaling: false };
        }
        if f.is_infinite() {
            return Dec::Inf { neg: f < 0.0 };
        }
        let neg = f.is_sign_negative();
        if f == 0.0 {
            return Dec::Finite { neg, coef: BigUint::zero(), exp: 0 };
        }
        let bits = f.abs().to_bits();
        let e = ((bits >> 52) & 0x7ff) as i64;
        let m = if e == 0 { (bits & ((1 << 52) - 1)) << 1 } else { (bits & ((1 << 52) - 1)) | (1 << 52) };
        let mut m = BigUint::from(m);
        let mut k = e - 1075; // f = m * 2**k
        while k < 0 && (&m % 2u32).is_zero() {
            m >>= 1;
            k += 1;
        }
        if k >= 0 {
            Dec::Finite { neg, coef: m << (k as usize), exp: 0 }
        } else {
            let n = (-k) as u64;
            Dec::Finite { neg, coef: m * Pow::pow(BigUint::from(5u32), n), exp: -(n as i64) }
        }
    }

    pub fn is_neg(&self) -> bool {
        match self {
            Dec::Finite { neg, .. } | Dec::Inf { neg } | Dec::NaN { neg, .. } => *neg,
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Dec::Finite { coef, .. } if coef.is_zero())
    }

    pub fn is_nan(&self) -> bool {
        matches!(self, Dec::NaN { .. })
    }

    /// to-scientific-string (what str() and repr() show).
    pub fn to_sci(&self) -> String {
        let sign = if self.is_neg() { "-" } else { "" };
        match self {
            Dec::Inf { .. } => format!("{sign}Infinity"),
            Dec::NaN { signaling, .. } => format!("{sign}{}NaN", if *signaling { "s" } else { "" }),
            Dec::Finite { coef, exp, .. } => {
                let c = coef.to_str_radix(10);
                let exp = *exp;
                let adjusted = exp + c.len() as i64 - 1;
                if exp <= 0 && adjusted >= -6 {
                    if exp == 0 {
                        return format!("{sign}{c}");
                    }
                    let point = c.len() as i64 + exp;
                    if point > 0 {
                        format!("{sign}{}.{}", &c[..point as usize], &c[point as usize..])
                    } else {
                        format!("{sign}0.{}{c}", "0".repeat((-point) as usize))
                    }
                } else {
                    let mant = if c.len() > 1 { format!("{}.{}", &c[..1], &c[1..]) } else { c.clone() };
                    format!("{sign}{mant}E{}{}", if adjusted >= 0 { "+" } else { "-" }, adjusted.abs())
                }
            }
        }
    }

    /// Round to the context precision (and clamp the exponent range), `_fix`.
    pub fn fix(self) -> R<Dec> {
        self.fix_with(PREC, Rounding::HalfEven)
    }

    fn fix_with(self, prec: usize, mode: Rounding) -> R<Dec> {
        let Dec::Finite { neg, coef, exp } = self else { return Ok(self) };
        if coef.is_zero() {
            let exp = exp.clamp(EMIN - prec as i64 + 1, EMAX);
            return Ok(Dec::Finite { neg, coef, exp });
        }
        let n = ndigits(&coef);
        let (mut coef, mut exp) = (coef, exp);
        if n > prec {
            let drop = (n - prec) as u64;
            coef = round_coef(&coef, drop, mode, neg);
            exp += drop as i64;
            if ndigits(&coef) > prec {
                coef /= 10u32;
                exp += 1;
            }
        }
        if exp + ndigits(&coef) as i64 - 1 > EMAX {
            return Err(crate::exc::overflow("[<class 'decimal.Overflow'>]"));
        }
        Ok(Dec::Finite { neg, coef, exp })
    }

    fn signed(&self) -> Option<(BigInt, i64)> {
        match self {
            Dec::Finite { neg, coef, exp } => {
                let b = BigInt::from(coef.clone());
                Some((if *neg { -b } else { b }, *exp))
            }
            _ => None,
        }
    }

    fn from_signed(v: BigInt, exp: i64, zero_neg: bool) -> Dec {
        let neg = if v.is_zero() { zero_neg } else { v.sign() == Sign::Minus };
        Dec::Finite { neg, coef: v.magnitude().clone(), exp }
    }

    pub fn neg(&self) -> R<Dec> {
        match self {
            // -Decimal('0') is Decimal('0') in the default context (ROUND_HALF_EVEN): the sign of an exact zero
            // result is positive
            Dec::Finite { coef, exp, neg } => {
                let neg = if coef.is_zero() { false } else { !neg };
                Dec::Finite { neg, coef: coef.clone(), exp: *exp }.fix()
            }
            Dec::Inf { neg } => Ok(Dec::Inf { neg: !neg }),
            n => Ok(n.clone()),
        }
    }

    pub fn plus(&self) -> R<Dec> {
        match self {
            Dec::Finite { coef, exp, neg } => {
                Dec::Finite { neg: *neg && !coef.is_zero(), coef: coef.clone(), exp: *exp }.fix()
            }
            n => Ok(n.clone()),
        }
    }

    pub fn abs(&self) -> R<Dec> {
        match self {
            Dec::Finite { coef, exp, .. } => Dec::Finite { neg: false, coef: coef.clone(), exp: *exp }.fix(),
            Dec::Inf { .. } => Ok(Dec::Inf { neg: false }),
            n => Ok(n.clone()),
        }
    }

    fn nan_operand(a: &Dec, b: &Dec) -> Option<R<Dec>> {
        for x in [a, b] {
            if let Dec::NaN { signaling: true, .. } = x {
                return Some(Err(decimal_error("InvalidOperation", "InvalidOperation")));
            }
        }
        for x in [a, b] {
            if let Dec::NaN { neg, .. } = x {
                return Some(Ok(Dec::NaN { neg: *neg, signaling: false }));
            }
        }
        None
    }

    pub fn add(&self, other: &Dec) -> R<Dec> {
        if let Some(r) = Dec::nan_operand(self, other) {
            return r;
        }
        match (self, other) {
            (Dec::Inf { neg: a }, Dec::Inf { neg: b }) if a != b => {
                return Err(decimal_error("InvalidOperation", "InvalidOperation"))
            }
            (Dec::Inf { neg }, _) | (_, Dec::Inf { neg }) => return Ok(Dec::Inf { neg: *neg }),
            _ => {}
        }
        let (Some((mut a, mut ea)), Some((mut b, mut eb))) = (self.signed(), other.signed()) else {
            return Ok(Dec::zero());
        };
        // a zero operand (as _pydecimal's __add__): the other one, at an exponent no lower than needed
        if a.is_zero() || b.is_zero() {
            let e = ea.min(eb);
            if a.is_zero() && b.is_zero() {
                return Ok(Dec::Finite { neg: self.is_neg() && other.is_neg(), coef: BigUint::zero(), exp: e });
            }
            let nonzero = if a.is_zero() { other } else { self };
            let exp = e.max(nonzero.exponent() - PREC as i64 - 1);
            return nonzero.rescale(exp, Rounding::HalfEven).fix();
        }
        // _pydecimal's _normalize: an operand far below the other's last digit only counts as a sticky bit, so
        // exponents that differ wildly never scale a coefficient by a huge power of ten (zeros are exact anyway)
        if !a.is_zero() && !b.is_zero() {
            let (big_e, big_len, small_e, small_len) = if ea >= eb {
                (ea, ndigits(a.magnitude()) as i64, eb, ndigits(b.magnitude()) as i64)
            } else {
                (eb, ndigits(b.magnitude()) as i64, ea, ndigits(a.magnitude()) as i64)
            };
            let exp = big_e + (-1).min(big_len - PREC as i64 - 2);
            if small_len + small_e - 1 < exp {
                let sticky = |v: &BigInt| if v.sign() == Sign::Minus { BigInt::from(-1) } else { BigInt::from(1) };
                if ea >= eb {
                    if !b.is_zero() {
                        b = sticky(&b);
                    }
                    eb = exp;
                } else {
                    if !a.is_zero() {
                        a = sticky(&a);
                    }
                    ea = exp;
                }
            }
        }
        let e = ea.min(eb);
        let a = a * BigInt::from(ten_pow((ea - e) as u64));
        let b = b * BigInt::from(ten_pow((eb - e) as u64));
        let sum = a + b;
        Dec::from_signed(sum, e, self.is_neg() && other.is_neg()).fix()
    }

    pub fn sub(&self, other: &Dec) -> R<Dec> {
        let negated = match other {
            Dec::Finite { neg, coef, exp } => Dec::Finite { neg: !neg, coef: coef.clone(), exp: *exp },
            Dec::Inf { neg } => Dec::Inf { neg: !neg },
            n => n.clone(),
        };
        self.add(&negated)
    }

    pub fn mul(&self, other: &Dec) -> R<Dec> {
        if let Some(r) = Dec::nan_operand(self, other) {
            return r;
        }
        let neg = self.is_neg() != other.is_neg();
        match (self, other) {
            (Dec::Inf { .. }, o) | (o, Dec::Inf { .. }) => {
                if o.is_zero() {
                    return Err(decimal_error("InvalidOperation", "InvalidOperation"));
                }
                Ok(Dec::Inf { neg })
            }
            (Dec::Finite { coef: a, exp: ea, .. }, Dec::Finite { coef: b, exp: eb, .. }) => {
                Dec::Finite { neg, coef: a * b, exp: ea + eb }.fix()
            }
            _ => Ok(Dec::zero()),
        }
    }

    pub fn div(&self, other: &Dec) -> R<Dec> {
        if let Some(r) = Dec::nan_operand(self, other) {
            return r;
        }
        let neg = self.is_neg() != other.is_neg();
        let (Dec::Finite { coef: a, exp: ea, .. }, Dec::Finite { coef: b, exp: eb, .. }) = (self, other) else {
            return match (self, other) {
                (Dec::Inf { .. }, Dec::Inf { .. }) => Err(decimal_error("InvalidOperation", "InvalidOperation")),
                (Dec::Inf { .. }, _) => Ok(Dec::Inf { neg }),
                _ => Ok(Dec::Finite { neg, coef: BigUint::zero(), exp: EMIN - PREC as i64 + 1 }),
            };
        };
        if b.is_zero() {
            if a.is_zero() {
                return Err(decimal_error("InvalidOperation", "DivisionUndefined"));
            }
            return Err(decimal_error("DivisionByZero", "DivisionByZero"));
        }
        let (coef, exp) = if a.is_zero() {
            (BigUint::zero(), ea - eb)
        } else {
            let shift = ndigits(b) as i64 - ndigits(a) as i64 + PREC as i64 + 1;
            let exp = ea - eb - shift;
            let (mut coef, rem) = if shift >= 0 {
                (a * ten_pow(shift as u64)).div_rem(b)
            } else {
                a.div_rem(&(b * ten_pow((-shift) as u64)))
            };
            let mut exp = exp;
            if !rem.is_zero() {
                if (&coef % 5u32).is_zero() {
                    coef += 1u32;
                }
            } else {
                let ideal = ea - eb;
                while exp < ideal && (&coef % 10u32).is_zero() {
                    coef /= 10u32;
                    exp += 1;
                }
            }
            (coef, exp)
        };
        Dec::Finite { neg, coef, exp }.fix()
    }

    /// (a // b, a % b): the quotient truncated toward zero, the remainder with the dividend's sign.
    pub fn divmod(&self, other: &Dec) -> R<(Dec, Dec)> {
        if let Some(r) = Dec::nan_operand(self, other) {
            let n = r?;
            return Ok((n.clone(), n));
        }
        let neg = self.is_neg() != other.is_neg();
        let (Dec::Finite { coef: a, exp: ea, neg: na }, Dec::Finite { coef: b, exp: eb, .. }) = (self, other) else {
            return Err(decimal_error("InvalidOperation", "InvalidOperation"));
        };
        if b.is_zero() {
            if a.is_zero() {
                return Err(decimal_error("InvalidOperation", "DivisionUndefined"));
            }
            return Err(decimal_error("DivisionByZero", "DivisionByZero"));
        }
        let ideal = (*ea).min(*eb);
        let adj_a = ea + ndigits(a) as i64 - 1;
        let adj_b = eb + ndigits(b) as i64 - 1;
        let expdiff = adj_a - adj_b;
        if a.is_zero() || expdiff <= -2 {
            let rem = Dec::Finite { neg: *na, coef: a * ten_pow((ea - ideal) as u64), exp: ideal };
            return Ok((Dec::Finite { neg, coef: BigUint::zero(), exp: 0 }, rem.fix()?));
        }
        if expdiff <= PREC as i64 {
            let (mut x, mut y) = (a.clone(), b.clone());
            if ea >= eb {
                x *= ten_pow((ea - eb) as u64);
            } else {
                y *= ten_pow((eb - ea) as u64);
            }
            let (q, r) = x.div_rem(&y);
            if q < ten_pow(PREC as u64) {
                return Ok((
                    Dec::Finite { neg, coef: q, exp: 0 },
                    Dec::Finite { neg: *na, coef: r, exp: ideal }.fix()?,
                ));
            }
        }
        Err(decimal_error("InvalidOperation", "DivisionImpossible"))
    }

    /// `self ** n` for an integral exponent (what workflows use): exact, then rounded.
    pub fn pow_int(&self, n: &BigInt) -> R<Dec> {
        let Dec::Finite { neg, coef, exp } = self else {
            return Err(crate::exc::type_error("Decimal powers of infinities and NaNs are not supported in workflows"));
        };
        let e = n.to_i64().filter(|e| e.unsigned_abs() < 100_000).ok_or_else(crate::exc::memory_error)?;
        if e == 0 {
            if coef.is_zero() {
                return Err(decimal_error("InvalidOperation", "InvalidOperation"));
            }
            return Ok(Dec::Finite { neg: false, coef: BigUint::one(), exp: 0 });
        }
        let rneg = *neg && e % 2 != 0;
        let p = Pow::pow(coef.clone(), e.unsigned_abs());
        let positive = Dec::Finite { neg: rneg, coef: p, exp: exp * e.abs() };
        if e > 0 {
            return positive.fix();
        }
        if coef.is_zero() {
            return Ok(Dec::Inf { neg: rneg });
        }
        Dec::Finite { neg: false, coef: BigUint::one(), exp: 0 }.div(&positive)
    }

    pub fn compare(&self, other: &Dec) -> Option<Ordering> {
        match (self, other) {
            (Dec::NaN { .. }, _) | (_, Dec::NaN { .. }) => None,
            (Dec::Inf { neg: a }, Dec::Inf { neg: b }) => Some(b.cmp(a)),
            (Dec::Inf { neg }, _) => Some(if *neg { Ordering::Less } else { Ordering::Greater }),
            (_, Dec::Inf { neg }) => Some(if *neg { Ordering::Greater } else { Ordering::Less }),
            _ => {
                let ((a, ea), (b, eb)) = (self.signed()?, other.signed()?);
                let e = ea.min(eb);
                let scale = |v: BigInt, x: i64| -> BigInt {
                    if x - e > 100_000 {
                        // astronomically different magnitudes: only the sign matters
                        v * BigInt::from(ten_pow(100_000))
                    } else {
                        v * BigInt::from(ten_pow((x - e) as u64))
                    }
                };
                Some(scale(a, ea).cmp(&scale(b, eb)))
            }
        }
    }

    /// quantize(exp, rounding): this value with `exp`'s exponent.
    pub fn quantize(&self, exp_of: &Dec, mode: Rounding) -> R<Dec> {
        if let Some(r) = Dec::nan_operand(self, exp_of) {
            return r;
        }
        let (Dec::Finite { neg, coef, exp }, Dec::Finite { exp: target, .. }) = (self, exp_of) else {
            return match (self, exp_of) {
                (Dec::Inf { neg }, Dec::Inf { .. }) => Ok(Dec::Inf { neg: *neg }),
                _ => Err(decimal_error("InvalidOperation", "InvalidOperation")),
            };
        };
        if !coef.is_zero() && exp - target + ndigits(coef) as i64 > PREC as i64 {
            return Err(decimal_error("InvalidOperation", "InvalidOperation")); // more digits than the context holds
        }
        let r = self.rescale(*target, mode);
        let Dec::Finite { coef: c, .. } = &r else { return Ok(r) };
        if ndigits(c) > PREC || *target > EMAX || *target < EMIN - PREC as i64 + 1 {
            return Err(decimal_error("InvalidOperation", "InvalidOperation"));
        }
        let _ = (neg, coef, exp);
        Ok(r)
    }

    /// This value with exponent `target`, rounded with `mode`, whatever its number of digits (`_rescale`).
    pub fn rescale(&self, target: i64, mode: Rounding) -> Dec {
        let Dec::Finite { neg, coef, exp } = self else { return self.clone() };
        if *exp >= target {
            return Dec::Finite { neg: *neg, coef: coef * ten_pow((exp - target) as u64), exp: target };
        }
        let drop = (target - exp) as u64;
        let c = if drop > ndigits(coef) as u64 + 1 {
            // everything is dropped: round a single digit below the kept ones
            round_coef(&BigUint::from(if coef.is_zero() { 0u32 } else { 1u32 }), 1, mode, *neg)
        } else {
            round_coef(coef, drop, mode, *neg)
        };
        Dec::Finite { neg: *neg, coef: c, exp: target }
    }

    /// Integral part toward zero (int(d)).
    pub fn trunc(&self) -> Option<BigInt> {
        let (v, e) = self.signed()?;
        Some(if e >= 0 { v * BigInt::from(ten_pow(e as u64)) } else { v / BigInt::from(ten_pow((-e) as u64)) })
    }

    /// round(d): nearest integer, ties to even.
    pub fn round_int(&self) -> Option<BigInt> {
        let r = self.rescale(0, Rounding::HalfEven);
        r.trunc()
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Dec::Inf { neg } => {
                if *neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Dec::NaN { .. } => f64::NAN,
            _ => self.to_sci().parse::<f64>().unwrap_or(f64::NAN),
        }
    }

    pub fn normalize(&self) -> R<Dec> {
        let d = self.clone().fix()?;
        let Dec::Finite { neg, mut coef, mut exp } = d else { return Ok(d) };
        if coef.is_zero() {
            return Ok(Dec::Finite { neg, coef, exp: 0 });
        }
        while (&coef % 10u32).is_zero() && exp < EMAX {
            coef /= 10u32;
            exp += 1;
        }
        Ok(Dec::Finite { neg, coef, exp })
    }

    pub fn adjusted(&self) -> i64 {
        match self {
            Dec::Finite { coef, exp, .. } => exp + ndigits(coef) as i64 - 1,
            _ => 0,
        }
    }

    pub fn exponent(&self) -> i64 {
        match self {
            Dec::Finite { exp, .. } => *exp,
            _ => 0,
        }
    }
}

/// The Decimal a VM value stands for (Decimal, int, bool); None for anything else.
pub fn as_dec(v: &Value) -> Option<Dec> {
    match v {
        Value::Decimal(s) => Dec::parse(s),
        Value::Int(i) => Some(Dec::from_int(i)),
        Value::Bool(b) => Some(Dec::from_int(&Int::Small(*b as i64))),
        _ => None,
    }
}

pub fn value(d: Dec) -> Value {
    Value::Decimal(Str::from(d.to_sci().as_str()))
}

/// `Decimal(x)`.
pub fn construct(v: Option<&Value>) -> R<Value> {
    let d = match v {
        None => Dec::zero(),
        Some(Value::Decimal(_)) => return Ok(v.cloned().unwrap_or(Value::None)),
        Some(Value::Int(i)) => Dec::from_int(i),
        Some(Value::Bool(b)) => Dec::from_int(&Int::Small(*b as i64)),
        Some(Value::Float(f)) => Dec::from_f64(*f),
        Some(Value::Str(s)) => Dec::parse(s).ok_or_else(|| decimal_error("InvalidOperation", "ConversionSyntax"))?,
        Some(x) => {
            return Err(crate::exc::type_error(format!(
                "conversion from {} to Decimal is not supported",
                x.type_name()
            )))
        }
    };
    Ok(value(d))
}
