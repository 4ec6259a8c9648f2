//! The tagged-JSON value encoding of docs/values.md, in Rust. Must agree with the Python codec
//! (`waymark_ir.values`); both are tested against libs/ir/tests/values_vectors.json.
//!
//! The snapshot (snapshot.rs) reuses this codec through the `DecodeExt`/`EncodeExt` hooks, adding its own tags
//! (`$ref` for shared heap objects, `$range`, `$class` ...) that are never valid on the wire.
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use base64::Engine;
use num_bigint::BigInt;
use serde_json::{Map, Number, Value as Json};

use crate::num::Int;
use crate::value::{Dict, EnumMember, Exception, Key, ObjKind, Object, PySet, Str, TimeDelta, Value};

// ---- decoding -----------------------------------------------------------------------------------------------------

/// Extra tags understood by a decoding context (the snapshot's heap references). The wire has none.
pub trait DecodeExt {
    fn tag(&self, tag: &str, body: &Json) -> Option<Result<Value, String>>;
}

pub struct Wire;
impl DecodeExt for Wire {
    fn tag(&self, _: &str, _: &Json) -> Option<Result<Value, String>> {
        None
    }
}

pub fn decode(j: &Json) -> Result<Value, String> {
    decode_with(j, &Wire)
}

pub fn decode_str(text: &str) -> Result<Value, String> {
    let j: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    decode(&j)
}

fn s(j: &Json, what: &str) -> Result<Str, String> {
    j.as_str().map(Arc::from).ok_or_else(|| format!("{what} must be a string"))
}

fn arr<'a>(j: &'a Json, what: &str) -> Result<&'a Vec<Json>, String> {
    j.as_array().ok_or_else(|| format!("{what} must be an array"))
}

fn field<'a>(o: &'a Map<String, Json>, name: &str, what: &str) -> Result<&'a Json, String> {
    o.get(name).ok_or_else(|| format!("{what} lacks \"{name}\""))
}

pub fn hashable(v: Value) -> Result<Key, String> {
    let t = v.type_name();
    Key::new(v).ok_or_else(|| format!("unhashable type: '{t}'"))
}

pub fn decode_with(j: &Json, ext: &dyn DecodeExt) -> Result<Value, String> {
    Ok(match j {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => number(n)?,
        Json::String(t) => Value::Str(Arc::from(t.as_str())),
        Json::Array(items) => Value::list(items.iter().map(|x| decode_with(x, ext)).collect::<Result<_, _>>()?),
        Json::Object(o) => {
            if o.len() == 1 {
                if let Some((tag, body)) = o.iter().next() {
                    if tag.starts_with('$') {
                        return decode_tag(tag, body, ext);
                    }
                }
            }
            let mut d = Dict::default();
            for (k, v) in o {
                d.insert(hashable(Value::Str(Arc::from(k.as_str())))?, decode_with(v, ext)?);
            }
            Value::dict(d)
        }
    })
}

fn number(n: &Number) -> Result<Value, String> {
    if let Some(i) = n.as_i64() {
        Ok(Value::int(i))
    } else if let Some(u) = n.as_u64() {
        Ok(Value::Int(Int::from_big(BigInt::from(u))))
    } else {
        n.as_f64().map(Value::Float).ok_or_else(|| format!("bad number {n}"))
    }
}

