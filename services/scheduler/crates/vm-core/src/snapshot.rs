//! Snapshot format 1: the run's live state as JSON (readable in psql, debuggable).
//!
//! Mutable objects (list, dict, set, model/dataclass, exception, iterator, awaitable) are stored once in a `heap`
//! table and referenced as `{"$ref": n}`, so aliasing survives a suspension (`b = a; b.append(1)` is seen through
//! `a`) and cycles are fine. Ids are given in traversal order, so equal states give byte-identical snapshots and
//! garbage never accumulates (only what is reachable from live frames is written).
//!
//! ```json
//! {"format": 1, "status": "running", "seq": 3, "next_task": 1, "next_gather": 0, "cancel_requested": false,
//!  "tasks": [{"id": 0, "waiter": null, "waiting": {"op": 3}, "resume": null,
//!             "frames": [{"func": 0, "pc": 4, "locals": {"1": 7, "2": {"$ref": 0}}, "handled": [], "pending": null}]}],
//!  "ops": [{"seq": 3, "kind": "action", "waiter": {"task": 0}}],
//!  "gathers": [], "signals": [], "heap": [{"t": "list", "v": [1, 2]}], "result": null, "error": null}
//! ```
//! Snapshot-only value tags: `$ref`, `$range` [start, stop, step], `$class` index, `$view` {kind, dict}, `$self`.
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{json, Map, Value as Json};

use crate::codec::{decode_with, encode_inline, encode_with, DecodeExt, EncodeError, EncodeExt};
use crate::error::{VmError, VmResult};
use crate::num::Int;
use crate::program::Program;
use crate::pyset::Slot;
use crate::state::{Frame, GatherState, OpKind, Outcome, PendingOp, RunState, RunStatus, Task, Wait, Waiter};
use crate::value::{
    AwaitObj, Awaitable, Dict, DictView, Exception, Func, Iter, ObjKind, Object, Policy, PySet, Range, Str, Value,
    ViewKind,
};

pub const FORMAT: u64 = 1;

// ---- encoding -----------------------------------------------------------------------------------------------------

struct HeapOut {
    ids: HashMap<usize, usize>,
    heap: Vec<Json>,
}

fn ptr_of(v: &Value) -> Option<usize> {
    Some(match v {
        Value::List(r) => Rc::as_ptr(r) as *const () as usize,
        Value::Dict(r) => Rc::as_ptr(r) as *const () as usize,
        Value::Set(r) => Rc::as_ptr(r) as *const () as usize,
        Value::Object(r) => Rc::as_ptr(r) as *const () as usize,
        Value::Exception(r) => Rc::as_ptr(r) as *const () as usize,
        Value::Iter(r) => Rc::as_ptr(r) as *const () as usize,
        Value::Awaitable(r) => Rc::as_ptr(r) as *const () as usize,
        Value::WorkflowSelf(r) => Rc::as_ptr(r) as *const () as usize,
        _ => return None,
    })
}

fn kind_name(k: ViewKind) -> &'static str {
    match k {
        ViewKind::Keys => "keys",
        ViewKind::Values => "values",
        ViewKind::Items => "items",
    }
}

fn tag(t: &str, body: Json) -> Json {
    let mut m = Map::new();
    m.insert(t.into(), body);
    Json::Object(m)
}

impl HeapOut {
    fn val(&mut self, v: &Value) -> Json {
        // Every value kind is encodable in snapshot mode, so errors cannot happen; keep a visible marker anyway.
        encode_with(v, self).unwrap_or_else(|e| tag("$unencodable", Json::String(e.type_name)))
    }

    fn opt(&mut self, v: &Option<Value>) -> Json {
        match v {
            Some(v) => self.val(v),
            None => Json::Null,
        }
    }

