//! Equality, ordering and hashing with Python's rules (1 == 1.0 == True, tuples compare lexicographically ...).
use std::cmp::Ordering;
use std::hash::Hasher;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

use crate::num::Int;
use crate::value::{Value, ViewKind};

/// `a == b`. Never fails: values of unrelated types are simply unequal (CPython's default).
pub fn py_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (None, None) => true,
        (Bool(_) | Int(_) | Float(_), Bool(_) | Int(_) | Float(_)) => num_cmp(a, b) == Some(Ordering::Equal),
        (Str(x), Str(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (List(x), List(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| py_eq(p, q))
        }
        (Tuple(x), Tuple(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| py_eq(p, q)),
        (Dict(x), Dict(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        (Set(_) | FrozenSet(_), Set(_) | FrozenSet(_)) => {
            let (x, y) = (set_items(a), set_items(b));
            x.len() == y.len() && x.iter().all(|k| y.contains(k))
        }
        (Range(x), Range(y)) => {
            let (lx, ly) = (x.len(), y.len());
            lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step)))
        }
        (Decimal(x), Decimal(y)) => decimal_cmp(x, y) == Some(Ordering::Equal),
        (Decimal(x), Int(_) | Bool(_)) | (Int(_) | Bool(_), Decimal(x)) => {
            let i = if let Decimal(_) = a { b } else { a };
            match (decimal_parts(x), as_int(i)) {
                (Some((m, e)), Some(i)) => decimal_cmp_parts(&(m, e), &(i.to_big(), 0)) == Ordering::Equal,
                _ => false,
            }
        }
        (DateTime(x), DateTime(y)) | (Date(x), Date(y)) | (Time(x), Time(y)) | (Uuid(x), Uuid(y)) => {
            x.to_lowercase() == y.to_lowercase()
        }
        (TimeDelta(x), TimeDelta(y)) => x == y,
        (Enum(x), Enum(y)) => x.class == y.class && x.name == y.name,
        (Object(x), Object(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.class == y.class
                && x.fields.len() == y.fields.len()
                && x.fields.iter().zip(y.fields.iter()).all(|((k1, v1), (k2, v2))| k1 == k2 && py_eq(v1, v2))
        }
        (View(x), View(y)) if x.kind == ViewKind::Keys && y.kind == ViewKind::Keys => {
            let (x, y) = (x.dict.borrow(), y.dict.borrow());
            x.len() == y.len() && x.keys().all(|k| y.contains_key(k))
        }
        (View(x), Set(_) | FrozenSet(_)) | (Set(_) | FrozenSet(_), View(x)) if x.kind == ViewKind::Keys => {
            let s = if let View(_) = a { b } else { a };
            let keys = x.dict.borrow();
            let items = set_items(s);
            keys.len() == items.len() && keys.keys().all(|k| items.contains(k))
        }
        (Class(x), Class(y)) => x == y,
        _ => a.is(b),
    }
}

fn set_items(v: &Value) -> crate::value::PySet {
    match v {
        Value::Set(s) => s.borrow().clone(),
        Value::FrozenSet(s) => (**s).clone(),
        _ => Default::default(),
    }
}

fn as_int(v: &Value) -> Option<Int> {
    match v {
        Value::Int(i) => Some(i.clone()),
        Value::Bool(b) => Some(Int::Small(*b as i64)),
        _ => None,
    }
}

/// Exact comparison of two numbers (bool, int, float), including int vs float beyond 2**53. None for NaN.
pub fn num_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Float(x), _) => as_int(b).and_then(|i| float_int_cmp(*x, &i)),
        (_, Value::Float(y)) => as_int(a).and_then(|i| float_int_cmp(*y, &i)).map(Ordering::reverse),
        _ => Some(as_int(a)?.cmp(&as_int(b)?)),
    }
}

fn float_int_cmp(f: f64, i: &Int) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { Ordering::Greater } else { Ordering::Less });
    }
    if let Int::Small(s) = i {
        if s.unsigned_abs() < (1 << 53) {
            return f.partial_cmp(&(*s as f64));
        }
    }
    // Compare exactly: floor(f) against i, then the fractional part.
    let fl = f.floor();
    let fb = BigInt::from(fl as i128);
    let fb = if fl.abs() >= 1e38 { float_to_big(fl) } else { fb };
    match fb.cmp(&i.to_big()) {
        Ordering::Equal if f > fl => Some(Ordering::Greater),
        o => Some(o),
    }
}

