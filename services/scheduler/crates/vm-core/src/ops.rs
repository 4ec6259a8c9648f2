//! Operators: arithmetic, bitwise, comparison, containment, with CPython's results and error messages.
use std::cmp::Ordering;
use std::rc::Rc;

use crate::compare::{num_cmp, py_cmp, py_eq, set_compare};
use crate::exc::{index_error, memory_error, overflow, type_error, value_error, zero_division, Flow, R};
use crate::ir::{BinOpKind, CmpOpKind, UnaryOpKind};
use crate::num::{float_divmod, int_truediv, Int};
use crate::pyset::Other;
use crate::value::{Key, PySet, TimeDelta, Value};

pub fn op_symbol(op: BinOpKind) -> &'static str {
    match op {
        BinOpKind::Add => "+",
        BinOpKind::Sub => "-",
        BinOpKind::Mult => "*",
        BinOpKind::Div => "/",
        BinOpKind::FloorDiv => "//",
        BinOpKind::Mod => "%",
        BinOpKind::Pow => "**",
        BinOpKind::Lshift => "<<",
        BinOpKind::Rshift => ">>",
        BinOpKind::BitOr => "|",
        BinOpKind::BitXor => "^",
        BinOpKind::BitAnd => "&",
        BinOpKind::Unspecified => "?",
    }
}

enum Nums {
    Ints(Int, Int),
    Floats(f64, f64),
}

fn as_int(v: &Value) -> Option<Int> {
    match v {
        Value::Int(i) => Some(i.clone()),
        Value::Bool(b) => Some(Int::Small(*b as i64)),
        _ => None,
    }
}

pub fn to_f64(v: &Value) -> R<Option<f64>> {
    Ok(match v {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(i.to_f64().ok_or_else(|| overflow("int too large to convert to float"))?),
        Value::Bool(b) => Some(*b as i64 as f64),
        _ => None,
    })
}

fn nums(a: &Value, b: &Value) -> R<Option<Nums>> {
    if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
        return Ok(Some(Nums::Ints(x, y)));
    }
    if matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)) {
        if let (Some(x), Some(y)) = (to_f64(a)?, to_f64(b)?) {
            return Ok(Some(Nums::Floats(x, y)));
        }
    }
    Ok(None)
}

fn unsupported(op: &str, a: &Value, b: &Value) -> Flow {
    type_error(format!("unsupported operand type(s) for {op}: '{}' and '{}'", a.type_name(), b.type_name()))
}

/// + - * / on floats never raise on overflow in CPython: they give inf (only ** and conversions raise).
fn check_float(f: f64) -> R<Value> {
    Ok(Value::Float(f))
}

fn repeat_count(n: &Int) -> R<usize> {
    match n.as_i64() {
        Some(i) if i <= 0 => Ok(0),
        Some(i) => usize::try_from(i).map_err(|_| memory_error()),
        None if n.is_negative() => Ok(0),
        None => Err(overflow("cannot fit 'int' into an index-sized integer")),
    }
}

fn repeat<T: Clone>(items: &[T], n: usize) -> R<Vec<T>> {
    if items.len().saturating_mul(n) > 100_000_000 {
        return Err(memory_error());
    }
    Ok(items.iter().cloned().cycle().take(items.len() * n).collect())
}

fn seq_repeat(seq: &Value, n: &Int) -> R<Option<Value>> {
    let n = repeat_count(n)?;
    Ok(Some(match seq {
        Value::Str(s) => {
            if s.len().saturating_mul(n) > 100_000_000 {
                return Err(memory_error());
            }
            Value::str(&s.repeat(n))
        }
        Value::List(l) => Value::list(repeat(&l.borrow(), n)?),
        Value::Tuple(t) => Value::tuple(repeat(t, n)?),
        Value::Bytes(b) => Value::Bytes(Rc::from(repeat(b, n)?)),
        _ => return Ok(None),
    }))
}

fn is_set(v: &Value) -> bool {
    matches!(v, Value::Set(_) | Value::FrozenSet(_))
}

fn is_keys_view(v: &Value) -> bool {
    matches!(v, Value::View(view) if view.kind != crate::value::ViewKind::Values)
}

/// Result of a set operator keeps the left operand's type (set or frozenset).
fn set_result(left: &Value, items: PySet) -> Value {
    match left {
        Value::FrozenSet(_) => Value::FrozenSet(Rc::new(items)),
        _ => Value::set(items),
    }
}

