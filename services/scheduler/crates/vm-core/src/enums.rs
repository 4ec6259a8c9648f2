//! Enum members that are also data (CPython 3.11): an `IntEnum`/`IntFlag`/`int`-mixin member compares, hashes and
//! computes as its int value, a `StrEnum`/`str`-mixin member as its str; `str()`/`format()` of a `ReprEnum` member
//! (IntEnum, StrEnum, IntFlag) are its value's, of any other member `Class.NAME`; `Flag` values combine with
//! `| & ^ ~` into members of their class (`<Perm.R|W: 6>`). What a class is comes from the program's class table
//! (classinfo.rs); a class the program does not know is a plain Enum.
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

use crate::classinfo::{enum_kind, with_class, EnumData, EnumKind};
use crate::exc::{type_error, value_error, R};
use crate::ir::{BinOpKind, UnaryOpKind};
use crate::num::Int;
use crate::value::{short_name, EnumMember, Str, Value};

pub fn kind_of(v: &Value) -> Option<EnumKind> {
    match v {
        Value::Enum(e) => Some(enum_kind(&e.class)),
        _ => None,
    }
}

/// The value a data enum member behaves as (its int or str); None for anything else, plain members included.
pub fn data(v: &Value) -> Option<Value> {
    match v {
        Value::Enum(e) if enum_kind(&e.class).data != EnumData::None => Some(e.value.clone()),
        _ => None,
    }
}

/// `v`, or the value a data enum member behaves as.
pub fn unwrap(v: &Value) -> Value {
    data(v).unwrap_or_else(|| v.clone())
}

/// `bool(member)`: a data member or a Flag value is truthy as its value; any other member is true.
pub fn truthy(e: &EnumMember) -> bool {
    let k = enum_kind(&e.class);
    if k.data != EnumData::None || k.flag {
        e.value.truthy()
    } else {
        true
    }
}

/// `str(member)`
pub fn str_of(e: &EnumMember) -> String {
    let k = enum_kind(&e.class);
    if k.value_str {
        return crate::repr::str_of(&e.value);
    }
    if e.name.is_empty() {
        return format!("{}({})", short_name(&e.class), crate::repr::repr(&e.value));
    }
    format!("{}.{}", short_name(&e.class), e.name)
}

/// `format(member, spec)`: the value's for a ReprEnum, else `str(member)` formatted as a str (3.11).
pub fn format(e: &EnumMember, spec: &str) -> R<String> {
    if enum_kind(&e.class).value_str {
        return crate::format::format_value(&e.value, spec);
    }
    crate::format::format_value(&Value::str(&str_of(e)), spec)
}

fn flag_int(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(i.to_big()),
        Value::Bool(b) => Some(BigInt::from(*b as i64)),
        _ => None,
    }
}

/// The member of flag class `class` with this value: the member itself when one has it, else a value named by the
/// members whose bits it has, in definition order, with the bits no member has appended (`R|8`), unnamed when no
/// member bit is set (`Perm(0)`, `Perm(8)`). A negative value is taken modulo the class's bits, like 3.11.
pub fn flag_member(class: &str, value: BigInt) -> R<Value> {
    let found = with_class(class, |prog, c| {
        let members: Vec<(String, Value)> = c
            .members
            .iter()
            .map(|m| (m.name.clone(), m.value.as_ref().map(|x| prog.constant(x)).unwrap_or(Value::None)))
            .collect();
        (members, crate::classinfo::enum_kind_of(c))
    });
    let Some((members, kind)) = found else {
        return Ok(Value::Enum(Rc::new(EnumMember {
            class: Str::from(class),
            name: Str::from(""),
            value: Value::Int(Int::from_big(value)),
        })));
    };
    let mask = members.iter().filter_map(|(_, v)| flag_int(v)).fold(BigInt::zero(), |a, b| a | b);
    let mut value = value;
    if value.is_negative() {
        let all_bits = (BigInt::one() << mask.bits()) - BigInt::one();
        value += all_bits + BigInt::one();
    }
    let int_value = |v: &BigInt| Value::Int(Int::from_big(v.clone()));
    let make = |name: &str, v: &BigInt| {
        Value::Enum(Rc::new(EnumMember { class: Str::from(class), name: Str::from(name), value: int_value(v) }))
    };
    if let Some((name, _)) = members.iter().find(|(_, v)| flag_int(v).as_ref() == Some(&value)) {
        return Ok(make(name, &value));
    }
    let mut names = Vec::new();
    let mut covered = BigInt::zero();
    for (name, v) in &members {
        let Some(bits) = flag_int(v) else { continue };
        // canonical members only: one bit each (aliases of several bits are not used to name a value)
        if bits.is_zero() || (&bits & (&bits - BigInt::one())) != BigInt::zero() {
            continue;
        }
        if (&value & &bits) == bits && (&covered & &bits).is_zero() {
            names.push(name.clone());
            covered |= bits;
        }
    }
    let extra = &value & !&covered;
    if !extra.is_zero() && kind.data == EnumData::None {
        // Flag's boundary is STRICT: CPython's message, with enum.bin()'s two's-complement-like digits
        let max_bits = value.bits().max(mask.bits());
        return Err(value_error(format!(
            "<flag '{}'> invalid value {value}\n    given {}\n  allowed {}",
            short_name(class),
            enum_bin(&value, max_bits),
            enum_bin(&mask, max_bits)
        )));
    }
    if names.is_empty() {
        return Ok(make("", &value));
    }
    if !extra.is_zero() {
        names.push(extra.to_string());
    }
    Ok(make(&names.join("|"), &value))
}

