//! A small builder for hand-written IR programs, so tests read close to the Python they stand for.
#![allow(dead_code)]
use serde_json::Value as Json;
use vm_core::ir::{self, expr::Kind as E, instr::Op, target::Kind as T};

fn bx(e: ir::Expr) -> Option<Box<ir::Expr>> {
    Some(Box::new(e))
}

pub fn c(json: &str) -> ir::Expr {
    ir::Expr { kind: Some(E::Constant(ir::Value { json: json.into() })) }
}
pub fn int(i: i64) -> ir::Expr {
    c(&i.to_string())
}
pub fn s(text: &str) -> ir::Expr {
    c(&serde_json::to_string(text).unwrap())
}
pub fn none() -> ir::Expr {
    c("null")
}
pub fn local(slot: u32) -> ir::Expr {
    ir::Expr { kind: Some(E::Local(slot)) }
}
pub fn bin(op: ir::BinOpKind, l: ir::Expr, r: ir::Expr) -> ir::Expr {
    ir::Expr { kind: Some(E::BinOp(Box::new(ir::BinOp { op: op as i32, left: bx(l), right: bx(r) }))) }
}
pub fn add(l: ir::Expr, r: ir::Expr) -> ir::Expr {
    bin(ir::BinOpKind::Add, l, r)
}
pub fn unary(op: ir::UnaryOpKind, v: ir::Expr) -> ir::Expr {
    ir::Expr { kind: Some(E::UnaryOp(Box::new(ir::UnaryOp { op: op as i32, operand: bx(v) }))) }
}
pub fn cmp(op: ir::CmpOpKind, l: ir::Expr, r: ir::Expr) -> ir::Expr {
    cmp_chain(l, vec![(op, r)])
}
pub fn cmp_chain(l: ir::Expr, rest: Vec<(ir::CmpOpKind, ir::Expr)>) -> ir::Expr {
    let (ops, comparators): (Vec<i32>, Vec<ir::Expr>) = rest.into_iter().map(|(o, e)| (o as i32, e)).unzip();
    ir::Expr { kind: Some(E::Compare(Box::new(ir::Compare { left: bx(l), ops, comparators }))) }
}
pub fn boolop(and: bool, values: Vec<ir::Expr>) -> ir::Expr {
    let op = if and { ir::BoolOpKind::And } else { ir::BoolOpKind::Or };
    ir::Expr { kind: Some(E::BoolOp(ir::BoolOp { op: op as i32, values })) }
}
pub fn ifexp(t: ir::Expr, b: ir::Expr, o: ir::Expr) -> ir::Expr {
    ir::Expr { kind: Some(E::IfExp(Box::new(ir::IfExp { test: bx(t), body: bx(b), orelse: bx(o) }))) }
}
pub fn sub(v: ir::Expr, i: ir::Expr) -> ir::Expr {
    ir::Expr { kind: Some(E::Subscript(Box::new(ir::Subscript { value: bx(v), index: bx(i) }))) }
}
pub fn slice(lo: Option<ir::Expr>, hi: Option<ir::Expr>, step: Option<ir::Expr>) -> ir::Expr {
    ir::Expr {
        kind: Some(E::Slice(Box::new(ir::Slice {
            lower: lo.map(Box::new),
            upper: hi.map(Box::new),
            step: step.map(Box::new),
        }))),
    }
}
pub fn attr(v: ir::Expr, a: &str) -> ir::Expr {
    ir::Expr { kind: Some(E::Attribute(Box::new(ir::Attribute { value: bx(v), attr: a.into() }))) }
}
pub fn list(items: Vec<ir::Expr>) -> ir::Expr {
    ir::Expr { kind: Some(E::List(ir::Sequence { items })) }
}
pub fn tuple(items: Vec<ir::Expr>) -> ir::Expr {
    ir::Expr { kind: Some(E::Tuple(ir::Sequence { items })) }
}
pub fn set(items: Vec<ir::Expr>) -> ir::Expr {
    ir::Expr { kind: Some(E::Set(ir::Sequence { items })) }
}
pub fn starred(v: ir::Expr) -> ir::Expr {
    ir::Expr { kind: Some(E::Starred(Box::new(ir::Starred { value: bx(v) }))) }
}
pub fn dict(items: Vec<(Option<ir::Expr>, ir::Expr)>) -> ir::Expr {
    let items = items.into_iter().map(|(k, v)| ir::DictItem { key: k, value: Some(v) }).collect();
    ir::Expr { kind: Some(E::Dict(ir::DictDisplay { items })) }
}
pub fn arg(v: ir::Expr) -> ir::Arg {
    ir::Arg { value: Some(v), ..Default::default() }
}
pub fn kwarg(k: &str, v: ir::Expr) -> ir::Arg {
    ir::Arg { value: Some(v), keyword: k.into(), ..Default::default() }
}
pub fn star_arg(v: ir::Expr) -> ir::Arg {
    ir::Arg { value: Some(v), star: true, ..Default::default() }
}
pub fn args(v: Vec<ir::Expr>) -> Vec<ir::Arg> {
    v.into_iter().map(arg).collect()
}
pub fn builtin(name: &str, a: Vec<ir::Expr>) -> ir::Expr {
    builtin_args(name, args(a))
}
pub fn builtin_args(name: &str, args: Vec<ir::Arg>) -> ir::Expr {
    ir::Expr { kind: Some(E::Builtin(ir::BuiltinCall { name: name.into(), args })) }
}
pub fn method(recv: ir::Expr, m: &str, a: Vec<ir::Expr>) -> ir::Expr {
    method_args(recv, m, args(a))
}
pub fn method_args(recv: ir::Expr, m: &str, args: Vec<ir::Arg>) -> ir::Expr {
    ir::Expr { kind: Some(E::Method(Box::new(ir::MethodCall { receiver: bx(recv), method: m.into(), args }))) }
}
pub fn construct(class: u32, args: Vec<ir::Arg>) -> ir::Expr {
    ir::Expr { kind: Some(E::Construct(ir::Construct { class_index: class, args })) }
}
pub fn class_obj(class: u32) -> ir::Expr {
    ir::Expr { kind: Some(E::ClassObject(ir::ClassObject { class_index: class })) }
}
pub fn current_exc() -> ir::Expr {
    ir::Expr { kind: Some(E::CurrentException(ir::CurrentException {})) }
}
pub fn fstring(parts: Vec<ir::FStringPart>) -> ir::Expr {
    ir::Expr { kind: Some(E::Fstring(ir::FString { parts })) }
}
pub fn lit(t: &str) -> ir::FStringPart {
    ir::FStringPart { kind: Some(ir::f_string_part::Kind::Literal(t.into())) }
}
pub fn fmt(v: ir::Expr, conversion: &str, spec: Option<&str>) -> ir::FStringPart {
    ir::FStringPart {
        kind: Some(ir::f_string_part::Kind::Formatted(ir::FormattedValue {
            value: Some(v),
            conversion: conversion.into(),
            format_spec: spec.map(|s| ir::FString { parts: vec![lit(s)] }),
        })),
    }
}
pub fn action(i: u32, a: Vec<ir::Arg>) -> ir::Expr {
    ir::Expr { kind: Some(E::Action(ir::ActionCall { action: i, args: a, policy: None })) }
}
pub fn action_with_policy(i: u32, a: Vec<ir::Arg>, policy: ir::ActionPolicy) -> ir::Expr {
    ir::Expr { kind: Some(E::Action(ir::ActionCall { action: i, args: a, policy: Some(policy) })) }
}
pub fn sleep(secs: ir::Expr) -> ir::Expr {
    ir::Expr { kind: Some(E::Sleep(Box::new(ir::SleepCall { seconds: bx(secs) }))) }
}
pub fn gather(items: Vec<ir::Arg>, return_exceptions: bool) -> ir::Expr {
    ir::Expr { kind: Some(E::Gather(ir::GatherCall { items, return_exceptions })) }
}
pub fn signal(name: &str, timeout: Option<ir::Expr>) -> ir::Expr {
    ir::Expr { kind: Some(E::Signal(Box::new(ir::SignalWait { name: bx(s(name)), timeout: timeout.map(Box::new) }))) }
}
pub fn child(w: u32, a: Vec<ir::Arg>, id: Option<ir::Expr>) -> ir::Expr {
    ir::Expr {
        kind: Some(E::Child(Box::new(ir::ChildWorkflowCall { workflow: w, args: a, workflow_id: id.map(Box::new) }))),
    }
}
pub fn coroutine(f: u32, a: Vec<ir::Arg>) -> ir::Expr {
    ir::Expr { kind: Some(E::Coroutine(ir::CoroutineCall { function: f, args: a })) }
}