    fn entry(&mut self, v: &Value) -> Json {
        match v {
            Value::List(l) => {
                let items: Vec<Json> = l.borrow().iter().map(|x| self.val(x)).collect();
                json!({"t": "list", "v": items})
            }
            Value::Dict(d) => {
                let pairs: Vec<Json> =
                    d.borrow().iter().map(|(k, x)| Json::Array(vec![self.val(&k.value), self.val(x)])).collect();
                json!({"t": "dict", "v": pairs})
            }
            Value::Set(s) => {
                let mut e = self.set_layout(&s.borrow());
                e["t"] = json!("set");
                e
            }
            Value::Object(o) | Value::WorkflowSelf(o) => {
                let o = o.borrow();
                let fields: Vec<Json> =
                    o.fields.iter().map(|(k, x)| Json::Array(vec![Json::String(k.to_string()), self.val(x)])).collect();
                let (t, kind) = match o.kind {
                    ObjKind::Model => ("obj", "model"),
                    ObjKind::Dataclass => ("obj", "dataclass"),
                    ObjKind::Instance => ("self", "instance"),
                };
                let mut entry = json!({"t": t, "class": &*o.class, "kind": kind, "fields": fields});
                if o.ident.get() != 0 {
                    entry["ident"] = json!(o.ident.get()); // added later to format 1: absent means none
                }
                entry
            }
            Value::Exception(e) => {
                let e = e.borrow();
                let args: Vec<Json> = e.args.iter().map(|x| self.val(x)).collect();
                let mut entry = json!({"t": "exc", "class": &*e.class, "mro": e.mro.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                       "args": args, "message": e.message.as_deref(), "cause": self.opt(&e.cause),
                       "context": self.opt(&e.context), "suppress_context": e.suppress_context});
                // both added later to format 1: absent means none
                if !e.attrs.is_empty() {
                    let attrs: Vec<Json> = e
                        .attrs
                        .iter()
                        .map(|(k, x)| Json::Array(vec![Json::String(k.to_string()), self.val(x)]))
                        .collect();
                    entry["attrs"] = Json::Array(attrs);
                }
                if !e.class_attrs.is_empty() {
                    // added later to format 1: absent means none
                    let attrs: Vec<Json> = e
                        .class_attrs
                        .iter()
                        .map(|(k, x)| Json::Array(vec![Json::String(k.to_string()), self.val(x)]))
                        .collect();
                    entry["class_attrs"] = Json::Array(attrs);
                }
                if e.ident.get() != 0 {
                    entry["ident"] = json!(e.ident.get());
                }
                entry
            }
            Value::Iter(it) => {
                let it = it.borrow().clone();
                let body = match &it {
                    Iter::Seq { seq, index } => json!({"k": "seq", "seq": self.val(seq), "i": index}),
                    Iter::Str { s, pos } => json!({"k": "str", "s": &**s, "i": pos}),
                    Iter::Range { next, remaining, step } => {
                        json!({"k": "range", "next": next, "n": remaining, "step": step})
                    }
                    Iter::Dict { dict, kind, index, len } => {
                        json!({"k": "dict", "dict": self.val(&Value::Dict(dict.clone())), "kind": kind_name(*kind), "i": index, "len": len})
                    }
                    Iter::Values { items, index } => {
                        let v: Vec<Json> = items.iter().map(|x| self.val(x)).collect();
                        json!({"k": "values", "v": v, "i": index})
                    }
                    Iter::Enumerate { inner, count } => {
                        json!({"k": "enumerate", "inner": self.val(inner), "count": self.val(&Value::Int(count.clone()))})
                    }
                    Iter::Zip { inners, strict } => {
                        let v: Vec<Json> = inners.iter().map(|x| self.val(x)).collect();
                        if *strict {
                            json!({"k": "zip", "v": v, "strict": true})
                        } else {
                            json!({"k": "zip", "v": v})
                        }
                    }
                    Iter::Reversed { seq, remaining } => json!({"k": "reversed", "seq": self.val(seq), "n": remaining}),
                    Iter::Exhausted => json!({"k": "exhausted"}),
                };
                json!({"t": "iter", "it": body})
            }
            Value::Awaitable(a) => {
                let a = a.borrow().clone();
                let body = match &a.kind {
                    Awaitable::Action { action, args, policy } => {
                        json!({"k": "action", "action": action, "args": self.val(args), "policy": serde_json::to_value(policy).unwrap_or(Json::Null)})
                    }
                    Awaitable::Sleep { seconds } => json!({"k": "sleep", "seconds": seconds}),
                    Awaitable::Signal { name, timeout } => json!({"k": "signal", "name": &**name, "timeout": timeout}),
                    Awaitable::Child { workflow, args, workflow_id } => {
                        json!({"k": "child", "workflow": workflow, "args": self.val(args), "workflow_id": workflow_id.as_deref()})
                    }
                    Awaitable::Coroutine { function, locals } => {
                        json!({"k": "coroutine", "function": function, "locals": self.locals(locals)})
                    }
                    Awaitable::Gather { items, return_exceptions } => {
                        let v: Vec<Json> = items.iter().map(|x| self.val(x)).collect();
                        json!({"k": "gather", "items": v, "return_exceptions": return_exceptions})
                    }
                };
                match a.gather {
                    Some(g) => json!({"t": "await", "used": a.used, "a": body, "gather": g}),
                    None => json!({"t": "await", "used": a.used, "a": body}),
                }
            }
            _ => Json::Null,
        }
    }

    /// A set with its table layout (positions, dummies, fill, pop finger), so it iterates the same after a resume.
    fn set_layout(&mut self, set: &PySet) -> Json {
        let (table, fill, finger) = set.layout();
        let mut items = Vec::new();
        let mut at = Vec::new();
        let mut dummies = Vec::new();
        for (i, slot) in table.iter().enumerate() {
            match slot {
                Slot::Active(k) => {
                    items.push(self.val(&k.value));
                    at.push(i);
                }
                Slot::Dummy => dummies.push(i),
                Slot::Empty => {}
            }
        }
        json!({"v": items, "at": at, "size": table.len(), "dummies": dummies, "fill": fill, "finger": finger})
    }