fn set_of(v: &Value) -> PySet {
    match v {
        Value::Set(s) => s.borrow().clone(),
        Value::FrozenSet(s) => (**s).clone(),
        _ => PySet::default(),
    }
}

/// `a | b`, `a & b`, `a - b`, `a ^ b` on sets and dict views, as setobject.c / dictobject.c compute them.
fn set_binop(op: BinOpKind, a: &Value, b: &Value) -> R<Option<Value>> {
    use crate::methods::with_other;
    if is_set(a) && is_set(b) {
        let x = set_of(a);
        let r = match op {
            BinOpKind::BitOr => with_other(b, |o| x.union(o))?,
            BinOpKind::BitAnd => with_other(b, |o| x.intersection(o))?,
            BinOpKind::Sub => with_other(b, |o| x.difference(o))?,
            _ => with_other(b, |o| {
                let mut r = PySet::from_other(o);
                r.symmetric_difference_update(Other::Set(&x));
                r
            })?,
        };
        return Ok(Some(set_result(a, r)));
    }
    if !(is_keys_view(a) || is_keys_view(b)) {
        return Ok(None);
    }
    // dict views: a new set from the left operand, then the in-place operation with the right one
    if op == BinOpKind::BitAnd {
        let (view, other) = if is_keys_view(a) { (a, b) } else { (b, a) };
        let vlen = crate::builtins::len_of(view)?;
        if let Value::Set(s) = other {
            if vlen <= s.borrow().len() {
                let x = s.borrow().clone();
                return Ok(Some(Value::set(with_other(view, |o| x.intersection(o))?)));
            }
        }
        let mut r = PySet::default();
        for item in crate::iter::collect(other)? {
            if contains(view, &item)? {
                r.insert(key(&item)?);
            }
        }
        return Ok(Some(Value::set(r)));
    }
    let mut r = with_other(a, PySet::from_other)?;
    with_other(b, |o| match op {
        BinOpKind::BitOr => r.update(o),
        BinOpKind::Sub => r.difference_update(o),
        _ => r.symmetric_difference_update(o),
    })?;
    Ok(Some(Value::set(r)))
}

fn td(t: &TimeDelta) -> i128 {
    t.total_micros()
}

fn td_value(micros: i128) -> R<Value> {
    TimeDelta::from_micros(micros)
        .map(Value::TimeDelta)
        .ok_or_else(|| overflow("days=1000000000; must have magnitude <= 999999999"))
}

