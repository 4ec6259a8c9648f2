//! datetime.datetime / date / time arithmetic, comparisons, methods and constructors, as CPython's `datetime`
//! module computes them. Values stay their `isoformat()` text (the wire form); operations parse and print.
//! Time zones are fixed offsets (what crosses the wire); naive values stay naive.
use std::cmp::Ordering;
use std::fmt::Write;

use crate::exc::{overflow, type_error, value_error, R};
use crate::value::{Str, TimeDelta, Value};

const DAY_US: i128 = 86_400_000_000;
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_before_year(y: i64) -> i64 {
    let y = y - 1;
    y * 365 + y / 4 - y / 100 + y / 400
}

fn days_before_month(y: i64, m: i64) -> i64 {
    (1..m).map(|k| days_in_month(y, k)).sum()
}

/// Proleptic Gregorian ordinal: date(1, 1, 1) is 1.
pub fn ymd_to_ord(y: i64, m: i64, d: i64) -> i64 {
    days_before_year(y) + days_before_month(y, m) + d
}

pub fn ord_to_ymd(n: i64) -> (i64, i64, i64) {
    // CPython's _ord2ymd
    let n = n - 1;
    let (n400, n) = (n.div_euclid(146_097), n.rem_euclid(146_097));
    let mut year = n400 * 400 + 1;
    let (n100, n) = (n / 36_524, n % 36_524);
    let (n4, n) = (n / 1_461, n % 1_461);
    let (n1, n) = (n / 365, n % 365);
    year += n100 * 100 + n4 * 4 + n1;
    if n1 == 4 || n100 == 4 {
        return (year - 1, 12, 31);
    }
    let mut month = 1;
    let mut left = n;
    while left >= days_in_month(year, month) {
        left -= days_in_month(year, month);
        month += 1;
    }
    (year, month, left + 1)
}

/// A parsed date, time or datetime. `ord` is 0 for a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dt {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub micro: i64,
    /// UTC offset in microseconds; None for naive values.
    pub tz: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    DateTime,
    Date,
    Time,
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `HH[:MM[:SS[.ffffff]]]` (also without colons), as fromisoformat reads it.
fn parse_time_part(t: &str) -> Option<(i64, i64, i64, i64)> {
    let (main, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let parts: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        main.as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap_or("")).collect()
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let h = num(parts[0])?;
    let m = parts.get(1).map(|p| num(p)).unwrap_or(Some(0))?;
    let s = parts.get(2).map(|p| num(p)).unwrap_or(Some(0))?;
    let us = match frac {
        Some(f) if parts.len() == 3 && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let six: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            six.parse().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    Some((h, m, s, us))
}

/// `Z`, `+HH:MM[:SS[.ffffff]]` -> offset in microseconds.
fn parse_offset(s: &str) -> Option<i64> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let sign = match s.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let (h, m, sec, us) = parse_time_part(&s[1..])?;
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(sign * (((h * 60 + m) * 60 + sec) * 1_000_000 + us))
}

fn parse_date_part(s: &str) -> Option<(i64, i64, i64)> {
    let (y, m, d) = if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        (num(&s[..4])?, num(&s[5..7])?, num(&s[8..10])?)
    } else if s.len() == 8 {
        (num(&s[..4])?, num(&s[4..6])?, num(&s[6..8])?)
    } else {
        return None;
    };
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn split_tz(t: &str) -> (&str, Option<&str>) {
    match t.find(['+', '-', 'Z', 'z']) {
        Some(i) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    }
}

impl Dt {
    /// Parse what `isoformat()` (or `fromisoformat()`) reads for `kind`.
    pub fn parse(kind: Kind, s: &str) -> Option<Dt> {
        let mut dt = Dt { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0, tz: None };
        let time = match kind {
            Kind::Date => {
                let (y, m, d) = parse_date_part(s)?;
                (dt.year, dt.month, dt.day) = (y, m, d);
                return Some(dt);
            }
            Kind::Time => s,
            Kind::DateTime => {
                let (date, rest) = if s.len() > 10 && s.as_bytes()[4] == b'-' {
                    (&s[..10], &s[10..])
                } else if s.len() >= 8 && s.as_bytes().get(8).is_none_or(|b| !b.is_ascii_digit()) {
                    (&s[..8], &s[8..])
                } else {
                    (s, "")
                };
                let (y, m, d) = parse_date_part(date)?;
                (dt.year, dt.month, dt.day) = (y, m, d);
                if rest.is_empty() {
                    return Some(dt);
                }
                let mut cs = rest.chars();
                cs.next(); // the separator: any single character
                cs.as_str()
            }
        };
        let (t, tz) = split_tz(time);
        let (h, m, sec, us) = parse_time_part(t)?;
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        (dt.hour, dt.minute, dt.second, dt.micro) = (h, m, sec, us);
        if let Some(z) = tz {
            dt.tz = Some(parse_offset(z)?);
        }
        Some(dt)
    }

    pub fn ord(&self) -> i64 {
        ymd_to_ord(self.year, self.month, self.day)
    }

    fn time_us(&self) -> i128 {
        (((self.hour * 60 + self.minute) * 60 + self.second) as i128) * 1_000_000 + self.micro as i128
    }