/// `enum.bin(num, max_bits)` for num >= 0: "0b0 0011".
fn enum_bin(num: &BigInt, max_bits: u64) -> String {
    let digits = num.to_str_radix(2);
    let digits = if num.is_zero() { String::new() } else { digits };
    let pad = (max_bits as usize).saturating_sub(digits.len());
    format!("0b0 {}{digits}", "0".repeat(pad))
}

/// `a op b` when an operand is an enum member: Flag values combine into members, data members compute as their
/// value. None: neither applies (the caller raises its usual TypeError).
pub fn binop(op: BinOpKind, a: &Value, b: &Value) -> R<Option<Value>> {
    let (ka, kb) = (kind_of(a), kind_of(b));
    if matches!(op, BinOpKind::BitOr | BinOpKind::BitAnd | BinOpKind::BitXor) {
        let flag_side = match (a, b) {
            (Value::Enum(e), _) if ka.is_some_and(|k| k.flag) => Some((e.class.clone(), ka)),
            (_, Value::Enum(e)) if kb.is_some_and(|k| k.flag) => Some((e.class.clone(), kb)),
            _ => None,
        };
        if let Some((class, Some(kind))) = flag_side {
            let operand = |v: &Value| -> Option<BigInt> {
                match v {
                    Value::Enum(e) if kind_of(v).is_some_and(|k| k.flag) => {
                        // a pure Flag combines only with its own class; an IntFlag with any int
                        if kind.data == EnumData::None && e.class != class {
                            return None;
                        }
                        flag_int(&e.value)
                    }
                    Value::Enum(_) if kind.data == EnumData::Int => data(v).as_ref().and_then(flag_int),
                    Value::Int(_) | Value::Bool(_) if kind.data == EnumData::Int => flag_int(v),
                    _ => None,
                }
            };
            if let (Some(x), Some(y)) = (operand(a), operand(b)) {
                let r = match op {
                    BinOpKind::BitOr => x | y,
                    BinOpKind::BitAnd => x & y,
                    _ => x ^ y,
                };
                return flag_member(&class, r).map(Some);
            }
            if kind.data == EnumData::None {
                return Ok(None);
            }
        }
    }
    let (da, db) = (data(a), data(b));
    if da.is_none() && db.is_none() {
        return Ok(None);
    }
    let a = da.unwrap_or_else(|| a.clone());
    let b = db.unwrap_or_else(|| b.clone());
    crate::ops::binop(op, &a, &b).map(Some)
}

/// `-m`, `+m`, `~m` of a member: `~` of a Flag value is its complement among the class's bits; data members
/// compute as their value.
pub fn unaryop(op: UnaryOpKind, v: &Value) -> R<Option<Value>> {
    let Value::Enum(e) = v else { return Ok(None) };
    let k = enum_kind(&e.class);
    if op == UnaryOpKind::Invert && k.flag {
        let Some(x) = flag_int(&e.value) else { return Ok(None) };
        let mask = with_class(&e.class, |prog, c| {
            c.members
                .iter()
                .filter_map(|m| m.value.as_ref().map(|x| prog.constant(x)))
                .filter_map(|v| flag_int(&v))
                .fold(BigInt::zero(), |a, b| a | b)
        })
        .unwrap_or_default();
        let r = if k.data == EnumData::Int { !x } else { mask & !x };
        return flag_member(&e.class, r).map(Some);
    }
    match data(v) {
        Some(d) => crate::ops::unaryop(op, &d).map(Some),
        None => Ok(None),
    }
}

/// `m in flags` for a Flag value: whether all of m's bits are set.
pub fn flag_contains(container: &Value, needle: &Value) -> R<Option<bool>> {
    let Value::Enum(c) = container else { return Ok(None) };
    if !enum_kind(&c.class).flag {
        return Ok(None);
    }
    let Value::Enum(n) = needle else {
        return Err(type_error(format!(
            "unsupported operand type(s) for 'in': '{}' and '{}'",
            needle.type_name(),
            container.type_name()
        )));
    };
    if n.class != c.class {
        return Err(type_error(format!(
            "unsupported operand type(s) for 'in': '{}' and '{}'",
            needle.type_name(),
            container.type_name()
        )));
    }
    let (Some(x), Some(y)) = (flag_int(&n.value), flag_int(&c.value)) else { return Ok(None) };
    Ok(Some((&x & &y) == x))
}

/// `Cls(value)` of a flag class when no member has the value.
pub fn construct_flag(class: &str, v: &Value) -> Option<R<Value>> {
    if !enum_kind(class).flag {
        return None;
    }
    let x = match v {
        Value::Enum(e) if &*e.class == class => return Some(Ok(v.clone())),
        _ => flag_int(&unwrap(v))?,
    };
    Some(flag_member(class, x))
}