pub fn binop(op: BinOpKind, a: &Value, b: &Value) -> R<Value> {
    if let Some(n) = nums(a, b)? {
        return num_binop(op, n, a, b);
    }
    if matches!(a, Value::Enum(_)) || matches!(b, Value::Enum(_)) {
        if let Some(v) = crate::enums::binop(op, a, b)? {
            return Ok(v);
        }
    }
    use BinOpKind::*;
    let sym = op_symbol(op);
    if matches!(a, Value::Decimal(_)) || matches!(b, Value::Decimal(_)) {
        if let Some(v) = decimal_binop(op, a, b)? {
            return Ok(v);
        }
    }
    if matches!(op, Add | Sub) && (crate::datetime::kind_of(a).is_some() || crate::datetime::kind_of(b).is_some()) {
        if let Some(v) = crate::datetime::binop(op == Add, a, b)? {
            return Ok(v);
        }
    }
    match (op, a, b) {
        (Add, Value::Str(x), Value::Str(y)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::str(&s))
        }
        (Add, Value::Str(_), _) => {
            Err(type_error(format!("can only concatenate str (not \"{}\") to str", b.type_name())))
        }
        (Add, Value::List(x), Value::List(y)) => {
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            Ok(Value::list(v))
        }
        (Add, Value::List(_), _) => {
            Err(type_error(format!("can only concatenate list (not \"{}\") to list", b.type_name())))
        }
        (Add, Value::Tuple(x), Value::Tuple(y)) => Ok(Value::tuple(x.iter().chain(y.iter()).cloned().collect())),
        (Add, Value::Tuple(_), _) => {
            Err(type_error(format!("can only concatenate tuple (not \"{}\") to tuple", b.type_name())))
        }
        (Add, Value::Bytes(x), Value::Bytes(y)) => {
            Ok(Value::Bytes(Rc::from(x.iter().chain(y.iter()).copied().collect::<Vec<u8>>())))
        }
        (Add, Value::TimeDelta(x), Value::TimeDelta(y)) => td_value(td(x) + td(y)),
        (Sub, Value::TimeDelta(x), Value::TimeDelta(y)) => td_value(td(x) - td(y)),
        (Mult, Value::TimeDelta(x), Value::Int(_) | Value::Bool(_))
        | (Mult, Value::Int(_) | Value::Bool(_), Value::TimeDelta(x)) => {
            let n = as_int(if matches!(a, Value::TimeDelta(_)) { b } else { a }).and_then(|i| i.as_i64());
            let n = n.ok_or_else(|| overflow("Python int too large to convert to C int"))?;
            td_value(td(x).checked_mul(n as i128).ok_or_else(|| overflow("timedelta overflow"))?)
        }
        (Mult, Value::TimeDelta(x), Value::Float(f)) | (Mult, Value::Float(f), Value::TimeDelta(x)) => {
            td_value((td(x) as f64 * f).round_ties_even() as i128)
        }
        (Div, Value::TimeDelta(x), Value::TimeDelta(y)) => {
            if td(y) == 0 {
                return Err(zero_division("division by zero"));
            }
            Ok(Value::Float(td(x) as f64 / td(y) as f64))
        }
        (Div, Value::TimeDelta(x), Value::Int(_) | Value::Float(_)) => {
            let f = to_f64(b)?.unwrap_or(0.0);
            if f == 0.0 {
                return Err(zero_division("division by zero"));
            }
            td_value((td(x) as f64 / f).round_ties_even() as i128)
        }
        (FloorDiv, Value::TimeDelta(x), Value::TimeDelta(y)) => {
            if td(y) == 0 {
                return Err(zero_division("integer division or modulo by zero"));
            }
            Ok(Value::int(td(x).div_euclid(td(y)) as i64))
        }
        (Mult, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_), Value::Int(_) | Value::Bool(_)) => {
            Ok(seq_repeat(a, &as_int(b).unwrap_or(Int::Small(0)))?.unwrap_or(Value::None))
        }
        (Mult, Value::Int(_) | Value::Bool(_), Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_)) => {
            Ok(seq_repeat(b, &as_int(a).unwrap_or(Int::Small(0)))?.unwrap_or(Value::None))
        }
        (Mult, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_), _) => {
            Err(type_error(format!("can't multiply sequence by non-int of type '{}'", b.type_name())))
        }
        (Mult, _, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_)) => {
            Err(type_error(format!("can't multiply sequence by non-int of type '{}'", a.type_name())))
        }
        (Mod, Value::Str(fmt), _) => crate::format::percent_format(fmt, b),
        (BitOr, Value::Dict(x), Value::Dict(y)) => {
            let mut d = x.borrow().clone();
            for (k, v) in y.borrow().iter() {
                d.insert(k.clone(), v.clone());
            }
            Ok(Value::dict(d))
        }
        (BitOr | BitAnd | Sub | BitXor, _, _) => match set_binop(op, a, b)? {
            Some(v) => Ok(v),
            None => Err(unsupported(sym, a, b)),
        },
        (Pow, _, _) => Err(unsupported("** or pow()", a, b)),
        _ => Err(unsupported(sym, a, b)),
    }
}

/// Decimal arithmetic with Decimal, int or bool operands (floats are refused, like CPython).
fn decimal_binop(op: BinOpKind, a: &Value, b: &Value) -> R<Option<Value>> {
    use crate::decimal::{as_dec, value};
    use BinOpKind::*;
    let (Some(x), Some(y)) = (as_dec(a), as_dec(b)) else { return Ok(None) };
    Ok(Some(match op {
        Add => value(x.add(&y)?),
        Sub => value(x.sub(&y)?),
        Mult => value(x.mul(&y)?),
        Div => value(x.div(&y)?),
        FloorDiv => value(x.divmod(&y)?.0),
        Mod => value(x.divmod(&y)?.1),
        Pow => match &y {
            crate::decimal::Dec::Finite { exp, .. } if *exp >= 0 || y.normalize()?.exponent() >= 0 => {
                value(x.pow_int(&y.trunc().unwrap_or_default())?)
            }
            _ => return Err(type_error("non-integral Decimal powers are not supported in workflows")),
        },
        _ => return Ok(None),
    }))
}

