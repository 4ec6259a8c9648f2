//! Methods of plain data: str, list, dict, set (and a few of tuple, bytes, int, float, datetime-ish values).
use std::rc::Rc;

use crate::bind::CallArgs;
use crate::builtins::{eq, take_kw};
use crate::exc::{index_error, key_error, type_error, value_error, Flow, R};
use crate::iter::collect;
use crate::num::Int;
use crate::ops::key;
use crate::pyset::Other;
use crate::repr::repr;
use crate::subscript::as_index;
use crate::value::{DictRef, DictView, PySet, Str, Value, ViewKind};

fn arity(recv: &Value, m: &str, a: &CallArgs, min: usize, max: usize) -> R<()> {
    if !a.kw.is_empty() {
        return Err(type_error(format!("{}.{m}() takes no keyword arguments", recv.type_name())));
    }
    let n = a.pos.len();
    if n < min || n > max {
        let msg = if min == max && min == 0 {
            format!("{}.{m}() takes no arguments ({n} given)", recv.type_name())
        } else if min == max {
            format!("{}.{m}() takes exactly one argument ({n} given)", recv.type_name())
        } else if n < min {
            format!("{m} expected at least {min} argument{}, got {n}", if min == 1 { "" } else { "s" })
        } else {
            format!("{m} expected at most {max} argument{}, got {n}", if max == 1 { "" } else { "s" })
        };
        return Err(type_error(msg));
    }
    Ok(())
}

/// Every method the VM implements, by receiver type (`type(x).__name__`). The compiler's table and
/// docs/language.md are checked against this list.
pub const METHODS: &[(&str, &[&str])] = &[
    (
        "str",
        &[
            "capitalize",
            "casefold",
            "center",
            "count",
            "encode",
            "endswith",
            "expandtabs",
            "find",
            "format",
            "format_map",
            "index",
            "isalnum",
            "isalpha",
            "isascii",
            "isdecimal",
            "isdigit",
            "isidentifier",
            "islower",
            "isnumeric",
            "isprintable",
            "isspace",
            "istitle",
            "isupper",
            "join",
            "ljust",
            "lower",
            "lstrip",
            "partition",
            "removeprefix",
            "removesuffix",
            "replace",
            "rfind",
            "rindex",
            "rjust",
            "rpartition",
            "rsplit",
            "rstrip",
            "split",
            "splitlines",
            "startswith",
            "strip",
            "swapcase",
            "title",
            "upper",
            "zfill",
        ],
    ),
    ("list", &["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"]),
    ("tuple", &["count", "index"]),
    (
        "bytes",
        &[
            "count",
            "decode",
            "endswith",
            "find",
            "hex",
            "index",
            "join",
            "lower",
            "lstrip",
            "replace",
            "rfind",
            "rstrip",
            "split",
            "startswith",
            "strip",
            "upper",
        ],
    ),
    ("dict", &["clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"]),
    (
        "set",
        &[
            "add",
            "clear",
            "copy",
            "difference",
            "difference_update",
            "discard",
            "intersection",
            "intersection_update",
            "isdisjoint",
            "issubset",
            "issuperset",
            "pop",
            "remove",
            "symmetric_difference",
            "symmetric_difference_update",
            "union",
            "update",
        ],
    ),
    (
        "frozenset",
        &[
            "copy",
            "difference",
            "intersection",
            "isdisjoint",
            "issubset",
            "issuperset",
            "symmetric_difference",
            "union",
        ],
    ),
    ("int", &["bit_length", "is_integer"]),
    ("float", &["is_integer"]),
    ("timedelta", &["total_seconds"]),
    ("timezone", &["tzname", "utcoffset"]),
    (
        "Decimal",
        &[
            "adjusted",
            "copy_abs",
            "copy_negate",
            "is_finite",
            "is_infinite",
            "is_nan",
            "is_signed",
            "is_zero",
            "normalize",
            "quantize",
            "to_integral",
            "to_integral_value",
        ],
    ),
    ("datetime", crate::datetime::DATETIME_METHODS),
    ("date", crate::datetime::DATE_METHODS),
    ("time", crate::datetime::TIME_METHODS),
    ("model", &["copy", "dict", "model_copy", "model_dump", "model_dump_json"]),
    ("exception", &["add_note", "error_count", "with_traceback"]),
];

/// The row of METHODS for a value's type.
pub fn methods_of(v: &Value) -> &'static [&'static str] {
    if let Some(d) = crate::enums::data(v) {
        return methods_of(&d); // an IntEnum member has the int's methods
    }
    let t = match v {
        Value::Bool(_) => "int",
        Value::Object(o) if o.borrow().kind == crate::value::ObjKind::Model => "model",
        Value::Exception(_) => "exception",
        _ => return METHODS.iter().find(|(t, _)| *t == v.short_type_name()).map(|(_, m)| *m).unwrap_or(&[]),
    };
    METHODS.iter().find(|(n, _)| *n == t).map(|(_, m)| *m).unwrap_or(&[])
}

/// Whether `v.m(...)` is a method the VM implements (`v.m` read as a value is then a bound method).
pub fn has_method(v: &Value, m: &str) -> bool {
    methods_of(v).contains(&m)
}

/// The titlecase mapping (what title() and capitalize() put first): uppercase except for the characters whose
/// titlecase differs (ß -> Ss, the ligatures, the Latin digraphs).
/// CPython's `_PyUnicode_ToTitleFull`: the titlecase mapping where it differs from the uppercase one (ligatures,
/// digraphs, Armenian ligatures, Greek letters with ypogegrammeni), else the full uppercase mapping.
fn push_titlecase(out: &mut String, c: char) {
    match c {
        '\u{1F80}'..='\u{1F87}' | '\u{1F90}'..='\u{1F97}' | '\u{1FA0}'..='\u{1FA7}' => {
            out.push(char::from_u32(c as u32 + 8).unwrap_or(c))
        }
        '\u{1F88}'..='\u{1F8F}' | '\u{1F98}'..='\u{1F9F}' | '\u{1FA8}'..='\u{1FAF}' => out.push(c),
        '\u{10D0}'..='\u{10FA}' | '\u{10FD}'..='\u{10FF}' => out.push(c), // Georgian: its own titlecase
        '\u{1FB3}' | '\u{1FBC}' => out.push('\u{1FBC}'),
        '\u{1FC3}' | '\u{1FCC}' => out.push('\u{1FCC}'),
        '\u{1FF3}' | '\u{1FFC}' => out.push('\u{1FFC}'),
        '\u{1FB2}' => out.push_str("\u{1FBA}\u{345}"),
        '\u{1FB4}' => out.push_str("\u{386}\u{345}"),
        '\u{1FC2}' => out.push_str("\u{1FCA}\u{345}"),
        '\u{1FC4}' => out.push_str("\u{389}\u{345}"),
        '\u{1FF2}' => out.push_str("\u{1FFA}\u{345}"),
        '\u{1FF4}' => out.push_str("\u{38F}\u{345}"),
        '\u{1FB7}' => out.push_str("\u{391}\u{342}\u{345}"),
        '\u{1FC7}' => out.push_str("\u{397}\u{342}\u{345}"),
        '\u{1FF7}' => out.push_str("\u{3A9}\u{342}\u{345}"),
        '\u{587}' => out.push_str("\u{535}\u{582}"),
        '\u{FB13}' => out.push_str("\u{544}\u{576}"),
        '\u{FB14}' => out.push_str("\u{544}\u{565}"),
        '\u{FB15}' => out.push_str("\u{544}\u{56B}"),
        '\u{FB16}' => out.push_str("\u{54E}\u{576}"),
        '\u{FB17}' => out.push_str("\u{544}\u{56D}"),
        'ß' => out.push_str("Ss"),
        'ﬀ' => out.push_str("Ff"),
        'ﬁ' => out.push_str("Fi"),
        'ﬂ' => out.push_str("Fl"),
        'ﬃ' => out.push_str("Ffi"),
        'ﬄ' => out.push_str("Ffl"),
        'ﬅ' | 'ﬆ' => out.push_str("St"),
        'Ǆ' | 'ǅ' | 'ǆ' => out.push('ǅ'),
        'Ǉ' | 'ǈ' | 'ǉ' => out.push('ǈ'),
        'Ǌ' | 'ǋ' | 'ǌ' => out.push('ǋ'),
        'Ǳ' | 'ǲ' | 'ǳ' => out.push('ǲ'),
        _ => out.extend(c.to_uppercase()),
    }
}

