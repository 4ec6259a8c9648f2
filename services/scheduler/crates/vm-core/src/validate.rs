//! Pydantic models built inside a workflow (`Order(id=1, items=[...])`): validation and coercion like pydantic's
//! lax mode for the common field types (the annotations come from the manifest as `TypeRef`s), defaults, missing
//! and extra fields, and `ValidationError` with pydantic's message text.
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::bind::CallArgs;
use crate::classes::kind;
use crate::compare::py_eq;
use crate::decimal::Dec;
use crate::exc::{type_error, Flow, R};
use crate::ir::{ClassKind, ClassRef, TypeKind, TypeRef};
use crate::num::Int;
use crate::program::Program;
use crate::repr::repr;
use crate::value::{short_name, Dict, Exception, ObjKind, Object, Str, Value};

/// One line item of a ValidationError.
struct Issue {
    loc: Vec<String>,
    kind: &'static str,
    msg: String,
    input: Value,
}

struct Ctx<'a> {
    prog: &'a Program,
    loc: Vec<String>,
    issues: Vec<Issue>,
}

impl Ctx<'_> {
    fn fail(&mut self, kind: &'static str, msg: impl Into<String>, input: &Value) -> Option<Value> {
        self.issues.push(Issue { loc: self.loc.clone(), kind, msg: msg.into(), input: input.clone() });
        None
    }
}

/// Why speedate (pydantic's date parser) refuses `s` as a date (`for_date`) or a datetime, from its date part
/// `YYYY-MM-DD` checked in order (length, year, separators, month, day, ranges); after a valid date, a date field
/// reads a time (`T`/`_`/space, `HH:MM[:SS]`, a timezone), a datetime field reports "unexpected extra characters".
fn date_error(s: &str, for_date: bool) -> &'static str {
    let b = s.as_bytes();
    if b.len() < 10 {
        return "input is too short";
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    if !digits(0..4) {
        return "invalid character in year";
    }
    if b[4] != b'-' {
        return "invalid date separator, expected `-`";
    }
    if !digits(5..7) {
        return "invalid character in month";
    }
    if b[7] != b'-' {
        return "invalid date separator, expected `-`";
    }
    if !digits(8..10) {
        return "invalid character in day";
    }
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    if !(1..=12).contains(&month) {
        return "month value is outside expected range of 1-12";
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return "day value is outside expected range";
    }
    if for_date && b.len() > 10 {
        return time_error(&b[10..]);
    }
    "unexpected extra characters at the end of the input"
}

/// A string pydantic reads as a number where it wants a date or datetime (a unix timestamp): digits, with an
/// optional fraction.
fn numeric_text(s: &str) -> Option<Value> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    if !int.is_empty() && int.parse::<i64>().is_err() {
        return None; // past i64: read as a date (and refused as one)
    }
    if s.contains('.') {
        s.parse::<f64>().ok().map(Value::Float)
    } else {
        parse_int_text(s).map(Value::Int)
    }
}

/// A unix timestamp in seconds (milliseconds past 2e10), as pydantic reads a number given for a datetime.
fn timestamp(v: &Value) -> R<crate::datetime::Dt> {
    let secs = crate::ops::to_f64(v).ok().flatten().unwrap_or(0.0);
    let secs = if secs.abs() > 2e10 { secs / 1000.0 } else { secs };
    let us = (secs * 1e6).round() as i128;
    let epoch = crate::datetime::ymd_to_ord(1970, 1, 1) as i128 * 86_400_000_000;
    crate::datetime::Dt::from_local_us(epoch + us, Some(0))
}

/// A date followed by a time with at least hours and minutes (`2024-01-01T10:00`): speedate reads no shorter time
/// (CPython's `fromisoformat` also takes `T10`).
fn has_minutes(s: &str) -> bool {
    s.len() >= 16 && s.as_bytes()[13] == b':'
}