fn num_binop(op: BinOpKind, n: Nums, a: &Value, b: &Value) -> R<Value> {
    use BinOpKind::*;
    let both_bool = matches!((a, b), (Value::Bool(_), Value::Bool(_)));
    match n {
        Nums::Ints(x, y) => Ok(match op {
            Add => Value::Int(x.add(&y)),
            Sub => Value::Int(x.sub(&y)),
            Mult => Value::Int(x.mul(&y).ok_or_else(memory_error)?),
            Div => {
                if y.is_zero() {
                    return Err(zero_division("division by zero"));
                }
                Value::Float(
                    int_truediv(&x, &y).ok_or_else(|| overflow("integer division result too large for a float"))?,
                )
            }
            FloorDiv => Value::Int(x.divmod(&y).ok_or_else(|| zero_division("integer division or modulo by zero"))?.0),
            Mod => Value::Int(x.divmod(&y).ok_or_else(|| zero_division("integer modulo by zero"))?.1),
            Pow => {
                if y.is_negative() {
                    let (fx, fy) = (x.to_f64(), y.to_f64());
                    let (fx, fy) = match (fx, fy) {
                        (Some(p), Some(q)) => (p, q),
                        _ => return Err(overflow("int too large to convert to float")),
                    };
                    return float_pow(fx, fy);
                }
                let e = y.as_i64().and_then(|e| u64::try_from(e).ok()).ok_or_else(memory_error)?;
                Value::Int(x.pow(e).ok_or_else(memory_error)?)
            }
            Lshift => {
                if y.is_negative() {
                    return Err(value_error("negative shift count"));
                }
                let s = y.as_i64().ok_or_else(|| overflow("too many digits in integer"))? as u64;
                Value::Int(x.shl(s).ok_or_else(memory_error)?)
            }
            Rshift => {
                if y.is_negative() {
                    return Err(value_error("negative shift count"));
                }
                Value::Int(x.shr(y.as_i64().map(|s| s as u64).unwrap_or(u64::MAX)))
            }
            BitAnd | BitOr | BitXor => {
                let c = match op {
                    BitAnd => '&',
                    BitOr => '|',
                    _ => '^',
                };
                let r = x.bitop(&y, c);
                if both_bool {
                    Value::Bool(!r.is_zero())
                } else {
                    Value::Int(r)
                }
            }
            Unspecified => return Err(unsupported("?", a, b)),
        }),
        Nums::Floats(x, y) => match op {
            Add => check_float(x + y),
            Sub => check_float(x - y),
            Mult => check_float(x * y),
            Div => {
                if y == 0.0 {
                    return Err(zero_division("float division by zero"));
                }
                check_float(x / y)
            }
            FloorDiv => {
                if y == 0.0 {
                    return Err(zero_division("float floor division by zero"));
                }
                Ok(Value::Float(float_divmod(x, y).0))
            }
            Mod => {
                if y == 0.0 {
                    return Err(zero_division("float modulo"));
                }
                Ok(Value::Float(float_divmod(x, y).1))
            }
            Pow => float_pow(x, y),
            _ => Err(unsupported(op_symbol(op), a, b)),
        },
    }
}

fn float_pow(x: f64, y: f64) -> R<Value> {
    if x == 0.0 && y < 0.0 {
        return Err(zero_division("0.0 cannot be raised to a negative power"));
    }
    if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
        return Err(value_error("complex results are not supported in workflows"));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(overflow("(34, 'Numerical result out of range')"));
    }
    Ok(Value::Float(r))
}

/// `a op= b`: in place for mutable containers (list +=, set |= ...), like CPython.
pub fn inplace(op: BinOpKind, a: &Value, b: &Value) -> R<Value> {
    match (op, a) {
        (BinOpKind::Add, Value::List(l)) => {
            let items = crate::iter::collect(b)?;
            l.borrow_mut().extend(items);
            Ok(a.clone())
        }
        (BinOpKind::Mult, Value::List(l)) => {
            if let Some(n) = as_int(b) {
                let n = repeat_count(&n)?;
                let v = repeat(&l.borrow(), n)?;
                *l.borrow_mut() = v;
                return Ok(a.clone());
            }
            binop(op, a, b)
        }
        (BinOpKind::BitOr | BinOpKind::BitAnd | BinOpKind::Sub | BinOpKind::BitXor, Value::Set(s)) => {
            if !(is_set(b) || is_keys_view(b)) {
                return Err(unsupported(&format!("{}=", op_symbol(op)), a, b));
            }
            let m = match op {
                BinOpKind::BitOr => "update",
                BinOpKind::BitAnd => "intersection_update",
                BinOpKind::Sub => "difference_update",
                _ => "symmetric_difference_update",
            };
            crate::methods::set_inplace(s, m, b)?;
            Ok(a.clone())
        }
        (BinOpKind::BitOr, Value::Dict(d)) => {
            crate::methods::dict_update(d, std::slice::from_ref(b), &[])?;
            Ok(a.clone())
        }
        _ => binop(op, a, b).map_err(|e| rename_op_error(e, op)),
    }
}

