//! The pure builtins a workflow may call (DESIGN §1): len range str int float bool abs min max sum list tuple
//! dict set sorted reversed enumerate zip any all round isinstance, and a few harmless extras.
use std::cmp::Ordering;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::bind::CallArgs;
use crate::compare::{float_to_big, py_eq};
use crate::exc::{overflow, type_error, value_error, Flow, R};
use crate::iter::{collect, make_iter, next};
use crate::num::Int;
use crate::ops::{binop, key, to_f64};
use crate::program::Program;
use crate::repr::{repr, str_of};
use crate::subscript::as_index;
use crate::value::{Dict, Iter, PySet, Range, Value};

fn arity(name: &str, a: &CallArgs, min: usize, max: usize) -> R<()> {
    let n = a.pos.len();
    if n < min || n > max {
        return Err(type_error(if min == max {
            format!("{name}() takes exactly {} argument{} ({n} given)", min, if min == 1 { "" } else { "s" })
        } else if n < min {
            format!("{name} expected at least {min} argument{}, got {n}", if min == 1 { "" } else { "s" })
        } else {
            format!("{name} expected at most {max} argument{}, got {n}", if max == 1 { "" } else { "s" })
        }));
    }
    Ok(())
}

fn no_kw(name: &str, a: &CallArgs) -> R<()> {
    if a.kw.is_empty() {
        Ok(())
    } else {
        Err(type_error(format!("{name}() takes no keyword arguments")))
    }
}

/// Pull keyword `name` out of the call (so what remains can be checked as unexpected).
pub fn take_kw(a: &mut CallArgs, name: &str) -> Option<Value> {
    let i = a.kw.iter().position(|(k, _)| &**k == name)?;
    Some(a.kw.remove(i).1)
}

fn unexpected_kw(fname: &str, a: &CallArgs) -> R<()> {
    match a.kw.first() {
        Some((k, _)) => Err(type_error(format!("{fname}() got an unexpected keyword argument '{k}'"))),
        None => Ok(()),
    }
}

pub fn len_of(v: &Value) -> R<usize> {
    Ok(match v {
        Value::Str(s) => {
            if s.is_ascii() {
                s.len()
            } else {
                s.chars().count()
            }
        }
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.borrow().len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) => d.borrow().len(),
        Value::Set(s) => s.borrow().len(),
        Value::FrozenSet(s) => s.len(),
        Value::Range(r) => r.len() as usize,
        Value::View(v) => v.dict.borrow().len(),
        Value::Object(o) if o.borrow().kind == crate::value::ObjKind::Model => {
            return Err(type_error(format!("object of type '{}' has no len()", v.type_name())))
        }
        _ => return Err(type_error(format!("object of type '{}' has no len()", v.type_name()))),
    })
}

/// Sort with Python's `<` like list.sort (stable; CPython's comparison order).
pub fn sort_values(items: &mut Vec<Value>, reverse: bool) -> R<()> {
    let keys = items.clone();
    *items = crate::sort::sort(keys, std::mem::take(items), reverse)?;
    Ok(())
}

/// `sorted(items, key=key, reverse=reverse)` / `list.sort`: keys computed first, in order (CPython does too).
pub fn sort_with_key(prog: &Program, items: Vec<Value>, key: Option<&Value>, reverse: bool) -> R<Vec<Value>> {
    let keys = match key {
        Some(f) if !f.is_none() => {
            items.iter().map(|x| crate::call::call1(prog, f, x.clone())).collect::<R<Vec<_>>>()?
        }
        _ => items.clone(),
    };
    crate::sort::sort(keys, items, reverse)
}