    /// Microseconds since 0001-01-01 00:00 (local to the value's own offset).
    pub fn local_us(&self) -> i128 {
        self.ord() as i128 * DAY_US + self.time_us()
    }

    /// Microseconds since 0001-01-01 00:00 UTC (aware) or local (naive).
    pub fn utc_us(&self) -> i128 {
        self.local_us() - self.tz.unwrap_or(0) as i128
    }

    pub fn from_local_us(us: i128, tz: Option<i64>) -> R<Dt> {
        let ord = us.div_euclid(DAY_US);
        let rem = us.rem_euclid(DAY_US) as i64;
        if !(1..=3_652_059).contains(&ord) {
            return Err(overflow("date value out of range"));
        }
        let (year, month, day) = ord_to_ymd(ord as i64);
        Ok(Dt {
            year,
            month,
            day,
            hour: rem / 3_600_000_000,
            minute: rem / 60_000_000 % 60,
            second: rem / 1_000_000 % 60,
            micro: rem % 1_000_000,
            tz,
        })
    }

    pub fn weekday(&self) -> i64 {
        (self.ord() + 6) % 7
    }

    pub fn isocalendar(&self) -> (i64, i64, i64) {
        // CPython's date.isocalendar
        let mut year = self.year;
        let week1 = iso_week1_monday(year);
        let today = self.ord();
        let (mut week, day) = ((today - week1).div_euclid(7), (today - week1).rem_euclid(7));
        if week < 0 {
            year -= 1;
            let w1 = iso_week1_monday(year);
            week = (today - w1).div_euclid(7);
            return (year, week + 1, (today - w1).rem_euclid(7) + 1);
        } else if week >= 52 && today >= iso_week1_monday(year + 1) {
            year += 1;
            week = 0;
        }
        (year, week + 1, day + 1)
    }

    fn time_iso(&self, timespec: &str) -> R<String> {
        let mut out = format!("{:02}", self.hour);
        match timespec {
            "hours" => {}
            "minutes" => {
                let _ = write!(out, ":{:02}", self.minute);
            }
            "seconds" => {
                let _ = write!(out, ":{:02}:{:02}", self.minute, self.second);
            }
            "milliseconds" => {
                let _ = write!(out, ":{:02}:{:02}.{:03}", self.minute, self.second, self.micro / 1000);
            }
            "microseconds" => {
                let _ = write!(out, ":{:02}:{:02}.{:06}", self.minute, self.second, self.micro);
            }
            "auto" => {
                let _ = write!(out, ":{:02}:{:02}", self.minute, self.second);
                if self.micro != 0 {
                    let _ = write!(out, ".{:06}", self.micro);
                }
            }
            _ => return Err(value_error("Unknown timespec value")),
        }
        if let Some(off) = self.tz {
            out.push_str(&offset_str(off, ":"));
        }
        Ok(out)
    }

    pub fn isoformat(&self, kind: Kind, sep: &str, timespec: &str) -> R<String> {
        let date = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        Ok(match kind {
            Kind::Date => date,
            Kind::Time => self.time_iso(timespec)?,
            Kind::DateTime => format!("{date}{sep}{}", self.time_iso(timespec)?),
        })
    }

    pub fn value(&self, kind: Kind) -> Value {
        let s = self.isoformat(kind, "T", "auto").unwrap_or_default();
        let s = Str::from(s.as_str());
        match kind {
            Kind::DateTime => Value::DateTime(s),
            Kind::Date => Value::Date(s),
            Kind::Time => Value::Time(s),
        }
    }