    fn locals(&mut self, locals: &[Option<Value>]) -> Json {
        let mut m = Map::new();
        for (i, v) in locals.iter().enumerate() {
            if let Some(v) = v {
                m.insert(i.to_string(), self.val(v));
            }
        }
        Json::Object(m)
    }
}

impl EncodeExt for HeapOut {
    fn encode(&mut self, v: &Value) -> Option<Result<Json, EncodeError>> {
        if let Some(p) = ptr_of(v) {
            if let Some(id) = self.ids.get(&p) {
                return Some(Ok(json!({"$ref": id})));
            }
            let id = self.heap.len();
            self.ids.insert(p, id);
            self.heap.push(Json::Null);
            let entry = self.entry(v);
            self.heap[id] = entry;
            return Some(Ok(json!({"$ref": id})));
        }
        Some(Ok(match v {
            Value::Range(r) => json!({"$range": [r.start, r.stop, r.step]}),
            Value::Class(i) => json!({"$class": i}),
            Value::View(view) => {
                let d = self.val(&Value::Dict(view.dict.clone()));
                json!({"$view": {"kind": kind_name(view.kind), "dict": d}})
            }
            Value::Type(q) => json!({"$type": &**q}),
            Value::TimeZone(o) => json!({"$tz": o}),
            Value::FrozenSet(fs) => json!({"$fset": self.set_layout(fs)}),
            Value::Function(f) => {
                let body = match &**f {
                    Func::Builtin(n) => json!({"builtin": &**n}),
                    Func::Method { type_name, method } => json!({"type": &**type_name, "method": &**method}),
                    Func::Bound { recv, method } => json!({"recv": self.val(recv), "method": &**method}),
                    Func::Helper { function, this } => json!({"function": function, "self": self.val(this)}),
                    Func::Getter { attr, keys } => {
                        let keys: Vec<Json> = keys.iter().map(|k| self.val(k)).collect();
                        json!({"getter": if *attr { "attr" } else { "item" }, "keys": keys})
                    }
                };
                json!({"$func": body})
            }
            _ => return Some(encode_inline(v, self)),
        }))
    }
}

fn waiter_json(w: &Waiter) -> Json {
    match w {
        Waiter::Task(t) => json!({"task": t}),
        Waiter::Gather { gather, slot } => json!({"gather": gather, "slot": slot}),
        Waiter::Detached(g) => json!({"detached": g}),
    }
}

fn wait_json(w: &Wait) -> Json {
    match w {
        Wait::Op(s) => json!({"op": s}),
        Wait::Task(t) => json!({"task": t}),
        Wait::Gather(g) => json!({"gather": g}),
        Wait::Done => json!("done"),
    }
}

fn outcome_json(h: &mut HeapOut, o: &Option<Outcome>) -> Json {
    match o {
        None => Json::Null,
        Some(Outcome::Ok(v)) => json!({"ok": h.val(v)}),
        Some(Outcome::Err(v)) => json!({"err": h.val(v)}),
    }
}

pub fn encode(st: &RunState) -> Vec<u8> {
    let mut h = HeapOut { ids: HashMap::new(), heap: Vec::new() };
    let tasks: Vec<Json> = st
        .tasks
        .iter()
        .map(|(id, t)| {
            let frames: Vec<Json> = t
                .frames
                .iter()
                .map(|f| {
                    let handled: Vec<Json> = f.handled.iter().map(|x| h.val(x)).collect();
                    json!({"func": f.func, "pc": f.pc, "locals": h.locals(&f.locals), "handled": handled,
                           "pending": h.opt(&f.pending)})
                })
                .collect();
            json!({"id": id, "frames": frames, "waiter": t.waiter.as_ref().map(waiter_json),
                   "waiting": t.waiting.as_ref().map(wait_json), "resume": outcome_json(&mut h, &t.resume)})
        })
        .collect();
    let ops: Vec<Json> = st
        .ops
        .iter()
        .map(|(seq, o)| {
            let (kind, name) = match &o.kind {
                OpKind::Action => ("action", None),
                OpKind::Timer => ("timer", None),
                OpKind::Signal { name } => ("signal", Some(name.to_string())),
                OpKind::Child => ("child", None),
            };
            json!({"seq": seq, "kind": kind, "name": name, "waiter": waiter_json(&o.waiter)})
        })
        .collect();
    let gathers: Vec<Json> = st
        .gathers
        .iter()
        .map(|(id, g)| {
            let results: Vec<Json> = g.results.iter().map(|r| outcome_json(&mut h, r)).collect();
            json!({"id": id, "results": results, "remaining": g.remaining, "return_exceptions": g.return_exceptions,
                   "waiter": waiter_json(&g.waiter), "children": g.children.iter().map(wait_json).collect::<Vec<_>>()})
        })
        .collect();
    let signals: Vec<Json> = st.signals.iter().map(|(n, v)| json!([&**n, h.val(v)])).collect();
    let gather_outcomes: Vec<Json> =
        st.gather_outcomes.iter().map(|(g, o)| json!([g, outcome_json(&mut h, &Some(o.clone()))])).collect();
    let mut doc = json!({
        "format": FORMAT,
        "status": st.status.as_str(),
        "seq": st.seq,
        "next_task": st.next_task,
        "next_gather": st.next_gather,
        "cancel_requested": st.cancel_requested,
        "tasks": tasks,
        "ops": ops,
        "gathers": gathers,
        "signals": signals,
        "heap": h.heap,
        "result": st.result,
        "error": st.error,
    });
    if st.timed_out {
        doc["timed_out"] = Json::Bool(true); // written only when set: older snapshots stay byte-identical
    }
    if !gather_outcomes.is_empty() {
        doc["gather_outcomes"] = Json::Array(gather_outcomes);
    }
    serde_json::to_vec(&doc).unwrap_or_default()
}