/// An integral, finite float as an exact BigInt.
pub fn float_to_big(f: f64) -> BigInt {
    let bits = f.to_bits();
    let sign = if bits >> 63 == 1 { -1 } else { 1 };
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mant = if exp == 0 { (bits & ((1 << 52) - 1)) << 1 } else { (bits & ((1 << 52) - 1)) | (1 << 52) };
    let e = exp - 1075;
    let m = BigInt::from(mant);
    let r = if e >= 0 { m << e as usize } else { m >> (-e) as usize };
    r * sign
}

/// Ordering for `<`, sort, min, max. None means "not supported between instances of ..." (TypeError).
pub fn py_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Bool(_) | Int(_) | Float(_), Bool(_) | Int(_) | Float(_)) => {
            // NaN compares false both ways; report Equal-ish "unordered" as Greater so `<` is False.
            Some(num_cmp(a, b).unwrap_or(Ordering::Greater))
        }
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        (List(x), List(y)) => seq_cmp(&x.borrow(), &y.borrow()),
        (Tuple(x), Tuple(y)) => seq_cmp(x, y),
        (Decimal(x), Decimal(y)) => decimal_cmp(x, y),
        (Decimal(x), Int(_) | Bool(_)) => decimal_cmp_parts(&decimal_parts(x)?, &(as_int(b)?.to_big(), 0)).into(),
        (Int(_) | Bool(_), Decimal(y)) => decimal_cmp_parts(&(as_int(a)?.to_big(), 0), &decimal_parts(y)?).into(),
        (DateTime(x), DateTime(y)) | (Date(x), Date(y)) | (Time(x), Time(y)) | (Uuid(x), Uuid(y)) => {
            Some(x.cmp(y))
        }
        (TimeDelta(x), TimeDelta(y)) => Some(x.cmp(y)),
        _ => Option::None,
    }
}

fn seq_cmp(x: &[Value], y: &[Value]) -> Option<Ordering> {
    for (p, q) in x.iter().zip(y.iter()) {
        if !py_eq(p, q) {
            return py_cmp(p, q);
        }
    }
    Some(x.len().cmp(&y.len()))
}

/// Set comparison operators (`<=` is subset ...) return Some(bool); None means "not sets".
pub fn set_compare(a: &Value, b: &Value, op: &str) -> Option<bool> {
    if !matches!(a, Value::Set(_) | Value::FrozenSet(_)) || !matches!(b, Value::Set(_) | Value::FrozenSet(_)) {
        return None;
    }
    let (x, y) = (set_items(a), set_items(b));
    let subset = x.iter().all(|k| y.contains(k));
    let superset = y.iter().all(|k| x.contains(k));
    Some(match op {
        "<=" => subset,
        "<" => subset && x.len() < y.len(),
        ">=" => superset,
        _ => superset && x.len() > y.len(),
    })
}

// ---- decimals -----------------------------------------------------------------------------------------------------

/// "1.10" -> (110, -2); "-1E+3" -> (-1, 3). None for NaN/Infinity/garbage.
pub fn decimal_parts(s: &str) -> Option<(BigInt, i64)> {
    let s = s.trim();
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
        None => (s, 0),
    };
    let (int_part, frac) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    let digits = format!("{int_part}{frac}");
    let digits = if digits == "-" || digits == "+" || digits.is_empty() { return None } else { digits };
    let m: BigInt = digits.parse().ok()?;
    Some((m, exp - frac.len() as i64))
}

fn decimal_cmp_parts(a: &(BigInt, i64), b: &(BigInt, i64)) -> Ordering {
    let e = a.1.min(b.1);
    let scale = |(m, x): &(BigInt, i64)| -> BigInt {
        let k = (*x - e).min(100_000) as u32;
        m * num_traits::pow::Pow::pow(BigInt::from(10), k)
    };
    scale(a).cmp(&scale(b))
}