/// Unicode general category Lt (CPython's `Py_UNICODE_ISTITLE`).
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1C5}'
            | '\u{1C8}'
            | '\u{1CB}'
            | '\u{1F2}'
            | '\u{1F88}'..='\u{1F8F}'
            | '\u{1F98}'..='\u{1F9F}'
            | '\u{1FA8}'..='\u{1FAF}'
            | '\u{1FBC}'
            | '\u{1FCC}'
            | '\u{1FFC}'
    )
}

/// The Unicode property Cased (CPython's `_PyUnicode_IsCased`): Lowercase, Uppercase or Lt.
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
}

/// The Unicode property Case_Ignorable, read from the standard library's own final-sigma rule (which skips
/// case-ignorable characters): after a cased `A`, an uncased `c` lets a following `Σ` be word-final only when it is
/// ignorable; a cased `c` after `Σ` keeps it from being final only when it is not ignorable.
fn is_case_ignorable(c: char) -> bool {
    if is_cased(c) {
        format!("A\u{3A3}{c}").to_lowercase().chars().nth(1) == Some('\u{3C2}')
    } else {
        format!("A{c}\u{3A3}").to_lowercase().ends_with('\u{3C2}')
    }
}

/// CPython's `handle_capital_sigma`: `Σ` at `chars[i]` lowers to the final `ς` when a cased letter precedes it and
/// none follows it (case-ignorable characters skipped both ways).
fn final_sigma(chars: &[char], i: usize) -> bool {
    let before = chars[..i].iter().rev().find(|&&c| !is_case_ignorable(c));
    if !before.is_some_and(|&c| is_cased(c)) {
        return false;
    }
    !chars[i + 1..].iter().find(|&&c| !is_case_ignorable(c)).is_some_and(|&c| is_cased(c))
}

/// CPython's `lower_ucs4`: the full lowercase mapping of `chars[i]`, a capital sigma by its position.
fn push_lower_at(out: &mut String, chars: &[char], i: usize) {
    match chars[i] {
        '\u{3A3}' => out.push(if final_sigma(chars, i) { '\u{3C2}' } else { '\u{3C3}' }),
        c => out.extend(c.to_lowercase()),
    }
}

/// str.isspace() of one character: Unicode White_Space plus the separators \x1c-\x1f, like CPython.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn no_method(recv: &Value, m: &str) -> Flow {
    crate::exc::attribute_error(format!("'{}' object has no attribute '{m}'", recv.type_name()))
}

pub fn call(prog: &crate::program::Program, recv: &Value, m: &str, a: CallArgs) -> R<Value> {
    if let Some(d) = crate::enums::data(recv) {
        return call(prog, &d, m, a); // `Mode.FAST.upper()`, `Tier.PRO.bit_length()`
    }
    match recv {
        Value::Str(s) => str_method(recv, s, m, a),
        Value::List(_) => list_method(prog, recv, m, a),
        Value::Dict(d) => dict_method(recv, d, m, a),
        Value::Set(_) | Value::FrozenSet(_) => set_method(recv, m, a),
        Value::Tuple(t) => match m {
            "count" => {
                arity(recv, m, &a, 1, 1)?;
                Ok(Value::int(t.iter().filter(|x| eq(x, &a.pos[0])).count() as i64))
            }
            "index" => {
                arity(recv, m, &a, 1, 3)?;
                t.iter()
                    .position(|x| eq(x, &a.pos[0]))
                    .map(|i| Value::int(i as i64))
                    .ok_or_else(|| value_error("tuple.index(x): x not in tuple"))
            }
            _ => Err(no_method(recv, m)),
        },
        Value::Object(o) if o.borrow().kind == crate::value::ObjKind::Model => match m {
            "model_dump" | "dict" | "model_dump_json" => {
                let mut a = a;
                let exclude_none = take_kw(&mut a, "exclude_none").is_some_and(|v| v.truthy());
                let by_alias = take_kw(&mut a, "by_alias").is_some_and(|v| v.truthy());
                let include = take_kw(&mut a, "include").filter(|v| !v.is_none());
                let exclude = take_kw(&mut a, "exclude").filter(|v| !v.is_none());
                let json_mode =
                    m == "model_dump_json" || matches!(take_kw(&mut a, "mode"), Some(Value::Str(s)) if &*s == "json");
                if let Some((k, _)) = a.kw.first() {
                    return Err(type_error(format!("BaseModel.{m}() got an unexpected keyword argument '{k}'")));
                }
                arity(recv, m, &a, 0, 0)?;
                let names = |v: &Option<Value>| -> R<Option<Vec<Value>>> {
                    v.as_ref()
                        .map(|x| match x {
                            Value::Dict(d) => Ok(d.borrow().keys().map(|k| k.value.clone()).collect()),
                            _ => collect(x),
                        })
                        .transpose()
                };
                let (include, exclude) = (names(&include)?, names(&exclude)?);
                let o = o.borrow();
                let mut d = crate::value::Dict::default();
                for (k, v) in &o.fields {
                    let kv = Value::Str(k.clone());
                    if include.as_ref().is_some_and(|inc| !inc.iter().any(|x| eq(x, &kv)))
                        || exclude.as_ref().is_some_and(|exc| exc.iter().any(|x| eq(x, &kv)))
                        || (exclude_none && v.is_none())
                    {
                        continue;
                    }
                    let name = if by_alias { field_alias(&o.class, k).unwrap_or(kv) } else { kv };
                    d.insert(key(&name)?, dump_value(v, exclude_none, by_alias));
                }
                let d = Value::dict(d);
                if !json_mode {
                    return Ok(d);
                }
                let j = json_value(&d)?;
                if m == "model_dump_json" {
                    let mut out = String::new();
                    write_json(&j, &mut out);
                    return Ok(Value::str(&out));
                }
                Ok(j)
            }
            "model_copy" | "copy" => {
                let mut a = a;
                let update = take_kw(&mut a, "update").filter(|v| !v.is_none());
                let _ = take_kw(&mut a, "deep");
                arity(recv, m, &a, 0, 0)?;
                let mut copy = o.borrow().clone();
                if let Some(u) = update {
                    let Value::Dict(u) = &u else {
                        return Err(type_error(format!("'{}' object is not a mapping", u.type_name())));
                    };
                    for (k, v) in u.borrow().iter() {
                        if let Value::Str(name) = &k.value {
                            match copy.fields.iter_mut().find(|(f, _)| f == name) {
                                Some((_, slot)) => *slot = v.clone(),
                                None => copy.fields.push((name.clone(), v.clone())),
                            }
                        }
                    }
                }
                Ok(Value::Object(Rc::new(std::cell::RefCell::new(copy))))
            }
            _ => Err(no_method(recv, m)),
        },
        Value::Int(_) | Value::Bool(_) => match m {
            "bit_length" => {
                arity(recv, m, &a, 0, 0)?;
                let i = as_index(recv, "")?;
                Ok(Value::int(i.abs().bits() as i64))
            }
            "is_integer" => Ok(Value::Bool(true)),
            _ => Err(no_method(recv, m)),
        },
        Value::Float(f) => match m {
            "is_integer" => Ok(Value::Bool(f.is_finite() && f.fract() == 0.0)),
            _ => Err(no_method(recv, m)),
        },
        Value::TimeDelta(t) => match m {
            "total_seconds" => Ok(Value::Float(t.total_seconds())),
            _ => Err(no_method(recv, m)),
        },
        Value::Decimal(d) => decimal_method(recv, d, m, a),
        Value::TimeZone(o) => match m {
            "utcoffset" => Ok(Value::TimeDelta(crate::value::TimeDelta::from_micros(*o as i128).unwrap_or_default())),
            "tzname" => Ok(Value::str(&crate::datetime::tzname(*o))),
            _ => Err(no_method(recv, m)),
        },
        Value::Bytes(b) => bytes_method(recv, b, m, a),
        Value::DateTime(_) | Value::Date(_) | Value::Time(_) => crate::datetime::method(recv, m, a),
        Value::Exception(e) => match m {
            "with_traceback" => Ok(recv.clone()),
            "add_note" => {
                let [note] = a.pos.as_slice() else {
                    return Err(type_error(format!(
                        "BaseException.add_note() takes exactly one argument ({} given)",
                        a.pos.len()
                    )));
                };
                if !matches!(note, Value::Str(_)) {
                    return Err(type_error(format!("note must be a str, not '{}'", note.type_name())));
                }
                let notes = e.borrow().attr("__notes__").cloned();
                match notes {
                    Some(Value::List(l)) => l.borrow_mut().push(note.clone()),
                    Some(_) => return Err(type_error("Cannot add note: __notes__ is not a list")),
                    None => e.borrow_mut().set_attr("__notes__", Value::list(vec![note.clone()])),
                }
                Ok(Value::None)
            }
            // pydantic's ValidationError: "N validation error(s) for Model ..."
            "error_count" if e.borrow().is_instance_of("pydantic_core._pydantic_core.ValidationError") => {
                let text = crate::repr::exc_str(&e.borrow());
                let n: i64 = text.split_whitespace().next().and_then(|w| w.parse().ok()).unwrap_or(0);
                Ok(Value::int(n))
            }
            _ => {
                let _ = e;
                Err(no_method(recv, m))
            }
        },
        Value::View(_) => match m {
            "isdisjoint" => set_method(&Value::set(view_set(recv)?), m, a),
            _ => Err(no_method(recv, m)),
        },
        Value::Class(i) => Err(crate::exc::attribute_error(format!(
            "type object '{}' has no attribute '{m}'",
            crate::value::short_name(&prog.ir.classes[*i as usize].qualname)
        ))),
        _ => Err(no_method(recv, m)),
    }
}