// ---- decoding -----------------------------------------------------------------------------------------------------

fn bad(msg: impl Into<String>) -> VmError {
    VmError::Snapshot(msg.into())
}

struct HeapIn {
    shells: Vec<Value>,
    /// Index limits of the program, so a snapshot cannot make the interpreter index out of bounds.
    nclasses: usize,
    nactions: usize,
    nworkflows: usize,
    nfunctions: usize,
    legacy_self: Value,
}

impl DecodeExt for HeapIn {
    fn tag(&self, tag: &str, body: &Json) -> Option<Result<Value, String>> {
        Some(match tag {
            "$ref" => body
                .as_u64()
                .and_then(|i| self.shells.get(i as usize).cloned())
                .ok_or_else(|| format!("dangling $ref {body}")),
            "$range" => match body.as_array().map(|a| a.iter().filter_map(Json::as_i64).collect::<Vec<_>>()) {
                Some(p) if p.len() == 3 && p[2] != 0 => {
                    Ok(Value::Range(Rc::new(Range { start: p[0], stop: p[1], step: p[2] })))
                }
                _ => Err("bad $range".into()),
            },
            "$class" => body
                .as_u64()
                .filter(|i| (*i as usize) < self.nclasses)
                .map(|i| Value::Class(i as u32))
                .ok_or_else(|| "bad $class".into()),
            // format-1 snapshots written before instances had attributes: one shared, empty instance
            "$self" => Ok(self.legacy_self.clone()),
            "$tz" => body.as_i64().map(Value::TimeZone).ok_or_else(|| "bad $tz".into()),
            "$fset" => self.set(body).map(|s| Value::FrozenSet(Rc::new(s))),
            "$type" => body.as_str().map(|q| Value::Type(Str::from(q))).ok_or_else(|| "bad $type".into()),
            "$func" => (|| {
                let s = |k: &str| body.get(k).and_then(Json::as_str).map(Str::from);
                let f = if let Some(n) = s("builtin") {
                    Func::Builtin(n)
                } else if let (Some(t), Some(m)) = (s("type"), s("method")) {
                    Func::Method { type_name: t, method: m }
                } else if let (Some(r), Some(m)) = (body.get("recv"), s("method")) {
                    Func::Bound { recv: decode_with(r, self)?, method: m }
                } else if let (Some(g), Some(keys)) = (s("getter"), body.get("keys").and_then(Json::as_array)) {
                    let keys = keys.iter().map(|k| decode_with(k, self)).collect::<Result<Vec<_>, String>>()?;
                    Func::Getter { attr: &*g == "attr", keys }
                } else if let Some(i) =
                    body.get("function").and_then(Json::as_u64).filter(|i| (*i as usize) < self.nfunctions)
                {
                    Func::Helper {
                        function: i as u32,
                        this: decode_with(body.get("self").unwrap_or(&Json::Null), self)?,
                    }
                } else {
                    return Err("bad $func".to_string());
                };
                Ok(Value::Function(Rc::new(f)))
            })(),
            "$view" => (|| {
                let kind = match body.get("kind").and_then(Json::as_str) {
                    Some("keys") => ViewKind::Keys,
                    Some("values") => ViewKind::Values,
                    Some("items") => ViewKind::Items,
                    _ => return Err("bad $view kind".to_string()),
                };
                match decode_with(body.get("dict").unwrap_or(&Json::Null), self)? {
                    Value::Dict(d) => Ok(Value::View(Rc::new(DictView { dict: d, kind }))),
                    _ => Err("bad $view dict".to_string()),
                }
            })(),
            _ => return None,
        })
    }
}

fn field<'a>(o: &'a Json, name: &str) -> VmResult<&'a Json> {
    o.get(name).ok_or_else(|| bad(format!("missing \"{name}\"")))
}

fn u64_of(o: &Json, name: &str) -> VmResult<u64> {
    field(o, name)?.as_u64().ok_or_else(|| bad(format!("\"{name}\" must be an unsigned integer")))
}

