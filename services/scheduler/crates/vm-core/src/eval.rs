//! Expression evaluation. Expressions never suspend (the compiler hoists awaits and helper calls into their own
//! instructions), so evaluation is a plain recursive walk over the IR tree with read access to the frame.
use std::rc::Rc;

use crate::bind::{bind, bind_kwargs, CallArgs};
use crate::exc::{exc, internal, type_error, Flow, R};
use crate::format::{convert, format_value};
use crate::ir::{self, expr::Kind as E, f_string_part, BinOpKind, BoolOpKind, CmpOpKind, UnaryOpKind};
use crate::iter::collect;
use crate::ops::{binop, compare, key, unaryop};
use crate::program::Program;
use crate::state::Frame;
use crate::subscript::{get_item, get_slice, SliceArgs};
use crate::value::{Awaitable, BackoffPolicy, Dict, Func, Policy, PySet, Str, Value};

thread_local! {
    /// Gathers created since the running task last yielded (the interpreter starts them when it does).
    static CREATED_GATHERS: std::cell::RefCell<Vec<crate::value::AwaitRef>> = const { std::cell::RefCell::new(Vec::new()) };
}

pub fn take_created_gathers() -> Vec<crate::value::AwaitRef> {
    CREATED_GATHERS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

pub struct Eval<'a> {
    pub prog: &'a Program,
    pub frame: &'a Frame,
}

/// prost boxes recursive fields; this lets one helper read both `Option<Expr>` and `Option<Box<Expr>>`.
pub trait ExprRef {
    fn get(&self) -> Option<&ir::Expr>;
}
impl ExprRef for Option<ir::Expr> {
    fn get(&self) -> Option<&ir::Expr> {
        self.as_ref()
    }
}
impl ExprRef for Option<Box<ir::Expr>> {
    fn get(&self) -> Option<&ir::Expr> {
        self.as_deref()
    }
}

pub fn need<T: ExprRef + ?Sized>(e: &T) -> R<&ir::Expr> {
    e.get().ok_or_else(|| internal("missing expression"))
}

pub fn unbound(prog: &Program, frame: &Frame, slot: u32) -> Flow {
    let name = prog.function(frame.func).locals.get(slot as usize).cloned().unwrap_or_else(|| format!("#{slot}"));
    exc("UnboundLocalError", format!("cannot access local variable '{name}' where it is not associated with a value"))
}

/// Seconds from an int, float or timedelta (asyncio.sleep, signal timeouts).
pub fn seconds_of(v: &Value, what: &str) -> R<f64> {
    match v {
        Value::TimeDelta(t) => Ok(t.total_seconds()),
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => Ok(crate::ops::to_f64(v)?.unwrap_or(0.0)),
        _ => Err(type_error(format!("{what} must be a number or a timedelta, not '{}'", v.type_name()))),
    }
}