/// model_dump's conversion of a field value: nested models and dataclasses become dicts, containers are copied.
fn dump_value(v: &Value, exclude_none: bool, by_alias: bool) -> Value {
    let dump = |x: &Value| dump_value(x, exclude_none, by_alias);
    match v {
        Value::Object(o) => {
            let o = o.borrow();
            let model = o.kind == crate::value::ObjKind::Model;
            let mut d = crate::value::Dict::default();
            for (k, x) in &o.fields {
                if exclude_none && x.is_none() && model {
                    continue;
                }
                let name = match by_alias && model {
                    true => field_alias(&o.class, k).unwrap_or_else(|| Value::Str(k.clone())),
                    false => Value::Str(k.clone()),
                };
                if let Some(kk) = crate::value::Key::new(name) {
                    d.insert(kk, dump(x));
                }
            }
            Value::dict(d)
        }
        Value::List(l) => Value::list(l.borrow().iter().map(dump).collect()),
        Value::Tuple(t) => Value::tuple(t.iter().map(dump).collect()),
        Value::Dict(d) => Value::dict(d.borrow().iter().map(|(k, x)| (k.clone(), dump(x))).collect()),
        _ => v.clone(),
    }
}

/// The alias of a model's field (`Field(alias="customerName")`), when the program knows the class and it has one.
fn field_alias(class: &str, field: &str) -> Option<Value> {
    crate::classinfo::with_class(class, |_, c| {
        c.fields.iter().find(|f| f.name == field && !f.alias.is_empty()).map(|f| Value::str(&f.alias))
    })
    .flatten()
}

/// model_dump(mode="json"): what pydantic's JSON serializer turns values into.
fn json_value(v: &Value) -> R<Value> {
    Ok(match v {
        Value::Decimal(d) => Value::Str(d.clone()),
        Value::DateTime(s) => Value::str(&s.replace("+00:00", "Z")),
        Value::Date(s) | Value::Time(s) | Value::Uuid(s) => Value::Str(s.clone()),
        Value::Enum(e) => json_value(&e.value)?,
        Value::Bytes(b) => Value::str(&String::from_utf8_lossy(b)),
        Value::TimeDelta(t) => {
            let neg = t.days < 0;
            let t = if neg { crate::value::TimeDelta::from_micros(-t.total_micros()).unwrap_or(*t) } else { *t };
            let mut out = String::from(if neg { "-P" } else { "P" });
            if t.days != 0 {
                out.push_str(&format!("{}D", t.days));
            }
            if t.seconds != 0 || t.micros != 0 || t.days == 0 {
                out.push('T');
                let (h, mi, s) = (t.seconds / 3600, t.seconds % 3600 / 60, t.seconds % 60);
                if h != 0 {
                    out.push_str(&format!("{h}H"));
                }
                if mi != 0 {
                    out.push_str(&format!("{mi}M"));
                }
                if s != 0 || t.micros != 0 || (h == 0 && mi == 0) {
                    if t.micros != 0 {
                        let frac = format!("{:06}", t.micros);
                        out.push_str(&format!("{s}.{}S", frac.trim_end_matches('0')));
                    } else {
                        out.push_str(&format!("{s}S"));
                    }
                }
            }
            Value::str(&out)
        }
        Value::List(l) => Value::list(l.borrow().iter().map(json_value).collect::<R<Vec<_>>>()?),
        Value::Tuple(t) => Value::list(t.iter().map(json_value).collect::<R<Vec<_>>>()?),
        Value::Set(_) | Value::FrozenSet(_) => Value::list(collect(v)?.iter().map(json_value).collect::<R<Vec<_>>>()?),
        Value::Dict(d) => {
            let mut out = crate::value::Dict::default();
            for (k, x) in d.borrow().iter() {
                let kk = match &k.value {
                    Value::Str(_) => k.value.clone(),
                    other => Value::str(&crate::repr::str_of(&json_value(other)?)),
                };
                out.insert(key(&kk)?, json_value(x)?);
            }
            Value::dict(out)
        }
        Value::Object(_) => json_value(&dump_value(v, false, false))?,
        _ => v.clone(),
    })
}

/// Compact JSON text of a json_value result, as pydantic writes it.
fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) if f.is_finite() => out.push_str(&crate::repr::float_repr(*f)),
        Value::Float(_) => out.push_str("null"),
        Value::Str(s) => out.push_str(&serde_json::to_string(&**s).unwrap_or_default()),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Value::Dict(d) => {
            out.push('{');
            for (i, (k, x)) in d.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(&crate::repr::str_of(&k.value)).unwrap_or_default());
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
        other => out.push_str(&serde_json::to_string(&crate::repr::str_of(other)).unwrap_or_default()),
    }
}

fn view_set(v: &Value) -> R<PySet> {
    with_other(v, PySet::from_other)
}

// ---- str ------------------------------------------------------------------------------------------------------------

fn want_str<'a>(v: &'a Value, what: &str) -> R<&'a str> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(type_error(format!("{what} must be str, not {}", v.type_name()))),
    }
}

fn opt_chars(a: &CallArgs, recv: &Value, m: &str) -> R<Option<Str>> {
    arity(recv, m, a, 0, 1)?;
    match a.pos.first() {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(v) => Err(type_error(format!("{m} arg must be None or str, not {}", v.type_name()))),
    }
}