    pub fn strftime(&self, kind: Kind, fmt: &str) -> R<String> {
        let mut out = String::new();
        let mut cs = fmt.chars();
        let (y, wd) = (self.year, self.weekday());
        while let Some(c) = cs.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let Some(d) = cs.next() else {
                out.push('%');
                break;
            };
            let _ = match d {
                'Y' => write!(out, "{y}"),
                'y' => write!(out, "{:02}", y % 100),
                'm' => write!(out, "{:02}", self.month),
                'd' => write!(out, "{:02}", self.day),
                'e' => write!(out, "{:>2}", self.day),
                'H' => write!(out, "{:02}", self.hour),
                'I' => write!(out, "{:02}", if self.hour % 12 == 0 { 12 } else { self.hour % 12 }),
                'M' => write!(out, "{:02}", self.minute),
                'S' => write!(out, "{:02}", self.second),
                'f' => write!(out, "{:06}", self.micro),
                'p' => write!(out, "{}", if self.hour < 12 { "AM" } else { "PM" }),
                'b' | 'h' => write!(out, "{}", &MONTHS[(self.month - 1) as usize][..3]),
                'B' => write!(out, "{}", MONTHS[(self.month - 1) as usize]),
                'a' => write!(out, "{}", &DAYS[wd as usize][..3]),
                'A' => write!(out, "{}", DAYS[wd as usize]),
                'w' => write!(out, "{}", (wd + 1) % 7),
                'u' => write!(out, "{}", wd + 1),
                'j' => write!(out, "{:03}", self.ord() - ymd_to_ord(y, 1, 1) + 1),
                'U' => {
                    let yday = self.ord() - ymd_to_ord(y, 1, 1);
                    write!(out, "{:02}", (yday + 7 - (wd + 1) % 7) / 7)
                }
                'W' => {
                    let yday = self.ord() - ymd_to_ord(y, 1, 1);
                    write!(out, "{:02}", (yday + 7 - wd) / 7)
                }
                'G' => write!(out, "{}", self.isocalendar().0),
                'V' => write!(out, "{:02}", self.isocalendar().1),
                'z' => write!(out, "{}", self.tz.map(|o| offset_str(o, "")).unwrap_or_default()),
                ':' if cs.clone().next() == Some('z') => {
                    cs.next();
                    write!(out, "{}", self.tz.map(|o| offset_str(o, ":")).unwrap_or_default())
                }
                'Z' => write!(out, "{}", self.tz.map(tzname).unwrap_or_default()),
                'c' => write!(
                    out,
                    "{} {} {:>2} {:02}:{:02}:{:02} {}",
                    &DAYS[wd as usize][..3],
                    &MONTHS[(self.month - 1) as usize][..3],
                    self.day,
                    self.hour,
                    self.minute,
                    self.second,
                    y
                ),
                'x' => write!(out, "{:02}/{:02}/{:02}", self.month, self.day, y % 100),
                'X' => write!(out, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second),
                'F' => write!(out, "{y:04}-{:02}-{:02}", self.month, self.day),
                'T' => write!(out, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second),
                'D' => write!(out, "{:02}/{:02}/{:02}", self.month, self.day, y % 100),
                'R' => write!(out, "{:02}:{:02}", self.hour, self.minute),
                'n' => writeln!(out),
                't' => write!(out, "\t"),
                '%' => write!(out, "%"),
                other => write!(out, "%{other}"),
            };
        }
        let _ = kind;
        Ok(out)
    }
}

fn iso_week1_monday(year: i64) -> i64 {
    let first = ymd_to_ord(year, 1, 1);
    let wd = (first + 6) % 7;
    let mut monday = first - wd;
    if wd > 3 {
        monday += 7;
    }
    monday
}

/// `+HH:MM` (with `:SS[.ffffff]` when needed), the separator between the fields given.
pub fn offset_str(off: i64, sep: &str) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    let (h, m, s, us) = (a / 3_600_000_000, a / 60_000_000 % 60, a / 1_000_000 % 60, a % 1_000_000);
    let mut out = format!("{sign}{h:02}{sep}{m:02}");
    if s != 0 || us != 0 {
        let _ = write!(out, "{sep}{s:02}");
        if us != 0 {
            let _ = write!(out, ".{us:06}");
        }
    }
    out
}

/// `datetime.timezone(offset).tzname(None)`: "UTC", "UTC+05:30".
pub fn tzname(off: i64) -> String {
    if off == 0 {
        "UTC".into()
    } else {
        format!("UTC{}", offset_str(off, ":"))
    }
}

pub fn kind_of(v: &Value) -> Option<(Kind, &str)> {
    match v {
        Value::DateTime(s) => Some((Kind::DateTime, s)),
        Value::Date(s) => Some((Kind::Date, s)),
        Value::Time(s) => Some((Kind::Time, s)),
        _ => None,
    }
}

pub fn parse_value(v: &Value) -> Option<(Kind, Dt)> {
    let (k, s) = kind_of(v)?;
    Some((k, Dt::parse(k, s)?))
}

fn td_us(t: &TimeDelta) -> i128 {
    t.total_micros()
}

fn td_value(us: i128) -> R<Value> {
    TimeDelta::from_micros(us)
        .map(Value::TimeDelta)
        .ok_or_else(|| overflow(format!("days={}; must have magnitude <= 999999999", us.div_euclid(DAY_US))))
}