/// speedate's errors for the time after a date: `sep HH:MM[:SS[.f]][Z|±HH[:MM]]`.
fn time_error(b: &[u8]) -> &'static str {
    if !matches!(b[0], b'T' | b't' | b'_' | b' ') {
        return "invalid datetime separator, expected `T`, `t`, `_` or space";
    }
    let b = &b[1..];
    if b.len() < 5 {
        return "input is too short";
    }
    let two = |i: usize| -> Option<u32> {
        let (x, y) = (*b.get(i)?, *b.get(i + 1)?);
        (x.is_ascii_digit() && y.is_ascii_digit()).then(|| u32::from(x - b'0') * 10 + u32::from(y - b'0'))
    };
    match two(0) {
        None => return "invalid character in hour",
        Some(h) if h > 23 => return "hour value is outside expected range of 0-23",
        _ => {}
    }
    if b[2] != b':' {
        return "invalid time separator, expected `:`";
    }
    match two(3) {
        None => return "invalid character in minute",
        Some(m) if m > 59 => return "minute value is outside expected range of 0-59",
        _ => {}
    }
    let mut i = 5;
    if b.get(i) == Some(&b':') {
        match two(i + 1) {
            None if b.len() < i + 3 => return "input is too short",
            None => return "invalid character in second",
            Some(sec) if sec > 59 => return "second value is outside expected range of 0-59",
            _ => {}
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    match b.get(i) {
        None | Some(b'Z' | b'z') => "unexpected extra characters at the end of the input",
        Some(b'+' | b'-') => match two(i + 1) {
            Some(h) if h >= 24 => "timezone offset must be less than 24 hours",
            None => "invalid timezone hour",
            _ => "unexpected extra characters at the end of the input",
        },
        Some(_) => "invalid timezone sign",
    }
}

/// The 32 lowercase hex digits of a UUID string as pydantic accepts it: 32 hex digits, or the hyphenated 8-4-4-4-12
/// form, bare, in braces or after `urn:uuid:`.
fn uuid_hex(s: &str) -> Option<String> {
    let hyphenated = |h: &str| {
        h.len() == 36
            && h.char_indices()
                .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
    };
    let body = match s.strip_prefix("urn:uuid:").or_else(|| s.strip_prefix('{').and_then(|r| r.strip_suffix('}'))) {
        Some(inner) if hyphenated(inner) => inner,
        Some(_) => return None,
        None if hyphenated(s) || (s.len() == 32 && s.chars().all(|c| c.is_ascii_hexdigit())) => s,
        None => return None,
    };
    Some(body.chars().filter(|c| *c != '-').collect::<String>().to_lowercase())
}

/// Why pydantic refuses `s` as a UUID (pydantic-core 2's wording): a character that is not a hex digit or `-`
/// (its index after an optional `{...}` or `urn:uuid:`), the length of a string without hyphens, the number of
/// groups, the length of a group.
fn uuid_error(s: &str) -> String {
    let (body, simple) = match s.strip_prefix("urn:uuid:") {
        Some(rest) => (rest, false),
        None => match s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(inner) => (inner, false),
            None => (s, true),
        },
    };
    let mut bounds: Vec<usize> = vec![];
    for (i, c) in body.char_indices() {
        if c == '-' {
            bounds.push(i);
        } else if !c.is_ascii_hexdigit() {
            return format!("invalid character: found `{c}` at {i}");
        }
    }
    if bounds.is_empty() && simple {
        return format!("invalid length: found {}", s.chars().count());
    }
    if bounds.len() != 4 {
        return format!("invalid group count: expected 5, found {}", bounds.len() + 1);
    }
    const STARTS: [usize; 5] = [0, 9, 14, 19, 24];
    const LENGTHS: [usize; 5] = [8, 4, 4, 4, 12];
    for g in 0..4 {
        if bounds[g] != STARTS[g + 1] - 1 {
            let start = if g == 0 { 0 } else { bounds[g - 1] + 1 };
            return format!("invalid group length in group {g}: expected {}, found {}", LENGTHS[g], bounds[g] - start);
        }
    }
    if !simple {
        return format!("invalid length: found {}", s.chars().count());
    }
    format!("invalid group length in group 4: expected 12, found {}", body.len() - STARTS[4])
}

/// pydantic-core's `input_value` rendering: repr, long ones cut in the middle.
fn input_repr(v: &Value) -> String {
    let r = repr(v);
    let chars: Vec<char> = r.chars().collect();
    if chars.len() > 50 {
        let head: String = chars[..25].iter().collect();
        let tail: String = chars[chars.len() - 24..].iter().collect();
        format!("{head}...{tail}")
    } else {
        r
    }
}

fn input_type(v: &Value) -> String {
    v.short_type_name()
}

fn expected_list(values: &[Value]) -> String {
    let reprs: Vec<String> = values.iter().map(repr).collect();
    match reprs.len() {
        0 => String::new(),
        1 => reprs[0].clone(),
        n => format!("{} or {}", reprs[..n - 1].join(", "), reprs[n - 1]),
    }
}

/// str, or bytes decoded as UTF-8 (pydantic's lax mode parses both).
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Bytes(b) => std::str::from_utf8(b).ok().map(String::from),
        _ => None,
    }
}

fn type_kind(t: &TypeRef) -> TypeKind {
    TypeKind::try_from(t.kind).unwrap_or(TypeKind::Any)
}

fn parse_int_text(s: &str) -> Option<Int> {
    let t = s.trim();
    if let Some(i) = Int::parse(t).filter(|_| !t.is_empty() && !t.starts_with('_') && !t.contains("__")) {
        return Some(i);
    }
    // "1.0" is accepted when the fraction is zero
    let (int_part, frac) = t.split_once('.')?;
    if !frac.is_empty() && frac.bytes().all(|b| b == b'0') {
        return Int::parse(int_part);
    }
    None
}