// ---- targets and instructions -------------------------------------------------------------------------------------

pub fn slot(s: u32) -> ir::Target {
    ir::Target { kind: Some(T::Slot(s)) }
}
pub fn unpack(items: Vec<ir::Target>, starred: Option<u32>) -> ir::Target {
    ir::Target { kind: Some(T::Unpack(ir::UnpackTarget { items, starred })) }
}
pub fn sub_target(v: ir::Expr, i: ir::Expr) -> ir::Target {
    ir::Target { kind: Some(T::Subscript(ir::SubscriptTarget { value: Some(v), index: Some(i) })) }
}
pub fn attr_target(v: ir::Expr, a: &str) -> ir::Target {
    ir::Target { kind: Some(T::Attribute(ir::AttributeTarget { value: Some(v), attr: a.into() })) }
}

fn i(op: Op) -> ir::Instr {
    ir::Instr { line: 1, col: 0, op: Some(op) }
}
pub fn assign(t: ir::Target, v: ir::Expr) -> ir::Instr {
    i(Op::Assign(ir::Assign { targets: vec![t], value: Some(v) }))
}
pub fn set_local(s: u32, v: ir::Expr) -> ir::Instr {
    assign(slot(s), v)
}
pub fn aug(t: ir::Target, op: ir::BinOpKind, v: ir::Expr) -> ir::Instr {
    i(Op::AugAssign(ir::AugAssign { target: Some(t), op: op as i32, value: Some(v) }))
}
pub fn expr_stmt(v: ir::Expr) -> ir::Instr {
    i(Op::Expr(ir::ExprStmt { value: Some(v) }))
}
pub fn jump(t: u32) -> ir::Instr {
    i(Op::Jump(ir::Jump { target: t }))
}
pub fn branch(c: ir::Expr, t: u32, f: u32) -> ir::Instr {
    i(Op::Branch(ir::Branch { cond: Some(c), if_true: t, if_false: f }))
}
pub fn ret(v: ir::Expr) -> ir::Instr {
    i(Op::Return(ir::Return { value: Some(v) }))
}
pub fn raise(e: Option<ir::Expr>, cause: Option<ir::Expr>) -> ir::Instr {
    i(Op::Raise(ir::Raise { exc: e, cause, cause_is_none: false }))
}
pub fn await_(t: Option<u32>, aw: ir::Expr) -> ir::Instr {
    i(Op::Await(ir::Await { target: t.map(slot), awaitable: Some(aw) }))
}
pub fn call(t: Option<u32>, f: u32, a: Vec<ir::Arg>) -> ir::Instr {
    i(Op::Call(ir::Call { target: t.map(slot), function: f, args: a }))
}
pub fn get_iter(s: u32, v: ir::Expr) -> ir::Instr {
    i(Op::GetIter(ir::GetIter { slot: s, value: Some(v) }))
}
pub fn for_iter(s: u32, t: ir::Target, exit: u32) -> ir::Instr {
    i(Op::ForIter(ir::ForIter { slot: s, target: Some(t), exit }))
}
pub fn enter_handler() -> ir::Instr {
    i(Op::EnterHandler(ir::EnterHandler {}))
}
pub fn exit_handler() -> ir::Instr {
    i(Op::ExitHandler(ir::ExitHandler {}))
}
pub fn exc_match(classes: Vec<ir::Expr>, no_match: u32) -> ir::Instr {
    i(Op::ExcMatch(ir::ExcMatch { classes, no_match }))
}
pub fn delete(t: ir::Target) -> ir::Instr {
    i(Op::Delete(ir::Delete { target: Some(t) }))
}
pub fn nop() -> ir::Instr {
    i(Op::Nop(ir::Nop {}))
}
pub fn handler(start: u32, end: u32, target: u32, depth: u32) -> ir::Handler {
    ir::Handler { start, end, target, depth }
}