impl<'a> Eval<'a> {
    pub fn new(prog: &'a Program, frame: &'a Frame) -> Eval<'a> {
        Eval { prog, frame }
    }

    pub fn expr(&self, e: &ir::Expr) -> R<Value> {
        let Some(k) = &e.kind else { return Err(internal("empty expression")) };
        match k {
            E::Constant(v) => Ok(self.prog.constant(v)),
            E::Local(s) => match self.frame.locals.get(*s as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => Err(unbound(self.prog, self.frame, *s)),
            },
            E::BinOp(b) => {
                let l = self.expr(need(&b.left)?)?;
                let r = self.expr(need(&b.right)?)?;
                binop(BinOpKind::try_from(b.op).unwrap_or(BinOpKind::Unspecified), &l, &r)
            }
            E::UnaryOp(u) => {
                let v = self.expr(need(&u.operand)?)?;
                unaryop(UnaryOpKind::try_from(u.op).unwrap_or(UnaryOpKind::Unspecified), &v)
            }
            E::BoolOp(b) => {
                let is_and = BoolOpKind::try_from(b.op) == Ok(BoolOpKind::And);
                let mut last = Value::None;
                for (i, x) in b.values.iter().enumerate() {
                    last = self.expr(x)?;
                    if i + 1 < b.values.len() && last.truthy() != is_and {
                        return Ok(last);
                    }
                }
                Ok(last)
            }
            E::Compare(c) => {
                let mut left = self.expr(need(&c.left)?)?;
                let mut result = true;
                for (op, comp) in c.ops.iter().zip(&c.comparators) {
                    let right = self.expr(comp)?;
                    result = compare(CmpOpKind::try_from(*op).unwrap_or(CmpOpKind::Unspecified), &left, &right)?;
                    if !result {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Ok(Value::Bool(result))
            }
            E::IfExp(i) => {
                if self.expr(need(&i.test)?)?.truthy() {
                    self.expr(need(&i.body)?)
                } else {
                    self.expr(need(&i.orelse)?)
                }
            }
            E::Subscript(s) => {
                let v = self.expr(need(&s.value)?)?;
                match &need(&s.index)?.kind {
                    Some(E::Slice(sl)) => get_slice(&v, &self.slice(sl)?),
                    _ => {
                        let i = self.expr(need(&s.index)?)?;
                        if let Value::Class(c) = &v {
                            return crate::classes::class_item(self.prog, *c, &i);
                        }
                        get_item(&v, &i)
                    }
                }
            }
            E::Slice(_) => Err(internal("slice outside a subscript")),
            E::Attribute(a) => {
                let v = self.expr(need(&a.value)?)?;
                crate::classes::get_attr(self.prog, &v, &a.attr)
            }
            E::List(s) => Ok(Value::list(self.items(&s.items)?)),
            E::Tuple(s) => Ok(Value::tuple(self.items(&s.items)?)),
            E::Set(s) => {
                // CPython folds a display of 3+ constants into a frozenset constant (then SET_UPDATE), adds plain
                // items one by one, and merges `*x` with set_update_internal
                if s.items.len() > 2 && s.items.iter().all(|e| matches!(e.kind, Some(E::Constant(_)))) {
                    let keys = self.items(&s.items)?.iter().map(key).collect::<R<Vec<_>>>()?;
                    return Ok(Value::set(PySet::from_constant_display(keys)));
                }
                let mut set = PySet::default();
                for e in &s.items {
                    match &e.kind {
                        Some(E::Starred(st)) => {
                            let v = self.expr(need(&st.value)?)?;
                            crate::methods::with_other(&v, |o| set.update(o))?;
                        }
                        _ => {
                            set.insert(key(&self.expr(e)?)?);
                        }
                    }
                }
                Ok(Value::set(set))
            }
            E::Dict(d) => {
                let mut out = Dict::default();
                for item in &d.items {
                    match &item.key {
                        Some(k) => {
                            let k = self.expr(k)?;
                            let v = self.expr(need(&item.value)?)?;
                            out.insert(key(&k)?, v);
                        }
                        None => {
                            let m = self.expr(need(&item.value)?)?;
                            match &m {
                                Value::Dict(src) => {
                                    for (k, v) in src.borrow().iter() {
                                        out.insert(k.clone(), v.clone());
                                    }
                                }
                                _ => return Err(type_error(format!("'{}' object is not a mapping", m.type_name()))),
                            }
                        }
                    }
                }
                Ok(Value::dict(out))
            }
            E::Fstring(f) => Ok(Value::str(&self.fstring(f)?)),
            E::Builtin(b) => crate::builtins::call(self.prog, &b.name, self.args(&b.args)?),
            E::Method(m) => {
                let recv = self.expr(need(&m.receiver)?)?;
                let args = self.args(&m.args)?;
                crate::methods::call(self.prog, &recv, &m.method, args)
            }
            E::Construct(c) => crate::classes::construct(self.prog, c.class_index, self.args(&c.args)?),
            E::ClassObject(c) => Ok(Value::Class(c.class_index)),
            E::CurrentException(_) => {
                self.frame.handled.last().cloned().ok_or_else(|| exc("RuntimeError", "No active exception"))
            }
            E::Starred(_) => Err(internal("starred expression outside a display or call")),
            E::FunctionRef(f) => Ok(Value::Function(Rc::new(match &f.kind {
                Some(ir::function_ref::Kind::Builtin(n)) => Func::Builtin(Str::from(n.as_str())),
                Some(ir::function_ref::Kind::Method(m)) => {
                    let (t, name) = m.split_once('.').unwrap_or(("", m));
                    Func::Method { type_name: Str::from(t), method: Str::from(name) }
                }
                Some(ir::function_ref::Kind::Function(i)) => Func::Helper { function: *i, this: self.this() },
                None => return Err(internal("empty function reference")),
            }))),
            E::Action(a) => self.action(a),
            E::Sleep(s) => {
                let secs = seconds_of(&self.expr(need(&s.seconds)?)?, "asyncio.sleep() delay")?;
                Ok(Value::awaitable(Awaitable::Sleep { seconds: if secs.is_nan() { 0.0 } else { secs.max(0.0) } }))
            }
            E::Gather(g) => {
                let args = self.args(&g.items)?;
                if let Some((k, _)) = args.kw.first() {
                    return Err(type_error(format!("gather() got an unexpected keyword argument '{k}'")));
                }
                for v in &args.pos {
                    if !matches!(v, Value::Awaitable(_)) {
                        return Err(type_error("An asyncio.Future, a coroutine or an awaitable is required"));
                    }
                }
                let v = Value::awaitable(Awaitable::Gather { items: args.pos, return_exceptions: g.return_exceptions });
                if let Value::Awaitable(cell) = &v {
                    CREATED_GATHERS.with(|c| c.borrow_mut().push(cell.clone()));
                }
                Ok(v)
            }
            E::Signal(s) => {
                let name = match self.expr(need(&s.name)?)? {
                    Value::Str(n) => n,
                    v => return Err(type_error(format!("signal name must be str, not '{}'", v.type_name()))),
                };
                let timeout = match s.timeout.get() {
                    Some(t) => match self.expr(t)? {
                        Value::None => None,
                        v => Some(seconds_of(&v, "timeout")?.max(0.0)),
                    },
                    None => None,
                };
                Ok(Value::awaitable(Awaitable::Signal { name, timeout }))
            }
            E::Child(c) => {
                let w = &self.prog.ir.workflows[c.workflow as usize];
                let args = self.args(&c.args)?;
                let bound = bind_kwargs(&format!("{}.run", w.name), &w.params, args, self.prog)?;
                let workflow_id = match c.workflow_id.get() {
                    Some(e) => match self.expr(e)? {
                        Value::None => None,
                        Value::Str(s) => Some(s),
                        v => return Err(type_error(format!("workflow_id must be str, not '{}'", v.type_name()))),
                    },
                    None => None,
                };
                Ok(Value::awaitable(Awaitable::Child { workflow: c.workflow, args: bound, workflow_id }))
            }
            E::Coroutine(c) => {
                let locals = self.frame_locals(c.function, self.args(&c.args)?)?;
                Ok(Value::awaitable(Awaitable::Coroutine { function: c.function, locals }))
            }
        }
    }

    /// Bind call arguments to a compiled function: the new frame's locals (slot 0 is `self`).
    pub fn frame_locals(&self, function: u32, args: CallArgs) -> R<Vec<Option<Value>>> {
        bind_frame_locals(self.prog, function, self.this(), args)
    }

    /// The workflow instance (`self`, slot 0 of every frame).
    pub fn this(&self) -> Value {
        self_of(self.frame)
    }

    fn action(&self, a: &ir::ActionCall) -> R<Value> {
        let r = &self.prog.ir.actions[a.action as usize];
        let args = self.args(&a.args)?;
        let fname = if r.qualname.is_empty() { r.name.clone() } else { r.qualname.clone() };
        let bound = bind_kwargs(&fname, &r.params, args, self.prog)?;
        let policy = merge_policy(&r.policy, &a.policy);
        Ok(Value::awaitable(Awaitable::Action { action: a.action, args: bound, policy }))
    }

    pub fn slice(&self, s: &ir::Slice) -> R<SliceArgs> {
        let part = |e: &dyn ExprRef| -> R<Option<Value>> {
            match e.get() {
                Some(e) => Ok(Some(self.expr(e)?)),
                None => Ok(None),
            }
        };
        Ok(SliceArgs { lower: part(&s.lower)?, upper: part(&s.upper)?, step: part(&s.step)? })
    }

    /// Display items with `*x` unpacking.
    fn items(&self, items: &[ir::Expr]) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for e in items {
            match &e.kind {
                Some(E::Starred(s)) => out.extend(collect(&self.expr(need(&s.value)?)?)?),
                _ => out.push(self.expr(e)?),
            }
        }
        Ok(out)
    }

    pub fn args(&self, args: &[ir::Arg]) -> R<CallArgs> {
        let mut out = CallArgs::default();
        for a in args {
            let v = self.expr(need(&a.value)?)?;
            if a.star {
                out.pos.extend(collect(&v)?);
            } else if a.double_star {
                let Value::Dict(d) = &v else {
                    return Err(type_error(format!("argument after ** must be a mapping, not {}", v.type_name())));
                };
                for (k, x) in d.borrow().iter() {
                    match &k.value {
                        Value::Str(s) => {
                            if out.kw.iter().any(|(n, _)| n == s) {
                                return Err(type_error(format!("got multiple values for keyword argument '{s}'")));
                            }
                            out.kw.push((s.clone(), x.clone()))
                        }
                        _ => return Err(type_error("keywords must be strings")),
                    }
                }
            } else if !a.keyword.is_empty() {
                out.kw.push((Str::from(a.keyword.as_str()), v));
            } else {
                out.pos.push(v);
            }
        }
        Ok(out)
    }

    pub fn fstring(&self, f: &ir::FString) -> R<String> {
        let mut out = String::new();
        for part in &f.parts {
            match &part.kind {
                Some(f_string_part::Kind::Literal(s)) => out.push_str(s),
                Some(f_string_part::Kind::Formatted(fv)) => {
                    let v = convert(&self.expr(need(&fv.value)?)?, &fv.conversion)?;
                    let spec = match &fv.format_spec {
                        Some(s) => self.fstring(s)?,
                        None => String::new(),
                    };
                    out.push_str(&format_value(&v, &spec)?);
                }
                None => {}
            }
        }
        Ok(out)
    }
}