fn validate(cx: &mut Ctx, t: &TypeRef, v: &Value) -> Option<Value> {
    let out = validate_type(cx, t, v)?;
    if t.constraints.is_empty() {
        return Some(out);
    }
    let mut ok = true;
    for c in &t.constraints {
        let Some(limit) = c.value.as_ref().map(|x| cx.prog.constant(x)) else { continue };
        let shown = crate::repr::str_of(&limit);
        let cmp = |op| crate::ops::compare(op, &out, &limit).unwrap_or(true);
        use crate::ir::CmpOpKind as C;
        let failure: Option<(&'static str, String)> = match c.kind.as_str() {
            "gt" if !cmp(C::Gt) => Some(("greater_than", format!("Input should be greater than {shown}"))),
            "ge" if !cmp(C::GtE) => {
                Some(("greater_than_equal", format!("Input should be greater than or equal to {shown}")))
            }
            "lt" if !cmp(C::Lt) => Some(("less_than", format!("Input should be less than {shown}"))),
            "le" if !cmp(C::LtE) => Some(("less_than_equal", format!("Input should be less than or equal to {shown}"))),
            "multiple_of" => match crate::ops::binop(crate::ir::BinOpKind::Mod, &out, &limit) {
                Ok(r) if r.truthy() => Some(("multiple_of", format!("Input should be a multiple of {shown}"))),
                _ => None,
            },
            k @ ("min_length" | "max_length") => {
                let n = crate::builtins::len_of(&out).unwrap_or(0) as i64;
                let bound = match &limit {
                    Value::Int(i) => i.as_i64().unwrap_or(0),
                    _ => continue,
                };
                let short = k == "min_length";
                if (short && n >= bound) || (!short && n <= bound) {
                    None
                } else {
                    let plural = |w: &str| if bound == 1 { w.to_string() } else { format!("{w}s") };
                    let (which, kind) = if short { ("at least", "too_short") } else { ("at most", "too_long") };
                    Some(match &out {
                        Value::Str(_) => (
                            if short { "string_too_short" } else { "string_too_long" },
                            format!("String should have {which} {bound} {}", plural("character")),
                        ),
                        Value::Bytes(_) => (
                            if short { "bytes_too_short" } else { "bytes_too_long" },
                            format!("Data should have {which} {bound} {}", plural("byte")),
                        ),
                        other => {
                            let what = match other {
                                Value::Tuple(_) => "Tuple",
                                Value::Set(_) => "Set",
                                Value::FrozenSet(_) => "Frozenset",
                                Value::Dict(_) => "Dictionary",
                                _ => "List",
                            };
                            (
                                kind,
                                format!(
                                    "{what} should have {which} {bound} {} after validation, not {n}",
                                    plural("item")
                                ),
                            )
                        }
                    })
                }
            }
            _ => None,
        };
        if let Some((kind, msg)) = failure {
            cx.fail(kind, msg, v);
            ok = false;
            break;
        }
    }
    ok.then_some(out)
}