/// Character index -> byte offset (strings index by code point).
fn byte_at(s: &str, ci: usize) -> usize {
    if s.is_ascii() {
        return ci.min(s.len());
    }
    s.char_indices().nth(ci).map(|(b, _)| b).unwrap_or(s.len())
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Optional start/end arguments (find, count, startswith ...) as a byte range of `s`.
fn str_range(s: &str, a: &CallArgs, from: usize) -> R<(usize, usize)> {
    let n = char_len(s) as i64;
    let norm = |v: Option<&Value>, d: i64| -> R<i64> {
        match v {
            None | Some(Value::None) => Ok(d),
            Some(v) => {
                let i = as_index(v, "")?.as_i64().unwrap_or(i64::MAX);
                Ok(if i < 0 { (i + n).max(0) } else { i.min(n) })
            }
        }
    };
    let start = norm(a.pos.get(from), 0)?;
    let end = norm(a.pos.get(from + 1), n)?;
    if start > end {
        return Ok((usize::MAX, 0));
    }
    Ok((byte_at(s, start as usize), byte_at(s, end as usize)))
}

fn pad(s: &str, width: &Value, fill: Option<&Value>, align: char) -> R<Value> {
    let w = as_index(width, "")?.as_i64().unwrap_or(0).max(0) as usize;
    let fill = match fill {
        Some(Value::Str(f)) if f.chars().count() == 1 => f.chars().next().unwrap_or(' '),
        Some(_) => return Err(type_error("The fill character must be exactly one character long")),
        None => ' ',
    };
    let n = char_len(s);
    if w <= n {
        return Ok(Value::str(s));
    }
    let total = w - n;
    let (left, right) = match align {
        '<' => (0, total),
        '>' => (total, 0),
        _ => {
            // CPython's center puts the extra char on the left when the width and length are both odd
            let left = total / 2 + (total & w & 1);
            (left, total - left)
        }
    };
    let f = fill.to_string();
    Ok(Value::str(&format!("{}{s}{}", f.repeat(left), f.repeat(right))))
}

fn split(s: &str, a: &CallArgs, recv: &Value, m: &str) -> R<Value> {
    let mut a2 = CallArgs { pos: a.pos.clone(), kw: a.kw.clone() };
    let sep_kw = take_kw(&mut a2, "sep");
    let max_kw = take_kw(&mut a2, "maxsplit");
    arity(recv, m, &a2, 0, 2)?;
    let sep = a2.pos.first().cloned().or(sep_kw).unwrap_or(Value::None);
    let maxsplit = match a2.pos.get(1).cloned().or(max_kw) {
        Some(v) => as_index(&v, "")?.as_i64().unwrap_or(-1),
        None => -1,
    };
    let limit = if maxsplit < 0 { usize::MAX } else { maxsplit as usize };
    let parts: Vec<String> = match &sep {
        Value::None => {
            let mut out = Vec::new();
            let mut rest =
                if m == "rsplit" { s.trim_end_matches(py_isspace) } else { s.trim_start_matches(py_isspace) };
            if m == "rsplit" {
                while !rest.is_empty() && out.len() < limit {
                    match rest.rfind(py_isspace) {
                        Some(i) => {
                            let c = rest[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
                            out.push(rest[i + c..].to_string());
                            rest = rest[..i].trim_end_matches(py_isspace);
                        }
                        None => break,
                    }
                }
                if !rest.is_empty() {
                    out.push(rest.to_string());
                }
                out.reverse();
            } else {
                while !rest.is_empty() && out.len() < limit {
                    match rest.find(py_isspace) {
                        Some(i) => {
                            out.push(rest[..i].to_string());
                            rest = rest[i..].trim_start_matches(py_isspace);
                        }
                        None => break,
                    }
                }
                if !rest.is_empty() {
                    out.push(rest.to_string());
                }
            }
            out
        }
        Value::Str(sep) => {
            if sep.is_empty() {
                return Err(value_error("empty separator"));
            }
            if m == "rsplit" {
                let mut v: Vec<String> = s.rsplitn(limit.saturating_add(1), &**sep).map(String::from).collect();
                v.reverse();
                v
            } else {
                s.splitn(limit.saturating_add(1), &**sep).map(String::from).collect()
            }
        }
        v => return Err(type_error(format!("must be str or None, not {}", v.type_name()))),
    };
    Ok(Value::list(parts.iter().map(|p| Value::str(p)).collect()))
}

fn str_method(recv: &Value, s: &Str, m: &str, a: CallArgs) -> R<Value> {
    let s: &str = s;
    let st = |x: String| Ok(Value::str(&x));
    match m {
        "upper" => {
            arity(recv, m, &a, 0, 0)?;
            st(s.to_uppercase())
        }
        "lower" => {
            arity(recv, m, &a, 0, 0)?;
            st(s.to_lowercase())
        }
        "casefold" => {
            arity(recv, m, &a, 0, 0)?;
            // full case folding: lowercase, plus the characters that fold to several
            let mut out = String::with_capacity(s.len());
            for c in s.chars() {
                match c {
                    'ß' | 'ẞ' => out.push_str("ss"),
                    'ﬀ' => out.push_str("ff"),
                    'ﬁ' => out.push_str("fi"),
                    'ﬂ' => out.push_str("fl"),
                    'ﬃ' => out.push_str("ffi"),
                    'ﬄ' => out.push_str("ffl"),
                    'ﬅ' | 'ﬆ' => out.push_str("st"),
                    'ς' => out.push('σ'),
                    _ => out.extend(c.to_lowercase()),
                }
            }
            st(out)
        }
        "strip" | "lstrip" | "rstrip" => {
            let chars = opt_chars(&a, recv, m)?;
            let pred = |c: char| match &chars {
                Some(cs) => cs.contains(c),
                None => py_isspace(c),
            };
            st(match m {
                "strip" => s.trim_matches(pred),
                "lstrip" => s.trim_start_matches(pred),
                _ => s.trim_end_matches(pred),
            }
            .to_string())
        }
        "split" | "rsplit" => split(s, &a, recv, m),
        "splitlines" => {
            let keep = a.pos.first().is_some_and(Value::truthy);
            let mut out = Vec::new();
            let mut start = 0;
            let bytes: Vec<(usize, char)> = s.char_indices().collect();
            let mut i = 0;
            while i < bytes.len() {
                let (b, c) = bytes[i];
                if matches!(
                    c,
                    '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
                ) {
                    let mut end = b + c.len_utf8();
                    if c == '\r' && bytes.get(i + 1).is_some_and(|(_, n)| *n == '\n') {
                        end += 1;
                        i += 1;
                    }
                    out.push(Value::str(if keep { &s[start..end] } else { &s[start..b] }));
                    start = end;
                }
                i += 1;
            }
            if start < s.len() {
                out.push(Value::str(&s[start..]));
            }
            Ok(Value::list(out))
        }
        "join" => {
            arity(recv, m, &a, 1, 1)?;
            let items = collect(&a.pos[0])?;
            let mut out = String::new();
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(s);
                }
                match x {
                    Value::Str(t) => out.push_str(t),
                    _ => {
                        return Err(type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            x.type_name()
                        )))
                    }
                }
            }
            st(out)
        }
        "replace" => {
            arity(recv, m, &a, 2, 3)?;
            let old = want_str(&a.pos[0], "replace() argument 1")?;
            let new = want_str(&a.pos[1], "replace() argument 2")?;
            match a.pos.get(2) {
                Some(n) => {
                    let n = as_index(n, "")?.as_i64().unwrap_or(-1);
                    if n < 0 {
                        st(s.replace(old, new))
                    } else {
                        st(s.replacen(old, new, n as usize))
                    }
                }
                None => st(s.replace(old, new)),
            }
        }
        "startswith" | "endswith" => {
            arity(recv, m, &a, 1, 3)?;
            let (b0, b1) = str_range(s, &a, 1)?;
            if b0 == usize::MAX {
                return Ok(Value::Bool(false));
            }
            let sub = &s[b0..b1.max(b0)];
            let test = |p: &str| if m == "startswith" { sub.starts_with(p) } else { sub.ends_with(p) };
            match &a.pos[0] {
                Value::Str(p) => Ok(Value::Bool(test(p))),
                Value::Tuple(ps) => {
                    for p in ps.iter() {
                        if test(want_str(p, "tuple for startswith")?) {
                            return Ok(Value::Bool(true));
                        }
                    }
                    Ok(Value::Bool(false))
                }
                v => Err(type_error(format!("{m} first arg must be str or a tuple of str, not {}", v.type_name()))),
            }
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            arity(recv, m, &a, 1, 3)?;
            let sub = want_str(&a.pos[0], "must be str")
                .map_err(|_| type_error(format!("must be str, not {}", a.pos[0].type_name())))?;
            let (b0, b1) = str_range(s, &a, 1)?;
            if b0 == usize::MAX || b0 > b1 {
                return match m {
                    "count" => Ok(Value::int(0)),
                    "index" | "rindex" => Err(value_error("substring not found")),
                    _ => Ok(Value::int(-1)),
                };
            }
            let hay = &s[b0..b1];
            if m == "count" {
                let n = if sub.is_empty() { char_len(hay) + 1 } else { hay.matches(sub).count() };
                return Ok(Value::int(n as i64));
            }
            let found = if m.starts_with('r') { hay.rfind(sub) } else { hay.find(sub) };
            match found {
                Some(b) => Ok(Value::int(char_len(&s[..b0 + b]) as i64)),
                None if m.ends_with("index") => Err(value_error("substring not found")),
                None => Ok(Value::int(-1)),
            }
        }
        "title" => {
            arity(recv, m, &a, 0, 0)?;
            let chars: Vec<char> = s.chars().collect();
            let mut out = String::new();
            let mut prev_cased = false;
            for (i, &c) in chars.iter().enumerate() {
                if prev_cased {
                    push_lower_at(&mut out, &chars, i);
                } else {
                    push_titlecase(&mut out, c);
                }
                prev_cased = is_cased(c);
            }
            st(out)
        }
        "capitalize" => {
            arity(recv, m, &a, 0, 0)?;
            let chars: Vec<char> = s.chars().collect();
            let mut out = String::new();
            if let Some(&f) = chars.first() {
                push_titlecase(&mut out, f);
                for i in 1..chars.len() {
                    push_lower_at(&mut out, &chars, i);
                }
            }
            st(out)
        }
        "swapcase" => {
            let chars: Vec<char> = s.chars().collect();
            let mut out = String::with_capacity(s.len());
            for (i, &c) in chars.iter().enumerate() {
                if c.is_uppercase() {
                    push_lower_at(&mut out, &chars, i);
                } else if c.is_lowercase() {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c); // uncased, or titlecase (`ǅ`): kept, like CPython
                }
            }
            st(out)
        }
        "zfill" => {
            arity(recv, m, &a, 1, 1)?;
            let w = as_index(&a.pos[0], "")?.as_i64().unwrap_or(0).max(0) as usize;
            let n = char_len(s);
            if w <= n {
                return st(s.to_string());
            }
            let (sign, rest) = match s.chars().next() {
                Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
                _ => (String::new(), s),
            };
            st(format!("{sign}{}{rest}", "0".repeat(w - n)))
        }
        "ljust" | "rjust" | "center" => {
            arity(recv, m, &a, 1, 2)?;
            pad(
                s,
                &a.pos[0],
                a.pos.get(1),
                match m {
                    "ljust" => '<',
                    "rjust" => '>',
                    _ => '^',
                },
            )
        }
        "isdigit" | "isnumeric" | "isdecimal" => Ok(Value::Bool(!s.is_empty() && s.chars().all(|c| c.is_numeric()))),
        "isalpha" => Ok(Value::Bool(!s.is_empty() && s.chars().all(char::is_alphabetic))),
        "isalnum" => Ok(Value::Bool(!s.is_empty() && s.chars().all(char::is_alphanumeric))),
        "isspace" => Ok(Value::Bool(!s.is_empty() && s.chars().all(py_isspace))),
        "isupper" => Ok(Value::Bool(
            s.chars().any(|c| c.is_uppercase()) && !s.chars().any(|c| c.is_lowercase() || is_titlecase(c)),
        )),
        "islower" => Ok(Value::Bool(
            s.chars().any(|c| c.is_lowercase()) && !s.chars().any(|c| c.is_uppercase() || is_titlecase(c)),
        )),
        "isidentifier" => Ok(Value::Bool(
            s.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && s.chars().all(|c| c == '_' || c.is_alphanumeric()),
        )),
        "isascii" => Ok(Value::Bool(s.is_ascii())),
        "isprintable" => Ok(Value::Bool(s.chars().all(|c| crate::repr::is_printable(c) || c == ' '))),
        "istitle" => {
            let (mut cased, mut prev_cased) = (false, false);
            for c in s.chars() {
                if c.is_uppercase() || is_titlecase(c) {
                    if prev_cased {
                        return Ok(Value::Bool(false));
                    }
                    prev_cased = true;
                    cased = true;
                } else if c.is_lowercase() {
                    if !prev_cased {
                        return Ok(Value::Bool(false));
                    }
                    prev_cased = true;
                    cased = true;
                } else {
                    prev_cased = false;
                }
            }
            Ok(Value::Bool(cased))
        }
        "expandtabs" => {
            let mut a = a;
            let size = take_kw(&mut a, "tabsize").or_else(|| a.pos.first().cloned());
            let size = match size {
                Some(v) => as_index(&v, "")?.as_i64().unwrap_or(8),
                None => 8,
            };
            let mut out = String::new();
            let mut col: i64 = 0;
            for c in s.chars() {
                match c {
                    '\t' => {
                        if size > 0 {
                            let n = size - col % size;
                            out.extend(std::iter::repeat_n(' ', n as usize));
                            col += n;
                        }
                    }
                    '\n' | '\r' => {
                        out.push(c);
                        col = 0;
                    }
                    _ => {
                        out.push(c);
                        col += 1;
                    }
                }
            }
            st(out)
        }
        "format_map" => {
            arity(recv, m, &a, 1, 1)?;
            let Value::Dict(d) = &a.pos[0] else {
                return Err(type_error(format!("'{}' object is not a mapping", a.pos[0].type_name())));
            };
            let kw =
                d.borrow().iter().filter_map(|(k, v)| k.value.as_str().map(|s| (Str::from(s), v.clone()))).collect();
            crate::format::str_format(s, CallArgs { pos: vec![], kw })
        }
        "removeprefix" => {
            arity(recv, m, &a, 1, 1)?;
            let p = want_str(&a.pos[0], "removeprefix() argument")?;
            st(s.strip_prefix(p).unwrap_or(s).to_string())
        }
        "removesuffix" => {
            arity(recv, m, &a, 1, 1)?;
            let p = want_str(&a.pos[0], "removesuffix() argument")?;
            st(s.strip_suffix(p).unwrap_or(s).to_string())
        }
        "partition" | "rpartition" => {
            arity(recv, m, &a, 1, 1)?;
            let sep = want_str(&a.pos[0], "must be str")?;
            if sep.is_empty() {
                return Err(value_error("empty separator"));
            }
            let found = if m == "partition" { s.find(sep) } else { s.rfind(sep) };
            Ok(match found {
                Some(i) => Value::tuple(vec![Value::str(&s[..i]), Value::str(sep), Value::str(&s[i + sep.len()..])]),
                None if m == "partition" => Value::tuple(vec![Value::str(s), Value::str(""), Value::str("")]),
                None => Value::tuple(vec![Value::str(""), Value::str(""), Value::str(s)]),
            })
        }
        "format" => crate::format::str_format(s, a),
        "encode" => Ok(Value::Bytes(Rc::from(s.as_bytes()))),
        _ => Err(no_method(recv, m)),
    }
}