/// CPython reports `x += y` failures with the augmented symbol.
fn rename_op_error(e: Flow, op: BinOpKind) -> Flow {
    if let Flow::Raise(Value::Exception(x)) = &e {
        let mut x = x.borrow_mut();
        if let Some(Value::Str(m)) = x.args.first() {
            let from = format!("for {}:", op_symbol(op));
            if m.contains(&from) {
                let to = format!("for {}=:", op_symbol(op));
                x.args[0] = Value::str(&m.replacen(&from, &to, 1));
            }
        }
    }
    e
}

pub fn unaryop(op: UnaryOpKind, v: &Value) -> R<Value> {
    if op != UnaryOpKind::Not && matches!(v, Value::Enum(_)) {
        if let Some(r) = crate::enums::unaryop(op, v)? {
            return Ok(r);
        }
    }
    match op {
        UnaryOpKind::Not => Ok(Value::Bool(!v.truthy())),
        UnaryOpKind::Neg => match v {
            Value::Int(i) => Ok(Value::Int(i.neg())),
            Value::Bool(b) => Ok(Value::int(-(*b as i64))),
            Value::Float(f) => Ok(Value::Float(-f)),
            Value::TimeDelta(t) => td_value(-td(t)),
            Value::Decimal(d) => Ok(crate::decimal::value(
                crate::decimal::Dec::parse(d).ok_or_else(|| value_error("bad Decimal"))?.neg()?,
            )),
            _ => Err(type_error(format!("bad operand type for unary -: '{}'", v.type_name()))),
        },
        UnaryOpKind::Pos => match v {
            Value::Int(_) | Value::Float(_) | Value::TimeDelta(_) => Ok(v.clone()),
            Value::Decimal(d) => Ok(crate::decimal::value(
                crate::decimal::Dec::parse(d).ok_or_else(|| value_error("bad Decimal"))?.plus()?,
            )),
            Value::Bool(b) => Ok(Value::int(*b as i64)),
            _ => Err(type_error(format!("bad operand type for unary +: '{}'", v.type_name()))),
        },
        UnaryOpKind::Invert => match as_int(v) {
            Some(i) => Ok(Value::Int(i.invert())),
            None => Err(type_error(format!("bad operand type for unary ~: '{}'", v.type_name()))),
        },
        UnaryOpKind::Unspecified => Err(crate::exc::internal("unspecified unary op")),
    }
}

fn cmp_symbol(op: CmpOpKind) -> &'static str {
    match op {
        CmpOpKind::Lt => "<",
        CmpOpKind::LtE => "<=",
        CmpOpKind::Gt => ">",
        CmpOpKind::GtE => ">=",
        _ => "==",
    }
}

pub fn compare(op: CmpOpKind, a: &Value, b: &Value) -> R<bool> {
    match op {
        CmpOpKind::Eq => Ok(py_eq(a, b)),
        CmpOpKind::NotEq => Ok(!py_eq(a, b)),
        CmpOpKind::Is => Ok(a.is(b)),
        CmpOpKind::IsNot => Ok(!a.is(b)),
        CmpOpKind::In => contains(b, a),
        CmpOpKind::NotIn => Ok(!contains(b, a)?),
        CmpOpKind::Lt | CmpOpKind::LtE | CmpOpKind::Gt | CmpOpKind::GtE => {
            let sym = cmp_symbol(op);
            if let Some(r) = set_compare(a, b, sym) {
                return Ok(r);
            }
            if let Some(r) = crate::datetime::cmp(a, b) {
                let ord = r.map_err(type_error)?;
                return Ok(match op {
                    CmpOpKind::Lt => ord == Ordering::Less,
                    CmpOpKind::LtE => ord != Ordering::Greater,
                    CmpOpKind::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                });
            }
            // NaN: every ordering comparison is False
            let is_num = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_));
            if is_num(a) && is_num(b) && num_cmp(a, b).is_none() {
                return Ok(false);
            }
            let ord = py_cmp(a, b).ok_or_else(|| {
                type_error(format!(
                    "'{sym}' not supported between instances of '{}' and '{}'",
                    a.type_name(),
                    b.type_name()
                ))
            })?;
            Ok(match op {
                CmpOpKind::Lt => ord == Ordering::Less,
                CmpOpKind::LtE => ord != Ordering::Greater,
                CmpOpKind::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            })
        }
        CmpOpKind::Unspecified => Err(crate::exc::internal("unspecified comparison")),
    }
}