// ---- functions and programs ---------------------------------------------------------------------------------------

pub fn param(name: &str, slot: u32, default: Option<&str>) -> ir::Param {
    ir::Param {
        name: name.into(),
        slot,
        kind: ir::ParamKind::PositionalOrKeyword as i32,
        default: default.map(|d| ir::Value { json: d.into() }),
        annotation: String::new(),
    }
}

/// A function whose locals are `self` + `locals`; params are the first `nparams` of them.
pub fn func(name: &str, params: Vec<ir::Param>, locals: &[&str], code: Vec<ir::Instr>) -> ir::Function {
    let mut names = vec!["self".to_string()];
    names.extend(locals.iter().map(|s| s.to_string()));
    ir::Function {
        name: name.into(),
        is_async: true,
        params,
        locals: names,
        code,
        handlers: vec![],
        line: 1,
        is_static: false,
    }
}

pub fn action_ref(name: &str, params: &[&str]) -> ir::ActionRef {
    ir::ActionRef {
        name: name.into(),
        module: "shop".into(),
        qualname: name.into(),
        params: params.iter().enumerate().map(|(i, p)| param(p, i as u32, None)).collect(),
        signature_hash: "h1".into(),
        policy: None,
        at_most_once: false,
        classes: vec![],
    }
}

