//! Equality, ordering and hashing with Python's rules (1 == 1.0 == True, tuples compare lexicographically ...).
use std::cmp::Ordering;
use std::hash::Hasher;
use std::rc::Rc;

use num_bigint::{BigInt, BigUint};
use num_traits::ToPrimitive;

use crate::num::Int;
use crate::value::{Value, ViewKind};

/// `a == b`. Never fails: values of unrelated types are simply unequal (CPython's default).
pub fn py_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    if matches!(a, Enum(_)) || matches!(b, Enum(_)) {
        // an IntEnum/StrEnum member is equal to what equals its value
        if let (Enum(x), Enum(y)) = (a, b) {
            if x.class == y.class && x.name == y.name && !x.name.is_empty() {
                return true;
            }
        }
        let (da, db) = (crate::enums::data(a), crate::enums::data(b));
        if da.is_some() || db.is_some() {
            return py_eq(da.as_ref().unwrap_or(a), db.as_ref().unwrap_or(b));
        }
        if let (Enum(x), Enum(y)) = (a, b) {
            // Flag values without a member of their own are equal by value
            return x.class == y.class
                && (x.name == y.name || x.name.is_empty() || y.name.is_empty())
                && py_eq(&x.value, &y.value);
        }
        return false;
    }
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
        (Decimal(_), Decimal(_) | Int(_) | Bool(_) | Float(_)) | (Int(_) | Bool(_) | Float(_), Decimal(_)) => {
            decimal_order(a, b) == Some(Ordering::Equal)
        }
        (DateTime(_) | Date(_) | Time(_), DateTime(_) | Date(_) | Time(_)) => {
            crate::datetime::eq(a, b).unwrap_or(false)
        }
        (Uuid(x), Uuid(y)) => x.to_lowercase() == y.to_lowercase(),
        (TimeDelta(x), TimeDelta(y)) => x == y,
        (TimeZone(x), TimeZone(y)) => x == y,
        (Enum(x), Enum(y)) => x.class == y.class && x.name == y.name,
        (Object(x), Object(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            if x.kind == crate::value::ObjKind::Dataclass {
                let (identity, uncompared) = crate::classinfo::dataclass_eq(&x.class);
                if identity {
                    return false; // @dataclass(eq=False)
                }
                if !uncompared.is_empty() {
                    // field(compare=False) takes no part
                    let kept = |o: &crate::value::Object| -> Vec<(crate::value::Str, Value)> {
                        o.fields.iter().filter(|(k, _)| !uncompared.iter().any(|u| **u == **k)).cloned().collect()
                    };
                    let (a, b) = (kept(&x), kept(&y));
                    return x.class == y.class
                        && a.len() == b.len()
                        && a.iter().zip(b.iter()).all(|((k1, v1), (k2, v2))| k1 == k2 && py_eq(v1, v2));
                }
            }
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
    if matches!(a, Enum(_)) || matches!(b, Enum(_)) {
        let (da, db) = (crate::enums::data(a), crate::enums::data(b));
        if da.is_none() && db.is_none() {
            return Option::None; // plain members are not ordered
        }
        return py_cmp(da.as_ref().unwrap_or(a), db.as_ref().unwrap_or(b));
    }
    match (a, b) {
        (Bool(_) | Int(_) | Float(_), Bool(_) | Int(_) | Float(_)) => {
            // NaN compares false both ways; report Equal-ish "unordered" as Greater so `<` is False.
            Some(num_cmp(a, b).unwrap_or(Ordering::Greater))
        }
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        (List(x), List(y)) => seq_cmp(&x.borrow(), &y.borrow()),
        (Tuple(x), Tuple(y)) => seq_cmp(x, y),
        (Decimal(_), Decimal(_) | Int(_) | Bool(_) | Float(_)) | (Int(_) | Bool(_) | Float(_), Decimal(_)) => {
            decimal_order(a, b)
        }
        (DateTime(_) | Date(_) | Time(_), DateTime(_) | Date(_) | Time(_)) => crate::datetime::cmp(a, b)?.ok(),
        (Uuid(x), Uuid(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (TimeDelta(x), TimeDelta(y)) => Some(x.cmp(y)),
        (Object(x), Object(y)) => dataclass_cmp(&x.borrow(), &y.borrow()),
        _ => Option::None,
    }
}

/// `@dataclass(order=True)`: two instances of the same class compare as the tuples of their compared fields (the
/// generated `__lt__` returns NotImplemented for another class, even a subclass).
fn dataclass_cmp(x: &crate::value::Object, y: &crate::value::Object) -> Option<Ordering> {
    if x.kind != crate::value::ObjKind::Dataclass || x.class != y.class {
        return Option::None;
    }
    let uncompared = crate::classinfo::dataclass_order(&x.class)?;
    let kept = |o: &crate::value::Object| -> Vec<Value> {
        o.fields.iter().filter(|(k, _)| !uncompared.iter().any(|u| **u == **k)).map(|(_, v)| v.clone()).collect()
    };
    seq_cmp(&kept(x), &kept(y))
}

fn seq_cmp(x: &[Value], y: &[Value]) -> Option<Ordering> {
    for (p, q) in x.iter().zip(y.iter()) {
        if !py_eq(p, q) {
            return py_cmp(p, q);
        }
    }
    Some(x.len().cmp(&y.len()))
}

/// Exact comparison of a Decimal with a Decimal, int or float (floats compare by their exact value).
fn decimal_order(a: &Value, b: &Value) -> Option<Ordering> {
    let conv = |v: &Value| match v {
        Float(f) => Some(crate::decimal::Dec::from_f64(*f)),
        _ => crate::decimal::as_dec(v),
    };
    use Value::Float;
    conv(a)?.compare(&conv(b)?)
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

const HASH_BITS: u32 = 61;
const HASH_MODULUS: u64 = (1u64 << HASH_BITS) - 1;
const HASH_INF: i64 = 314159;
/// What `hash(None)` is in CPython 3.12+ (3.11 hashes None by address, so any constant is as good).
const HASH_NONE: i64 = 0xFCA86420;

fn fix_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// CPython's hash of an int: the value modulo 2**61 - 1, with its sign.
pub fn int_hash(i: &Int) -> i64 {
    match i {
        Int::Small(v) => {
            let m = (v.unsigned_abs() % HASH_MODULUS) as i64;
            fix_minus_one(if *v < 0 { -m } else { m })
        }
        Int::Big(b) => {
            let m = (b.magnitude() % BigUint::from(HASH_MODULUS)).to_u64().unwrap_or(0) as i64;
            fix_minus_one(if b.sign() == num_bigint::Sign::Minus { -m } else { m })
        }
    }
}

/// CPython's `_Py_HashDouble` (NaN, hashed by identity there, gets its bits here).
pub fn float_hash(v: f64) -> i64 {
    if v.is_nan() {
        return mix(v.to_bits()) as i64;
    }
    if v.is_infinite() {
        return if v > 0.0 { HASH_INF } else { -HASH_INF };
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | x >> (HASH_BITS - 28);
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let bits = HASH_BITS as i32;
    let e = if e >= 0 { e % bits } else { bits - 1 - ((-1 - e) % bits) } as u32;
    x = ((x << e) & HASH_MODULUS) | x >> (HASH_BITS - e);
    let h = (x as i64).wrapping_mul(sign);
    fix_minus_one(h)
}

/// C's frexp: v = m * 2**e with 0.5 <= |m| < 1 (v finite and non-zero; 0 gives (0, 0)).
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // subnormal: scale up first
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e)
}

/// CPython's tuple hash (xxHash-based, 3.8+).
pub fn tuple_hash(hashes: impl ExactSizeIterator<Item = i64>) -> i64 {
    const P1: u64 = 11400714785074694791;
    const P2: u64 = 14029467366897019727;
    const P5: u64 = 2870177450012600261;
    let len = hashes.len() as u64;
    let mut acc = P5;
    for lane in hashes {
        acc = acc.wrapping_add((lane as u64).wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add(len ^ (P5 ^ 3527539));
    if acc == u64::MAX {
        return 1546275796;
    }
    acc as i64
}

/// CPython's frozenset hash (independent of the table layout).
pub fn frozenset_hash(hashes: impl Iterator<Item = i64>) -> i64 {
    fn shuffle(h: u64) -> u64 {
        ((h ^ 89869747) ^ (h << 16)).wrapping_mul(3644798167)
    }
    let mut n: u64 = 0;
    let mut hash: u64 = 0;
    for h in hashes {
        hash ^= shuffle(h as u64);
        n += 1;
    }
    hash ^= (n + 1).wrapping_mul(1927868237);
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash.wrapping_mul(69069).wrapping_add(907133923);
    if hash == u64::MAX {
        hash = 590923713;
    }
    hash as i64
}

/// CPython's Decimal hash: the numeric hash of the exact rational value (so Decimal(1.5) hashes like 1.5).
fn decimal_hash(d: &str) -> i64 {
    let t = d.trim();
    let lower = t.to_ascii_lowercase();
    if lower.ends_with("infinity") || lower.ends_with("inf") {
        return if t.starts_with('-') { -HASH_INF } else { HASH_INF };
    }
    let Some((m, e)) = decimal_parts(t) else { return hash_bytes(b'd', t.as_bytes()) as i64 };
    let modulus = BigUint::from(HASH_MODULUS);
    let exp_hash = if e >= 0 {
        BigUint::from(10u32).modpow(&BigUint::from(e as u64), &modulus)
    } else {
        let inv = BigUint::from(10u32).modpow(&BigUint::from(HASH_MODULUS - 2), &modulus);
        inv.modpow(&BigUint::from(e.unsigned_abs()), &modulus)
    };
    let h = (m.magnitude() * exp_hash % &modulus).to_u64().unwrap_or(0) as i64;
    fix_minus_one(if m.sign() == num_bigint::Sign::Minus { -h } else { h })
}

fn str_hash(s: &str) -> i64 {
    // CPython salts str hashes per process (PYTHONHASHSEED): any fixed hash is as good, and deterministic
    hash_bytes(b's', s.as_bytes()) as i64
}

/// Python's `hash(v)` as an unsigned word (the bits of CPython's Py_hash_t): exactly CPython's for the values whose
/// hash CPython does not salt per process (bool, int, float, Decimal, UUID, timedelta, and tuples and frozensets of
/// them), so sets of them iterate in CPython's order (pyset.rs); None when the value is unhashable.
pub fn py_hash(v: &Value) -> Option<u64> {
    Some(py_hash_signed(v)? as u64)
}

fn py_hash_signed(v: &Value) -> Option<i64> {
    Some(match v {
        Value::None => HASH_NONE,
        Value::Bool(b) => *b as i64,
        Value::Int(i) => int_hash(i),
        Value::Float(f) => float_hash(*f),
        Value::Str(s) => str_hash(s),
        Value::Bytes(b) => hash_bytes(b'b', b) as i64,
        Value::Tuple(t) => {
            let hs = t.iter().map(py_hash_signed).collect::<Option<Vec<i64>>>()?;
            tuple_hash(hs.into_iter())
        }
        Value::FrozenSet(s) => frozenset_hash(s.iter().map(|k| k.hash() as i64)),
        Value::Range(r) => {
            let n = r.len();
            let (start, step) = if n == 0 {
                (HASH_NONE, HASH_NONE)
            } else if n == 1 {
                (int_hash(&Int::Small(r.start)), HASH_NONE)
            } else {
                (int_hash(&Int::Small(r.start)), int_hash(&Int::Small(r.step)))
            };
            tuple_hash([int_hash(&Int::Small(n)), start, step].into_iter())
        }
        Value::Decimal(d) => decimal_hash(d),
        Value::Uuid(s) => {
            let hex: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
            match BigInt::parse_bytes(hex.as_bytes(), 16) {
                Some(b) => int_hash(&Int::from_big(b)),
                None => hash_bytes(b'u', s.as_bytes()) as i64,
            }
        }
        Value::DateTime(s) | Value::Date(s) | Value::Time(s) => match crate::datetime::hash_key(v) {
            Some(k) => hash_bytes(b't', k.as_bytes()) as i64,
            None => hash_bytes(b't', s.as_bytes()) as i64,
        },
        Value::TimeDelta(t) => tuple_hash(
            [int_hash(&Int::Small(t.days)), int_hash(&Int::Small(t.seconds)), int_hash(&Int::Small(t.micros))]
                .into_iter(),
        ),
        Value::Enum(e) => match crate::enums::data(v) {
            Some(d) => py_hash_signed(&d)?,
            // a Flag value is hashed by its name too (`hash(self._name_)`), an unnamed one by its value
            None if e.name.is_empty() => py_hash_signed(&e.value)?,
            None => str_hash(&e.name),
        },
        Value::TimeZone(o) => int_hash(&Int::Small(*o)),
        Value::Class(c) => mix(*c as u64 ^ 0xc1a55) as i64,
        Value::Type(q) => hash_bytes(b'T', q.as_bytes()) as i64,
        Value::Exception(e) => mix(ident_of(&e.borrow().ident)) as i64,
        Value::Iter(i) => mix(Rc::as_ptr(i) as usize as u64) as i64,
        Value::Awaitable(a) => mix(Rc::as_ptr(a) as usize as u64) as i64,
        Value::Function(f) => mix(Rc::as_ptr(f) as usize as u64) as i64,
        Value::WorkflowSelf(o) => mix(Rc::as_ptr(o) as *const () as usize as u64) as i64,
        Value::Object(o) => object_hash(&o.borrow())?,
        Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::View(_) => return Option::None,
    })
}

thread_local! {
    /// The last identity given to an exception (value.rs `Exception::ident`) in this run.
    static LAST_IDENT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Start numbering identities for a run (before its snapshot is read, which raises the count past the stored ones).
pub fn reset_idents() {
    LAST_IDENT.with(|c| c.set(0));
}

/// An identity read from a snapshot: new ones are numbered after it.
pub fn seen_ident(ident: u64) {
    LAST_IDENT.with(|c| c.set(c.get().max(ident)));
}

/// The identity in `cell`, given now if it has none.
pub fn ident_of(cell: &std::cell::Cell<u64>) -> u64 {
    if cell.get() == 0 {
        let next = LAST_IDENT.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        cell.set(next);
    }
    cell.get()
}

/// `hash()` of a dataclass or model instance, as its class's `__hash__` does it (classinfo.rs).
fn object_hash(o: &crate::value::Object) -> Option<i64> {
    use crate::ir::HashKind;
    if o.kind == crate::value::ObjKind::Instance {
        return Some(mix(ident_of(&o.ident)) as i64);
    }
    let h = crate::classinfo::obj_hash(&o.class);
    match h.kind {
        // `hash((self.x, self.y))` over the fields that take part
        HashKind::Fields => {
            let hs = o
                .fields
                .iter()
                .filter(|(k, _)| !h.unhashed.iter().any(|u| **u == **k))
                .map(|(_, v)| py_hash_signed(v))
                .collect::<Option<Vec<i64>>>()?;
            Some(tuple_hash(hs.into_iter()))
        }
        // pydantic: `hash(itemgetter(*model_fields)(self.__dict__))`: no field 0, one field its own hash
        HashKind::Model => {
            let names = crate::classinfo::with_class(&o.class, |_, c| {
                c.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>()
            })
            .unwrap_or_default();
            let values: Vec<&Value> =
                names.iter().filter_map(|n| o.fields.iter().find(|(k, _)| **k == **n).map(|(_, v)| v)).collect();
            match values.as_slice() {
                [] => Some(0),
                [one] => py_hash_signed(one),
                many => {
                    let hs = many.iter().map(|v| py_hash_signed(v)).collect::<Option<Vec<i64>>>()?;
                    Some(tuple_hash(hs.into_iter()))
                }
            }
        }
        HashKind::Identity => Some(mix(ident_of(&o.ident)) as i64),
        HashKind::Unspecified | HashKind::Unhashable | HashKind::Custom => None,
    }
}

/// TypeError text for an unhashable value: like CPython, it names the part that cannot be hashed (the list inside
/// a tuple, or inside a frozen dataclass).
pub fn unhashable(v: &Value) -> String {
    match v {
        Value::Tuple(t) => {
            if let Some(inner) = t.iter().find(|x| py_hash(x).is_none()) {
                return unhashable(inner);
            }
        }
        Value::Object(o) => {
            let ob = o.borrow();
            let h = crate::classinfo::obj_hash(&ob.class);
            if h.kind == crate::ir::HashKind::Custom {
                return format!(
                    "unhashable type: '{}' (its __hash__ is Python code, which a workflow does not run)",
                    v.type_name()
                );
            }
            if matches!(h.kind, crate::ir::HashKind::Fields | crate::ir::HashKind::Model) {
                if let Some((_, inner)) = ob.fields.iter().find(|(_, x)| py_hash(x).is_none()) {
                    return unhashable(inner);
                }
            }
        }
        _ => {}
    }
    format!("unhashable type: '{}'", v.type_name())
}