fn validate_type(cx: &mut Ctx, t: &TypeRef, v: &Value) -> Option<Value> {
    use TypeKind as K;
    match type_kind(t) {
        K::Any => Some(v.clone()),
        K::None => match v {
            Value::None => Some(Value::None),
            _ => cx.fail("none_required", "Input should be None", v),
        },
        K::Int => match v {
            Value::Int(_) => Some(v.clone()),
            Value::Bool(b) => Some(Value::int(*b as i64)),
            Value::Float(f) if !f.is_finite() => cx.fail("finite_number", "Input should be a finite number", v),
            Value::Float(f) if f.fract() == 0.0 => crate::builtins::float_to_int(*f).ok().map(Value::Int),
            Value::Float(_) => {
                cx.fail("int_from_float", "Input should be a valid integer, got a number with a fractional part", v)
            }
            Value::Str(_) | Value::Bytes(_) => match text_of(v).and_then(|s| parse_int_text(&s)) {
                Some(i) => Some(Value::Int(i)),
                None => {
                    cx.fail("int_parsing", "Input should be a valid integer, unable to parse string as an integer", v)
                }
            },
            Value::Decimal(d) => match Dec::parse(d) {
                Some(x @ Dec::Finite { .. }) if x.normalize().map(|n| n.exponent() >= 0).unwrap_or(false) => {
                    x.trunc().map(|b| Value::Int(Int::from_big(b)))
                }
                _ => {
                    cx.fail("int_from_float", "Input should be a valid integer, got a number with a fractional part", v)
                }
            },
            _ => cx.fail("int_type", "Input should be a valid integer", v),
        },
        K::Float => match v {
            Value::Float(_) => Some(v.clone()),
            Value::Int(_) | Value::Bool(_) => crate::ops::to_f64(v).ok().flatten().map(Value::Float),
            Value::Str(_) | Value::Bytes(_) => match text_of(v).and_then(|s| crate::builtins::parse_float(&s)) {
                Some(f) => Some(Value::Float(f)),
                None => {
                    cx.fail("float_parsing", "Input should be a valid number, unable to parse string as a number", v)
                }
            },
            Value::Decimal(d) => Dec::parse(d).map(|x| Value::Float(x.to_f64())),
            _ => cx.fail("float_type", "Input should be a valid number", v),
        },
        K::Str => match v {
            Value::Str(_) => Some(v.clone()),
            Value::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) => Some(Value::str(s)),
                Err(_) => cx.fail(
                    "string_unicode",
                    "Input should be a valid string, unable to parse raw data as a unicode string",
                    v,
                ),
            },
            _ => cx.fail("string_type", "Input should be a valid string", v),
        },
        K::Bytes => match v {
            Value::Bytes(_) => Some(v.clone()),
            Value::Str(s) => Some(Value::Bytes(Rc::from(s.as_bytes()))),
            _ => cx.fail("bytes_type", "Input should be a valid bytes", v),
        },
        K::Bool => {
            let parsed = match v {
                Value::Bool(b) => Some(*b),
                Value::Int(i) if i.as_i64() == Some(0) => Some(false),
                Value::Int(i) if i.as_i64() == Some(1) => Some(true),
                Value::Float(f) if *f == 0.0 => Some(false),
                Value::Float(f) if *f == 1.0 => Some(true),
                Value::Int(i) if i.as_i64().is_some() => None,
                Value::Decimal(d) => match Dec::parse(d) {
                    Some(x) if x.is_zero() => Some(false),
                    Some(x) if x.compare(&Dec::from_int(&Int::Small(1))) == Some(std::cmp::Ordering::Equal) => {
                        Some(true)
                    }
                    Some(x) if x.normalize().map(|n| n.exponent() >= 0).unwrap_or(false) => None,
                    _ => return cx.fail("bool_type", "Input should be a valid boolean", v),
                },
                Value::Str(_) | Value::Bytes(_) => {
                    match text_of(v).unwrap_or_default().trim().to_lowercase().as_str() {
                        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
                        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
                        _ => None,
                    }
                }
                _ => {
                    return cx.fail("bool_type", "Input should be a valid boolean", v);
                }
            };
            match parsed {
                Some(b) => Some(Value::Bool(b)),
                None => cx.fail("bool_parsing", "Input should be a valid boolean, unable to interpret input", v),
            }
        }
        K::Decimal => match v {
            Value::Decimal(_) => Some(v.clone()),
            Value::Int(i) => Some(crate::decimal::value(Dec::from_int(i))),
            Value::Float(f) if !f.is_finite() => cx.fail("finite_number", "Input should be a finite number", v),
            Value::Float(f) => Dec::parse(&crate::repr::float_repr(*f)).map(crate::decimal::value),
            Value::Str(s) => match Dec::parse(s.trim()) {
                Some(Dec::Inf { .. } | Dec::NaN { .. }) => {
                    cx.fail("finite_number", "Input should be a finite number", v)
                }
                Some(d) => Some(crate::decimal::value(d)),
                None => cx.fail("decimal_parsing", "Input should be a valid decimal", v),
            },
            _ => cx.fail("decimal_type", "Decimal input should be an integer, float, string or Decimal object", v),
        },
        K::Datetime => match v {
            Value::DateTime(_) => Some(v.clone()),
            Value::Str(s) if numeric_text(s).is_some() => match timestamp(&numeric_text(s).unwrap_or(Value::None)) {
                Ok(d) => Some(d.value(crate::datetime::Kind::DateTime)), // a unix timestamp, like pydantic
                Err(_) => cx.fail(
                    "datetime_from_date_parsing",
                    "Input should be a valid datetime or date, dates after 9999 are not supported as unix timestamps",
                    v,
                ),
            },
            Value::Str(s) => {
                let t: &str = s;
                match crate::datetime::Dt::parse(crate::datetime::Kind::DateTime, t)
                    .filter(|_| t.len() <= 10 || has_minutes(t))
                {
                    Some(d) => Some(d.value(crate::datetime::Kind::DateTime)),
                    None => cx.fail(
                        "datetime_from_date_parsing",
                        format!("Input should be a valid datetime or date, {}", date_error(t, false)),
                        v,
                    ),
                }
            }
            Value::Int(_) | Value::Float(_) => match timestamp(v) {
                Ok(d) => Some(d.value(crate::datetime::Kind::DateTime)),
                Err(_) => cx.fail(
                    "datetime_parsing",
                    "Input should be a valid datetime, dates after 9999 are not supported as unix timestamps",
                    v,
                ),
            },
            _ => cx.fail("datetime_type", "Input should be a valid datetime", v),
        },
        K::Date => match v {
            Value::Date(_) => Some(v.clone()),
            Value::Str(s) if numeric_text(s).is_some() => match timestamp(&numeric_text(s).unwrap_or(Value::None)) {
                Ok(d) if d.hour == 0 && d.minute == 0 && d.second == 0 && d.micro == 0 => {
                    Some(crate::datetime::Dt { tz: None, ..d }.value(crate::datetime::Kind::Date))
                }
                Err(_) => cx.fail(
                    "date_from_datetime_parsing",
                    "Input should be a valid date or datetime, dates after 9999 are not supported as unix timestamps",
                    v,
                ),
                Ok(_) => cx.fail(
                    "date_from_datetime_inexact",
                    "Datetimes provided to dates should have zero time - e.g. be exact dates",
                    v,
                ),
            },
            Value::DateTime(_) => match crate::datetime::parse_value(v) {
                Some((_, d)) if d.hour == 0 && d.minute == 0 && d.second == 0 && d.micro == 0 => {
                    Some(d.value(crate::datetime::Kind::Date))
                }
                _ => cx.fail(
                    "date_from_datetime_inexact",
                    "Datetimes provided to dates should have zero time - e.g. be exact dates",
                    v,
                ),
            },
            Value::Str(s) => match crate::datetime::Dt::parse(crate::datetime::Kind::Date, s)
                .or_else(|| crate::datetime::Dt::parse(crate::datetime::Kind::DateTime, s).filter(|_| has_minutes(s)))
            {
                // a datetime string is a date when its time is zero
                Some(d) if d.hour == 0 && d.minute == 0 && d.second == 0 && d.micro == 0 => {
                    Some(crate::datetime::Dt { tz: None, ..d }.value(crate::datetime::Kind::Date))
                }
                Some(_) => cx.fail(
                    "date_from_datetime_inexact",
                    "Datetimes provided to dates should have zero time - e.g. be exact dates",
                    v,
                ),
                None => cx.fail(
                    "date_from_datetime_parsing",
                    format!("Input should be a valid date or datetime, {}", date_error(s, true)),
                    v,
                ),
            },
            _ => cx.fail("date_type", "Input should be a valid date", v),
        },
        K::Time => match v {
            Value::Time(_) => Some(v.clone()),
            Value::Str(s) => match crate::datetime::Dt::parse(crate::datetime::Kind::Time, s.trim()) {
                Some(d) => Some(d.value(crate::datetime::Kind::Time)),
                None => cx.fail("time_parsing", "Input should be in a valid time format, invalid character in hour", v),
            },
            _ => cx.fail("time_type", "Input should be a valid time", v),
        },
        K::Timedelta => match v {
            Value::TimeDelta(_) => Some(v.clone()),
            Value::Int(_) | Value::Float(_) => {
                crate::datetime::timedelta(CallArgs { pos: vec![], kw: vec![(Str::from("seconds"), v.clone())] }).ok()
            }
            _ => cx.fail("time_delta_type", "Input should be a valid timedelta", v),
        },
        K::Uuid => match v {
            Value::Uuid(_) => Some(v.clone()),
            Value::Str(s) => {
                let hex = uuid_hex(s).unwrap_or_default();
                if hex.len() == 32 {
                    Some(Value::Uuid(Str::from(
                        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
                            .as_str(),
                    )))
                } else {
                    cx.fail("uuid_parsing", format!("Input should be a valid UUID, {}", uuid_error(s)), v)
                }
            }
            _ => cx.fail("uuid_type", "UUID input should be a string, bytes or UUID object", v),
        },
        K::List | K::Tuple | K::Set | K::Frozenset => validate_seq(cx, t, v),
        K::Dict => {
            let Value::Dict(d) = v else { return cx.fail("dict_type", "Input should be a valid dictionary", v) };
            let (kt, vt) = (t.args.first(), t.args.get(1));
            let mut out = Dict::default();
            let mut ok = true;
            let items: Vec<(Value, Value)> = d.borrow().iter().map(|(k, x)| (k.value.clone(), x.clone())).collect();
            for (k, x) in items {
                let seg = crate::repr::str_of(&k);
                cx.loc.push(format!("{seg}.[key]"));
                let key = match kt {
                    Some(kt) => validate(cx, kt, &k),
                    None => Some(k.clone()),
                };
                cx.loc.pop();
                cx.loc.push(seg);
                let val = match vt {
                    Some(vt) => validate(cx, vt, &x),
                    None => Some(x.clone()),
                };
                cx.loc.pop();
                match (key.and_then(crate::value::Key::new), val) {
                    (Some(k), Some(x)) => {
                        out.insert(k, x);
                    }
                    _ => ok = false,
                }
            }
            ok.then(|| Value::dict(out))
        }
        K::Union => validate_union(cx, t, v),
        K::Literal => {
            let allowed: Vec<Value> = t.literals.iter().map(|l| cx.prog.constant(l)).collect();
            for a in &allowed {
                if std::mem::discriminant(a) == std::mem::discriminant(v) && py_eq(a, v) {
                    return Some(a.clone());
                }
            }
            cx.fail("literal_error", format!("Input should be {}", expected_list(&allowed)), v)
        }
        K::Enum => {
            let Some(cls) = find_class(cx.prog, &t.qualname) else { return Some(v.clone()) };
            if let Value::Enum(e) = v {
                if *e.class == *cls.qualname {
                    return Some(v.clone());
                }
            }
            let values: Vec<Value> = cls
                .members
                .iter()
                .map(|m| m.value.as_ref().map(|x| cx.prog.constant(x)).unwrap_or(Value::None))
                .collect();
            for (m, mv) in cls.members.iter().zip(&values) {
                if py_eq(mv, v) && !matches!(v, Value::Enum(_)) {
                    return Some(crate::classes::enum_member(cls, &m.name, mv.clone()));
                }
            }
            cx.fail("enum", format!("Input should be {}", expected_list(&values)), v)
        }
        K::Model => {
            let Some(idx) = cx.prog.class_by_name.get(&t.qualname).copied() else { return Some(v.clone()) };
            match v {
                Value::Object(o)
                    if crate::classes::is_instance(cx.prog, v, idx) && o.borrow().kind == ObjKind::Model =>
                {
                    Some(v.clone())
                }
                Value::Dict(d) => {
                    let kw = d
                        .borrow()
                        .iter()
                        .map(|(k, x)| (Str::from(crate::repr::str_of(&k.value).as_str()), x.clone()))
                        .collect();
                    build_model(cx, idx, kw, v)
                }
                Value::Object(o) if o.borrow().kind == ObjKind::Model => {
                    // another model: pydantic reads its fields (from_attributes is off: it is an error)
                    let name = short_name(&t.qualname).to_string();
                    cx.fail("model_type", format!("Input should be a valid dictionary or instance of {name}"), v)
                }
                _ => {
                    let name = short_name(&t.qualname).to_string();
                    cx.fail("model_type", format!("Input should be a valid dictionary or instance of {name}"), v)
                }
            }
        }
        K::Dataclass => {
            let Some(idx) = cx.prog.class_by_name.get(&t.qualname).copied() else { return Some(v.clone()) };
            match v {
                Value::Object(_) if crate::classes::is_instance(cx.prog, v, idx) => Some(v.clone()),
                Value::Dict(d) => {
                    let kw: Vec<(Str, Value)> = d
                        .borrow()
                        .iter()
                        .map(|(k, x)| (Str::from(crate::repr::str_of(&k.value).as_str()), x.clone()))
                        .collect();
                    match crate::classes::construct(cx.prog, idx, CallArgs { pos: vec![], kw }) {
                        Ok(x) => Some(x),
                        Err(_) => cx.fail(
                            "dataclass_type",
                            format!("Input should be a dictionary or an instance of {}", short_name(&t.qualname)),
                            v,
                        ),
                    }
                }
                _ => cx.fail(
                    "dataclass_type",
                    format!("Input should be a dictionary or an instance of {}", short_name(&t.qualname)),
                    v,
                ),
            }
        }
    }
}