fn arr<'a>(o: &'a Json, name: &str) -> VmResult<&'a Vec<Json>> {
    field(o, name)?.as_array().ok_or_else(|| bad(format!("\"{name}\" must be an array")))
}

impl HeapIn {
    /// A set from its stored layout; from its items in order when the layout is absent (older snapshots).
    fn set(&self, e: &Json) -> Result<PySet, String> {
        let items = e.get("v").and_then(Json::as_array).ok_or("a set needs \"v\"")?;
        let keys =
            items.iter().map(|x| crate::codec::hashable(decode_with(x, self)?)).collect::<Result<Vec<_>, String>>()?;
        let Some(size) = e.get("size").and_then(Json::as_u64) else {
            return Ok(PySet::from_other(crate::pyset::Other::Keys(keys)));
        };
        let size = usize::try_from(size).map_err(|_| "bad set size")?;
        if size > (1 << 40) || keys.len() >= size {
            return Err("bad set size".into());
        }
        let mut table = vec![Slot::Empty; size];
        let at = e.get("at").and_then(Json::as_array).ok_or("a set layout needs \"at\"")?;
        if at.len() != keys.len() {
            return Err("set layout: \"at\" and \"v\" differ in length".into());
        }
        for (k, i) in keys.into_iter().zip(at) {
            let i = i.as_u64().map(|i| i as usize).filter(|i| *i < size).ok_or("bad set slot")?;
            table[i] = Slot::Active(k);
        }
        for d in e.get("dummies").and_then(Json::as_array).into_iter().flatten() {
            let i = d.as_u64().map(|i| i as usize).filter(|i| *i < size).ok_or("bad set dummy")?;
            table[i] = Slot::Dummy;
        }
        let fill = e.get("fill").and_then(Json::as_u64).unwrap_or(0) as usize;
        let finger = e.get("finger").and_then(Json::as_u64).unwrap_or(0) as usize;
        PySet::from_layout(table, fill, finger).ok_or_else(|| "inconsistent set layout".to_string())
    }

    fn val(&self, j: &Json) -> VmResult<Value> {
        decode_with(j, self).map_err(bad)
    }

    fn opt(&self, j: Option<&Json>) -> VmResult<Option<Value>> {
        match j {
            None | Some(Json::Null) => Ok(None),
            Some(j) => Ok(Some(self.val(j)?)),
        }
    }

    fn shell(e: &Json) -> VmResult<Value> {
        Ok(match e.get("t").and_then(Json::as_str) {
            Some("list") => Value::list(vec![]),
            Some("dict") => Value::dict(Dict::default()),
            Some("set") => Value::set(PySet::default()),
            Some("obj") => {
                let o = Object::new(Arc::from(""), ObjKind::Dataclass, vec![]);
                let ident = e.get("ident").and_then(Json::as_u64).unwrap_or(0);
                crate::compare::seen_ident(ident);
                o.ident.set(ident);
                Value::Object(Rc::new(RefCell::new(o)))
            }
            Some("self") => crate::eval::new_instance(""),
            Some("exc") => {
                // the identity is known before the entry is filled: a set filled first can already hash it
                let x = Exception::new(Arc::from(""), Rc::from(Vec::<Str>::new()), vec![]);
                let ident = e.get("ident").and_then(Json::as_u64).unwrap_or(0);
                crate::compare::seen_ident(ident);
                x.ident.set(ident);
                Value::exception(x)
            }
            Some("iter") => Value::iter(Iter::Exhausted),
            Some("await") => Value::awaitable(Awaitable::Sleep { seconds: 0.0 }),
            other => return Err(bad(format!("unknown heap entry type {other:?}"))),
        })
    }