pub fn exc_class(qualname: &str, mro: &[&str]) -> ir::ClassRef {
    ir::ClassRef {
        qualname: qualname.into(),
        kind: ir::ClassKind::Exception as i32,
        mro: mro.iter().map(|s| s.to_string()).collect(),
        fields: vec![],
        members: vec![],
        ..Default::default()
    }
}

pub fn program(functions: Vec<ir::Function>, actions: Vec<ir::ActionRef>, classes: Vec<ir::ClassRef>) -> ir::Program {
    ir::Program {
        ir_version: 1,
        workflow_name: "Flow".into(),
        module: "shop".into(),
        qualname: "Flow".into(),
        filename: "shop.py".into(),
        functions,
        actions,
        classes,
        workflows: vec![],
        ..Default::default()
    }
}

/// Drives a run through advances, keeping the snapshot like the scheduler does.
pub struct Run {
    pub prog: vm_core::Program,
    pub snapshot: Option<Vec<u8>>,
}

impl Run {
    pub fn new(p: ir::Program) -> Run {
        Run { prog: vm_core::Program::from_ir(p).expect("valid program"), snapshot: None }
    }
    pub fn advance(&mut self, events: &str) -> Json {
        let (snap, fx) = vm_core::advance(&self.prog, self.snapshot.as_deref(), events.as_bytes()).expect("advance");
        self.snapshot = Some(snap);
        serde_json::from_slice(&fx).unwrap()
    }
    pub fn start(&mut self, input: &str) -> Json {
        self.advance(&format!(r#"[{{"kind":"start","input":{input}}}]"#))
    }
}

/// The parsed tagged result of a completed run, or panic with its error.
pub fn result_of(fx: &Json) -> Json {
    assert_eq!(fx["status"], "completed", "effects: {fx}");
    serde_json::from_str(fx["result"].as_str().unwrap()).unwrap()
}

/// (class, message) of a failed run.
pub fn error_of(fx: &Json) -> (String, String) {
    assert_eq!(fx["status"], "failed", "effects: {fx}");
    let e: Json = serde_json::from_str(fx["error"].as_str().unwrap()).unwrap();
    (e["$exception"]["class"].as_str().unwrap().to_string(), e["$exception"]["message"].as_str().unwrap().to_string())
}

/// Run `return <expr>` in a fresh program (with `n` spare locals) and give back the effects.
pub fn eval_fx(e: ir::Expr) -> Json {
    let mut r = Run::new(program(vec![func("run", vec![], &["a", "b", "c"], vec![ret(e)])], vec![], vec![]));
    r.start("{}")
}

pub fn eval_ok(e: ir::Expr) -> Json {
    result_of(&eval_fx(e))
}

pub fn eval_err(e: ir::Expr) -> (String, String) {
    error_of(&eval_fx(e))
}

/// Run a body of instructions (locals a, b, c, d, e at slots 1..=5) and return the result.
pub fn body_fx(code: Vec<ir::Instr>) -> Json {
    let mut r = Run::new(program(vec![func("run", vec![], &["a", "b", "c", "d", "e"], code)], vec![], vec![]));
    r.start("{}")
}