fn validate_seq(cx: &mut Ctx, t: &TypeRef, v: &Value) -> Option<Value> {
    use TypeKind as K;
    let k = type_kind(t);
    let (kind_name, err) = match k {
        K::List => ("list_type", "Input should be a valid list"),
        K::Tuple => ("tuple_type", "Input should be a valid tuple"),
        K::Set => ("set_type", "Input should be a valid set"),
        _ => ("frozen_set_type", "Input should be a valid frozenset"),
    };
    let items = match v {
        Value::List(_) | Value::Tuple(_) | Value::Set(_) | Value::FrozenSet(_) | Value::View(_) => {
            crate::iter::collect(v).unwrap_or_default()
        }
        Value::Iter(_) if k == K::List || k == K::Tuple => crate::iter::collect(v).unwrap_or_default(),
        _ => return cx.fail(kind_name, err, v),
    };
    let fixed = k == K::Tuple && !t.variadic && !t.args.is_empty();
    if fixed && items.len() != t.args.len() {
        let n = t.args.len();
        return if items.len() < n {
            cx.fail("missing", "Field required", v)
        } else {
            cx.fail(
                "too_long",
                format!(
                    "Tuple should have at most {n} item{} after validation, not {}",
                    if n == 1 { "" } else { "s" },
                    items.len()
                ),
                v,
            )
        };
    }
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, x) in items.iter().enumerate() {
        let it = if fixed { t.args.get(i) } else { t.args.first() };
        cx.loc.push(i.to_string());
        match it {
            Some(it) => match validate(cx, it, x) {
                Some(y) => out.push(y),
                None => ok = false,
            },
            None => out.push(x.clone()),
        }
        cx.loc.pop();
    }
    if !ok {
        return None;
    }
    Some(match k {
        K::List => Value::list(out),
        K::Tuple => Value::tuple(out),
        K::Set => {
            let keys = out.iter().map(crate::ops::key).collect::<R<Vec<_>>>().ok()?;
            Value::set(crate::pyset::PySet::from_other(crate::pyset::Other::Keys(keys)))
        }
        _ => {
            let keys = out.iter().map(crate::ops::key).collect::<R<Vec<_>>>().ok()?;
            Value::FrozenSet(Rc::new(crate::pyset::PySet::from_other(crate::pyset::Other::Keys(keys))))
        }
    })
}