fn min_max(prog: &Program, name: &str, mut a: CallArgs, want: Ordering) -> R<Value> {
    let default = take_kw(&mut a, "default");
    let key_fn = take_kw(&mut a, "key").filter(|k| !k.is_none());
    unexpected_kw(name, &a)?;
    let items = match a.pos.len() {
        0 => return Err(type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => collect(&a.pos[0])?,
        _ => {
            if default.is_some() {
                return Err(type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            a.pos
        }
    };
    let mut it = items.into_iter();
    let Some(mut best) = it.next() else {
        return default.ok_or_else(|| value_error(format!("{name}() arg is an empty sequence")));
    };
    let keyed = |x: &Value| -> R<Value> {
        match &key_fn {
            Some(f) => crate::call::call1(prog, f, x.clone()),
            None => Ok(x.clone()),
        }
    };
    let op = if want == Ordering::Less { crate::ir::CmpOpKind::Lt } else { crate::ir::CmpOpKind::Gt };
    let mut best_key = keyed(&best)?;
    for x in it {
        let k = keyed(&x)?;
        if crate::ops::compare(op, &k, &best_key)? {
            best = x;
            best_key = k;
        }
    }
    Ok(best)
}

fn to_int(v: &Value, base: Option<&Value>) -> R<Value> {
    if let Some(b) = base {
        let Value::Str(s) = v else {
            return Err(type_error("int() can't convert non-string with explicit base"));
        };
        let radix = as_index(b, "")?.as_i64().unwrap_or(-1);
        if !(radix == 0 || (2..=36).contains(&radix)) {
            return Err(value_error("int() base must be >= 2 and <= 36, or 0"));
        }
        let t = s.trim().replace('_', "");
        let (neg, body) = match t.strip_prefix('-') {
            Some(r) => (true, r.to_string()),
            None => (false, t.strip_prefix('+').unwrap_or(&t).to_string()),
        };
        let lower = body.to_lowercase();
        let (radix, digits) = match (radix, lower.get(..2)) {
            (0 | 16, Some("0x")) => (16, &lower[2..]),
            (0 | 8, Some("0o")) => (8, &lower[2..]),
            (0 | 2, Some("0b")) => (2, &lower[2..]),
            (0, _) => (10, &lower[..]),
            (r, _) => (r as u32, &lower[..]),
        };
        let parsed = BigInt::parse_bytes(digits.as_bytes(), radix)
            .filter(|_| !digits.is_empty())
            .ok_or_else(|| value_error(format!("invalid literal for int() with base {}: {}", b_str(b), repr(v))))?;
        return Ok(Value::Int(Int::from_big(if neg { -parsed } else { parsed })));
    }
    match v {
        Value::Int(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::int(*b as i64)),
        Value::Float(f) => float_to_int(*f).map(Value::Int),
        Value::Str(s) => Int::parse(s)
            .filter(|_| !s.trim().starts_with('_') && !s.contains("__") && !s.trim().is_empty())
            .map(Value::Int)
            .ok_or_else(|| value_error(format!("invalid literal for int() with base 10: {}", repr(v)))),
        Value::Decimal(d) => match crate::decimal::Dec::parse(d) {
            Some(x @ crate::decimal::Dec::Finite { .. }) => {
                Ok(Value::Int(Int::from_big(x.trunc().unwrap_or_default())))
            }
            Some(crate::decimal::Dec::Inf { .. }) => Err(overflow("cannot convert Infinity to integer")),
            _ => Err(value_error("cannot convert NaN to integer")),
        },
        _ => Err(type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            v.type_name()
        ))),
    }
}

fn b_str(b: &Value) -> String {
    str_of(b)
}

pub fn float_to_int(f: f64) -> R<Int> {
    if f.is_nan() {
        return Err(value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(overflow("cannot convert float infinity to integer"));
    }
    let t = f.trunc();
    if t.abs() < 9.0e18 {
        Ok(Int::Small(t as i64))
    } else {
        Ok(Int::from_big(float_to_big(t)))
    }
}

pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim().replace('_', "");
    let lower = t.to_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let neg = lower.starts_with('-');
    let special = match body {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(x) = special {
        return Some(if neg { -x } else { x });
    }
    if lower.is_empty() || !lower.chars().all(|c| c.is_ascii_digit() || "+-.e".contains(c)) {
        return None;
    }
    lower.parse::<f64>().ok()
}

fn to_float(v: &Value) -> R<Value> {
    match v {
        Value::Float(_) => Ok(v.clone()),
        Value::Int(_) | Value::Bool(_) => Ok(Value::Float(to_f64(v)?.unwrap_or(0.0))),
        Value::Str(s) => parse_float(s)
            .map(Value::Float)
            .ok_or_else(|| value_error(format!("could not convert string to float: {}", repr(v)))),
        Value::Decimal(d) => match crate::decimal::Dec::parse(d) {
            Some(crate::decimal::Dec::NaN { signaling: true, .. }) => {
                Err(value_error("cannot convert signaling NaN to float"))
            }
            Some(x) => Ok(Value::Float(x.to_f64())),
            None => Err(value_error("bad Decimal")),
        },
        _ => Err(type_error(format!("float() argument must be a string or a real number, not '{}'", v.type_name()))),
    }
}

/// round(x[, n]) with banker's rounding on the exact binary value (what CPython does).
fn round(v: &Value, nd: Option<&Value>) -> R<Value> {
    let nd = match nd {
        None | Some(Value::None) => None,
        Some(n) => Some(as_index(n, "")?.as_i64().unwrap_or(0)),
    };
    if let Value::Decimal(d) = v {
        let x = crate::decimal::Dec::parse(d).ok_or_else(|| value_error("bad Decimal"))?;
        return match nd {
            None => match &x {
                crate::decimal::Dec::Finite { .. } => Ok(Value::Int(Int::from_big(x.round_int().unwrap_or_default()))),
                crate::decimal::Dec::Inf { .. } => Err(overflow("cannot round an infinity")),
                _ => Err(value_error("cannot round a NaN")),
            },
            Some(n) => {
                let exp = crate::decimal::Dec::Finite { neg: false, coef: 1u32.into(), exp: -n };
                Ok(crate::decimal::value(x.quantize(&exp, crate::decimal::Rounding::HalfEven)?))
            }
        };
    }
    match (v, nd) {
        (Value::Float(f), None) => float_to_int(f.round_ties_even()).map(Value::Int),
        (Value::Float(f), Some(n)) => {
            if !f.is_finite() {
                return Ok(v.clone());
            }
            if n > 300 {
                return Ok(v.clone());
            }
            if n < -308 {
                return Ok(Value::Float(0.0f64.copysign(*f)));
            }
            if n >= 0 {
                let s = format!("{:.*}", n as usize, f);
                Ok(Value::Float(s.parse().unwrap_or(*f)))
            } else {
                // exact decimal rounding of the binary value, half to even (CPython's dtoa mode 3)
                let d = crate::decimal::Dec::from_f64(*f).rescale(-n, crate::decimal::Rounding::HalfEven);
                let r = d.to_sci().parse::<f64>().unwrap_or(*f);
                Ok(Value::Float(if r == 0.0 { 0.0f64.copysign(*f) } else { r }))
            }
        }
        (Value::Int(_) | Value::Bool(_), None) => crate::ops::unaryop(crate::ir::UnaryOpKind::Pos, v),
        (Value::Int(i), Some(n)) => {
            if n >= 0 {
                return Ok(v.clone());
            }
            let p = Int::Small(10).pow((-n) as u64).ok_or_else(crate::exc::memory_error)?;
            let (q, r) = i.divmod(&p).unwrap_or((Int::Small(0), Int::Small(0)));
            // half to even
            let twice = r.add(&r);
            let q = match twice.cmp(&p) {
                Ordering::Greater => q.add(&Int::Small(1)),
                Ordering::Equal if q.divmod(&Int::Small(2)).is_some_and(|(_, m)| !m.is_zero()) => q.add(&Int::Small(1)),
                _ => q,
            };
            Ok(Value::Int(q.mul(&p).ok_or_else(crate::exc::memory_error)?))
        }
        (Value::Bool(b), Some(_)) => Ok(Value::int(*b as i64)),
        _ => Err(type_error(format!("type {} doesn't define __round__ method", v.type_name()))),
    }
}

fn sum(mut a: CallArgs) -> R<Value> {
    let start = take_kw(&mut a, "start");
    unexpected_kw("sum", &a)?;
    arity("sum", &a, 1, 2)?;
    let mut acc = a.pos.get(1).cloned().or(start).unwrap_or(Value::int(0));
    if let Value::Str(_) = acc {
        return Err(type_error("sum() can't sum strings [use ''.join(seq) instead]"));
    }
    let it = make_iter(&a.pos[0])?;
    // Fast path for ints; exact float summation is not needed to match CPython (it adds left to right too).
    while let Some(x) = next(&it)? {
        acc = binop(crate::ir::BinOpKind::Add, &acc, &x)?;
    }
    Ok(acc)
}

fn range(a: &CallArgs) -> R<Value> {
    no_kw("range", a)?;
    let ints: Vec<i64> = a
        .pos
        .iter()
        .map(|v| as_index(v, "")?.as_i64().ok_or_else(|| overflow("Python int too large to convert to C ssize_t")))
        .collect::<R<_>>()?;
    let (start, stop, step) = match ints.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        [] => return Err(type_error("range expected at least 1 argument, got 0")),
        _ => return Err(type_error(format!("range expected at most 3 arguments, got {}", ints.len()))),
    };
    if step == 0 {
        return Err(value_error("range() arg 3 must not be zero"));
    }
    Ok(Value::Range(Rc::new(Range { start, stop, step })))
}

fn dict_from(a: CallArgs) -> R<Value> {
    if a.pos.len() > 1 {
        return Err(type_error(format!("dict expected at most 1 argument, got {}", a.pos.len())));
    }
    let d = Rc::new(std::cell::RefCell::new(Dict::default()));
    crate::methods::dict_update(&d, &a.pos, &a.kw)?;
    Ok(Value::Dict(d))
}

fn set_from(a: &CallArgs, name: &str) -> R<PySet> {
    no_kw(name, a)?;
    arity(name, a, 0, 1)?;
    match a.pos.first() {
        Some(x) => crate::methods::with_other(x, PySet::from_other),
        None => Ok(PySet::default()),
    }
}

/// Every name `call` implements: the pure builtins and conversions, then stdlib class methods.
pub const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bin",
    "bool",
    "bytes",
    "callable",
    "chr",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "format",
    "frozenset",
    "hash",
    "hex",
    "int",
    "isinstance",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "oct",
    "ord",
    "pow",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "type",
    "zip",
    "datetime.datetime.fromisoformat",
    "datetime.datetime.combine",
    "datetime.datetime.strptime",
    "datetime.datetime.fromordinal",
    "datetime.date.fromisoformat",
    "datetime.date.fromordinal",
    "datetime.time.fromisoformat",
    "dict.fromkeys",
    "dataclasses.replace",
    "dataclasses.asdict",
    "dataclasses.astuple",
    "operator.itemgetter",
    "operator.attrgetter",
    "datetime.timezone.utc",
    "typing.cast",
    "pydantic.model_validate",
    "math.ceil",
    "math.floor",
    "math.trunc",
    "math.sqrt",
    "math.isqrt",
    "math.fabs",
    "math.isclose",
    "math.gcd",
    "math.isnan",
    "math.isinf",
    "math.isfinite",
    "math.copysign",
    "math.prod",
    "BaseException.__init__",
    "BaseException.__str__",
];

