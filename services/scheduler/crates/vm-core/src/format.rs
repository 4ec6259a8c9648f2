//! The format-spec mini-language (`f"{x:>10.2f}"`, `format(n, ",")`), `str.format` and `%`-formatting.
use num_traits::Zero;

use crate::bind::CallArgs;
use crate::exc::{key_error, type_error, value_error, R};
use crate::num::Int;
use crate::repr::{float_repr, repr, str_of};
use crate::value::Value;

#[derive(Debug, Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    z: bool,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(spec: &str) -> R<Spec> {
    let cs: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec::default();
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if cs.len() >= 2 && is_align(cs[1]) {
        s.fill = Some(cs[0]);
        s.align = Some(cs[1]);
        i = 2;
    } else if !cs.is_empty() && is_align(cs[0]) {
        s.align = Some(cs[0]);
        i = 1;
    }
    if i < cs.len() && matches!(cs[i], '+' | '-' | ' ') {
        s.sign = Some(cs[i]);
        i += 1;
    }
    if i < cs.len() && cs[i] == 'z' {
        s.z = true;
        i += 1;
    }
    if i < cs.len() && cs[i] == '#' {
        s.alt = true;
        i += 1;
    }
    if i < cs.len() && cs[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < cs.len() && cs[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        s.width = cs[start..i]
            .iter()
            .collect::<String>()
            .parse()
            .map_err(|_| value_error("Too many decimal digits in format string"))?;
    }
    if i < cs.len() && matches!(cs[i], ',' | '_') {
        s.grouping = Some(cs[i]);
        i += 1;
    }
    if i < cs.len() && cs[i] == '.' {
        i += 1;
        let start = i;
        while i < cs.len() && cs[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(value_error("Format specifier missing precision"));
        }
        s.precision = Some(
            cs[start..i]
                .iter()
                .collect::<String>()
                .parse()
                .map_err(|_| value_error("Too many decimal digits in format string"))?,
        );
    }
    if i < cs.len() {
        s.ty = Some(cs[i]);
        i += 1;
    }
    if i < cs.len() {
        return Err(value_error("Invalid format specifier"));
    }
    Ok(s)
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / every);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Pad `sign + prefix + body` to the spec's width with its fill and alignment.
fn pad(s: &Spec, sign: &str, prefix: &str, body: &str, default_align: char) -> String {
    let (fill, align) = if s.zero && s.align.is_none() {
        (s.fill.unwrap_or('0'), '=')
    } else {
        (s.fill.unwrap_or(' '), s.align.unwrap_or(default_align))
    };
    let len = sign.chars().count() + prefix.chars().count() + body.chars().count();
    if len >= s.width {
        return format!("{sign}{prefix}{body}");
    }
    let n = s.width - len;
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    match align {
        '<' => format!("{sign}{prefix}{body}{}", f(n)),
        '^' => format!("{}{sign}{prefix}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{prefix}{}{body}", f(n)),
        _ => format!("{}{sign}{prefix}{body}", f(n)),
    }
}