/// Whether `v` already is an exact instance of `t` (smart-mode unions pick an exact match first).
fn exact(cx: &Ctx, t: &TypeRef, v: &Value) -> bool {
    use TypeKind as K;
    match (type_kind(t), v) {
        (K::None, Value::None) | (K::Bool, Value::Bool(_)) | (K::Int, Value::Int(_)) | (K::Float, Value::Float(_)) => {
            true
        }
        (K::Str, Value::Str(_)) | (K::Bytes, Value::Bytes(_)) | (K::Decimal, Value::Decimal(_)) => true,
        (K::Datetime, Value::DateTime(_)) | (K::Date, Value::Date(_)) | (K::Time, Value::Time(_)) => true,
        (K::Timedelta, Value::TimeDelta(_)) | (K::Uuid, Value::Uuid(_)) => true,
        (K::Enum, Value::Enum(e)) => *e.class == *t.qualname,
        (K::Model | K::Dataclass, Value::Object(_)) => {
            cx.prog.class_by_name.get(&t.qualname).is_some_and(|i| crate::classes::is_instance(cx.prog, v, *i))
        }
        _ => false,
    }
}

fn union_tag(t: &TypeRef) -> String {
    use TypeKind as K;
    match type_kind(t) {
        K::Int => "int".into(),
        K::Float => "float".into(),
        K::Str => "str".into(),
        K::Bool => "bool".into(),
        K::Bytes => "bytes".into(),
        K::None => "none".into(),
        K::Decimal => "decimal".into(),
        K::Datetime => "datetime".into(),
        K::Date => "date".into(),
        K::Time => "time".into(),
        K::Timedelta => "timedelta".into(),
        K::Uuid => "uuid".into(),
        K::List => format!("list[{}]", t.args.first().map(union_tag).unwrap_or_else(|| "any".into())),
        K::Dict => "dict[...]".into(),
        K::Model | K::Dataclass | K::Enum => short_name(&t.qualname).to_string(),
        _ => "any".into(),
    }
}