fn float_arg(v: &Value) -> R<f64> {
    match v {
        Value::Decimal(d) => Ok(crate::decimal::Dec::parse(d).map(|x| x.to_f64()).unwrap_or(f64::NAN)),
        _ => to_f64(v)?.ok_or_else(|| type_error(format!("must be real number, not {}", v.type_name()))),
    }
}

/// The exact functions of the math module (no libm approximations: ceil, floor, sqrt ... are correctly rounded).
fn math(prog: &Program, name: &str, mut a: CallArgs) -> R<Value> {
    let f = &name[5..];
    let one = |a: &CallArgs| -> R<Value> {
        if a.pos.len() != 1 || !a.kw.is_empty() {
            return Err(type_error(format!("math.{f}() takes exactly one argument ({} given)", a.pos.len())));
        }
        Ok(a.pos[0].clone())
    };
    match f {
        "ceil" | "floor" | "trunc" => {
            let x = one(&a)?;
            match &x {
                Value::Int(_) | Value::Bool(_) => crate::ops::unaryop(crate::ir::UnaryOpKind::Pos, &x),
                Value::Decimal(d) => {
                    let dec = crate::decimal::Dec::parse(d).ok_or_else(|| value_error("bad Decimal"))?;
                    let mode = match f {
                        "ceil" => crate::decimal::Rounding::Ceiling,
                        "floor" => crate::decimal::Rounding::Floor,
                        _ => crate::decimal::Rounding::Down,
                    };
                    let one = crate::decimal::Dec::Finite { neg: false, coef: 1u32.into(), exp: 0 };
                    let r = dec.quantize(&one, mode)?;
                    Ok(Value::Int(Int::from_big(r.trunc().unwrap_or_default())))
                }
                _ => {
                    let v = float_arg(&x)?;
                    let r = match f {
                        "ceil" => v.ceil(),
                        "floor" => v.floor(),
                        _ => v.trunc(),
                    };
                    float_to_int(r).map(Value::Int)
                }
            }
        }
        "sqrt" => {
            let v = float_arg(&one(&a)?)?;
            if v < 0.0 {
                return Err(value_error("math domain error"));
            }
            Ok(Value::Float(v.sqrt()))
        }
        "isqrt" => {
            let n = as_index(&one(&a)?, "")?;
            if n.is_negative() {
                return Err(value_error("isqrt() argument must be nonnegative"));
            }
            Ok(Value::Int(Int::from_big(n.to_big().sqrt())))
        }
        "fabs" => Ok(Value::Float(float_arg(&one(&a)?)?.abs())),
        "isnan" => Ok(Value::Bool(float_arg(&one(&a)?)?.is_nan())),
        "isinf" => Ok(Value::Bool(float_arg(&one(&a)?)?.is_infinite())),
        "isfinite" => Ok(Value::Bool(float_arg(&one(&a)?)?.is_finite())),
        "copysign" => {
            arity(name, &a, 2, 2)?;
            Ok(Value::Float(float_arg(&a.pos[0])?.copysign(float_arg(&a.pos[1])?)))
        }
        "isclose" => {
            let rel = take_kw(&mut a, "rel_tol").map(|v| float_arg(&v)).transpose()?.unwrap_or(1e-9);
            let abs_tol = take_kw(&mut a, "abs_tol").map(|v| float_arg(&v)).transpose()?.unwrap_or(0.0);
            unexpected_kw("isclose", &a)?;
            arity(name, &a, 2, 2)?;
            if rel < 0.0 || abs_tol < 0.0 {
                return Err(value_error("tolerances must be non-negative"));
            }
            let (x, y) = (float_arg(&a.pos[0])?, float_arg(&a.pos[1])?);
            if x == y {
                return Ok(Value::Bool(true));
            }
            if x.is_infinite() || y.is_infinite() {
                return Ok(Value::Bool(false));
            }
            let diff = (y - x).abs();
            Ok(Value::Bool(diff <= (rel * y).abs() || diff <= (rel * x).abs() || diff <= abs_tol))
        }
        "gcd" => {
            let mut g = BigInt::from(0);
            for v in &a.pos {
                g = num_integer::Integer::gcd(&g, &as_index(v, "")?.to_big());
            }
            Ok(Value::Int(Int::from_big(g)))
        }
        "prod" => {
            let start = take_kw(&mut a, "start").unwrap_or(Value::int(1));
            unexpected_kw("prod", &a)?;
            arity(name, &a, 1, 1)?;
            let mut acc = start;
            for x in collect(&a.pos[0])? {
                acc = binop(crate::ir::BinOpKind::Mult, &acc, &x)?;
            }
            Ok(acc)
        }
        _ => {
            let _ = prog;
            Err(crate::exc::attribute_error(format!("module 'math' has no attribute '{f}'")))
        }
    }
}