    fn fill(&self, shell: &Value, e: &Json) -> VmResult<()> {
        match shell {
            Value::List(l) => {
                let items = arr(e, "v")?.iter().map(|x| self.val(x)).collect::<VmResult<Vec<_>>>()?;
                *l.borrow_mut() = items;
            }
            Value::Dict(d) => {
                let mut out = Dict::default();
                for p in arr(e, "v")? {
                    let (k, v) = match p.as_array().map(|a| a.as_slice()) {
                        Some([k, v]) => (self.val(k)?, self.val(v)?),
                        _ => return Err(bad("dict entries are [key, value]")),
                    };
                    out.insert(crate::codec::hashable(k).map_err(bad)?, v);
                }
                *d.borrow_mut() = out;
            }
            Value::Set(s) => *s.borrow_mut() = self.set(e).map_err(bad)?,
            Value::Object(o) | Value::WorkflowSelf(o) => {
                let mut fields = Vec::new();
                for p in arr(e, "fields")? {
                    match p.as_array().map(|a| a.as_slice()) {
                        Some([Json::String(k), v]) => fields.push((Arc::from(k.as_str()), self.val(v)?)),
                        _ => return Err(bad("object fields are [name, value]")),
                    }
                }
                let mut o = o.borrow_mut();
                o.class = Arc::from(field(e, "class")?.as_str().unwrap_or_default());
                o.kind = match e.get("kind").and_then(Json::as_str) {
                    Some("model") => ObjKind::Model,
                    Some("instance") => ObjKind::Instance,
                    _ => ObjKind::Dataclass,
                };
                o.fields = fields;
            }
            Value::Exception(x) => {
                let mro: Vec<Str> = arr(e, "mro")?.iter().filter_map(Json::as_str).map(Arc::from).collect();
                let args = arr(e, "args")?.iter().map(|a| self.val(a)).collect::<VmResult<Vec<_>>>()?;
                let mut x = x.borrow_mut();
                x.class = Arc::from(field(e, "class")?.as_str().unwrap_or_default());
                x.mro = mro.into();
                x.args = args;
                x.message = e.get("message").and_then(Json::as_str).map(Arc::from);
                x.cause = self.opt(e.get("cause"))?;
                x.context = self.opt(e.get("context"))?;
                x.suppress_context = e.get("suppress_context").and_then(Json::as_bool).unwrap_or(false);
                let mut attrs = Vec::new();
                for p in e.get("attrs").and_then(Json::as_array).into_iter().flatten() {
                    match p.as_array().map(|a| a.as_slice()) {
                        Some([Json::String(k), v]) => attrs.push((Arc::from(k.as_str()), self.val(v)?)),
                        _ => return Err(bad("exception attrs are [name, value]")),
                    }
                }
                x.attrs = attrs;
                let mut class_attrs = Vec::new();
                for p in e.get("class_attrs").and_then(Json::as_array).into_iter().flatten() {
                    match p.as_array().map(|a| a.as_slice()) {
                        Some([Json::String(k), v]) => class_attrs.push((Arc::from(k.as_str()), self.val(v)?)),
                        _ => return Err(bad("exception class_attrs are [name, value]")),
                    }
                }
                x.class_attrs = class_attrs;
            }
            Value::Iter(it) => *it.borrow_mut() = self.iter(field(e, "it")?)?,
            Value::Awaitable(a) => {
                let kind = self.awaitable(field(e, "a")?)?;
                *a.borrow_mut() = AwaitObj {
                    kind,
                    used: e.get("used").and_then(Json::as_bool).unwrap_or(false),
                    gather: e.get("gather").and_then(Json::as_u64).map(|g| g as u32),
                };
            }
            _ => {}
        }
        Ok(())
    }

    fn usize_of(j: &Json, name: &str) -> VmResult<usize> {
        Ok(u64_of(j, name)? as usize)
    }

    fn i64_of(j: &Json, name: &str) -> VmResult<i64> {
        field(j, name)?.as_i64().ok_or_else(|| bad(format!("\"{name}\" must be an integer")))
    }

    fn iter(&self, j: &Json) -> VmResult<Iter> {
        let kind_of = |s: Option<&str>| match s {
            Some("values") => ViewKind::Values,
            Some("items") => ViewKind::Items,
            _ => ViewKind::Keys,
        };
        Ok(match j.get("k").and_then(Json::as_str) {
            Some("seq") => Iter::Seq { seq: self.val(field(j, "seq")?)?, index: Self::usize_of(j, "i")? },
            Some("str") => {
                Iter::Str { s: Arc::from(field(j, "s")?.as_str().unwrap_or_default()), pos: Self::usize_of(j, "i")? }
            }
            Some("range") => Iter::Range {
                next: Self::i64_of(j, "next")?,
                remaining: Self::i64_of(j, "n")?,
                step: Self::i64_of(j, "step")?,
            },
            Some("dict") => match self.val(field(j, "dict")?)? {
                Value::Dict(d) => Iter::Dict {
                    dict: d,
                    kind: kind_of(j.get("kind").and_then(Json::as_str)),
                    index: Self::usize_of(j, "i")?,
                    len: Self::usize_of(j, "len")?,
                },
                _ => return Err(bad("dict iterator without a dict")),
            },
            Some("values") => Iter::Values {
                items: arr(j, "v")?.iter().map(|x| self.val(x)).collect::<VmResult<Vec<_>>>()?.into(),
                index: Self::usize_of(j, "i")?,
            },
            Some("enumerate") => Iter::Enumerate {
                inner: self.val(field(j, "inner")?)?,
                count: match self.val(field(j, "count")?)? {
                    Value::Int(i) => i,
                    _ => Int::Small(0),
                },
            },
            Some("zip") => Iter::Zip {
                inners: arr(j, "v")?.iter().map(|x| self.val(x)).collect::<VmResult<_>>()?,
                strict: j.get("strict").and_then(Json::as_bool).unwrap_or(false),
            },
            Some("reversed") => Iter::Reversed { seq: self.val(field(j, "seq")?)?, remaining: Self::usize_of(j, "n")? },
            Some("exhausted") => Iter::Exhausted,
            other => return Err(bad(format!("unknown iterator kind {other:?}"))),
        })
    }