// ---- list -----------------------------------------------------------------------------------------------------------

fn list_method(prog: &crate::program::Program, recv: &Value, m: &str, mut a: CallArgs) -> R<Value> {
    let Value::List(l) = recv else { return Err(no_method(recv, m)) };
    match m {
        "append" => {
            arity(recv, m, &a, 1, 1)?;
            l.borrow_mut().push(a.pos.swap_remove(0));
            Ok(Value::None)
        }
        "extend" => {
            arity(recv, m, &a, 1, 1)?;
            let items = collect(&a.pos[0])?;
            l.borrow_mut().extend(items);
            Ok(Value::None)
        }
        "insert" => {
            arity(recv, m, &a, 2, 2)?;
            let n = l.borrow().len() as i64;
            let i = as_index(&a.pos[0], "")?.as_i64().unwrap_or(if a.pos[0].truthy() { n } else { 0 });
            let i = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
            let v = a.pos.swap_remove(1);
            l.borrow_mut().insert(i, v);
            Ok(Value::None)
        }
        "pop" => {
            arity(recv, m, &a, 0, 1)?;
            let mut l = l.borrow_mut();
            if l.is_empty() {
                return Err(index_error("pop from empty list"));
            }
            let n = l.len() as i64;
            let i = match a.pos.first() {
                Some(v) => as_index(v, "")?.as_i64().unwrap_or(i64::MAX),
                None => -1,
            };
            let j = if i < 0 { i + n } else { i };
            if j < 0 || j >= n {
                return Err(index_error("pop index out of range"));
            }
            Ok(l.remove(j as usize))
        }
        "remove" => {
            arity(recv, m, &a, 1, 1)?;
            let pos = l.borrow().iter().position(|x| eq(x, &a.pos[0]));
            match pos {
                Some(i) => {
                    l.borrow_mut().remove(i);
                    Ok(Value::None)
                }
                None => Err(value_error("list.remove(x): x not in list")),
            }
        }
        "index" => {
            arity(recv, m, &a, 1, 3)?;
            let l = l.borrow();
            let n = l.len() as i64;
            let norm = |v: Option<&Value>, d: i64| -> R<usize> {
                Ok(match v {
                    None => d,
                    Some(v) => {
                        let i = as_index(v, "")?.as_i64().unwrap_or(n);
                        if i < 0 {
                            (i + n).max(0)
                        } else {
                            i.min(n)
                        }
                    }
                } as usize)
            };
            let (s, e) = (norm(a.pos.get(1), 0)?, norm(a.pos.get(2), n)?);
            (s..e.max(s))
                .find(|&i| eq(&l[i], &a.pos[0]))
                .map(|i| Value::int(i as i64))
                .ok_or_else(|| value_error(format!("{} is not in list", repr(&a.pos[0]))))
        }
        "count" => {
            arity(recv, m, &a, 1, 1)?;
            Ok(Value::int(l.borrow().iter().filter(|x| eq(x, &a.pos[0])).count() as i64))
        }
        "sort" => {
            let reverse = take_kw(&mut a, "reverse").is_some_and(|v| v.truthy());
            let key_fn = take_kw(&mut a, "key");
            if !a.pos.is_empty() {
                return Err(type_error("sort() takes no positional arguments"));
            }
            arity(recv, m, &a, 0, 0)?;
            // sort a copy, so a comparison error leaves the list as it was... CPython leaves it partially
            // sorted, but no workflow can observe the difference after the exception propagates anyway
            let items = l.borrow().clone();
            let sorted = crate::builtins::sort_with_key(prog, items, key_fn.as_ref(), reverse)?;
            *l.borrow_mut() = sorted;
            Ok(Value::None)
        }
        "reverse" => {
            arity(recv, m, &a, 0, 0)?;
            l.borrow_mut().reverse();
            Ok(Value::None)
        }
        "copy" => {
            arity(recv, m, &a, 0, 0)?;
            Ok(Value::list(l.borrow().clone()))
        }
        "clear" => {
            arity(recv, m, &a, 0, 0)?;
            l.borrow_mut().clear();
            Ok(Value::None)
        }
        _ => Err(no_method(recv, m)),
    }
}