/// `self` of a frame (slot 0). A frame always has it; a fresh instance stands in if a bad snapshot lost it.
pub fn self_of(frame: &Frame) -> Value {
    match frame.locals.first() {
        // an exception's compiled __init__/__str__ runs with the exception as `self`
        Some(Some(v @ (Value::WorkflowSelf(_) | Value::Exception(_)))) => v.clone(),
        _ => new_instance(""),
    }
}

/// A new workflow instance (`self`) of the class `qualname`, without attributes.
pub fn new_instance(qualname: &str) -> Value {
    Value::WorkflowSelf(Rc::new(std::cell::RefCell::new(crate::value::Object::new(
        Str::from(qualname),
        crate::value::ObjKind::Instance,
        vec![],
    ))))
}

pub fn bind_frame_locals(prog: &Program, function: u32, this: Value, args: CallArgs) -> R<Vec<Option<Value>>> {
    let f = prog.function(function);
    let values = bind(&prog.func_qualname(function), &f.params, args, prog, if f.is_static { 0 } else { 1 })?;
    let mut locals = vec![None; prog.nslots[function as usize]];
    if let Some(s) = locals.first_mut() {
        *s = Some(this);
    }
    for (p, v) in f.params.iter().zip(values) {
        if let Some(slot) = locals.get_mut(p.slot as usize) {
            *slot = Some(v);
        }
    }
    Ok(locals)
}