fn decode_tag(tag: &str, body: &Json, ext: &dyn DecodeExt) -> Result<Value, String> {
    let items =
        |what: &str| -> Result<Vec<Value>, String> { arr(body, what)?.iter().map(|x| decode_with(x, ext)).collect() };
    Ok(match tag {
        "$int" => {
            let t = body.as_str().ok_or("$int must be a string")?;
            Value::Int(Int::parse(t).ok_or_else(|| format!("bad $int {t:?}"))?)
        }
        "$float" => match body.as_str() {
            Some("nan") => Value::Float(f64::NAN),
            Some("inf") => Value::Float(f64::INFINITY),
            Some("-inf") => Value::Float(f64::NEG_INFINITY),
            _ => return Err(format!("bad $float {body}")),
        },
        "$dict" => {
            let mut d = Dict::default();
            for pair in arr(body, "$dict")? {
                let p = arr(pair, "$dict item")?;
                if p.len() != 2 {
                    return Err("$dict items are [key, value] pairs".into());
                }
                d.insert(hashable(decode_with(&p[0], ext)?)?, decode_with(&p[1], ext)?);
            }
            Value::dict(d)
        }
        "$tuple" => Value::tuple(items("$tuple")?),
        "$set" | "$frozenset" => {
            let mut set = PySet::default();
            for v in items(tag)? {
                set.insert(hashable(v)?);
            }
            if tag == "$set" {
                Value::set(set)
            } else {
                Value::FrozenSet(Rc::new(set))
            }
        }
        "$bytes" => {
            let t = body.as_str().ok_or("$bytes must be a string")?;
            let b = base64::engine::general_purpose::STANDARD.decode(t).map_err(|e| format!("bad $bytes: {e}"))?;
            Value::Bytes(Rc::from(b))
        }
        "$decimal" => Value::Decimal(s(body, "$decimal")?),
        "$datetime" => Value::DateTime(s(body, "$datetime")?),
        "$date" => Value::Date(s(body, "$date")?),
        "$time" => Value::Time(s(body, "$time")?),
        "$uuid" => Value::Uuid(s(body, "$uuid")?),
        "$timedelta" => {
            let p = arr(body, "$timedelta")?;
            let n = |i: usize| p.get(i).and_then(Json::as_i64).ok_or("$timedelta is [days, seconds, microseconds]");
            let total = (n(0)? as i128 * 86_400 + n(1)? as i128) * 1_000_000 + n(2)? as i128;
            Value::TimeDelta(TimeDelta::from_micros(total).ok_or("$timedelta out of range")?)
        }
        "$enum" => {
            let o = body.as_object().ok_or("$enum must be an object")?;
            Value::Enum(Rc::new(EnumMember {
                class: s(field(o, "class", "$enum")?, "$enum class")?,
                // a Flag value without a member of its own has no name (null)
                name: match field(o, "name", "$enum")? {
                    Json::Null => Arc::from(""),
                    n => s(n, "$enum name")?,
                },
                value: decode_with(field(o, "value", "$enum")?, ext)?,
            }))
        }
        "$model" | "$dataclass" => {
            let o = body.as_object().ok_or_else(|| format!("{tag} must be an object"))?;
            let fields =
                field(o, "fields", tag)?.as_object().ok_or_else(|| format!("{tag} fields must be an object"))?;
            let fields = fields
                .iter()
                .map(|(k, v)| Ok((Arc::from(k.as_str()), decode_with(v, ext)?)))
                .collect::<Result<Vec<_>, String>>()?;
            let kind = if tag == "$model" { ObjKind::Model } else { ObjKind::Dataclass };
            Value::Object(Rc::new(RefCell::new(Object::new(s(field(o, "class", tag)?, "class")?, kind, fields))))
        }
        "$exception" => {
            let o = body.as_object().ok_or("$exception must be an object")?;
            let class = s(field(o, "class", "$exception")?, "$exception class")?;
            let mut mro: Vec<Str> = match o.get("mro") {
                Some(m) => arr(m, "mro")?.iter().map(|x| s(x, "mro item")).collect::<Result<_, _>>()?,
                None => vec![],
            };
            if mro.is_empty() {
                mro.push(class.clone());
            }
            let args = match o.get("args") {
                Some(a) => arr(a, "args")?.iter().map(|x| decode_with(x, ext)).collect::<Result<_, _>>()?,
                None => vec![],
            };
            let message = match o.get("message") {
                Some(Json::String(m)) => Some(Arc::from(m.as_str())),
                _ => None,
            };
            let cause = match o.get("cause") {
                None | Some(Json::Null) => None,
                Some(c) => Some(decode_with(c, ext)?),
            };
            let mut exc = Exception::new(class, mro.into(), args);
            exc.message = message;
            // setting `__cause__` sets `__suppress_context__` (CPython's setter; the Python codec decodes so too)
            exc.suppress_context = cause.is_some();
            exc.cause = cause;
            if let Some(a) = o.get("attrs").filter(|a| !a.is_null()) {
                let a = a.as_object().ok_or("$exception attrs must be an object")?;
                for (k, v) in a {
                    exc.attrs.push((Arc::from(k.as_str()), decode_with(v, ext)?));
                }
            }
            if let Some(a) = o.get("class_attrs").filter(|a| !a.is_null()) {
                let a = a.as_object().ok_or("$exception class_attrs must be an object")?;
                for (k, v) in a {
                    exc.class_attrs.push((Arc::from(k.as_str()), decode_with(v, ext)?));
                }
            }
            // Keep the remote message only when it says something args do not.
            if exc.message.as_deref() == Some(crate::repr::exc_args_str(&exc).as_str()) {
                exc.message = None;
            }
            if let Some(c) = o.get("context").filter(|c| !c.is_null()) {
                exc.context = Some(decode_with(c, ext)?);
            }
            // present only when it differs from what "cause" implies (`raise X from None`)
            if let Some(Json::Bool(b)) = o.get("suppress_context") {
                exc.suppress_context = *b;
            }
            Value::exception(exc)
        }
        _ => match ext.tag(tag, body) {
            Some(r) => r?,
            None => return Err(format!("unknown tag {tag:?}")),
        },
    })
}