// ---- dict -----------------------------------------------------------------------------------------------------------

/// dict.update / dict(...) / `|=`: a mapping or an iterable of pairs, then keywords.
pub fn dict_update(d: &DictRef, pos: &[Value], kw: &[(Str, Value)]) -> R<()> {
    if let Some(src) = pos.first() {
        match src {
            Value::Dict(other) => {
                let items: Vec<_> = other.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let mut d = d.borrow_mut();
                for (k, v) in items {
                    d.insert(k, v);
                }
            }
            Value::Object(_) => return Err(type_error(format!("'{}' object is not iterable", src.type_name()))),
            _ => {
                let items = collect(src)?;
                for (i, item) in items.iter().enumerate() {
                    let pair = match item {
                        Value::Str(_) | Value::List(_) | Value::Tuple(_) => collect(item)?,
                        _ => {
                            return Err(type_error(format!(
                                "cannot convert dictionary update sequence element #{i} to a sequence"
                            )))
                        }
                    };
                    if pair.len() != 2 {
                        return Err(value_error(format!(
                            "dictionary update sequence element #{i} has length {}; 2 is required",
                            pair.len()
                        )));
                    }
                    let k = key(&pair[0])?;
                    d.borrow_mut().insert(k, pair[1].clone());
                }
            }
        }
    }
    for (k, v) in kw {
        d.borrow_mut().insert(key(&Value::Str(k.clone()))?, v.clone());
    }
    Ok(())
}

fn dict_method(recv: &Value, d: &DictRef, m: &str, a: CallArgs) -> R<Value> {
    let view = |kind| Ok(Value::View(Rc::new(DictView { dict: d.clone(), kind })));
    match m {
        "get" => {
            arity(recv, m, &a, 1, 2)?;
            let k = key(&a.pos[0])?;
            Ok(d.borrow().get(&k).cloned().unwrap_or_else(|| a.pos.get(1).cloned().unwrap_or(Value::None)))
        }
        "keys" => {
            arity(recv, m, &a, 0, 0)?;
            view(ViewKind::Keys)
        }
        "values" => {
            arity(recv, m, &a, 0, 0)?;
            view(ViewKind::Values)
        }
        "items" => {
            arity(recv, m, &a, 0, 0)?;
            view(ViewKind::Items)
        }
        "pop" => {
            arity(recv, m, &a, 1, 2)?;
            let k = key(&a.pos[0])?;
            let removed = d.borrow_mut().shift_remove(&k);
            match removed {
                Some(v) => Ok(v),
                None => a.pos.get(1).cloned().ok_or_else(|| key_error(a.pos[0].clone())),
            }
        }
        "popitem" => {
            arity(recv, m, &a, 0, 0)?;
            let last = d.borrow_mut().pop();
            match last {
                Some((k, v)) => Ok(Value::tuple(vec![k.value, v])),
                None => Err(key_error(Value::str("popitem(): dictionary is empty"))),
            }
        }
        "setdefault" => {
            arity(recv, m, &a, 1, 2)?;
            let k = key(&a.pos[0])?;
            let mut d = d.borrow_mut();
            Ok(d.entry(k).or_insert_with(|| a.pos.get(1).cloned().unwrap_or(Value::None)).clone())
        }
        "update" => {
            if a.pos.len() > 1 {
                return Err(type_error(format!("update expected at most 1 argument, got {}", a.pos.len())));
            }
            dict_update(d, &a.pos, &a.kw)?;
            Ok(Value::None)
        }
        "copy" => {
            arity(recv, m, &a, 0, 0)?;
            Ok(Value::dict(d.borrow().clone()))
        }
        "clear" => {
            arity(recv, m, &a, 0, 0)?;
            d.borrow_mut().clear();
            Ok(Value::None)
        }
        _ => Err(no_method(recv, m)),
    }
}

// ---- set ------------------------------------------------------------------------------------------------------------

fn want_bytes<'a>(v: &'a Value, _m: &str) -> R<&'a [u8]> {
    match v {
        Value::Bytes(b) => Ok(&b[..]),
        _ => Err(type_error(format!("a bytes-like object is required, not '{}'", v.type_name()))),
    }
}

fn find_sub(hay: &[u8], needle: &[u8], from_end: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(if from_end { hay.len() } else { 0 });
    }
    if needle.len() > hay.len() {
        return None;
    }
    let mut positions = (0..=hay.len() - needle.len()).filter(|&i| &hay[i..i + needle.len()] == needle);
    if from_end {
        positions.next_back()
    } else {
        positions.next()
    }
}

/// UnicodeDecodeError(encoding, object, start, end, reason), with CPython's message.
fn unicode_decode_error(encoding: &str, b: &[u8], start: usize, end: usize, reason: &str) -> Flow {
    let message = if end == start + 1 {
        format!("'{encoding}' codec can't decode byte 0x{:02x} in position {start}: {reason}", b[start])
    } else {
        format!("'{encoding}' codec can't decode bytes in position {start}-{}: {reason}", end - 1)
    };
    let e = crate::exc::new_builtin(
        "UnicodeDecodeError",
        vec![
            Value::str(encoding),
            Value::Bytes(Rc::from(b)),
            Value::int(start as i64),
            Value::int(end as i64),
            Value::str(reason),
        ],
    );
    if let Value::Exception(x) = &e {
        x.borrow_mut().message = Some(Str::from(message.as_str()));
    }
    Flow::Raise(e)
}