    fn locals(&self, j: &Json, n: usize) -> VmResult<Vec<Option<Value>>> {
        let m = j.as_object().ok_or_else(|| bad("locals must be an object"))?;
        let mut out = vec![None; n];
        for (k, v) in m {
            let i: usize = k.parse().map_err(|_| bad(format!("bad local slot {k:?}")))?;
            if i >= out.len() {
                out.resize(i + 1, None);
            }
            out[i] = Some(self.val(v)?);
        }
        Ok(out)
    }

    fn awaitable(&self, j: &Json) -> VmResult<Awaitable> {
        let u32_of = |name: &str, limit: usize| -> VmResult<u32> {
            let i = u64_of(j, name)?;
            if i as usize >= limit {
                return Err(bad(format!("{name} index {i} out of range")));
            }
            Ok(i as u32)
        };
        Ok(match j.get("k").and_then(Json::as_str) {
            Some("action") => Awaitable::Action {
                action: u32_of("action", self.nactions)?,
                args: self.val(field(j, "args")?)?,
                policy: serde_json::from_value::<Policy>(field(j, "policy")?.clone())
                    .map_err(|e| bad(e.to_string()))?,
            },
            Some("sleep") => Awaitable::Sleep { seconds: field(j, "seconds")?.as_f64().unwrap_or(0.0) },
            Some("signal") => Awaitable::Signal {
                name: Arc::from(field(j, "name")?.as_str().unwrap_or_default()),
                timeout: j.get("timeout").and_then(Json::as_f64),
            },
            Some("child") => Awaitable::Child {
                workflow: u32_of("workflow", self.nworkflows)?,
                args: self.val(field(j, "args")?)?,
                workflow_id: j.get("workflow_id").and_then(Json::as_str).map(Arc::from),
            },
            Some("coroutine") => Awaitable::Coroutine {
                function: u32_of("function", self.nfunctions)?,
                locals: self.locals(field(j, "locals")?, 0)?,
            },
            Some("gather") => Awaitable::Gather {
                items: arr(j, "items")?.iter().map(|x| self.val(x)).collect::<VmResult<_>>()?,
                return_exceptions: j.get("return_exceptions").and_then(Json::as_bool).unwrap_or(false),
            },
            other => return Err(bad(format!("unknown awaitable kind {other:?}"))),
        })
    }

    fn outcome(&self, j: Option<&Json>) -> VmResult<Option<Outcome>> {
        match j {
            None | Some(Json::Null) => Ok(None),
            Some(o) => {
                if let Some(v) = o.get("ok") {
                    Ok(Some(Outcome::Ok(self.val(v)?)))
                } else if let Some(v) = o.get("err") {
                    Ok(Some(Outcome::Err(self.val(v)?)))
                } else {
                    Err(bad("bad outcome"))
                }
            }
        }
    }
}

fn waiter_of(j: &Json) -> VmResult<Waiter> {
    if let Some(t) = j.get("task").and_then(Json::as_u64) {
        return Ok(Waiter::Task(t as u32));
    }
    if let Some(g) = j.get("detached").and_then(Json::as_u64) {
        return Ok(Waiter::Detached(g as u32));
    }
    match (j.get("gather").and_then(Json::as_u64), j.get("slot").and_then(Json::as_u64)) {
        (Some(g), Some(s)) => Ok(Waiter::Gather { gather: g as u32, slot: s as u32 }),
        _ => Err(bad(format!("bad waiter {j}"))),
    }
}

fn wait_of(j: &Json) -> VmResult<Wait> {
    if j.as_str() == Some("done") {
        return Ok(Wait::Done);
    }
    if let Some(s) = j.get("op").and_then(Json::as_u64) {
        return Ok(Wait::Op(s));
    }
    if let Some(t) = j.get("task").and_then(Json::as_u64) {
        return Ok(Wait::Task(t as u32));
    }
    if let Some(g) = j.get("gather").and_then(Json::as_u64) {
        return Ok(Wait::Gather(g as u32));
    }
    Err(bad(format!("bad wait {j}")))
}