/// dataclasses.asdict / astuple: dataclasses become dicts (or tuples), containers are copied recursively.
fn as_plain(v: &Value, tuple: bool) -> Value {
    match v {
        Value::Object(o) if o.borrow().kind == crate::value::ObjKind::Dataclass => {
            let o = o.borrow();
            if tuple {
                Value::tuple(o.fields.iter().map(|(_, x)| as_plain(x, tuple)).collect())
            } else {
                let mut d = Dict::default();
                for (k, x) in &o.fields {
                    if let Some(kk) = crate::value::Key::new(Value::Str(k.clone())) {
                        d.insert(kk, as_plain(x, tuple));
                    }
                }
                Value::dict(d)
            }
        }
        Value::List(l) => Value::list(l.borrow().iter().map(|x| as_plain(x, tuple)).collect()),
        Value::Tuple(t) => Value::tuple(t.iter().map(|x| as_plain(x, tuple)).collect()),
        Value::Dict(d) => Value::dict(d.borrow().iter().map(|(k, x)| (k.clone(), as_plain(x, tuple))).collect()),
        _ => v.clone(),
    }
}

/// Call builtin `name`. The program is needed for isinstance and class reprs.
/// Builtins that see an IntEnum/StrEnum argument as its plain value (the others keep the member: `max`, `sorted`,
/// `str`, `repr`, `format`, `type`, `isinstance` ...).
const UNWRAP_ENUMS: &[&str] = &[
    "int",
    "float",
    "abs",
    "round",
    "divmod",
    "pow",
    "hex",
    "oct",
    "bin",
    "chr",
    "ord",
    "len",
    "range",
    "list",
    "tuple",
    "set",
    "frozenset",
    "bytes",
    "enumerate",
    "zip",
    "reversed",
    "iter",
];