fn bytes_method(recv: &Value, b: &[u8], m: &str, mut a: CallArgs) -> R<Value> {
    let out = |v: Vec<u8>| Ok(Value::Bytes(Rc::from(v)));
    match m {
        "decode" => {
            let encoding = take_kw(&mut a, "encoding").or_else(|| a.pos.first().cloned());
            let errors = take_kw(&mut a, "errors").or_else(|| a.pos.get(1).cloned());
            let enc = match &encoding {
                Some(Value::Str(e)) => e.to_lowercase().replace(['-', '_'], ""),
                _ => "utf8".into(),
            };
            let errors = match &errors {
                Some(Value::Str(e)) => e.to_string(),
                _ => "strict".into(),
            };
            match enc.as_str() {
                "utf8" => match std::str::from_utf8(b) {
                    Ok(s) => Ok(Value::str(s)),
                    Err(e) if errors == "strict" => {
                        let pos = e.valid_up_to();
                        let reason = match e.error_len() {
                            None => "unexpected end of data",
                            Some(_) if (0x80..0xc0).contains(&b[pos]) || b[pos] >= 0xf8 => "invalid start byte",
                            Some(_) => "invalid continuation byte",
                        };
                        let end = pos + e.error_len().unwrap_or(b.len() - pos);
                        Err(unicode_decode_error("utf-8", b, pos, end, reason))
                    }
                    Err(_) if errors == "ignore" => {
                        let s = String::from_utf8_lossy(b).replace('\u{fffd}', "");
                        Ok(Value::str(&s))
                    }
                    Err(_) => Ok(Value::str(&String::from_utf8_lossy(b))),
                },
                "ascii" | "latin1" | "iso88591" => {
                    if enc == "ascii" && b.iter().any(|c| *c > 127) && errors == "strict" {
                        let pos = b.iter().position(|c| *c > 127).unwrap_or(0);
                        return Err(unicode_decode_error("ascii", b, pos, pos + 1, "ordinal not in range(128)"));
                    }
                    Ok(Value::str(&b.iter().map(|c| *c as char).collect::<String>()))
                }
                other => Err(crate::exc::exc("LookupError", format!("unknown encoding: {other}"))),
            }
        }
        "hex" => Ok(Value::str(&b.iter().map(|c| format!("{c:02x}")).collect::<String>())),
        "upper" => out(b.to_ascii_uppercase()),
        "lower" => out(b.to_ascii_lowercase()),
        "strip" | "lstrip" | "rstrip" => {
            let chars: Vec<u8> = match a.pos.first() {
                Some(Value::Bytes(c)) => c.to_vec(),
                _ => b" \t\n\r\x0b\x0c".to_vec(),
            };
            let mut s = 0;
            let mut e = b.len();
            if m != "rstrip" {
                while s < e && chars.contains(&b[s]) {
                    s += 1;
                }
            }
            if m != "lstrip" {
                while e > s && chars.contains(&b[e - 1]) {
                    e -= 1;
                }
            }
            out(b[s..e].to_vec())
        }
        "startswith" | "endswith" => {
            let test = |p: &[u8]| if m == "startswith" { b.starts_with(p) } else { b.ends_with(p) };
            match a.pos.first() {
                Some(Value::Tuple(ps)) => {
                    for p in ps.iter() {
                        if test(want_bytes(p, m)?) {
                            return Ok(Value::Bool(true));
                        }
                    }
                    Ok(Value::Bool(false))
                }
                Some(p) => Ok(Value::Bool(test(want_bytes(p, m)?))),
                None => Err(type_error(format!("{m}() takes at least 1 argument (0 given)"))),
            }
        }
        "find" | "rfind" | "index" | "count" => {
            let needle: Vec<u8> = match a.pos.first() {
                Some(Value::Int(i)) => vec![i.as_i64().unwrap_or(0) as u8],
                Some(p) => want_bytes(p, m)?.to_vec(),
                None => return Err(type_error(format!("{m}() takes at least 1 argument (0 given)"))),
            };
            if m == "count" {
                if needle.is_empty() {
                    return Ok(Value::int(b.len() as i64 + 1));
                }
                let (mut n, mut i) = (0, 0);
                while let Some(p) = find_sub(&b[i..], &needle, false) {
                    n += 1;
                    i += p + needle.len();
                }
                return Ok(Value::int(n));
            }
            match find_sub(b, &needle, m == "rfind") {
                Some(p) => Ok(Value::int(p as i64)),
                None if m == "index" => Err(value_error("subsection not found")),
                None => Ok(Value::int(-1)),
            }
        }
        "split" => {
            let sep = a.pos.first().cloned().or_else(|| take_kw(&mut a, "sep")).unwrap_or(Value::None);
            let parts: Vec<Value> = match &sep {
                Value::None => b
                    .split(|c| c.is_ascii_whitespace())
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::Bytes(Rc::from(p)))
                    .collect(),
                s => {
                    let s = want_bytes(s, m)?;
                    if s.is_empty() {
                        return Err(value_error("empty separator"));
                    }
                    let mut out = Vec::new();
                    let mut rest = b;
                    while let Some(p) = find_sub(rest, s, false) {
                        out.push(Value::Bytes(Rc::from(&rest[..p])));
                        rest = &rest[p + s.len()..];
                    }
                    out.push(Value::Bytes(Rc::from(rest)));
                    out
                }
            };
            Ok(Value::list(parts))
        }
        "join" => {
            let items = collect(a.pos.first().unwrap_or(&Value::None))?;
            let mut v = Vec::new();
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    v.extend_from_slice(b);
                }
                match x {
                    Value::Bytes(p) => v.extend_from_slice(p),
                    _ => {
                        return Err(type_error(format!(
                            "sequence item {i}: expected a bytes-like object, {} found",
                            x.type_name()
                        )))
                    }
                }
            }
            out(v)
        }
        "replace" => {
            let (old, new) = match (a.pos.first(), a.pos.get(1)) {
                (Some(o), Some(n)) => (want_bytes(o, m)?.to_vec(), want_bytes(n, m)?.to_vec()),
                _ => return Err(type_error("replace expected at least 2 arguments")),
            };
            if old.is_empty() {
                return Err(type_error("replacing empty bytes is not supported in workflows"));
            }
            let mut v = Vec::new();
            let mut rest = b;
            while let Some(p) = find_sub(rest, &old, false) {
                v.extend_from_slice(&rest[..p]);
                v.extend_from_slice(&new);
                rest = &rest[p + old.len()..];
            }
            v.extend_from_slice(rest);
            out(v)
        }
        _ => Err(no_method(recv, m)),
    }
}