/// Decimal.__format__ (as _pydecimal does it): rounding with the context's ROUND_HALF_EVEN on the exact digits.
fn format_decimal(text: &str, s: &Spec) -> R<String> {
    use crate::decimal::{Dec, Rounding};
    let d = Dec::parse(text).ok_or_else(|| value_error("bad Decimal"))?;
    let ty = s.ty.unwrap_or('g');
    if !matches!(ty, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' | 'n') {
        return Err(value_error(format!("Unknown format code '{ty}' for object of type 'decimal.Decimal'")));
    }
    let ty = if ty == 'n' { 'g' } else { ty };
    let neg = d.is_neg();
    let Dec::Finite { .. } = d else {
        let body = match d {
            Dec::Inf { .. } => "Infinity",
            _ => "NaN",
        };
        return Ok(pad(s, sign_str(neg, s), "", body, '>'));
    };
    let mut d = d;
    if ty == '%' {
        if let Dec::Finite { neg, coef, exp } = d {
            d = Dec::Finite { neg, coef, exp: exp + 2 };
        }
    }
    let round_sig = |d: Dec, places: usize| -> Dec {
        // _round: `places` significant digits
        let Dec::Finite { coef, exp, neg } = &d else { return d };
        let n = if coef.is_zero() { 1 } else { coef.to_str_radix(10).len() };
        if n <= places {
            return d;
        }
        let target = exp + (n - places) as i64;
        let r = d.rescale(target, Rounding::HalfEven);
        // a carry may add a digit: round once more
        match &r {
            Dec::Finite { coef: c, .. } if c.to_str_radix(10).len() > places => {
                r.rescale(target + 1, Rounding::HalfEven)
            }
            _ => {
                let _ = neg;
                r
            }
        }
    };
    if let Some(p) = s.precision {
        d = match ty {
            'e' | 'E' => round_sig(d, p + 1),
            'f' | 'F' | '%' => d.rescale(-(p as i64), Rounding::HalfEven),
            _ => round_sig(d, p.max(1)),
        };
    }
    let Dec::Finite { coef, mut exp, .. } = d else { return Err(value_error("bad Decimal")) };
    let mut digits = coef.to_str_radix(10);
    if coef.is_zero() && exp > 0 && matches!(ty, 'f' | 'F' | '%') {
        exp = 0;
        digits = "0".into();
    }
    let leftdigits = exp + digits.len() as i64;
    let dotplace = match ty {
        'e' | 'E' => {
            if coef.is_zero() && s.precision.is_some() {
                1 - s.precision.unwrap_or(0) as i64
            } else {
                1
            }
        }
        'f' | 'F' | '%' => leftdigits,
        _ => {
            if exp <= 0 && leftdigits > -6 {
                leftdigits
            } else {
                1
            }
        }
    };
    let (intpart, mut fracpart) = if dotplace < 0 {
        ("0".to_string(), format!("{}{digits}", "0".repeat((-dotplace) as usize)))
    } else if dotplace as usize > digits.len() {
        (format!("{digits}{}", "0".repeat(dotplace as usize - digits.len())), String::new())
    } else {
        let ip = &digits[..dotplace as usize];
        (if ip.is_empty() { "0".to_string() } else { ip.to_string() }, digits[dotplace as usize..].to_string())
    };
    let e = leftdigits - dotplace;
    if !fracpart.is_empty() || s.alt {
        fracpart = format!(".{fracpart}");
    }
    if e != 0 || matches!(ty, 'e' | 'E') {
        let echar = if matches!(ty, 'E' | 'G') { 'E' } else { 'e' };
        fracpart.push_str(&format!("{echar}{}{}", if e < 0 { '-' } else { '+' }, e.abs()));
    }
    if ty == '%' {
        fracpart.push('%');
    }
    let intpart = match s.grouping {
        Some(c) => group(&intpart, c, 3),
        None => intpart,
    };
    Ok(pad(s, sign_str(neg, s), "", &format!("{intpart}{fracpart}"), '>'))
}

fn sign_str(neg: bool, s: &Spec) -> &'static str {
    if neg {
        "-"
    } else {
        match s.sign {
            Some('+') => "+",
            Some(' ') => " ",
            _ => "",
        }
    }
}