/// + and - with datetimes and dates; None when the operands are not datetime arithmetic.
pub fn binop(add: bool, a: &Value, b: &Value) -> R<Option<Value>> {
    let pa = parse_value(a);
    match (pa, b) {
        (Some((Kind::DateTime, x)), Value::TimeDelta(t)) => {
            let d = if add { td_us(t) } else { -td_us(t) };
            Ok(Some(Dt::from_local_us(x.local_us() + d, x.tz)?.value(Kind::DateTime)))
        }
        (Some((Kind::Date, x)), Value::TimeDelta(t)) => {
            let days = if add { t.days } else { -t.days }; // date - td is date + timedelta(-td.days)
            let d = Dt::from_local_us((x.ord() + days) as i128 * DAY_US, None)?;
            Ok(Some(d.value(Kind::Date)))
        }
        (None, _) if add && matches!(a, Value::TimeDelta(_)) => match parse_value(b) {
            Some((Kind::DateTime | Kind::Date, _)) => binop(true, b, a),
            _ => Ok(None),
        },
        (Some((ka, x)), _) if !add => match parse_value(b) {
            Some((kb, y)) if ka == kb && ka != Kind::Time => {
                if ka == Kind::Date {
                    return td_value((x.ord() - y.ord()) as i128 * DAY_US).map(Some);
                }
                match (x.tz, y.tz) {
                    (Some(_), Some(_)) => td_value(x.utc_us() - y.utc_us()).map(Some),
                    (None, None) => td_value(x.local_us() - y.local_us()).map(Some),
                    _ => Err(type_error("can't subtract offset-naive and offset-aware datetimes")),
                }
            }
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Equality of two date/time values (None: not both date/time values).
pub fn eq(a: &Value, b: &Value) -> Option<bool> {
    let (ka, x) = parse_value(a)?;
    let (kb, y) = parse_value(b)?;
    if ka != kb {
        return Some(false);
    }
    Some(match (ka, x.tz, y.tz) {
        (Kind::Date, _, _) => x.ord() == y.ord(),
        (Kind::Time, Some(_), Some(_)) => {
            x.time_us() - x.tz.unwrap_or(0) as i128 == y.time_us() - y.tz.unwrap_or(0) as i128
        }
        (Kind::Time, None, None) => x.time_us() == y.time_us(),
        (_, Some(_), Some(_)) => x.utc_us() == y.utc_us(),
        (_, None, None) => x.local_us() == y.local_us(),
        _ => false,
    })
}

/// Ordering of two date/time values: Some(Err(message)) when CPython raises TypeError.
pub fn cmp(a: &Value, b: &Value) -> Option<Result<Ordering, String>> {
    let (ka, x) = parse_value(a)?;
    let (kb, y) = parse_value(b)?;
    if ka != kb {
        return Some(Err(format!("can't compare {} to {}", a.type_name(), b.type_name())));
    }
    Some(match (ka, x.tz, y.tz) {
        (Kind::Date, _, _) => Ok(x.ord().cmp(&y.ord())),
        (Kind::Time, None, None) => Ok(x.time_us().cmp(&y.time_us())),
        (Kind::Time, Some(ox), Some(oy)) => Ok((x.time_us() - ox as i128).cmp(&(y.time_us() - oy as i128))),
        (Kind::DateTime, Some(_), Some(_)) => Ok(x.utc_us().cmp(&y.utc_us())),
        (Kind::DateTime, None, None) => Ok(x.local_us().cmp(&y.local_us())),
        (Kind::Time, _, _) => Err("can't compare offset-naive and offset-aware times".into()),
        _ => Err("can't compare offset-naive and offset-aware datetimes".into()),
    })
}

/// A hash consistent with `eq` (aware values by their UTC instant).
pub fn hash_key(v: &Value) -> Option<String> {
    let (k, x) = parse_value(v)?;
    Some(match (k, x.tz) {
        (Kind::Date, _) => format!("d{}", x.ord()),
        (Kind::Time, tz) => format!("t{}", x.time_us() - tz.unwrap_or(0) as i128),
        (Kind::DateTime, Some(_)) => format!("a{}", x.utc_us()),
        (Kind::DateTime, None) => format!("n{}", x.local_us()),
    })
}

fn int_arg(v: &Value, what: &str) -> R<i64> {
    match v {
        Value::Int(i) => i.as_i64().ok_or_else(|| overflow("Python int too large to convert to C int")),
        Value::Bool(b) => Ok(*b as i64),
        Value::Float(_) => Err(type_error("'float' object cannot be interpreted as an integer")),
        _ => Err(type_error(format!("'{}' object cannot be interpreted as an integer{what}", v.type_name()))),
    }
}

fn check_fields(dt: &Dt, kind: Kind) -> R<()> {
    if kind != Kind::Time {
        if !(1..=9999).contains(&dt.year) {
            return Err(value_error(format!("year {} is out of range", dt.year)));
        }
        if !(1..=12).contains(&dt.month) {
            return Err(value_error("month must be in 1..12"));
        }
        if dt.day < 1 || dt.day > days_in_month(dt.year, dt.month) {
            return Err(value_error("day is out of range for month"));
        }
    }
    if !(0..=23).contains(&dt.hour) {
        return Err(value_error("hour must be in 0..23"));
    }
    if !(0..=59).contains(&dt.minute) {
        return Err(value_error("minute must be in 0..59"));
    }
    if !(0..=59).contains(&dt.second) {
        return Err(value_error("second must be in 0..59"));
    }
    if !(0..=999_999).contains(&dt.micro) {
        return Err(value_error("microsecond must be in 0..999999"));
    }
    Ok(())
}

const FIELDS: [&str; 7] = ["year", "month", "day", "hour", "minute", "second", "microsecond"];

fn set_field(dt: &mut Dt, name: &str, v: i64) {
    match name {
        "year" => dt.year = v,
        "month" => dt.month = v,
        "day" => dt.day = v,
        "hour" => dt.hour = v,
        "minute" => dt.minute = v,
        "second" => dt.second = v,
        _ => dt.micro = v,
    }
}

/// `tzinfo=` of a constructor or replace(): None, or a timedelta offset stands in for a fixed timezone.
fn tz_arg(v: &Value) -> R<Option<i64>> {
    match v {
        Value::None => Ok(None),
        Value::TimeZone(o) => Ok(Some(*o)),
        _ => Err(type_error("tzinfo argument must be None or of a tzinfo subclass")),
    }
}

/// datetime(...), date(...), time(...) with CPython's argument names and range checks.
pub fn construct(kind: Kind, args: crate::bind::CallArgs) -> R<Value> {
    let names: &[&str] = match kind {
        Kind::DateTime => &FIELDS,
        Kind::Date => &FIELDS[..3],
        Kind::Time => &FIELDS[3..],
    };
    let mut dt = Dt { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0, tz: None };
    let mut given = vec![false; names.len()];
    let tname = match kind {
        Kind::DateTime => "datetime",
        Kind::Date => "date",
        Kind::Time => "time",
    };
    let mut pos = args.pos.into_iter();
    for (i, name) in names.iter().enumerate() {
        if let Some(v) = pos.next() {
            set_field(&mut dt, name, int_arg(&v, "")?);
            given[i] = true;
        }
    }
    if let Some(v) = pos.next() {
        if kind == Kind::Date {
            return Err(type_error(format!("function takes at most 3 arguments ({} given)", names.len() + 1)));
        }
        dt.tz = tz_arg(&v)?;
    }
    for (k, v) in args.kw {
        if &*k == "tzinfo" && kind != Kind::Date {
            dt.tz = tz_arg(&v)?;
            continue;
        }
        if &*k == "fold" {
            continue;
        }
        match names.iter().position(|n| **n == *k) {
            Some(i) => {
                if given[i] {
                    return Err(type_error(format!("argument for {tname}() given by name ('{k}') and position")));
                }
                set_field(&mut dt, &k, int_arg(&v, "")?);
                given[i] = true;
            }
            None => return Err(type_error(format!("'{k}' is an invalid keyword argument for {tname}()"))),
        }
    }
    if kind != Kind::Time {
        for (i, n) in names.iter().enumerate().take(3) {
            if !given[i] {
                return Err(type_error(format!("function missing required argument '{n}' (pos {})", i + 1)));
            }
        }
    }
    check_fields(&dt, kind)?;
    Ok(dt.value(kind))
}

/// timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks): the exact sum of the arguments
/// (floats by their exact binary value), rounded half-even to microseconds.
pub fn timedelta(args: crate::bind::CallArgs) -> R<Value> {
    use num_bigint::BigInt;
    const NAMES: [&str; 7] = ["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"];
    const US: [i64; 7] = [86_400_000_000, 1_000_000, 1, 1000, 60_000_000, 3_600_000_000, 604_800_000_000];
    let mut vals: Vec<Option<Value>> = vec![None; 7];
    if args.pos.len() > 7 {
        return Err(type_error(format!("function takes at most 7 arguments ({} given)", args.pos.len())));
    }
    for (i, v) in args.pos.into_iter().enumerate() {
        vals[i] = Some(v);
    }
    for (k, v) in args.kw {
        match NAMES.iter().position(|n| **n == *k) {
            Some(i) if vals[i].is_none() => vals[i] = Some(v),
            Some(_) => return Err(type_error(format!("argument for timedelta() given by name ('{k}') and position"))),
            None => return Err(type_error(format!("'{k}' is an invalid keyword argument for __new__()"))),
        }
    }
    // sum as a fraction num / 2**shift
    let shift: u32 = 1100;
    let mut total = BigInt::from(0);
    for (i, v) in vals.iter().enumerate() {
        let Some(v) = v else { continue };
        let part = match v {
            Value::Int(n) => n.to_big() << shift,
            Value::Bool(b) => BigInt::from(*b as i64) << shift,
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(if f.is_nan() {
                        value_error("cannot convert float NaN to integer")
                    } else {
                        overflow("cannot convert float infinity to integer")
                    });
                }
                let bits = f.abs().to_bits();
                let e = ((bits >> 52) & 0x7ff) as i64;
                let m = if e == 0 { (bits & ((1 << 52) - 1)) << 1 } else { (bits & ((1 << 52) - 1)) | (1 << 52) };
                let k = e - 1075 + shift as i64;
                let mag = if k >= 0 { BigInt::from(m) << (k as usize) } else { BigInt::from(m) >> ((-k) as usize) };
                if *f < 0.0 {
                    -mag
                } else {
                    mag
                }
            }
            _ => {
                return Err(type_error(format!(
                    "unsupported type for timedelta {} component: {}",
                    NAMES[i],
                    v.type_name()
                )))
            }
        };
        total += part * BigInt::from(US[i]);
    }
    // round half to even at the binary point
    let one = BigInt::from(1) << shift;
    let half = BigInt::from(1) << (shift - 1);
    let floor = num_integer::Integer::div_floor(&total, &one);
    let rem = &total - &floor * &one;
    let us = if rem > half || (rem == half && num_integer::Integer::is_odd(&floor)) { floor + 1 } else { floor };
    let us = num_traits::ToPrimitive::to_i128(&us).ok_or_else(|| overflow("timedelta too large"))?;
    td_value(us)
}

/// Methods of datetime, date and time values.
pub fn method(v: &Value, m: &str, mut a: crate::bind::CallArgs) -> R<Value> {
    let Some((kind, dt)) = parse_value(v) else { return Err(type_error("bad date value")) };
    let take = |a: &mut crate::bind::CallArgs, name: &str, pos: usize| -> Option<Value> {
        crate::builtins::take_kw(a, name).or_else(|| a.pos.get(pos).cloned())
    };
    let no_args = |a: &crate::bind::CallArgs| -> R<()> {
        if a.pos.is_empty() && a.kw.is_empty() {
            Ok(())
        } else {
            Err(type_error(format!("{m}() takes no arguments")))
        }
    };
    match (kind, m) {
        (_, "isoformat") => {
            let sep = match take(&mut a, "sep", 0) {
                Some(Value::Str(s)) if kind == Kind::DateTime => s.to_string(),
                _ => "T".into(),
            };
            let ts_pos = if kind == Kind::DateTime { 1 } else { 0 };
            let timespec = match take(&mut a, "timespec", ts_pos) {
                Some(Value::Str(s)) => s.to_string(),
                _ => "auto".into(),
            };
            Ok(Value::str(&dt.isoformat(kind, &sep, &timespec)?))
        }
        (_, "strftime") => match a.pos.first() {
            Some(Value::Str(f)) => Ok(Value::str(&dt.strftime(kind, f)?)),
            Some(x) => Err(type_error(format!("strftime() argument 1 must be str, not {}", x.type_name()))),
            None => Err(type_error("strftime() missing required argument 'format' (pos 1)")),
        },
        (Kind::DateTime | Kind::Date, "weekday") => {
            no_args(&a)?;
            Ok(Value::int(dt.weekday()))
        }
        (Kind::DateTime | Kind::Date, "isoweekday") => {
            no_args(&a)?;
            Ok(Value::int(dt.weekday() + 1))
        }
        (Kind::DateTime | Kind::Date, "toordinal") => Ok(Value::int(dt.ord())),
        (Kind::DateTime | Kind::Date, "isocalendar") => {
            let (y, w, d) = dt.isocalendar();
            Ok(Value::tuple(vec![Value::int(y), Value::int(w), Value::int(d)]))
        }
        (Kind::DateTime | Kind::Date, "ctime") => Ok(Value::str(&dt.strftime(kind, "%a %b %e %H:%M:%S %Y")?)),
        (Kind::DateTime, "date") => Ok(Dt { tz: None, ..dt }.value(Kind::Date)),
        (Kind::DateTime, "time") => Ok(Dt { tz: None, ..dt }.value(Kind::Time)),
        (Kind::DateTime, "timetz") => Ok(dt.value(Kind::Time)),
        (Kind::DateTime | Kind::Time, "utcoffset") => match dt.tz {
            Some(o) => td_value(o as i128),
            None => Ok(Value::None),
        },
        (Kind::DateTime | Kind::Time, "tzname") => Ok(dt.tz.map(|o| Value::str(&tzname(o))).unwrap_or(Value::None)),
        (Kind::DateTime, "astimezone") => {
            let target = match a.pos.first().cloned().or_else(|| crate::builtins::take_kw(&mut a, "tz")) {
                Some(Value::TimeZone(o)) => o,
                Some(Value::None) | None => 0, // the machine's zone: workers run in UTC
                Some(v) => {
                    return Err(type_error(format!(
                        "tzinfo argument must be None or of a tzinfo subclass, not type '{}'",
                        v.type_name()
                    )))
                }
            };
            Ok(Dt::from_local_us(dt.utc_us() + target as i128, Some(target))?.value(Kind::DateTime))
        }
        (Kind::DateTime, "timestamp") => {
            // naive values are taken as UTC (CPython uses the machine's local time zone: workers run in UTC)
            let epoch = ymd_to_ord(1970, 1, 1) as i128 * DAY_US;
            Ok(Value::Float((dt.utc_us() - epoch) as f64 / 1e6))
        }
        (_, "replace") => {
            let names: &[&str] = match kind {
                Kind::DateTime => &FIELDS,
                Kind::Date => &FIELDS[..3],
                Kind::Time => &FIELDS[3..],
            };
            let mut out = dt;
            for (i, v) in a.pos.iter().enumerate() {
                match names.get(i) {
                    Some(n) => set_field(&mut out, n, int_arg(v, "")?),
                    None if kind != Kind::Date => out.tz = tz_arg(v)?,
                    None => return Err(type_error("replace() takes at most 3 arguments")),
                }
            }
            for (k, v) in &a.kw {
                if &**k == "tzinfo" && kind != Kind::Date {
                    out.tz = tz_arg(v)?;
                } else if names.contains(&&**k) {
                    set_field(&mut out, k, int_arg(v, "")?);
                } else if &**k != "fold" {
                    return Err(type_error(format!("'{k}' is an invalid keyword argument for replace()")));
                }
            }
            check_fields(&out, kind)?;
            Ok(out.value(kind))
        }
        _ => Err(crate::exc::attribute_error(format!("'{}' object has no attribute '{m}'", v.type_name()))),
    }
}

pub const DATETIME_METHODS: &[&str] = &[
    "astimezone",
    "ctime",
    "date",
    "isocalendar",
    "isoformat",
    "isoweekday",
    "replace",
    "strftime",
    "time",
    "timestamp",
    "timetz",
    "toordinal",
    "tzname",
    "utcoffset",
    "weekday",
];
pub const DATE_METHODS: &[&str] =
    &["ctime", "isocalendar", "isoformat", "isoweekday", "replace", "strftime", "toordinal", "weekday"];
pub const TIME_METHODS: &[&str] = &["isoformat", "replace", "strftime", "tzname", "utcoffset"];

/// `datetime.timezone(offset[, name])`.
pub fn timezone(args: crate::bind::CallArgs) -> R<Value> {
    match args.pos.first().or_else(|| args.kw.iter().find(|(k, _)| &**k == "offset").map(|(_, v)| v)) {
        Some(Value::TimeDelta(t)) => {
            let us = t.total_micros();
            if us.abs() >= DAY_US {
                return Err(value_error(
                    "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24).",
                ));
            }
            Ok(Value::TimeZone(us as i64))
        }
        Some(v) => Err(type_error(format!("timezone() argument 1 must be datetime.timedelta, not {}", v.type_name()))),
        None => Err(type_error("timezone() missing required argument 'offset' (pos 1)")),
    }
}

/// Class methods: `datetime.fromisoformat(s)`, `date.fromisoformat(s)`, `datetime.combine(d, t)`,
/// `date.fromordinal(n)`, `datetime.strptime(s, fmt)`.
pub fn class_method(qualname: &str, args: crate::bind::CallArgs) -> R<Value> {
    let arg = |i: usize| args.pos.get(i).cloned().unwrap_or(Value::None);
    let (cls, m) = qualname.rsplit_once('.').unwrap_or(("", qualname));
    let kind = match cls {
        "datetime.datetime" => Kind::DateTime,
        "datetime.date" => Kind::Date,
        "datetime.time" => Kind::Time,
        _ => return Err(type_error(format!("unknown class method {qualname}"))),
    };
    if m != "combine" && !args.kw.is_empty() {
        return Err(type_error(format!("{}.{m}() takes no keyword arguments", crate::value::short_name(cls))));
    }
    match m {
        "fromisoformat" => match arg(0) {
            Value::Str(s) => Dt::parse(kind, &s)
                .map(|d| d.value(kind))
                .ok_or_else(|| value_error(format!("Invalid isoformat string: {}", crate::repr::str_repr(&s)))),
            v => Err(type_error(format!("fromisoformat: argument must be str, not {}", v.type_name()))),
        },
        "fromordinal" => {
            let n = int_arg(&arg(0), "")?;
            if n < 1 {
                return Err(value_error("ordinal must be >= 1"));
            }
            Ok(Dt::from_local_us(n as i128 * DAY_US, None)?.value(kind))
        }
        "combine" if kind == Kind::DateTime => {
            // combine(date, time, tzinfo=time.tzinfo), each by position or by name
            let mut given: [Option<Value>; 3] =
                [args.pos.first().cloned(), args.pos.get(1).cloned(), args.pos.get(2).cloned()];
            if args.pos.len() > 3 {
                return Err(type_error(format!("combine() takes at most 3 arguments ({} given)", args.pos.len())));
            }
            for (k, v) in &args.kw {
                let Some(i) = ["date", "time", "tzinfo"].iter().position(|n| **k == **n) else {
                    return Err(type_error(format!("'{k}' is an invalid keyword argument for combine()")));
                };
                if given[i].replace(v.clone()).is_some() {
                    return Err(type_error(format!(
                        "argument for combine() given by name ('{k}') and position ({})",
                        i + 1
                    )));
                }
            }
            let [date, time, tzinfo] = given;
            match (date.as_ref().and_then(parse_value), time.as_ref().and_then(parse_value)) {
                (Some((Kind::Date | Kind::DateTime, d)), Some((Kind::Time, t))) => {
                    let tz = match &tzinfo {
                        Some(Value::None) => None,
                        Some(Value::TimeZone(o)) => Some(*o),
                        Some(v) => {
                            return Err(type_error(format!(
                                "tzinfo argument must be None or of a tzinfo subclass, not type '{}'",
                                v.type_name()
                            )))
                        }
                        None => t.tz,
                    };
                    Ok(Dt { hour: t.hour, minute: t.minute, second: t.second, micro: t.micro, tz, ..d }
                        .value(Kind::DateTime))
                }
                (d, _) => Err(type_error(match (date, time) {
                    (None, _) => "combine() missing required argument 'date' (pos 1)".to_string(),
                    (_, None) => "combine() missing required argument 'time' (pos 2)".to_string(),
                    (Some(v), _) if !matches!(d, Some((Kind::Date | Kind::DateTime, _))) => {
                        format!("combine() argument 1 must be datetime.date, not {}", v.type_name())
                    }
                    (_, Some(v)) => format!("combine() argument 2 must be datetime.time, not {}", v.type_name()),
                })),
            }
        }
        "strptime" if kind == Kind::DateTime => match (arg(0), arg(1)) {
            (Value::Str(s), Value::Str(f)) => strptime(&s, &f).map(|d| d.value(Kind::DateTime)),
            (a0, a1) => Err(type_error(format!(
                "strptime() argument 1 must be str, not {}",
                if matches!(a0, Value::Str(_)) { a1.type_name() } else { a0.type_name() }
            ))),
        },
        _ => Err(crate::exc::attribute_error(format!(
            "type object '{}' has no attribute '{m}'",
            crate::value::short_name(cls)
        ))),
    }
}

pub const CLASS_METHODS: &[&str] = &[
    "datetime.datetime.fromisoformat",
    "datetime.datetime.combine",
    "datetime.datetime.strptime",
    "datetime.datetime.fromordinal",
    "datetime.date.fromisoformat",
    "datetime.date.fromordinal",
    "datetime.time.fromisoformat",
];

/// datetime.strptime for the common directives (C locale).
fn strptime(s: &str, fmt: &str) -> R<Dt> {
    let fail = || {
        value_error(format!(
            "time data {} does not match format {}",
            crate::repr::str_repr(s),
            crate::repr::str_repr(fmt)
        ))
    };
    let mut dt = Dt { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0, tz: None };
    let (mut pm, mut hour12) = (None, false);
    let b = s.as_bytes();
    let mut i = 0;
    let mut fc = fmt.chars();
    let digits = |i: &mut usize, max: usize| -> Option<i64> {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            None
        } else {
            s[start..*i].parse().ok()
        }
    };
    while let Some(c) = fc.next() {
        if c != '%' {
            if c.is_whitespace() {
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                continue;
            }
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf).as_bytes();
            if b.get(i..i + enc.len()) != Some(enc) {
                return Err(fail());
            }
            i += enc.len();
            continue;
        }
        let d = fc.next().ok_or_else(fail)?;
        match d {
            'Y' => dt.year = digits(&mut i, 4).ok_or_else(fail)?,
            'y' => {
                let y = digits(&mut i, 2).ok_or_else(fail)?;
                dt.year = if y < 69 { 2000 + y } else { 1900 + y };
            }
            'm' => dt.month = digits(&mut i, 2).ok_or_else(fail)?,
            'd' => dt.day = digits(&mut i, 2).ok_or_else(fail)?,
            'H' => dt.hour = digits(&mut i, 2).ok_or_else(fail)?,
            'I' => {
                dt.hour = digits(&mut i, 2).ok_or_else(fail)?;
                hour12 = true;
            }
            'M' => dt.minute = digits(&mut i, 2).ok_or_else(fail)?,
            'S' => dt.second = digits(&mut i, 2).ok_or_else(fail)?,
            'f' => {
                let start = i;
                let v = digits(&mut i, 6).ok_or_else(fail)?;
                dt.micro = v * 10i64.pow(6 - (i - start) as u32);
            }
            'p' => {
                let rest = s[i..].to_ascii_uppercase();
                if rest.starts_with("AM") {
                    pm = Some(false);
                } else if rest.starts_with("PM") {
                    pm = Some(true);
                } else {
                    return Err(fail());
                }
                i += 2;
            }
            'b' | 'B' | 'h' => {
                let rest = s[i..].to_ascii_lowercase();
                let found = MONTHS.iter().enumerate().find_map(|(k, name)| {
                    let full = name.to_ascii_lowercase();
                    if rest.starts_with(&full) {
                        Some((k, full.len()))
                    } else if rest.starts_with(&full[..3]) {
                        Some((k, 3))
                    } else {
                        None
                    }
                });
                let (k, n) = found.ok_or_else(fail)?;
                dt.month = k as i64 + 1;
                i += n;
            }
            'a' | 'A' => {
                let rest = s[i..].to_ascii_lowercase();
                let n = DAYS
                    .iter()
                    .find_map(|name| {
                        let full = name.to_ascii_lowercase();
                        if rest.starts_with(&full) {
                            Some(full.len())
                        } else if rest.starts_with(&full[..3]) {
                            Some(3)
                        } else {
                            None
                        }
                    })
                    .ok_or_else(fail)?;
                i += n;
            }
            'j' => {
                let n = digits(&mut i, 3).ok_or_else(fail)?;
                let d = Dt::from_local_us((ymd_to_ord(dt.year, 1, 1) + n - 1) as i128 * DAY_US, None)?;
                dt.month = d.month;
                dt.day = d.day;
            }
            'z' => {
                let rest = &s[i..];
                let end = rest.find(|c: char| !(c.is_ascii_digit() || "+-:Zz.".contains(c))).unwrap_or(rest.len());
                let z = &rest[..end];
                let off = if z.len() >= 5 && !z.contains(':') && z != "Z" {
                    parse_offset(&format!("{}{}:{}", &z[..1], &z[1..3], &z[3..]))
                } else {
                    parse_offset(z)
                };
                dt.tz = Some(off.ok_or_else(fail)?);
                i += end;
            }
            '%' => {
                if b.get(i) != Some(&b'%') {
                    return Err(fail());
                }
                i += 1;
            }
            _ => return Err(value_error(format!("'{d}' is a bad directive in format '{fmt}'"))),
        }
    }
    if i != b.len() {
        return Err(value_error(format!("unconverted data remains: {}", &s[i..])));
    }
    if hour12 {
        if !(1..=12).contains(&dt.hour) {
            return Err(fail());
        }
        dt.hour %= 12;
        if pm == Some(true) {
            dt.hour += 12;
        }
    }
    check_fields(&dt, Kind::DateTime).map_err(|_| fail())?;
    Ok(dt)
}
