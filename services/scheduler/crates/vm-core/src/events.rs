//! The events document: a JSON array of event objects, applied in order.
//!
//! ```json
//! {"kind": "start", "input": {"order_id": 1}}                 first event of a run; input = run() kwargs, tagged
//! {"kind": "action", "seq": 1, "ok": true, "value": V}        an action call's final outcome
//! {"kind": "action", "seq": 1, "ok": false, "error": E}       E is a tagged $exception
//! {"kind": "timer", "seq": 2}                                 a sleep or signal timeout fired
//! {"kind": "signal", "name": "approved", "value": V}
//! {"kind": "child", "seq": 4, "ok": true, "value": V}         or "ok": false, "error": E
//! {"kind": "cancel"}
//! {"kind": "timeout"}                                       the workflow's timeout fired: a cancel that ends timed_out
//! ```
//! Outcomes for unknown or already resolved seqs are ignored (a resolved operation may get a late duplicate).
use serde_json::Value as Json;

use crate::codec;
use crate::error::{VmError, VmResult};
use crate::value::{Str, Value};

#[derive(Debug)]
pub enum Event {
    Start { input: Vec<(Str, Value)> },
    Outcome { kind: OutcomeKind, seq: u64, ok: bool, value: Value },
    Timer { seq: u64 },
    Signal { name: Str, value: Value },
    Cancel,
    Timeout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Action,
    Child,
}

fn err(i: usize, msg: impl std::fmt::Display) -> VmError {
    VmError::Event(format!("event {i}: {msg}"))
}

fn seq(o: &serde_json::Map<String, Json>, i: usize) -> VmResult<u64> {
    o.get("seq").and_then(Json::as_u64).ok_or_else(|| err(i, "\"seq\" must be a non-negative integer"))
}

fn value(o: &serde_json::Map<String, Json>, name: &str, i: usize) -> VmResult<Value> {
    match o.get(name) {
        Some(j) => codec::decode(j).map_err(|e| err(i, format!("bad \"{name}\": {e}"))),
        None => Ok(Value::None),
    }
}

pub fn parse(bytes: &[u8]) -> VmResult<Vec<Event>> {
    let doc: Json = serde_json::from_slice(bytes).map_err(|e| VmError::Event(format!("not JSON: {e}")))?;
    let Json::Array(items) = doc else { return Err(VmError::Event("events must be a JSON array".into())) };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let o = item.as_object().ok_or_else(|| err(i, "not an object"))?;
            let kind = o.get("kind").and_then(Json::as_str).ok_or_else(|| err(i, "missing \"kind\""))?;
            Ok(match kind {
                "start" => {
                    let input = match o.get("input") {
                        None | Some(Json::Null) => vec![],
                        Some(Json::Object(m)) => {
                            let mut out = Vec::with_capacity(m.len());
                            for (k, v) in m {
                                let v = codec::decode(v).map_err(|e| err(i, format!("bad input {k:?}: {e}")))?;
                                out.push((Str::from(k.as_str()), v));
                            }
                            out
                        }
                        Some(_) => return Err(err(i, "\"input\" must be an object of run() arguments")),
                    };
                    Event::Start { input }
                }
                "action" | "child" => {
                    let ok = o.get("ok").and_then(Json::as_bool).ok_or_else(|| err(i, "\"ok\" must be a boolean"))?;
                    let v = if ok { value(o, "value", i)? } else { value(o, "error", i)? };
                    if !ok && !matches!(v, Value::Exception(_)) {
                        return Err(err(i, "\"error\" must be a tagged $exception"));
                    }
                    let kind = if kind == "action" { OutcomeKind::Action } else { OutcomeKind::Child };
                    Event::Outcome { kind, seq: seq(o, i)?, ok, value: v }
                }
                "timer" => Event::Timer { seq: seq(o, i)? },
                "signal" => {
                    let name = o.get("name").and_then(Json::as_str).ok_or_else(|| err(i, "missing \"name\""))?;
                    Event::Signal { name: Str::from(name), value: value(o, "value", i)? }
                }
                "cancel" => Event::Cancel,
                "timeout" => Event::Timeout,
                other => return Err(err(i, format!("unknown kind {other:?}"))),
            })
        })
        .collect()
}