fn format_int(i: &Int, s: &Spec) -> R<String> {
    let float_type = matches!(s.ty, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%'));
    if s.precision.is_some() && !float_type {
        return Err(value_error("Precision not allowed in integer format specifier"));
    }
    let neg = i.is_negative();
    let a = i.abs();
    let (digits, prefix, every) = match s.ty {
        None | Some('d') | Some('n') => (a.to_string_radix(10), "", 3),
        Some('b') => (a.to_string_radix(2), "0b", 4),
        Some('o') => (a.to_string_radix(8), "0o", 4),
        Some('x') => (a.to_string_radix(16), "0x", 4),
        Some('X') => (a.to_string_radix(16).to_uppercase(), "0X", 4),
        Some('c') => {
            let c = i.as_i64().and_then(|c| u32::try_from(c).ok()).and_then(char::from_u32);
            return Ok(pad(
                s,
                "",
                "",
                &c.ok_or_else(|| crate::exc::overflow("%c arg not in range(0x110000)"))?.to_string(),
                '>',
            ));
        }
        Some(t @ ('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%')) => {
            let f = i.to_f64().ok_or_else(|| crate::exc::overflow("int too large to convert to float"))?;
            let _ = t;
            return format_float(f, s);
        }
        Some(t) => {
            return Err(value_error(format!("Unknown format code '{t}' for object of type 'int'")));
        }
    };
    let body = match s.grouping {
        Some(g) => {
            if g == ',' && every == 4 {
                return Err(value_error(format!("Cannot specify ',' with '{}'.", s.ty.unwrap_or('d'))));
            }
            group(&digits, g, every)
        }
        None => digits,
    };
    Ok(pad(s, sign_str(neg, s), if s.alt { prefix } else { "" }, &body, '>'))
}

/// Python's %e formatting: mantissa with `prec` decimals, exponent with sign and at least two digits.
fn exp_format(f: f64, prec: usize, upper: bool) -> String {
    let r = format!("{:.*e}", prec, f);
    let (m, e) = r.split_once('e').unwrap_or((&r, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let out = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

/// %g: significant-digit formatting with trailing zeros removed (kept with '#').
fn general_format(f: f64, prec: usize, upper: bool, alt: bool, at_least_one_decimal: bool) -> String {
    let p = prec.max(1);
    if f == 0.0 {
        let mut z = if f.is_sign_negative() { "-0".to_string() } else { "0".to_string() };
        if alt {
            z.push('.');
            z.push_str(&"0".repeat(p - 1));
        } else if at_least_one_decimal {
            z.push_str(".0");
        }
        return z;
    }
    let r = format!("{:.*e}", p - 1, f);
    let exp: i32 = r.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let mut out = if exp >= -4 && exp < p as i32 {
        format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, f)
    } else {
        exp_format(f, p - 1, upper)
    };
    if !alt {
        let (mant, exp_part) = match out.find(['e', 'E']) {
            Some(i) => (out[..i].to_string(), out[i..].to_string()),
            None => (out.clone(), String::new()),
        };
        let mant = if mant.contains('.') { mant.trim_end_matches('0').trim_end_matches('.').to_string() } else { mant };
        let mant =
            if at_least_one_decimal && exp_part.is_empty() && !mant.contains('.') { format!("{mant}.0") } else { mant };
        out = format!("{mant}{exp_part}");
    }
    out
}

fn format_float(f: f64, s: &Spec) -> R<String> {
    let neg = f.is_sign_negative() && !(s.z && f == 0.0) && !f.is_nan();
    let a = f.abs();
    let upper = matches!(s.ty, Some('E' | 'F' | 'G'));
    let body = if a.is_infinite() {
        if upper {
            "INF".into()
        } else {
            "inf".into()
        }
    } else if a.is_nan() {
        if upper {
            "NAN".into()
        } else {
            "nan".into()
        }
    } else {
        match s.ty {
            Some('f' | 'F') => format!("{:.*}", s.precision.unwrap_or(6), a),
            Some('e' | 'E') => exp_format(a, s.precision.unwrap_or(6), upper),
            Some('g' | 'G' | 'n') => general_format(a, s.precision.unwrap_or(6), upper, s.alt, false),
            Some('%') => format!("{:.*}%", s.precision.unwrap_or(6), a * 100.0),
            None => match s.precision {
                Some(p) => general_format(a, p, false, s.alt, true),
                None => float_repr(a),
            },
            Some(t) => return Err(value_error(format!("Unknown format code '{t}' for object of type 'float'"))),
        }
    };
    let body = match s.grouping {
        Some(g) => {
            let end = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
            format!("{}{}", group(&body[..end], g, 3), &body[end..])
        }
        None => body,
    };
    let body = if s.alt && !body.contains('.') && matches!(s.ty, Some('f' | 'F' | 'e' | 'E')) && !a.is_infinite() {
        match body.find(['e', 'E']) {
            Some(i) => format!("{}.{}", &body[..i], &body[i..]),
            None => format!("{body}."),
        }
    } else {
        body
    };
    Ok(pad(s, sign_str(neg, s), "", &body, '>'))
}

fn format_str(text: &str, s: &Spec, type_name: &str) -> R<String> {
    if let Some(t) = s.ty.filter(|t| *t != 's') {
        return Err(value_error(format!("Unknown format code '{t}' for object of type '{type_name}'")));
    }
    if s.sign.is_some() {
        return Err(value_error("Sign not allowed in string format specifier"));
    }
    if s.align == Some('=') {
        return Err(value_error("'=' alignment not allowed in string format specifier"));
    }
    let t: String = match s.precision {
        Some(p) => text.chars().take(p).collect(),
        None => text.to_string(),
    };
    Ok(pad(s, "", "", &t, '<'))
}

/// `format(v, spec)`, the heart of f-strings.
pub fn format_value(v: &Value, spec: &str) -> R<String> {
    if spec.is_empty() {
        return Ok(str_of(v));
    }
    if let Some((kind, dt)) = crate::datetime::parse_value(v) {
        return dt.strftime(kind, spec); // date.__format__ is strftime
    }
    let s = parse_spec(spec)?;
    match v {
        Value::Str(t) => format_str(t, &s, "str"),
        Value::Int(i) => format_int(i, &s),
        Value::Bool(b) => format_int(&Int::Small(*b as i64), &s),
        Value::Float(f) => format_float(*f, &s),
        Value::Decimal(d) => format_decimal(d, &s),
        Value::Enum(e) => crate::enums::format(e, spec),

        _ => Err(type_error(format!("unsupported format string passed to {}.__format__", v.type_name()))),
    }
}

/// f-string conversion `!s`, `!r`, `!a`.
pub fn convert(v: &Value, conversion: &str) -> R<Value> {
    Ok(match conversion {
        "" => v.clone(),
        "s" => Value::str(&str_of(v)),
        "r" => Value::str(&repr(v)),
        "a" => {
            let r = repr(v);
            let mut out = String::new();
            for c in r.chars() {
                let n = c as u32;
                if n < 0x80 {
                    out.push(c);
                } else if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            Value::str(&out)
        }
        other => return Err(value_error(format!("Unknown conversion specifier {other}"))),
    })
}

/// `"...".format(*args, **kwargs)`
pub fn str_format(template: &str, a: CallArgs) -> R<Value> {
    let mut out = String::new();
    let cs: Vec<char> = template.chars().collect();
    let mut i = 0;
    let mut auto = 0usize;
    while i < cs.len() {
        let c = cs[i];
        if c == '{' {
            if cs.get(i + 1) == Some(&'{') {
                out.push('{');
                i += 2;
                continue;
            }
            // find the matching close brace (one level of nesting for {x:{w}})
            let mut depth = 1;
            let mut j = i + 1;
            while j < cs.len() && depth > 0 {
                match cs[j] {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            if depth != 0 {
                return Err(value_error("Single '{' encountered in format string"));
            }
            let field: String = cs[i + 1..j - 1].iter().collect();
            let (head, spec) = match field.find(':') {
                Some(k) => (field[..k].to_string(), field[k + 1..].to_string()),
                None => (field.clone(), String::new()),
            };
            let (name, conv) = match head.find('!') {
                Some(k) => (head[..k].to_string(), head[k + 1..].to_string()),
                None => (head, String::new()),
            };
            let (base, rest) = match name.find(['.', '[']) {
                Some(k) => (name[..k].to_string(), name[k..].to_string()),
                None => (name.clone(), String::new()),
            };
            let mut v = if base.is_empty() {
                let v = a.pos.get(auto).cloned().ok_or_else(|| {
                    crate::exc::index_error(format!("Replacement index {auto} out of range for positional args tuple"))
                })?;
                auto += 1;
                v
            } else if let Ok(n) = base.parse::<usize>() {
                a.pos.get(n).cloned().ok_or_else(|| {
                    crate::exc::index_error(format!("Replacement index {n} out of range for positional args tuple"))
                })?
            } else {
                a.kw.iter()
                    .find(|(k, _)| **k == *base)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| key_error(Value::str(&base)))?
            };
            // .attr and [key] accessors
            let mut r = rest.as_str();
            while !r.is_empty() {
                if let Some(x) = r.strip_prefix('.') {
                    let end = x.find(['.', '[']).unwrap_or(x.len());
                    v = match &v {
                        Value::Object(o) => o.borrow().get(&x[..end]).cloned().ok_or_else(|| {
                            crate::exc::attribute_error(format!(
                                "'{}' object has no attribute '{}'",
                                v.type_name(),
                                &x[..end]
                            ))
                        })?,
                        _ => {
                            return Err(crate::exc::attribute_error(format!(
                                "'{}' object has no attribute '{}'",
                                v.type_name(),
                                &x[..end]
                            )))
                        }
                    };
                    r = &x[end..];
                } else if let Some(x) = r.strip_prefix('[') {
                    let end = x.find(']').ok_or_else(|| value_error("Missing ']' in format string"))?;
                    let k = &x[..end];
                    let idx = match k.parse::<i64>() {
                        Ok(n) => Value::int(n),
                        Err(_) => Value::str(k),
                    };
                    v = crate::subscript::get_item(&v, &idx)?;
                    r = &x[end + 1..];
                } else {
                    break;
                }
            }
            let v = convert(&v, &conv)?;
            // nested replacement fields inside the spec
            let spec = if spec.contains('{') {
                match str_format(&spec, CallArgs { pos: a.pos.clone(), kw: a.kw.clone() })? {
                    Value::Str(s) => s.to_string(),
                    _ => spec,
                }
            } else {
                spec
            };
            out.push_str(&format_value(&v, &spec)?);
            i = j;
        } else if c == '}' {
            if cs.get(i + 1) == Some(&'}') {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(value_error("Single '}' encountered in format string"));
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(Value::str(&out))
}

/// `"%s and %d" % args`
pub fn percent_format(fmt: &str, args: &Value) -> R<Value> {
    let items: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let mapping = match args {
        Value::Dict(_) => Some(args.clone()),
        _ => None,
    };
    let mut out = String::new();
    let cs: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut next = 0usize;
    while i < cs.len() {
        if cs[i] != '%' {
            out.push(cs[i]);
            i += 1;
            continue;
        }
        i += 1;
        if cs.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut key_val = None;
        if cs.get(i) == Some(&'(') {
            let end = cs[i..]
                .iter()
                .position(|c| *c == ')')
                .map(|p| p + i)
                .ok_or_else(|| value_error("incomplete format key"))?;
            let k: String = cs[i + 1..end].iter().collect();
            let m = mapping.as_ref().ok_or_else(|| type_error("format requires a mapping"))?;
            key_val = Some(crate::subscript::get_item(m, &Value::str(&k))?);
            i = end + 1;
        }
        let start = i;
        while i < cs.len() && "-+ #0123456789.".contains(cs[i]) {
            i += 1;
        }
        let flags: String = cs[start..i].iter().collect();
        let ty = *cs.get(i).ok_or_else(|| value_error("incomplete format"))?;
        i += 1;
        let v = match key_val {
            Some(v) => v,
            None => {
                let v = items.get(next).cloned().ok_or_else(|| type_error("not enough arguments for format string"))?;
                next += 1;
                v
            }
        };
        // translate printf flags into a format spec
        let mut spec = String::new();
        let left = flags.contains('-');
        let f2: String = flags.chars().filter(|c| *c != '-').collect();
        if left {
            spec.push('<');
        }
        spec.push_str(&f2);
        let text = match ty {
            's' => format_value(&Value::str(&str_of(&v)), &spec)?,
            'r' | 'a' => format_value(&Value::str(&repr(&v)), &spec)?,
            'd' | 'i' | 'u' => {
                let v = crate::enums::unwrap(&v); // `"%d" % Tier.PRO`
                let iv = match &v {
                    Value::Float(f) => Value::Int(crate::builtins::float_to_int(*f)?),
                    Value::Int(_) | Value::Bool(_) => v.clone(),
                    _ => {
                        return Err(type_error(format!(
                            "%{ty} format: a real number is required, not {}",
                            v.type_name()
                        )))
                    }
                };
                format_value(&iv, &format!("{spec}d"))?
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                let v = crate::enums::unwrap(&v);
                let fv = crate::ops::to_f64(&v)?
                    .ok_or_else(|| type_error(format!("must be real number, not {}", v.type_name())))?;
                format_value(&Value::Float(fv), &format!("{spec}{ty}"))?
            }
            'x' | 'X' | 'o' => format_value(&crate::enums::unwrap(&v), &format!("{spec}{ty}"))?,
            'c' => str_of(&v),
            other => return Err(value_error(format!("unsupported format character '{other}'"))),
        };
        out.push_str(&text);
    }
    if next < items.len() && mapping.is_none() {
        return Err(type_error("not all arguments converted during string formatting"));
    }
    Ok(Value::str(&out))
}