// ---- encoding -----------------------------------------------------------------------------------------------------

/// Why a value cannot cross the boundary, and where inside it (`['order'].items[2]`).
#[derive(Debug, Clone)]
pub struct EncodeError {
    pub type_name: String,
    pub path: Vec<String>,
}

impl EncodeError {
    pub fn message(&self, root: &str) -> String {
        let mut p = root.to_string();
        for seg in self.path.iter().rev() {
            p.push_str(seg);
        }
        format!("cannot encode a value of type '{}' as a workflow value (at {p})", self.type_name)
    }
    fn at(mut self, seg: String) -> EncodeError {
        self.path.push(seg);
        self
    }
}

/// Lets the snapshot encode heap objects as references and VM-internal values the wire refuses.
pub trait EncodeExt {
    fn encode(&mut self, v: &Value) -> Option<Result<Json, EncodeError>>;
}

pub struct WireOut;
impl EncodeExt for WireOut {
    fn encode(&mut self, _: &Value) -> Option<Result<Json, EncodeError>> {
        None
    }
}

pub fn encode(v: &Value) -> Result<Json, EncodeError> {
    encode_with(v, &mut WireOut)
}

/// Encode as JSON text (what effects carry).
pub fn encode_text(v: &Value) -> Result<String, EncodeError> {
    Ok(encode(v)?.to_string())
}

fn tagged(tag: &str, body: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(tag.to_string(), body);
    Json::Object(m)
}

pub fn float_json(f: f64) -> Json {
    match Number::from_f64(f) {
        Some(n) => Json::Number(n),
        None => tagged(
            "$float",
            Json::String(
                if f.is_nan() {
                    "nan"
                } else if f > 0.0 {
                    "inf"
                } else {
                    "-inf"
                }
                .into(),
            ),
        ),
    }
}

/// Set items in the Python codec's order (`waymark_ir.values._encode_set`): numbers or strings sorted, anything
/// else by encoded text, so that a set crossing the boundary is rebuilt the same way on both sides.
fn sorted_set_items(encoded: Vec<Json>, items: &[Value]) -> Vec<Json> {
    let mut pairs: Vec<(Json, &Value)> = encoded.into_iter().zip(items.iter()).collect();
    let numbers = items.iter().all(|v| matches!(v, Value::Int(_) | Value::Float(_)));
    let strings = items.iter().all(|v| matches!(v, Value::Str(_)));
    if numbers || strings {
        pairs.sort_by(|a, b| crate::compare::py_cmp(a.1, b.1).unwrap_or(std::cmp::Ordering::Equal));
    } else {
        pairs.sort_by_cached_key(|p| p.0.to_string());
    }
    pairs.into_iter().map(|p| p.0).collect()
}

pub fn encode_with(v: &Value, ext: &mut dyn EncodeExt) -> Result<Json, EncodeError> {
    if let Some(r) = ext.encode(v) {
        return r;
    }
    encode_inline(v, ext)
}