/// `needle in container`
pub fn contains(container: &Value, needle: &Value) -> R<bool> {
    if let Value::Enum(_) = container {
        if let Some(r) = crate::enums::flag_contains(container, needle)? {
            return Ok(r);
        }
        if let Some(d) = crate::enums::data(container) {
            return contains(&d, &crate::enums::unwrap(needle)); // `"a" in StrEnum.MEMBER`
        }
    }
    match container {
        Value::Str(s) => match needle {
            Value::Str(n) => Ok(s.contains(&**n)),
            Value::Enum(_) if crate::enums::data(needle).is_some_and(|d| matches!(d, Value::Str(_))) => {
                contains(container, &crate::enums::unwrap(needle))
            }
            _ => Err(type_error(format!("'in <string>' requires string as left operand, not {}", needle.type_name()))),
        },
        Value::Bytes(s) => match needle {
            Value::Bytes(n) => Ok(n.is_empty() || s.windows(n.len()).any(|w| w == &**n)),
            Value::Int(i) => Ok(i.as_i64().is_some_and(|i| s.contains(&(i as u8)))),
            _ => Err(type_error(format!("a bytes-like object is required, not '{}'", needle.type_name()))),
        },
        Value::List(l) => Ok(l.borrow().iter().any(|x| x.is(needle) || py_eq(x, needle))),
        Value::Tuple(t) => Ok(t.iter().any(|x| x.is(needle) || py_eq(x, needle))),
        Value::Dict(d) => Ok(d.borrow().contains_key(&key(needle)?)),
        Value::Set(s) => Ok(s.borrow().contains(&key(needle)?)),
        Value::FrozenSet(s) => Ok(s.contains(&key(needle)?)),
        Value::View(v) => match v.kind {
            crate::value::ViewKind::Keys => Ok(v.dict.borrow().contains_key(&key(needle)?)),
            crate::value::ViewKind::Values => Ok(v.dict.borrow().values().any(|x| py_eq(x, needle))),
            crate::value::ViewKind::Items => match needle {
                Value::Tuple(t) if t.len() == 2 => {
                    let d = v.dict.borrow();
                    Ok(Key::new(t[0].clone()).and_then(|k| d.get(&k).map(|x| py_eq(x, &t[1]))).unwrap_or(false))
                }
                _ => Ok(false),
            },
        },
        Value::Range(r) => Ok(match needle {
            Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
                let i = match needle {
                    Value::Float(f) if f.fract() == 0.0 && f.abs() < 9e18 => Some(*f as i64),
                    Value::Float(_) => None,
                    _ => as_int(needle).and_then(|i| i.as_i64()),
                };
                i.is_some_and(|i| {
                    let n = r.len();
                    n > 0 && (i - r.start) % r.step == 0 && {
                        let k = (i - r.start) / r.step;
                        k >= 0 && k < n
                    }
                })
            }
            _ => false,
        }),
        Value::Iter(_) => {
            // consumes the iterator up to the match, like CPython
            while let Some(x) = crate::iter::next(container)? {
                if py_eq(&x, needle) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(type_error(format!("argument of type '{}' is not iterable", container.type_name()))),
    }
}

/// A dict/set key, or TypeError "unhashable type".
pub fn key(v: &Value) -> R<Key> {
    Key::new(v.clone()).ok_or_else(|| type_error(crate::compare::unhashable(v)))
}

/// Python's index normalisation for `seq[i]`.
pub fn norm_index(i: &Value, len: usize, what: &str) -> R<usize> {
    let i = match i {
        Value::Int(i) => i.clone(),
        Value::Bool(b) => Int::Small(*b as i64),
        Value::Enum(_) if crate::enums::data(i).is_some_and(|d| matches!(d, Value::Int(_))) => {
            return norm_index(&crate::enums::unwrap(i), len, what);
        }
        _ => {
            return Err(type_error(format!("{what} indices must be integers or slices, not {}", i.type_name())));
        }
    };
    let len_i = len as i64;
    let idx = match i.as_i64() {
        Some(x) if x < 0 => x + len_i,
        Some(x) => x,
        None => -1,
    };
    if idx < 0 || idx >= len_i {
        return Err(index_error(format!("{what} index out of range")));
    }
    Ok(idx as usize)
}