fn validate_union(cx: &mut Ctx, t: &TypeRef, v: &Value) -> Option<Value> {
    let is_none = |a: &TypeRef| type_kind(a) == TypeKind::None;
    let members: Vec<&TypeRef> = t.args.iter().filter(|a| !is_none(a)).collect();
    let nullable = members.len() < t.args.len();
    if nullable && v.is_none() {
        return Some(Value::None);
    }
    if members.len() == 1 {
        return validate(cx, members[0], v); // Optional[X]: a nullable X, no union tags in errors
    }
    for m in &members {
        if exact(cx, m, v) {
            return Some(v.clone());
        }
    }
    let mut failures = Vec::new();
    for m in &members {
        let mut sub = Ctx { prog: cx.prog, loc: Vec::new(), issues: Vec::new() };
        if let Some(x) = validate(&mut sub, m, v) {
            return Some(x);
        }
        failures.push((union_tag(m), sub.issues));
    }
    for (tag, issues) in failures {
        for mut i in issues {
            let mut loc = cx.loc.clone();
            loc.push(tag.clone());
            loc.append(&mut i.loc);
            cx.issues.push(Issue { loc, ..i });
        }
    }
    None
}

pub fn find_class<'p>(prog: &'p Program, qualname: &str) -> Option<&'p ClassRef> {
    prog.class_by_name.get(qualname).and_then(|i| prog.ir.classes.get(*i as usize))
}

/// Build model `idx` from keyword values, collecting issues under the current location.
fn build_model(cx: &mut Ctx, idx: u32, kw: Vec<(Str, Value)>, input: &Value) -> Option<Value> {
    let prog = cx.prog;
    let c = &prog.ir.classes[idx as usize];
    let mut fields: Vec<(Str, Value)> = Vec::with_capacity(c.fields.len());
    let mut ok = true;
    let mut used = vec![false; kw.len()];
    for f in &c.fields {
        let key = if f.alias.is_empty() { f.name.as_str() } else { f.alias.as_str() };
        let given = kw.iter().position(|(k, _)| &**k == key);
        cx.loc.push(key.to_string());
        match given {
            Some(i) => {
                used[i] = true;
                let v = &kw[i].1;
                let r = match &f.annotation {
                    Some(t) => validate(cx, t, v),
                    None => Some(v.clone()),
                };
                match r {
                    Some(x) => fields.push((Arc::from(f.name.as_str()), x)),
                    None => ok = false,
                }
            }
            None => match &f.default {
                Some(d) => fields.push((Arc::from(f.name.as_str()), prog.constant(d))),
                None => {
                    cx.fail("missing", "Field required", input);
                    ok = false;
                }
            },
        }
        cx.loc.pop();
    }
    for (i, (k, v)) in kw.iter().enumerate() {
        if used[i] {
            continue;
        }
        match c.extra.as_str() {
            "forbid" => {
                cx.loc.push(k.to_string());
                cx.fail("extra_forbidden", "Extra inputs are not permitted", v);
                cx.loc.pop();
                ok = false;
            }
            "allow" => fields.push((k.clone(), v.clone())),
            _ => {}
        }
    }
    if !ok {
        return None;
    }
    Some(Value::Object(Rc::new(RefCell::new(Object::new(Arc::from(c.qualname.as_str()), ObjKind::Model, fields)))))
}