/// Encode a value's own content (used by the snapshot for the heap entries themselves).
pub fn encode_inline(v: &Value, ext: &mut dyn EncodeExt) -> Result<Json, EncodeError> {
    let seq = |items: &[Value], ext: &mut dyn EncodeExt| -> Result<Vec<Json>, EncodeError> {
        items.iter().enumerate().map(|(i, x)| encode_with(x, ext).map_err(|e| e.at(format!("[{i}]")))).collect()
    };
    Ok(match v {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(Int::Small(i)) => Json::Number((*i).into()),
        Value::Int(Int::Big(b)) => tagged("$int", Json::String(b.to_string())),
        Value::Float(f) => float_json(*f),
        Value::Str(t) => Json::String(t.to_string()),
        Value::Bytes(b) => tagged("$bytes", Json::String(base64::engine::general_purpose::STANDARD.encode(b))),
        Value::List(l) => Json::Array(seq(&l.borrow(), ext)?),
        Value::Tuple(t) => tagged("$tuple", Json::Array(seq(t, ext)?)),
        Value::Dict(d) => {
            let d = d.borrow();
            let plain = d.keys().all(|k| matches!(&k.value, Value::Str(t) if !t.starts_with('$')));
            if plain {
                let mut m = Map::with_capacity(d.len());
                for (k, val) in d.iter() {
                    let key = k.value.as_str().unwrap_or_default().to_string();
                    let enc = encode_with(val, ext).map_err(|e| e.at(format!("[{key:?}]")))?;
                    m.insert(key, enc);
                }
                Json::Object(m)
            } else {
                let mut pairs = Vec::with_capacity(d.len());
                for (k, val) in d.iter() {
                    let ke = encode_with(&k.value, ext)?;
                    let seg = crate::repr::repr(&k.value);
                    let ve = encode_with(val, ext).map_err(|e| e.at(format!("[{seg}]")))?;
                    pairs.push(Json::Array(vec![ke, ve]));
                }
                tagged("$dict", Json::Array(pairs))
            }
        }
        Value::Set(st) => {
            let items: Vec<Value> = st.borrow().iter().map(|k| k.value.clone()).collect();
            tagged("$set", Json::Array(sorted_set_items(seq(&items, ext)?, &items)))
        }
        Value::FrozenSet(st) => {
            let items: Vec<Value> = st.iter().map(|k| k.value.clone()).collect();
            tagged("$frozenset", Json::Array(sorted_set_items(seq(&items, ext)?, &items)))
        }
        Value::Decimal(t) => tagged("$decimal", Json::String(t.to_string())),
        Value::DateTime(t) => tagged("$datetime", Json::String(t.to_string())),
        Value::Date(t) => tagged("$date", Json::String(t.to_string())),
        Value::Time(t) => tagged("$time", Json::String(t.to_string())),
        Value::Uuid(t) => tagged("$uuid", Json::String(t.to_string())),
        Value::TimeDelta(t) => tagged("$timedelta", serde_json::json!([t.days, t.seconds, t.micros])),
        Value::Enum(e) => {
            let mut m = Map::new();
            m.insert("class".into(), Json::String(e.class.to_string()));
            m.insert("name".into(), if e.name.is_empty() { Json::Null } else { Json::String(e.name.to_string()) });
            m.insert("value".into(), encode_with(&e.value, ext).map_err(|x| x.at(".value".into()))?);
            tagged("$enum", Json::Object(m))
        }
        Value::Object(o) => {
            let o = o.borrow();
            let mut fields = Map::new();
            for (k, val) in &o.fields {
                fields.insert(k.to_string(), encode_with(val, ext).map_err(|e| e.at(format!(".{k}")))?);
            }
            let mut m = Map::new();
            m.insert("class".into(), Json::String(o.class.to_string()));
            m.insert("fields".into(), Json::Object(fields));
            tagged(if o.kind == ObjKind::Model { "$model" } else { "$dataclass" }, Json::Object(m))
        }
        Value::Exception(rc) => {
            let message = crate::repr::exc_value_str(rc);
            let e = rc.borrow();
            let mut m = Map::new();
            m.insert("class".into(), Json::String(e.class.to_string()));
            m.insert("mro".into(), Json::Array(e.mro.iter().map(|x| Json::String(x.to_string())).collect()));
            m.insert("args".into(), Json::Array(seq(&e.args, ext).map_err(|x| x.at(".args".into()))?));
            m.insert("message".into(), Json::String(message));
            let cause = match &e.cause {
                Some(c) => encode_with(c, ext)?,
                None => Json::Null,
            };
            let has_cause = !cause.is_null();
            m.insert("cause".into(), cause);
            // like the Python codec: only when it differs from what decoding infers from "cause"
            if e.suppress_context != has_cause {
                m.insert("suppress_context".into(), Json::Bool(e.suppress_context));
            }
            if !e.attrs.is_empty() {
                // like the Python codec: an attribute that cannot travel travels as its repr()
                let mut attrs = Map::with_capacity(e.attrs.len());
                for (k, val) in &e.attrs {
                    let enc = encode_with(val, ext).unwrap_or_else(|_| Json::String(crate::repr::repr(val)));
                    attrs.insert(k.to_string(), enc);
                }
                m.insert("attrs".into(), Json::Object(attrs));
            }
            if !e.class_attrs.is_empty() {
                let mut attrs = Map::with_capacity(e.class_attrs.len());
                for (k, val) in &e.class_attrs {
                    let enc = encode_with(val, ext).unwrap_or_else(|_| Json::String(crate::repr::repr(val)));
                    attrs.insert(k.to_string(), enc);
                }
                m.insert("class_attrs".into(), Json::Object(attrs));
            }
            tagged("$exception", Json::Object(m))
        }
        other => return Err(EncodeError { type_name: other.type_name(), path: vec![] }),
    })
}