pub fn decimal_cmp(a: &str, b: &str) -> Option<Ordering> {
    Some(decimal_cmp_parts(&decimal_parts(a)?, &decimal_parts(b)?))
}

// ---- hashing ------------------------------------------------------------------------------------------------------

struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

fn mix(x: u64) -> u64 {
    // splitmix64 finaliser: spreads small ints over the table.
    let mut z = x.wrapping_add(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

fn hash_bytes(tag: u8, b: &[u8]) -> u64 {
    let mut h = Fnv(0xcbf29ce484222325);
    h.write(&[tag]);
    h.write(b);
    h.finish()
}

/// A hash consistent with py_eq; None when the value is unhashable. Deterministic (no random seed), since
/// iteration order comes from insertion order and never from the hash.
pub fn py_hash(v: &Value) -> Option<u64> {
    Some(match v {
        Value::None => 0x5555,
        Value::Bool(b) => mix(*b as u64),
        Value::Int(Int::Small(i)) => mix(*i as u64),
        Value::Int(Int::Big(b)) => hash_bytes(b'i', b.to_string().as_bytes()),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.is_finite() {
                if f.abs() < 9.2e18 {
                    mix(*f as i64 as u64)
                } else {
                    let b = float_to_big(*f);
                    match b.to_i64() {
                        Some(i) => mix(i as u64),
                        None => hash_bytes(b'i', b.to_string().as_bytes()),
                    }
                }
            } else {
                mix(f.to_bits())
            }
        }
        Value::Str(s) => hash_bytes(b's', s.as_bytes()),
        Value::Bytes(b) => hash_bytes(b'b', b),
        Value::Tuple(t) => {
            let mut h: u64 = 0x345678;
            for x in t.iter() {
                h = mix(h ^ py_hash(x)?);
            }
            h
        }
        Value::FrozenSet(s) => s.iter().fold(0x1234u64, |acc, k| acc.wrapping_add(mix(k.hash()))),
        Value::Range(r) => mix((r.start as u64) ^ mix(r.len() as u64) ^ mix(r.step as u64)),
        Value::Decimal(d) => match decimal_parts(d) {
            Some((m, e)) => {
                if m.is_zero() {
                    mix(0)
                } else {
                    // normalise trailing zeros so 1.10 and 1.1 hash alike, and integral decimals like ints
                    let (mut m, mut e) = (m, e);
                    let ten = BigInt::from(10);
                    while e < 0 && (&m % &ten).is_zero() {
                        m /= &ten;
                        e += 1;
                    }
                    while e > 0 && e < 400 {
                        m *= &ten;
                        e -= 1;
                    }
                    if e == 0 {
                        py_hash(&Value::Int(Int::from_big(m)))?
                    } else {
                        hash_bytes(b'd', format!("{m}e{e}").as_bytes())
                    }
                }
            }
            None => hash_bytes(b'd', d.as_bytes()),
        },
        Value::DateTime(s) | Value::Date(s) | Value::Time(s) | Value::Uuid(s) => {
            hash_bytes(b't', s.to_lowercase().as_bytes())
        }
        Value::TimeDelta(t) => mix(t.total_micros() as u64),
        Value::Enum(e) => hash_bytes(b'e', format!("{}.{}", e.class, e.name).as_bytes()),
        Value::Class(c) => mix(*c as u64 ^ 0xc1a55),
        Value::Exception(e) => mix(Rc::as_ptr(e) as usize as u64),
        Value::Iter(i) => mix(Rc::as_ptr(i) as usize as u64),
        Value::Awaitable(a) => mix(Rc::as_ptr(a) as usize as u64),
        Value::WorkflowSelf(o) => mix(Rc::as_ptr(o) as *const () as usize as u64),
        Value::Type(q) => hash_bytes(b'T', q.as_bytes()),
        Value::Function(f) => mix(Rc::as_ptr(f) as usize as u64),
        Value::Object(_) | Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::View(_) => return Option::None,
    })
}

/// TypeError text for an unhashable value.
pub fn unhashable(v: &Value) -> String {
    format!("unhashable type: '{}'", v.type_name())
}