fn decimal_method(recv: &Value, d: &str, m: &str, mut a: CallArgs) -> R<Value> {
    use crate::decimal::{as_dec, value, Dec, Rounding};
    let x = Dec::parse(d).ok_or_else(|| value_error("bad Decimal"))?;
    let rounding = |a: &mut CallArgs, pos: usize| -> R<Rounding> {
        let r = take_kw(a, "rounding").or_else(|| a.pos.get(pos).cloned());
        match r {
            None | Some(Value::None) => Ok(Rounding::HalfEven),
            Some(Value::Str(s)) => Rounding::parse(&s).ok_or_else(|| type_error("invalid rounding mode")),
            Some(_) => Err(type_error("valid values for rounding are: [ROUND_CEILING, ROUND_FLOOR, ROUND_UP, ROUND_DOWN, ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_05UP]")),
        }
    };
    match m {
        "quantize" => {
            let exp = take_kw(&mut a, "exp").or_else(|| a.pos.first().cloned());
            let exp = exp.ok_or_else(|| type_error("quantize() missing required argument 'exp' (pos 1)"))?;
            let mode = rounding(&mut a, 1)?;
            let e = as_dec(&exp).ok_or_else(|| {
                type_error(format!("conversion from {} to Decimal is not supported", exp.type_name()))
            })?;
            Ok(value(x.quantize(&e, mode)?))
        }
        "normalize" => Ok(value(x.normalize()?)),
        "to_integral_value" | "to_integral" => {
            let mode = rounding(&mut a, 0)?;
            if x.exponent() >= 0 {
                return Ok(recv.clone());
            }
            let zero = Dec::Finite { neg: false, coef: 1u32.into(), exp: 0 };
            Ok(value(x.quantize(&zero, mode)?))
        }
        "is_zero" => Ok(Value::Bool(x.is_zero())),
        "is_signed" => Ok(Value::Bool(x.is_neg())),
        "is_nan" => Ok(Value::Bool(x.is_nan())),
        "is_finite" => Ok(Value::Bool(matches!(x, Dec::Finite { .. }))),
        "is_infinite" => Ok(Value::Bool(matches!(x, Dec::Inf { .. }))),
        "copy_abs" => Ok(value(match x {
            Dec::Finite { coef, exp, .. } => Dec::Finite { neg: false, coef, exp },
            Dec::Inf { .. } => Dec::Inf { neg: false },
            Dec::NaN { signaling, .. } => Dec::NaN { neg: false, signaling },
        })),
        "copy_negate" => Ok(value(match x {
            Dec::Finite { coef, exp, neg } => Dec::Finite { neg: !neg, coef, exp },
            Dec::Inf { neg } => Dec::Inf { neg: !neg },
            Dec::NaN { signaling, neg } => Dec::NaN { neg: !neg, signaling },
        })),
        "adjusted" => Ok(Value::int(x.adjusted())),
        _ => Err(no_method(recv, m)),
    }
}

/// A snapshot of a set value's table (a frozenset's or a set's), for read-only use.
fn items_of(v: &Value) -> PySet {
    match v {
        Value::Set(s) => s.borrow().clone(),
        Value::FrozenSet(s) => (**s).clone(),
        _ => PySet::default(),
    }
}

/// Run `f` with `v` as the other operand of a set operation (a set, a dict, or any iterable hashed in order).
pub fn with_other<T>(v: &Value, f: impl FnOnce(Other) -> T) -> R<T> {
    match v {
        Value::Set(s) => Ok(f(Other::Set(&s.borrow()))),
        Value::FrozenSet(s) => Ok(f(Other::Set(s))),
        Value::Dict(d) => Ok(f(Other::Dict(&d.borrow()))),
        _ => {
            let keys = collect(v)?.iter().map(key).collect::<R<Vec<_>>>()?;
            Ok(f(Other::Keys(keys)))
        }
    }
}

fn same_set(a: &Value, b: &Value) -> bool {
    matches!((a, b), (Value::Set(x), Value::Set(y)) if Rc::ptr_eq(x, y))
}

/// In-place set operations (`update`, `|=` ...), with CPython's special cases for `s.op(s)`.
pub fn set_inplace(s: &crate::value::SetRef, op: &str, other: &Value) -> R<()> {
    if same_set(&Value::Set(s.clone()), other) {
        match op {
            "difference_update" | "symmetric_difference_update" => s.borrow_mut().clear(),
            _ => {}
        }
        return Ok(());
    }
    let mut result: Option<PySet> = None;
    with_other(other, |o| {
        let mut me = s.borrow_mut();
        match op {
            "update" => me.update(o),
            "difference_update" => me.difference_update(o),
            "symmetric_difference_update" => me.symmetric_difference_update(o),
            _ => result = Some(me.intersection(o)),
        }
    })?;
    if let Some(r) = result {
        let mut me = s.borrow_mut();
        let finger = me.layout().2;
        *me = r;
        me.set_finger(finger);
    }
    Ok(())
}

fn set_method(recv: &Value, m: &str, a: CallArgs) -> R<Value> {
    let frozen = matches!(recv, Value::FrozenSet(_));
    let wrap = |s: PySet| if frozen { Value::FrozenSet(Rc::new(s)) } else { Value::set(s) };
    let mutable = match recv {
        Value::Set(s) => Some(s.clone()),
        _ => None,
    };
    let need_mut = || mutable.clone().ok_or_else(|| no_method(recv, m));
    match m {
        "add" => {
            arity(recv, m, &a, 1, 1)?;
            let k = key(&a.pos[0])?;
            need_mut()?.borrow_mut().insert(k);
            Ok(Value::None)
        }
        "discard" | "remove" => {
            arity(recv, m, &a, 1, 1)?;
            let k = key(&a.pos[0])?;
            let removed = need_mut()?.borrow_mut().remove(&k);
            if !removed && m == "remove" {
                return Err(key_error(a.pos[0].clone()));
            }
            Ok(Value::None)
        }
        "pop" => {
            arity(recv, m, &a, 0, 0)?;
            let s = need_mut()?;
            let first = s.borrow_mut().pop();
            first.map(|k| k.value).ok_or_else(|| key_error(Value::str("pop from an empty set")))
        }
        "clear" => {
            arity(recv, m, &a, 0, 0)?;
            need_mut()?.borrow_mut().clear();
            Ok(Value::None)
        }
        "copy" => {
            arity(recv, m, &a, 0, 0)?;
            Ok(match recv {
                Value::FrozenSet(_) => recv.clone(),
                _ => wrap(items_of(recv).copy()),
            })
        }
        "union" | "intersection" | "difference" => {
            if !a.kw.is_empty() {
                return Err(type_error(format!("{}.{m}() takes no keyword arguments", recv.type_name())));
            }
            let me = items_of(recv);
            let mut acc: Option<PySet> = None;
            for (i, other) in a.pos.iter().enumerate() {
                let cur = acc.take();
                let base = cur.as_ref().unwrap_or(&me);
                acc = Some(match m {
                    "union" => {
                        let mut r = if i == 0 { me.copy() } else { cur.clone().unwrap_or_default() };
                        with_other(other, |o| r.update(o))?;
                        r
                    }
                    "intersection" => with_other(other, |o| base.intersection(o))?,
                    _ if i == 0 => with_other(other, |o| me.difference(o))?,
                    _ => {
                        let mut r = cur.clone().unwrap_or_default();
                        with_other(other, |o| r.difference_update(o))?;
                        r
                    }
                });
            }
            Ok(wrap(acc.unwrap_or_else(|| me.copy())))
        }
        "symmetric_difference" => {
            arity(recv, m, &a, 1, 1)?;
            let me = items_of(recv);
            Ok(wrap(with_other(&a.pos[0], |o| {
                let mut r = PySet::from_other(o);
                r.symmetric_difference_update(Other::Set(&me));
                r
            })?))
        }
        "update" | "intersection_update" | "difference_update" => {
            if !a.kw.is_empty() {
                return Err(type_error(format!("set.{m}() takes no keyword arguments")));
            }
            let s = need_mut()?;
            if m == "intersection_update" && a.pos.len() != 1 {
                // set_intersection_multi
                let mut acc = items_of(recv);
                for other in &a.pos {
                    acc = with_other(other, |o| acc.intersection(o))?;
                }
                let finger = s.borrow().layout().2;
                let mut me = s.borrow_mut();
                *me = acc;
                me.set_finger(finger);
                return Ok(Value::None);
            }
            for other in &a.pos {
                set_inplace(&s, m, other)?;
            }
            Ok(Value::None)
        }
        "symmetric_difference_update" => {
            arity(recv, m, &a, 1, 1)?;
            set_inplace(&need_mut()?, m, &a.pos[0])?;
            Ok(Value::None)
        }
        "issubset" | "issuperset" | "isdisjoint" => {
            arity(recv, m, &a, 1, 1)?;
            let x = items_of(recv);
            let y = with_other(&a.pos[0], |o| match o {
                Other::Set(s) => s.clone(),
                o => PySet::from_other(o),
            })?;
            Ok(Value::Bool(match m {
                "issubset" => x.iter().all(|k| y.contains(k)),
                "issuperset" => y.iter().all(|k| x.contains(k)),
                _ => !x.iter().any(|k| y.contains(k)),
            }))
        }
        _ => Err(no_method(recv, m)),
    }
}

/// Used by `int.to_bytes`-free code paths; keeps Int in the public surface of this module.
pub fn int_value(i: i64) -> Value {
    Value::Int(Int::Small(i))
}