/// `pydantic_core.ValidationError` for `title` with the issues, as pydantic renders it.
fn validation_error(prog: &Program, title: &str, issues: &[Issue], url: &str) -> Flow {
    let n = issues.len();
    let mut msg = format!("{n} validation error{} for {title}", if n == 1 { "" } else { "s" });
    for i in issues {
        if !i.loc.is_empty() {
            msg.push('\n');
            msg.push_str(&i.loc.join("."));
        }
        msg.push_str(&format!(
            "\n  {} [type={}, input_value={}, input_type={}]",
            i.msg,
            i.kind,
            input_repr(&i.input),
            input_type(&i.input)
        ));
        if !url.is_empty() {
            msg.push_str(&format!("\n    For further information visit {url}{}", i.kind));
        }
    }
    let mro: Vec<Str> = [
        "pydantic_core._pydantic_core.ValidationError",
        "builtins.ValueError",
        "builtins.Exception",
        "builtins.BaseException",
    ]
    .iter()
    .map(|s| Str::from(*s))
    .collect();
    let _ = prog;
    let mut e = Exception::new(mro[0].clone(), mro.into(), vec![]);
    e.message = Some(Str::from(msg.as_str()));
    Flow::Raise(Value::exception(e))
}

/// `Model(**kwargs)` inside a workflow.
pub fn construct_model(prog: &Program, idx: u32, args: CallArgs) -> R<Value> {
    let c = &prog.ir.classes[idx as usize];
    if !args.pos.is_empty() {
        return Err(type_error(format!(
            "BaseModel.__init__() takes 1 positional argument but {} were given",
            args.pos.len() + 1
        )));
    }
    let mut input = Dict::default();
    for (k, v) in &args.kw {
        input.insert(crate::ops::key(&Value::Str(k.clone()))?, v.clone());
    }
    let input = Value::dict(input);
    let mut cx = Ctx { prog, loc: Vec::new(), issues: Vec::new() };
    match build_model(&mut cx, idx, args.kw, &input) {
        Some(v) => Ok(v),
        None => Err(validation_error(prog, short_name(&c.qualname), &cx.issues, &c.errors_url)),
    }
}

/// `Model.model_validate(data)`: a dict (or an instance) validated into the model.
pub fn model_validate(prog: &Program, idx: u32, data: &Value) -> R<Value> {
    let c = &prog.ir.classes[idx as usize];
    let t = TypeRef { kind: TypeKind::Model as i32, qualname: c.qualname.clone(), ..Default::default() };
    let mut cx = Ctx { prog, loc: Vec::new(), issues: Vec::new() };
    match validate(&mut cx, &t, data) {
        Some(v) => Ok(v),
        None => Err(validation_error(prog, short_name(&c.qualname), &cx.issues, &c.errors_url)),
    }
}

/// Whether a model class is frozen (assignment raises).
pub fn frozen_model_error(prog: &Program, o: &Object, attr: &str, v: &Value) -> Option<Flow> {
    let c = find_class(prog, &o.class)?;
    if kind(c) != ClassKind::Model || !c.frozen {
        return None;
    }
    let issue = Issue {
        loc: vec![attr.to_string()],
        kind: "frozen_instance",
        msg: "Instance is frozen".into(),
        input: v.clone(),
    };
    Some(validation_error(prog, short_name(&c.qualname), &[issue], &c.errors_url))
}

#[cfg(test)]
mod tests {
    use super::{date_error, uuid_error, uuid_hex};

    /// What pydantic 2 (pydantic-core 2.x, speedate) says about these strings.
    #[test]
    fn parse_errors_read_like_pydantic() {
        assert_eq!(uuid_error("nope"), "invalid character: found `n` at 0");
        assert_eq!(uuid_error("1234"), "invalid length: found 4");
        assert_eq!(uuid_error("12-34"), "invalid group count: expected 5, found 2");
        assert_eq!(
            uuid_error("12345678-1234-5678-1234-5678123456789"),
            "invalid group length in group 4: expected 12, found 13"
        );
        assert_eq!(uuid_hex("{12345678-1234-5678-1234-567812345678}").map(|h| h.len()), Some(32));
        assert_eq!(uuid_hex("123456781234567812345678123456-78"), None);
        assert_eq!(date_error("2024-02-30", true), "day value is outside expected range");
        assert_eq!(date_error("2024-13-01", false), "month value is outside expected range of 1-12");
        assert_eq!(date_error("2024/02/29", true), "invalid date separator, expected `-`");
        assert_eq!(date_error("2024-02-29T25:00", true), "hour value is outside expected range of 0-23");
        assert_eq!(date_error("2024-02-29T25:00", false), "unexpected extra characters at the end of the input");
        assert_eq!(date_error("2024-1-5", true), "input is too short");
    }
}