pub fn call(prog: &Program, name: &str, mut a: CallArgs) -> R<Value> {
    if name != "isinstance" && name != "type" && name != "repr" && name != "str" {
        // an enum class is iterable: its members
        for v in a.pos.iter_mut() {
            if let Value::Class(c) = v {
                if let Some(members) = crate::classes::enum_members(prog, *c) {
                    *v = members;
                }
            }
        }
    }
    if a.pos.iter().any(|v| matches!(v, Value::Enum(_))) && (name.starts_with("math.") || UNWRAP_ENUMS.contains(&name))
    {
        // an IntEnum/StrEnum member is taken as its int/str (`int(Tier.PRO)`, `len(Mode.FAST)`)
        for v in a.pos.iter_mut() {
            if let Some(d) = crate::enums::data(v) {
                *v = d;
            }
        }
    }
    let first = |a: &CallArgs| a.pos.first().cloned().unwrap_or(Value::None);
    match name {
        "len" => {
            no_kw(name, &a)?;
            arity(name, &a, 1, 1)?;
            Ok(Value::int(len_of(&a.pos[0])? as i64))
        }
        "range" => range(&a),
        "str" => {
            if a.pos.len() > 1 || !a.kw.is_empty() {
                return Err(type_error("str() with encoding arguments is not supported in workflows"));
            }
            Ok(match a.pos.first() {
                None => Value::str(""),
                Some(Value::Class(i)) => Value::str(&crate::classes::class_repr(prog, *i)),
                Some(v) => Value::str(&str_of(v)),
            })
        }
        "repr" => {
            arity(name, &a, 1, 1)?;
            Ok(match &a.pos[0] {
                Value::Class(i) => Value::str(&crate::classes::class_repr(prog, *i)),
                v => Value::str(&repr(v)),
            })
        }
        "int" => {
            let base = take_kw(&mut a, "base");
            unexpected_kw(name, &a)?;
            arity(name, &a, 0, 2)?;
            match a.pos.first() {
                None => Ok(Value::int(0)),
                Some(v) => to_int(v, a.pos.get(1).or(base.as_ref())),
            }
        }
        "float" => {
            no_kw(name, &a)?;
            arity(name, &a, 0, 1)?;
            match a.pos.first() {
                None => Ok(Value::Float(0.0)),
                Some(v) => to_float(v),
            }
        }
        "bool" => {
            no_kw(name, &a)?;
            arity(name, &a, 0, 1)?;
            Ok(Value::Bool(a.pos.first().is_some_and(Value::truthy)))
        }
        "abs" => {
            arity(name, &a, 1, 1)?;
            match &a.pos[0] {
                Value::Int(i) => Ok(Value::Int(i.abs())),
                Value::Bool(b) => Ok(Value::int(*b as i64)),
                Value::Float(f) => Ok(Value::Float(f.abs())),
                Value::TimeDelta(t) => Ok(Value::TimeDelta(if t.days < 0 {
                    crate::value::TimeDelta::from_micros(-t.total_micros()).unwrap_or(*t)
                } else {
                    *t
                })),
                Value::Decimal(d) => Ok(crate::decimal::value(
                    crate::decimal::Dec::parse(d).ok_or_else(|| value_error("bad Decimal"))?.abs()?,
                )),
                v => Err(type_error(format!("bad operand type for abs(): '{}'", v.type_name()))),
            }
        }
        "min" => min_max(prog, name, a, Ordering::Less),
        "max" => min_max(prog, name, a, Ordering::Greater),
        "type" => {
            no_kw(name, &a)?;
            if a.pos.len() != 1 {
                return Err(type_error("type() takes 1 argument in a workflow"));
            }
            Ok(crate::classes::type_of(prog, &a.pos[0]))
        }
        "map" => {
            no_kw(name, &a)?;
            if a.pos.len() < 2 {
                return Err(type_error("map() must have at least two arguments."));
            }
            let f = a.pos.remove(0);
            let inners = a.pos.iter().map(make_iter).collect::<R<Vec<_>>>()?;
            let mut out = Vec::new();
            'outer: loop {
                let mut args = Vec::with_capacity(inners.len());
                for i in &inners {
                    match next(i)? {
                        Some(v) => args.push(v),
                        None => break 'outer,
                    }
                }
                out.push(crate::call::call_value(prog, &f, CallArgs { pos: args, kw: vec![] })?);
            }
            Ok(Value::iter(Iter::Values { items: out.into(), index: 0 }))
        }
        "filter" => {
            no_kw(name, &a)?;
            arity(name, &a, 2, 2)?;
            let it = make_iter(&a.pos[1])?;
            let mut out = Vec::new();
            while let Some(x) = next(&it)? {
                let keep = if a.pos[0].is_none() {
                    x.truthy()
                } else {
                    crate::call::call1(prog, &a.pos[0], x.clone())?.truthy()
                };
                if keep {
                    out.push(x);
                }
            }
            Ok(Value::iter(Iter::Values { items: out.into(), index: 0 }))
        }
        "sum" => sum(a),
        "list" => {
            no_kw(name, &a)?;
            arity(name, &a, 0, 1)?;
            Ok(Value::list(match a.pos.first() {
                Some(v) => collect(v)?,
                None => vec![],
            }))
        }
        "tuple" => {
            no_kw(name, &a)?;
            arity(name, &a, 0, 1)?;
            Ok(match a.pos.first() {
                Some(Value::Tuple(_)) => first(&a),
                Some(v) => Value::tuple(collect(v)?),
                None => Value::tuple(vec![]),
            })
        }
        "dict" => dict_from(a),
        "set" => Ok(Value::set(set_from(&a, name)?)),
        "frozenset" => match a.pos.first() {
            Some(f @ Value::FrozenSet(_)) if a.pos.len() == 1 && a.kw.is_empty() => Ok(f.clone()),
            _ => Ok(Value::FrozenSet(Rc::new(set_from(&a, name)?))),
        },
        "sorted" => {
            let reverse = take_kw(&mut a, "reverse").is_some_and(|v| v.truthy());
            let key_fn = take_kw(&mut a, "key");
            unexpected_kw(name, &a)?;
            if a.pos.len() != 1 {
                return Err(type_error(format!("sorted expected 1 argument, got {}", a.pos.len())));
            }
            let items = collect(&a.pos[0])?;
            Ok(Value::list(sort_with_key(prog, items, key_fn.as_ref(), reverse)?))
        }
        "reversed" => {
            no_kw(name, &a)?;
            arity(name, &a, 1, 1)?;
            crate::iter::reversed(&a.pos[0])
        }
        "enumerate" => {
            let start = take_kw(&mut a, "start");
            unexpected_kw(name, &a)?;
            arity(name, &a, 1, 2)?;
            let count = match a.pos.get(1).or(start.as_ref()) {
                Some(v) => as_index(v, "")?,
                None => Int::Small(0),
            };
            Ok(Value::iter(Iter::Enumerate { inner: make_iter(&a.pos[0])?, count }))
        }
        "zip" => {
            let strict = take_kw(&mut a, "strict").is_some_and(|v| v.truthy());
            unexpected_kw(name, &a)?;
            let inners = a.pos.iter().map(make_iter).collect::<R<Vec<_>>>()?;
            Ok(Value::iter(Iter::Zip { inners, strict }))
        }
        "iter" => {
            arity(name, &a, 1, 1)?;
            make_iter(&a.pos[0])
        }
        "next" => {
            arity(name, &a, 1, 2)?;
            match next(&a.pos[0])? {
                Some(v) => Ok(v),
                None => {
                    a.pos.get(1).cloned().ok_or_else(|| Flow::Raise(crate::exc::new_builtin("StopIteration", vec![])))
                }
            }
        }
        "any" | "all" => {
            arity(name, &a, 1, 1)?;
            let it = make_iter(&a.pos[0])?;
            let want = name == "any";
            while let Some(x) = next(&it)? {
                if x.truthy() == want {
                    return Ok(Value::Bool(want));
                }
            }
            Ok(Value::Bool(!want))
        }
        "round" => {
            let nd = take_kw(&mut a, "ndigits");
            unexpected_kw(name, &a)?;
            arity(name, &a, 1, 2)?;
            round(&a.pos[0], a.pos.get(1).or(nd.as_ref()))
        }
        "isinstance" => {
            arity(name, &a, 2, 2)?;
            let ok = crate::classes::matches_classinfo(
                prog,
                &a.pos[0],
                &a.pos[1],
                "isinstance() arg 2 must be a type, a tuple of types, or a union",
            )?;
            Ok(Value::Bool(ok))
        }
        "divmod" => {
            arity(name, &a, 2, 2)?;
            let q = binop(crate::ir::BinOpKind::FloorDiv, &a.pos[0], &a.pos[1]).map_err(divmod_msg)?;
            let r = binop(crate::ir::BinOpKind::Mod, &a.pos[0], &a.pos[1]).map_err(divmod_msg)?;
            Ok(Value::tuple(vec![q, r]))
        }
        "pow" => {
            let m = take_kw(&mut a, "mod");
            let e = take_kw(&mut a, "exp");
            let b = take_kw(&mut a, "base");
            unexpected_kw(name, &a)?;
            let mut args = a.pos;
            args.extend(b);
            args.extend(e);
            args.extend(m);
            match args.as_slice() {
                [x, y] => binop(crate::ir::BinOpKind::Pow, x, y),
                [x, y, Value::None] => binop(crate::ir::BinOpKind::Pow, x, y),
                [x, y, z] => {
                    let (
                        Value::Int(_) | Value::Bool(_),
                        Value::Int(_) | Value::Bool(_),
                        Value::Int(_) | Value::Bool(_),
                    ) = (x, y, z)
                    else {
                        return Err(type_error("pow() 3rd argument not allowed unless all arguments are integers"));
                    };
                    let (b, e, m) = (as_index(x, "")?.to_big(), as_index(y, "")?.to_big(), as_index(z, "")?.to_big());
                    if m == BigInt::from(0) {
                        return Err(value_error("pow() 3rd argument cannot be 0"));
                    }
                    if e < BigInt::from(0) {
                        return Err(value_error(
                            "pow() with a negative exponent and a modulus is not supported in workflows",
                        ));
                    }
                    let r = b.modpow(&e, &m);
                    // Python's result takes the sign of the modulus
                    let r =
                        if r != BigInt::from(0) && (r < BigInt::from(0)) != (m < BigInt::from(0)) { r + &m } else { r };
                    Ok(Value::Int(Int::from_big(r)))
                }
                _ => Err(type_error(format!("pow expected 2 or 3 arguments, got {}", args.len()))),
            }
        }
        "format" => {
            arity(name, &a, 1, 2)?;
            let spec = match a.pos.get(1) {
                Some(Value::Str(s)) => s.to_string(),
                Some(v) => return Err(type_error(format!("format() argument 2 must be str, not {}", v.type_name()))),
                None => String::new(),
            };
            Ok(Value::str(&crate::format::format_value(&a.pos[0], &spec)?))
        }
        "chr" => {
            arity(name, &a, 1, 1)?;
            let i = as_index(&a.pos[0], "")?.as_i64().unwrap_or(-1);
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| value_error("chr() arg not in range(0x110000)"))?;
            Ok(Value::str(&c.to_string()))
        }
        "ord" => {
            arity(name, &a, 1, 1)?;
            match &a.pos[0] {
                Value::Str(s) if s.chars().count() == 1 => {
                    Ok(Value::int(s.chars().next().map(|c| c as i64).unwrap_or(0)))
                }
                Value::Str(s) => Err(type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    s.chars().count()
                ))),
                v => Err(type_error(format!("ord() expected string of length 1, but {} found", v.type_name()))),
            }
        }
        "hex" | "bin" | "oct" => {
            arity(name, &a, 1, 1)?;
            let i = as_index(&a.pos[0], "")?;
            let (radix, prefix) = match name {
                "hex" => (16, "0x"),
                "bin" => (2, "0b"),
                _ => (8, "0o"),
            };
            let digits = i.abs().to_string_radix(radix);
            Ok(Value::str(&format!("{}{prefix}{digits}", if i.is_negative() { "-" } else { "" })))
        }
        "hash" => {
            arity(name, &a, 1, 1)?;
            let k = key(&a.pos[0])?;
            Ok(Value::int((k.hash() >> 2) as i64))
        }
        "bytes" => {
            let enc = take_kw(&mut a, "encoding").or_else(|| a.pos.get(1).cloned());
            let _ = take_kw(&mut a, "errors");
            match a.pos.first() {
                None => Ok(Value::Bytes(Rc::from(Vec::<u8>::new()))),
                Some(Value::Str(s)) => match enc {
                    Some(_) => Ok(Value::Bytes(Rc::from(s.as_bytes()))),
                    None => Err(type_error("string argument without an encoding")),
                },
                Some(Value::Int(i)) => {
                    let n = i.as_i64().unwrap_or(-1);
                    if n < 0 {
                        return Err(value_error("negative count"));
                    }
                    if n > 100_000_000 {
                        return Err(crate::exc::memory_error());
                    }
                    Ok(Value::Bytes(Rc::from(vec![0u8; n as usize])))
                }
                Some(b @ Value::Bytes(_)) => Ok(b.clone()),
                Some(v) => {
                    let mut out = Vec::new();
                    for x in collect(v)? {
                        let n = as_index(&x, "")?.as_i64().unwrap_or(-1);
                        if !(0..256).contains(&n) {
                            return Err(value_error("bytes must be in range(0, 256)"));
                        }
                        out.push(n as u8);
                    }
                    Ok(Value::Bytes(Rc::from(out)))
                }
            }
        }
        "dataclasses.replace" => {
            let obj = match a.pos.as_slice() {
                [o] => o.clone(),
                _ => {
                    return Err(type_error(format!(
                        "replace() takes 1 positional argument but {} were given",
                        a.pos.len()
                    )))
                }
            };
            let (class, mut kw) = match &obj {
                Value::Object(o) if o.borrow().kind == crate::value::ObjKind::Dataclass => {
                    let o = o.borrow();
                    (o.class.clone(), o.fields.clone())
                }
                _ => return Err(type_error("replace() should be called on dataclass instances")),
            };
            let idx = prog
                .class_by_name
                .get(&*class)
                .copied()
                .ok_or_else(|| type_error("replace() of an unknown dataclass"))?;
            for (k, v) in a.kw {
                match kw.iter_mut().find(|(n, _)| *n == k) {
                    Some((_, slot)) => *slot = v,
                    None => kw.push((k, v)),
                }
            }
            crate::classes::construct(prog, idx, CallArgs { pos: vec![], kw })
        }
        "dataclasses.asdict" | "dataclasses.astuple" => {
            arity(name, &a, 1, 1)?;
            let tuple = name.ends_with("astuple");
            match &a.pos[0] {
                Value::Object(o) if o.borrow().kind == crate::value::ObjKind::Dataclass => {
                    Ok(as_plain(&a.pos[0], tuple))
                }
                _ => Err(type_error(format!("{}() should be called on dataclass instances", &name[12..]))),
            }
        }
        m if m.starts_with("math.") => math(prog, m, a),
        "datetime.timezone.utc" => Ok(Value::TimeZone(0)),
        "pydantic.model_validate" => {
            let obj = take_kw(&mut a, "obj");
            let _ = take_kw(&mut a, "strict");
            unexpected_kw("model_validate", &a)?;
            let mut pos = a.pos.into_iter();
            let (Some(Value::Class(i)), Some(data)) = (pos.next(), pos.next().or(obj)) else {
                return Err(type_error("model_validate() missing 1 required positional argument: 'obj'"));
            };
            crate::validate::model_validate(prog, i, &data)
        }
        // what `super().__init__(...)` / `super().__str__()` reach in a compiled exception method
        "BaseException.__init__" | "BaseException.__str__" => {
            let Some(Value::Exception(e)) = a.pos.first() else {
                return Err(type_error(format!("descriptor '{}' requires a 'BaseException' object", &name[14..])));
            };
            if name.ends_with("__str__") {
                arity(name, &a, 1, 1)?;
                return Ok(Value::str(&crate::repr::exc_str(&e.borrow())));
            }
            if !a.kw.is_empty() {
                return Err(type_error(format!("{}() takes no keyword arguments", e.borrow().short_name())));
            }
            e.borrow_mut().args = a.pos[1..].to_vec();
            Ok(Value::None)
        }
        "typing.cast" => {
            arity(name, &a, 2, 2)?;
            Ok(a.pos.swap_remove(1))
        }
        "operator.itemgetter" | "operator.attrgetter" => {
            no_kw(name, &a)?;
            if a.pos.is_empty() {
                return Err(type_error(format!("{} expected 1 argument, got 0", &name[9..])));
            }
            let attr = name.ends_with("attrgetter");
            if attr {
                if let Some(bad) = a.pos.iter().find(|k| !matches!(k, Value::Str(_))) {
                    let _ = bad;
                    return Err(type_error("attribute name must be a string"));
                }
            }
            Ok(Value::Function(Rc::new(crate::value::Func::Getter { attr, keys: a.pos })))
        }
        "dict.fromkeys" => {
            arity(name, &a, 1, 2)?;
            let value = a.pos.get(1).cloned().unwrap_or(Value::None);
            let mut d = Dict::default();
            for k in collect(&a.pos[0])? {
                d.insert(key(&k)?, value.clone());
            }
            Ok(Value::dict(d))
        }
        "callable" => {
            arity(name, &a, 1, 1)?;
            Ok(Value::Bool(matches!(a.pos[0], Value::Function(_) | Value::Class(_) | Value::Type(_))))
        }
        q if crate::datetime::CLASS_METHODS.contains(&q) => crate::datetime::class_method(q, a),
        _ => Err(crate::exc::exc("NameError", format!("name '{name}' is not defined"))),
    }
}

fn divmod_msg(e: Flow) -> Flow {
    e
}

/// For BigInt -> f64 where needed by others.
pub fn big_to_f64(b: &BigInt) -> Option<f64> {
    b.to_f64()
}

/// `x == y` exposed for methods that search (list.index, count ...).
pub fn eq(a: &Value, b: &Value) -> bool {
    a.is(b) || py_eq(a, b)
}