/// Decode a snapshot of a run of `prog` (its slot counts and index limits are needed).
pub fn decode(bytes: &[u8], prog: &Program) -> VmResult<RunState> {
    let nslots = &prog.nslots;
    let doc: Json = serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let format = doc.get("format").and_then(Json::as_u64).ok_or_else(|| bad("missing \"format\""))?;
    if format != FORMAT {
        return Err(bad(format!("snapshot format {format} is not supported (this VM reads format {FORMAT})")));
    }
    let heap_json = arr(&doc, "heap")?;
    let shells = heap_json.iter().map(HeapIn::shell).collect::<VmResult<Vec<_>>>()?;
    let h = HeapIn {
        shells,
        nclasses: prog.ir.classes.len(),
        nactions: prog.ir.actions.len(),
        nworkflows: prog.ir.workflows.len(),
        nfunctions: prog.ir.functions.len(),
        legacy_self: crate::eval::new_instance(&format!("{}.{}", prog.ir.module, prog.ir.qualname)),
    };
    // Objects and exceptions first (the later ones first, as their parts come after them in traversal order), so
    // that the sets and dicts filled next hash them complete, not as empty shells.
    let hashed_first = |e: &Json| matches!(e.get("t").and_then(Json::as_str), Some("obj" | "exc"));
    for (shell, e) in h.shells.iter().zip(heap_json).rev().filter(|(_, e)| hashed_first(e)) {
        h.fill(shell, e)?;
    }
    for (shell, e) in h.shells.iter().zip(heap_json).filter(|(_, e)| !hashed_first(e)) {
        h.fill(shell, e)?;
    }
    let status = match field(&doc, "status")?.as_str() {
        Some("completed") => RunStatus::Completed,
        Some("failed") => RunStatus::Failed,
        Some("cancelled") => RunStatus::Cancelled,
        Some("timed_out") => RunStatus::TimedOut,
        _ => RunStatus::Running,
    };
    let mut tasks = BTreeMap::new();
    for t in arr(&doc, "tasks")? {
        let id = u64_of(t, "id")? as u32;
        let mut frames = Vec::new();
        for f in arr(t, "frames")? {
            let func = u64_of(f, "func")? as u32;
            let n = *nslots.get(func as usize).ok_or_else(|| bad(format!("frame of unknown function {func}")))?;
            frames.push(Frame {
                func,
                pc: u64_of(f, "pc")? as u32,
                locals: h.locals(field(f, "locals")?, n)?,
                handled: arr(f, "handled")?.iter().map(|x| h.val(x)).collect::<VmResult<_>>()?,
                pending: h.opt(f.get("pending"))?,
            });
        }
        let waiter = match t.get("waiter") {
            None | Some(Json::Null) => None,
            Some(w) => Some(waiter_of(w)?),
        };
        let waiting = match t.get("waiting") {
            None | Some(Json::Null) => None,
            Some(w) => Some(wait_of(w)?),
        };
        tasks.insert(id, Task { frames, waiter, waiting, resume: h.outcome(t.get("resume"))? });
    }
    let mut ops = BTreeMap::new();
    for o in arr(&doc, "ops")? {
        let kind = match o.get("kind").and_then(Json::as_str) {
            Some("action") => OpKind::Action,
            Some("timer") => OpKind::Timer,
            Some("child") => OpKind::Child,
            Some("signal") => {
                OpKind::Signal { name: Arc::from(o.get("name").and_then(Json::as_str).unwrap_or_default()) }
            }
            other => return Err(bad(format!("unknown op kind {other:?}"))),
        };
        ops.insert(u64_of(o, "seq")?, PendingOp { kind, waiter: waiter_of(field(o, "waiter")?)? });
    }
    let mut gathers = BTreeMap::new();
    for g in arr(&doc, "gathers")? {
        let results = arr(g, "results")?.iter().map(|r| h.outcome(Some(r))).collect::<VmResult<Vec<_>>>()?;
        let children = arr(g, "children")?.iter().map(wait_of).collect::<VmResult<Vec<_>>>()?;
        gathers.insert(
            u64_of(g, "id")? as u32,
            GatherState {
                results,
                remaining: u64_of(g, "remaining")? as u32,
                return_exceptions: g.get("return_exceptions").and_then(Json::as_bool).unwrap_or(false),
                waiter: waiter_of(field(g, "waiter")?)?,
                children,
            },
        );
    }
    let mut signals = Vec::new();
    for s in arr(&doc, "signals")? {
        match s.as_array().map(|a| a.as_slice()) {
            Some([Json::String(n), v]) => signals.push((Arc::from(n.as_str()), h.val(v)?)),
            _ => return Err(bad("signals are [name, value]")),
        }
    }
    let mut gather_outcomes = BTreeMap::new();
    for g in doc.get("gather_outcomes").and_then(Json::as_array).into_iter().flatten() {
        match g.as_array().map(|a| a.as_slice()) {
            Some([id, o]) => {
                let id = id.as_u64().ok_or_else(|| bad("bad gather outcome id"))? as u32;
                if let Some(o) = h.outcome(Some(o))? {
                    gather_outcomes.insert(id, o);
                }
            }
            _ => return Err(bad("gather outcomes are [id, outcome]")),
        }
    }
    let text = |name: &str| doc.get(name).and_then(Json::as_str).map(String::from);
    Ok(RunState {
        seq: u64_of(&doc, "seq")?,
        next_task: u64_of(&doc, "next_task")? as u32,
        next_gather: u64_of(&doc, "next_gather")? as u32,
        tasks,
        ops,
        gathers,
        gather_outcomes,
        signals,
        cancel_requested: doc.get("cancel_requested").and_then(Json::as_bool).unwrap_or(false),
        timed_out: doc.get("timed_out").and_then(Json::as_bool).unwrap_or(false),
        status,
        result: text("result"),
        error: text("error"),
    })
}
