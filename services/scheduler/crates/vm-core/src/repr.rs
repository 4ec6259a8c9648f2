//! `repr()` and `str()` exactly as CPython prints them.
use std::fmt::Write;
use std::rc::Rc;

use crate::num::Int;
use crate::value::{short_name, Exception, Iter, ObjKind, TimeDelta, Value, ViewKind};

thread_local! {
    /// Qualified names of the running program's classes, so `repr()` of a class value (which is an index into
    /// Program.classes) can name it anywhere, e.g. inside a list. Set when the VM starts on a program.
    static CLASS_NAMES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Called once per advance (vm-core is single-threaded inside an advance).
pub fn set_class_names(prog: &crate::program::Program) {
    CLASS_NAMES.with(|c| *c.borrow_mut() = prog.ir.classes.iter().map(|k| k.qualname.clone()).collect());
}

/// CPython's float repr: shortest round-trip digits; exponent form when exp < -4 or exp >= 16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // `{:e}` gives the shortest round-trip digits as d.ddde±x.
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = nearest_shortest(f, digits, exp);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        if exp >= 0 {
            let int_len = (exp + 1) as usize;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
        let _ = n;
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// Among the shortest digit strings that round-trip, CPython's repr (David Gay's dtoa, mode 0) takes the one
/// nearest to the exact binary value, ties to even; Rust's shortest formatting may pick a neighbour.
fn nearest_shortest(f: f64, digits: String, exp: i32) -> String {
    use num_bigint::BigInt;
    if digits.len() < 15 {
        return digits;
    }
    let Ok(c) = digits.parse::<u64>() else { return digits };
    let n = digits.len();
    let e10 = exp - (n as i32 - 1); // value = c * 10**e10
    let a = f.abs();
    let bits = a.to_bits();
    let be = ((bits >> 52) & 0x7ff) as i64;
    let m = if be == 0 { (bits & ((1 << 52) - 1)) << 1 } else { (bits & ((1 << 52) - 1)) | (1 << 52) };
    let k = be - 1075; // a = m * 2**k
                       // compare c' * 10**e10 with m * 2**k on a common scale
    let scale = |x: BigInt, p10: i32, p2: i64| -> BigInt {
        let mut x = x;
        let (s10, s2) = (p10 - e10.min(0), p2 - k.min(0));
        if s10 > 0 {
            x *= num_traits::pow::Pow::pow(BigInt::from(10), s10 as u32);
        }
        if s2 > 0 {
            x <<= s2 as usize;
        }
        x
    };
    let exact = scale(BigInt::from(m), 0, k);
    let mut best: Option<(BigInt, u64)> = None;
    for cand in [c.wrapping_sub(1), c, c + 1] {
        let text = cand.to_string();
        if text.len() != n {
            continue;
        }
        let parsed: f64 = format!("{cand}e{e10}").parse().unwrap_or(f64::NAN);
        if parsed != a {
            continue;
        }
        let v = scale(BigInt::from(cand), e10, 0);
        let dist = if v > exact { &v - &exact } else { &exact - &v };
        let better = match &best {
            None => true,
            Some((d, b)) => dist < *d || (dist == *d && cand % 2 == 0 && b % 2 == 1),
        };
        if better {
            best = Some((dist, cand));
        }
    }
    match best {
        Some((_, cand)) => cand.to_string(),
        None => digits,
    }
}

/// Python's str repr: single quotes unless the text has a single quote and no double quote.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    let _ = write!(out, "\\x{n:02x}");
                } else if n <= 0xffff {
                    let _ = write!(out, "\\u{n:04x}");
                } else {
                    let _ = write!(out, "\\U{n:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// An approximation of str.isprintable() for repr: control, separator and unassigned-ish characters escape.
pub fn is_printable(c: char) -> bool {
    let n = c as u32;
    !(n < 0x20
        || (0x7f..0xa1).contains(&n)
        || n == 0xad
        || (0x2028..=0x2029).contains(&n)
        || (0xd800..0xe000).contains(&n)
        || (0x200b..=0x200f).contains(&n)
        || n == 0xfeff
        || c.is_whitespace() && c != ' ')
}

pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { '"' } else { '\'' };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// The str() of an exception computed from its args (CPython's BaseException.__str__, KeyError's override).
pub fn exc_args_str(e: &Exception) -> String {
    match e.args.len() {
        0 => String::new(),
        1 if e.is_instance_of("builtins.KeyError") => repr(&e.args[0]), // KeyError's str, inherited
        1 => str_of(&e.args[0]),
        _ => repr(&Value::tuple(e.args.clone())),
    }
}

pub fn exc_str(e: &Exception) -> String {
    match &e.message {
        Some(m) => m.to_string(),
        None => exc_args_str(e),
    }
}

/// `str(e)`: the message a worker computed, else the class's compiled `__str__` when it has one (a user exception
/// built in the workflow), else what the args give. A `__str__` that fails or returns a non-str falls back to the
/// args (str() itself does not fail in the VM).
pub fn exc_value_str(e: &crate::value::ExcRef) -> String {
    let (class, remote) = {
        let b = e.borrow();
        (b.class.clone(), b.message.is_some())
    };
    if !remote {
        let f = crate::classinfo::with_class(&class, |_, c| c.str_function).flatten();
        if let Some(f) = f {
            let r = crate::classinfo::with_program(|p| {
                crate::interp::call_sync(p, f, Value::Exception(e.clone()), crate::bind::CallArgs::default())
            });
            if let Some(Ok(Value::Str(s))) = r {
                return s.to_string();
            }
        }
    }
    exc_str(&e.borrow())
}

/// `str(x)`
pub fn str_of(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Exception(e) => exc_value_str(e),
        Value::Decimal(d) => d.to_string(),
        Value::DateTime(d) => d.replacen('T', " ", 1),
        Value::Date(d) | Value::Time(d) | Value::Uuid(d) => d.to_string(),
        Value::TimeDelta(t) => timedelta_str(t),
        Value::TimeZone(o) => crate::datetime::tzname(*o),
        Value::Enum(e) => crate::enums::str_of(e),
        Value::Object(o) if o.borrow().kind == ObjKind::Model => {
            let o = o.borrow();
            o.fields.iter().map(|(k, v)| format!("{k}={}", repr(v))).collect::<Vec<_>>().join(" ")
        }
        _ => repr(v),
    }
}

pub fn timedelta_str(t: &TimeDelta) -> String {
    let mut out = String::new();
    if t.days != 0 {
        let _ = write!(out, "{} day{}, ", t.days, if t.days.abs() != 1 { "s" } else { "" });
    }
    let (h, m, s) = (t.seconds / 3600, (t.seconds % 3600) / 60, t.seconds % 60);
    let _ = write!(out, "{h}:{m:02}:{s:02}");
    if t.micros != 0 {
        let _ = write!(out, ".{:06}", t.micros);
    }
    out
}

fn timedelta_repr(t: &TimeDelta) -> String {
    let mut parts = vec![];
    if t.days != 0 {
        parts.push(format!("days={}", t.days));
    }
    if t.seconds != 0 {
        parts.push(format!("seconds={}", t.seconds));
    }
    if t.micros != 0 {
        parts.push(format!("microseconds={}", t.micros));
    }
    if parts.is_empty() {
        "datetime.timedelta(0)".into()
    } else {
        format!("datetime.timedelta({})", parts.join(", "))
    }
}

/// "2026-11-26T04:05:06.250000+00:00" -> numeric components for repr.
fn iso_parts(s: &str) -> (Vec<i64>, Option<String>) {
    let (body, tz) = match s.get(10..).and_then(|rest| rest.find(['+', '-', 'Z']).map(|i| i + 10)) {
        Some(i) => (&s[..i], Some(s[i..].to_string())),
        None => (s, None),
    };
    let nums = body
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .enumerate()
        .map(|(i, p)| {
            let n = p.parse::<i64>().unwrap_or(0);
            // fractional seconds are microseconds, padded to 6 digits
            if i == 6 || (i == 3 && body.len() <= 15 && body.contains('.')) {
                format!("{p:0<6}").parse::<i64>().unwrap_or(0)
            } else {
                n
            }
        })
        .collect();
    (nums, tz)
}

fn tz_repr(tz: &str) -> String {
    if tz == "+00:00" || tz == "Z" {
        return "datetime.timezone.utc".into();
    }
    let neg = tz.starts_with('-');
    let p: Vec<i64> = tz[1..].split(':').map(|x| x.parse().unwrap_or(0)).collect();
    let secs = p.first().copied().unwrap_or(0) * 3600 + p.get(1).copied().unwrap_or(0) * 60;
    let td = TimeDelta::from_micros(if neg { -(secs as i128) } else { secs as i128 } * 1_000_000);
    format!("datetime.timezone({})", td.map(|t| timedelta_repr(&t)).unwrap_or_default())
}

fn trim_time(nums: &mut Vec<i64>, keep: usize) {
    while nums.len() > keep && nums.last() == Some(&0) {
        nums.pop();
    }
}

/// `repr(x)`
pub fn repr(v: &Value) -> String {
    let mut out = String::new();
    repr_into(v, &mut out, &mut Vec::new());
    out
}

fn join_into(items: &[Value], out: &mut String, seen: &mut Vec<usize>) {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        repr_into(x, out, seen);
    }
}

fn repr_into(v: &Value, out: &mut String, seen: &mut Vec<usize>) {
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Int(Int::Small(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => out.push_str(&str_repr(s)),
        Value::Bytes(b) => out.push_str(&bytes_repr(b)),
        Value::List(l) => {
            let id = Rc::as_ptr(l) as usize;
            if seen.contains(&id) {
                out.push_str("[...]");
                return;
            }
            seen.push(id);
            out.push('[');
            join_into(&l.borrow(), out, seen);
            out.push(']');
            seen.pop();
        }
        Value::Tuple(t) => {
            out.push('(');
            join_into(t, out, seen);
            if t.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::Dict(d) => {
            let id = Rc::as_ptr(d) as usize;
            if seen.contains(&id) {
                out.push_str("{...}");
                return;
            }
            seen.push(id);
            out.push('{');
            for (i, (k, val)) in d.borrow().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_into(&k.value, out, seen);
                out.push_str(": ");
                repr_into(val, out, seen);
            }
            out.push('}');
            seen.pop();
        }
        Value::Set(s) => {
            let items: Vec<Value> = s.borrow().iter().map(|k| k.value.clone()).collect();
            if items.is_empty() {
                out.push_str("set()");
            } else {
                out.push('{');
                join_into(&items, out, seen);
                out.push('}');
            }
        }
        Value::FrozenSet(s) => {
            let items: Vec<Value> = s.iter().map(|k| k.value.clone()).collect();
            if items.is_empty() {
                out.push_str("frozenset()");
            } else {
                out.push_str("frozenset({");
                join_into(&items, out, seen);
                out.push_str("})");
            }
        }
        Value::Range(r) => {
            if r.step == 1 {
                let _ = write!(out, "range({}, {})", r.start, r.stop);
            } else {
                let _ = write!(out, "range({}, {}, {})", r.start, r.stop, r.step);
            }
        }
        Value::Decimal(d) => {
            let _ = write!(out, "Decimal('{d}')");
        }
        Value::DateTime(d) => {
            let (mut nums, tz) = iso_parts(d);
            trim_time(&mut nums, 5);
            let body = nums.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
            match tz {
                Some(tz) => {
                    let _ = write!(out, "datetime.datetime({body}, tzinfo={})", tz_repr(&tz));
                }
                None => {
                    let _ = write!(out, "datetime.datetime({body})");
                }
            }
        }
        Value::Date(d) => {
            let (nums, _) = iso_parts(d);
            let body = nums.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
            let _ = write!(out, "datetime.date({body})");
        }
        Value::Time(d) => {
            let (mut nums, _) = iso_parts(d);
            trim_time(&mut nums, 2);
            let body = nums.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
            let _ = write!(out, "datetime.time({body})");
        }
        Value::TimeDelta(t) => out.push_str(&timedelta_repr(t)),
        Value::TimeZone(o) => {
            if *o == 0 {
                out.push_str("datetime.timezone.utc");
            } else if let Some(t) = TimeDelta::from_micros(*o as i128) {
                let _ = write!(out, "datetime.timezone({})", timedelta_repr(&t));
            }
        }
        Value::Uuid(u) => {
            let _ = write!(out, "UUID('{u}')");
        }
        Value::Enum(e) if e.name.is_empty() => {
            let _ = write!(out, "<{}: ", short_name(&e.class));
            repr_into(&e.value, out, seen);
            out.push('>');
        }
        Value::Enum(e) => {
            let _ = write!(out, "<{}.{}: ", short_name(&e.class), e.name);
            repr_into(&e.value, out, seen);
            out.push('>');
        }
        Value::Object(o) => {
            let id = Rc::as_ptr(o) as usize;
            let ob = o.borrow();
            if seen.contains(&id) {
                let _ = write!(out, "{}(...)", short_name(&ob.class));
                return;
            }
            seen.push(id);
            let _ = write!(out, "{}(", short_name(&ob.class));
            for (i, (k, val)) in ob.fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k}=");
                repr_into(val, out, seen);
            }
            out.push(')');
            seen.pop();
        }
        Value::Exception(e) => {
            let e = e.borrow();
            let _ = write!(out, "{}(", e.short_name());
            join_into(&e.args, out, seen);
            out.push(')');
        }
        Value::Class(i) => {
            let name = CLASS_NAMES.with(|c| c.borrow().get(*i as usize).cloned());
            match name {
                Some(q) => {
                    let _ = write!(out, "<class '{}'>", q.strip_prefix("builtins.").unwrap_or(&q));
                }
                None => {
                    let _ = write!(out, "<class #{i}>");
                }
            }
        }
        Value::View(view) => {
            let d = view.dict.borrow();
            let (name, items): (&str, Vec<Value>) = match view.kind {
                ViewKind::Keys => ("dict_keys", d.keys().map(|k| k.value.clone()).collect()),
                ViewKind::Values => ("dict_values", d.values().cloned().collect()),
                ViewKind::Items => {
                    ("dict_items", d.iter().map(|(k, v)| Value::tuple(vec![k.value.clone(), v.clone()])).collect())
                }
            };
            let _ = write!(out, "{name}([");
            join_into(&items, out, seen);
            out.push_str("])");
        }
        Value::Iter(it) => {
            let name = match &*it.borrow() {
                Iter::Enumerate { .. } => "enumerate".to_string(),
                Iter::Zip { .. } => "zip".to_string(),
                _ => v.type_name(),
            };
            let _ = write!(out, "<{name} object>");
        }
        Value::Awaitable(_) => {
            let _ = write!(out, "<{} object>", v.type_name());
        }
        Value::WorkflowSelf(o) => {
            let _ = write!(out, "<{} object>", o.borrow().class);
        }
        Value::Type(q) => {
            let _ = write!(out, "<class '{}'>", q.strip_prefix("builtins.").unwrap_or(q));
        }
        Value::Function(f) => match &**f {
            crate::value::Func::Builtin(n) => {
                let _ = write!(out, "<built-in function {n}>");
            }
            crate::value::Func::Method { type_name, method } => {
                let _ = write!(out, "<method '{method}' of '{type_name}' objects>");
            }
            crate::value::Func::Bound { recv, method } => {
                let _ = write!(out, "<built-in method {method} of {} object>", recv.type_name());
            }
            crate::value::Func::Helper { function, .. } => {
                let _ = write!(out, "<bound method #{function}>");
            }
            crate::value::Func::Getter { attr, keys } => {
                let _ = write!(out, "operator.{}(", if *attr { "attrgetter" } else { "itemgetter" });
                join_into(keys, out, seen);
                out.push(')');
            }
        },
    }
}