fn backoff_kind(k: i32) -> &'static str {
    match ir::BackoffKind::try_from(k) {
        Ok(ir::BackoffKind::Fixed) => "fixed",
        Ok(ir::BackoffKind::Exponential) => "exponential",
        _ => "none",
    }
}

/// The per-call override (self.run_action(..., retry=, timeout=)) merged over the decorator's policy.
pub fn merge_policy(base: &Option<ir::ActionPolicy>, call: &Option<ir::ActionPolicy>) -> Policy {
    let retry = call.as_ref().and_then(|p| p.retry.clone()).or_else(|| base.as_ref().and_then(|p| p.retry.clone()));
    let timeout =
        call.as_ref().and_then(|p| p.timeout_seconds).or_else(|| base.as_ref().and_then(|p| p.timeout_seconds));
    let (attempts, backoff, retry_on) = match retry {
        Some(r) => {
            let b = r.backoff.unwrap_or_default();
            (
                r.attempts.max(1),
                BackoffPolicy {
                    kind: backoff_kind(b.kind).into(),
                    initial: b.initial_seconds,
                    factor: b.factor,
                    max: b.max_seconds,
                    jitter: b.jitter,
                },
                r.retry_on,
            )
        }
        None => (1, BackoffPolicy { kind: "none".into(), initial: 0.0, factor: 0.0, max: 0.0, jitter: false }, vec![]),
    };
    Policy { attempts, backoff, retry_on, timeout_seconds: timeout }
}

/// A shared empty tuple is handy for exceptions without args.
pub fn empty_tuple() -> Value {
    Value::Tuple(Rc::from(Vec::<Value>::new()))
}
