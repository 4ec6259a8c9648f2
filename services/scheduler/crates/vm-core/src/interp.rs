//! The interpreter: runs tasks instruction by instruction until every task is blocked on an operation (or the
//! run ends), starts operations (emitting effects), and applies events to resume tasks.
//!
//! Scheduling is deterministic: ready tasks run in FIFO order, events are applied in the order given, and after
//! each event every task it made ready runs until it blocks again.
use std::collections::VecDeque;

use crate::bind::CallArgs;
use crate::classes::exception_matches;
use crate::codec::encode_text;
use crate::effects::{ActionEffect, ChildEffect, Effects, SignalEffect, TimerEffect};
use crate::error::{VmError, VmResult};
use crate::eval::{bind_frame_locals, need, Eval};
use crate::events::{Event, OutcomeKind};
use crate::exc::{exc, internal, new_builtin, type_error, Flow, R};
use crate::ir::{self, instr::Op, target::Kind as T, BinOpKind};
use crate::iter::{collect, make_iter, next};
use crate::ops::inplace;
use crate::program::Program;
use crate::state::{Frame, GatherState, OpKind, Outcome, PendingOp, RunState, RunStatus, Task, Wait, Waiter};
use crate::subscript::{del_item, del_slice, get_item, set_item, set_slice};
use crate::value::{Awaitable, Value};

const MAX_FRAMES: usize = 1000;
/// Instructions one advance may execute before the run fails: an endless loop without an await must not hang
/// the scheduler forever.
pub const MAX_STEPS_PER_ADVANCE: u64 = 50_000_000;

enum Step {
    Continue,
    Block,
    Done(Outcome),
}

pub struct Vm<'p> {
    pub prog: &'p Program,
    pub st: RunState,
    pub fx: Effects,
    ready: VecDeque<u32>,
    running: Option<u32>,
    running_resume: Option<Outcome>,
    steps: u64,
}

fn ins<'a>(prog: &'a Program, f: &Frame) -> Option<&'a ir::Instr> {
    prog.function(f.func).code.get(f.pc as usize)
}

impl<'p> Vm<'p> {
    pub fn new(prog: &'p Program, st: RunState) -> Vm<'p> {
        Vm { prog, st, fx: Effects::default(), ready: VecDeque::new(), running: None, running_resume: None, steps: 0 }
    }

    // ---- events ---------------------------------------------------------------------------------------------------

    pub fn apply(&mut self, ev: Event) -> VmResult<()> {
        if self.st.is_terminal() {
            return Ok(());
        }
        match ev {
            Event::Start { input } => {
                if self.st.tasks.contains_key(&0) || self.st.seq > 0 {
                    return Ok(()); // a duplicate start
                }
                let this = crate::eval::new_instance(&format!("{}.{}", self.prog.ir.module, self.prog.ir.qualname));
                match crate::bind::bind_run_input(self.prog, this, input) {
                    Ok(locals) => {
                        let frame = Frame { func: 0, pc: 0, locals, handled: vec![], pending: None };
                        self.st
                            .tasks
                            .insert(0, Task { frames: vec![frame], waiter: None, waiting: None, resume: None });
                        self.ready.push_back(0);
                    }
                    Err(Flow::Raise(e)) => self.finish_run(Outcome::Err(e)),
                    Err(Flow::Internal(e)) => return Err(e),
                }
            }
            Event::Outcome { kind, seq, ok, value } => {
                let want = if kind == OutcomeKind::Action { OpKind::Action } else { OpKind::Child };
                if self.st.ops.get(&seq).is_some_and(|o| o.kind == want) {
                    if let Some(op) = self.st.ops.remove(&seq) {
                        self.complete(op.waiter, if ok { Outcome::Ok(value) } else { Outcome::Err(value) });
                    }
                }
            }
            Event::Timer { seq } => {
                if let Some(op) = self.st.ops.get(&seq) {
                    let outcome = match &op.kind {
                        OpKind::Timer => Some(Outcome::Ok(Value::None)),
                        OpKind::Signal { name } => Some(Outcome::Err(new_builtin(
                            "TimeoutError",
                            vec![Value::str(&format!("no signal {} received in time", crate::repr::str_repr(name)))],
                        ))),
                        _ => None,
                    };
                    if let Some(o) = outcome {
                        if let Some(op) = self.st.ops.remove(&seq) {
                            self.complete(op.waiter, o);
                        }
                    }
                }
            }
            Event::Signal { name, value } => {
                let waiting = self
                    .st
                    .ops
                    .iter()
                    .find(|(_, o)| matches!(&o.kind, OpKind::Signal { name: n } if *n == name))
                    .map(|(s, _)| *s);
                match waiting {
                    Some(seq) => {
                        if let Some(op) = self.st.ops.remove(&seq) {
                            // its timeout timer (same seq) may still fire: it is ignored as an unknown seq
                            self.fx.cancel.push(seq);
                            self.complete(op.waiter, Outcome::Ok(value));
                        }
                    }
                    None => self.st.signals.push((name, value)),
                }
            }
            Event::Cancel => {
                if !self.st.cancel_requested && self.st.tasks.contains_key(&0) {
                    self.st.cancel_requested = true;
                    self.cancel_task(0);
                }
            }
            // The workflow's timeout: cancels like `cancel` (finally blocks run), and a run that lets the
            // CancelledError through ends `timed_out`. Whichever of cancel and timeout comes first decides.
            Event::Timeout => {
                if !self.st.cancel_requested && self.st.tasks.contains_key(&0) {
                    self.st.cancel_requested = true;
                    self.st.timed_out = true;
                    self.cancel_task(0);
                }
            }
        }
        self.run_ready()
    }

    // ---- scheduling -----------------------------------------------------------------------------------------------

    pub fn run_ready(&mut self) -> VmResult<()> {
        while let Some(tid) = self.ready.pop_front() {
            if self.st.is_terminal() {
                self.ready.clear();
                break;
            }
            self.run_task(tid)?;
        }
        Ok(())
    }

    /// Deliver an outcome to whoever waits for it.
    fn complete(&mut self, waiter: Waiter, outcome: Outcome) {
        match waiter {
            Waiter::Task(t) => {
                if self.running == Some(t) {
                    self.running_resume = Some(outcome);
                } else if let Some(task) = self.st.tasks.get_mut(&t) {
                    task.resume = Some(outcome);
                    task.waiting = None;
                    self.ready.push_back(t);
                }
            }
            Waiter::Detached(g) => {
                self.st.gather_outcomes.insert(g, outcome);
            }
            Waiter::Gather { gather, slot } => {
                let Some(g) = self.st.gathers.get_mut(&gather) else { return }; // already resolved: ignore
                if let Some(c) = g.children.get_mut(slot as usize) {
                    *c = Wait::Done;
                }
                match outcome {
                    Outcome::Err(e) if !g.return_exceptions => {
                        // first failure wins; siblings keep running, their outcomes are ignored
                        let waiter = g.waiter;
                        self.st.gathers.remove(&gather);
                        self.complete(waiter, Outcome::Err(e));
                    }
                    o => {
                        let v = match o {
                            Outcome::Ok(v) | Outcome::Err(v) => v,
                        };
                        if let Some(r) = g.results.get_mut(slot as usize) {
                            if r.is_none() {
                                *r = Some(Outcome::Ok(v));
                                g.remaining = g.remaining.saturating_sub(1);
                            }
                        }
                        if g.remaining == 0 {
                            let waiter = g.waiter;
                            let results = g
                                .results
                                .iter()
                                .map(|r| match r {
                                    Some(Outcome::Ok(v) | Outcome::Err(v)) => v.clone(),
                                    None => Value::None,
                                })
                                .collect();
                            self.st.gathers.remove(&gather);
                            self.complete(waiter, Outcome::Ok(Value::list(results)));
                        }
                    }
                }
            }
        }
    }

    fn finish_run(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok(v) => match encode_text(&v) {
                Ok(text) => {
                    self.st.status = RunStatus::Completed;
                    self.st.result = Some(text);
                }
                Err(e) => {
                    let err = new_builtin("TypeError", vec![Value::str(&e.message("the return value of run()"))]);
                    self.finish_run(Outcome::Err(err));
                    return;
                }
            },
            Outcome::Err(e) => {
                let cancelled = matches!(&e, Value::Exception(x)
                    if x.borrow().is_instance_of("asyncio.exceptions.CancelledError"));
                self.st.status = match (cancelled && self.st.cancel_requested, self.st.timed_out) {
                    (true, true) => RunStatus::TimedOut,
                    (true, false) => RunStatus::Cancelled,
                    _ => RunStatus::Failed,
                };
                self.st.error = Some(match encode_text(&e) {
                    Ok(t) => t,
                    Err(x) => {
                        // an exception whose args cannot be encoded: keep its class and message
                        let msg = match &e {
                            Value::Exception(ex) => crate::repr::exc_value_str(ex),
                            _ => x.message("the exception"),
                        };
                        let mut plain = match &e {
                            Value::Exception(ex) => ex.borrow().clone(),
                            _ => return,
                        };
                        plain.args = vec![Value::str(&msg)];
                        plain.cause = None;
                        encode_text(&Value::exception(plain)).unwrap_or_default()
                    }
                });
            }
        }
        // the run is over: nothing else is live
        self.st.tasks.clear();
        self.st.ops.clear();
        self.st.gathers.clear();
        self.st.signals.clear();
    }

    fn cancel_task(&mut self, tid: u32) {
        let Some(task) = self.st.tasks.get_mut(&tid) else { return };
        let waiting = task.waiting.take();
        if let Some(w) = waiting {
            self.cancel_wait(w);
        }
        let cancelled = new_builtin("CancelledError", vec![]);
        if let Some(task) = self.st.tasks.get_mut(&tid) {
            task.resume = Some(Outcome::Err(cancelled));
            if !self.ready.contains(&tid) {
                self.ready.push_back(tid);
            }
        }
    }

    fn cancel_wait(&mut self, w: Wait) {
        match w {
            Wait::Op(seq) => {
                if self.st.ops.remove(&seq).is_some() {
                    self.fx.cancel.push(seq);
                }
            }
            Wait::Task(t) => self.cancel_task(t),
            Wait::Gather(g) => {
                if let Some(gs) = self.st.gathers.remove(&g) {
                    for c in gs.children {
                        self.cancel_wait(c);
                    }
                }
            }
            Wait::Done => {}
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.st.seq += 1;
        self.st.seq
    }

    /// Start an awaitable for `waiter`. Coroutines become new tasks (the direct-await case pushes a frame
    /// instead, in exec_await).
    fn start(&mut self, aw: &Value, waiter: Waiter) -> R<Wait> {
        let Value::Awaitable(cell) = aw else {
            return Err(type_error(format!("object {} can't be used in 'await' expression", aw.type_name())));
        };
        let started_gather = cell.borrow().gather;
        if let Some(gid) = started_gather {
            // a gather started when it was created: attach to it, or take its outcome
            if let Some(g) = self.st.gathers.get_mut(&gid) {
                g.waiter = waiter;
                return Ok(Wait::Gather(gid));
            }
            return match self.st.gather_outcomes.get(&gid).cloned() {
                Some(o) => {
                    self.complete(waiter, o);
                    Ok(Wait::Done)
                }
                None => Err(exc("RuntimeError", "await wasn't used with future")),
            };
        }
        let kind = {
            let mut a = cell.borrow_mut();
            if a.used && !matches!(a.kind, Awaitable::Gather { .. }) {
                return Err(exc("RuntimeError", "cannot reuse already awaited coroutine"));
            }
            a.used = true;
            a.kind.clone()
        };
        match kind {
            Awaitable::Action { action, args, policy } => {
                let r = &self.prog.ir.actions[action as usize];
                let args_text = encode_text(&args).map_err(|e| type_error(e.message(&format!("{}() args", r.name))))?;
                let seq = self.next_seq();
                let policy_text = serde_json::to_string(&policy).unwrap_or_default();
                self.fx.actions.push(ActionEffect {
                    seq,
                    action: r.name.clone(),
                    key: format!("{}@{}", r.name, r.signature_hash),
                    args: args_text,
                    max_attempts: policy.attempts,
                    policy: policy_text,
                    timeout_seconds: policy.timeout_seconds,
                    at_most_once: r.at_most_once,
                });
                self.st.ops.insert(seq, PendingOp { kind: OpKind::Action, waiter });
                Ok(Wait::Op(seq))
            }
            Awaitable::Sleep { seconds } => {
                let seq = self.next_seq();
                self.fx.timers.push(TimerEffect { seq, kind: "sleep", seconds });
                self.st.ops.insert(seq, PendingOp { kind: OpKind::Timer, waiter });
                Ok(Wait::Op(seq))
            }
            Awaitable::Signal { name, timeout } => {
                if let Some(i) = self.st.signals.iter().position(|(n, _)| *n == name) {
                    let (_, v) = self.st.signals.remove(i);
                    self.complete(waiter, Outcome::Ok(v));
                    return Ok(Wait::Done);
                }
                let seq = self.next_seq();
                self.fx.signals.push(SignalEffect { seq, name: name.to_string(), timeout_seconds: timeout });
                if let Some(t) = timeout {
                    self.fx.timers.push(TimerEffect { seq, kind: "signal_timeout", seconds: t });
                }
                self.st.ops.insert(seq, PendingOp { kind: OpKind::Signal { name }, waiter });
                Ok(Wait::Op(seq))
            }
            Awaitable::Child { workflow, args, workflow_id } => {
                let w = &self.prog.ir.workflows[workflow as usize];
                let args_text =
                    encode_text(&args).map_err(|e| type_error(e.message(&format!("{}.run() args", w.name))))?;
                let seq = self.next_seq();
                self.fx.children.push(ChildEffect {
                    seq,
                    workflow: w.name.clone(),
                    args: args_text,
                    workflow_id: workflow_id.map(|s| s.to_string()),
                });
                self.st.ops.insert(seq, PendingOp { kind: OpKind::Child, waiter });
                Ok(Wait::Op(seq))
            }
            Awaitable::Coroutine { function, locals } => {
                let tid = self.st.next_task;
                self.st.next_task += 1;
                let frame = Frame { func: function, pc: 0, locals, handled: vec![], pending: None };
                self.st
                    .tasks
                    .insert(tid, Task { frames: vec![frame], waiter: Some(waiter), waiting: None, resume: None });
                self.ready.push_back(tid);
                Ok(Wait::Task(tid))
            }
            Awaitable::Gather { items, return_exceptions } => {
                let gid = self.st.next_gather;
                self.st.next_gather += 1;
                cell.borrow_mut().gather = Some(gid);
                let n = items.len();
                if n == 0 {
                    if let Waiter::Detached(_) = waiter {
                        self.st.gather_outcomes.insert(gid, Outcome::Ok(Value::list(vec![])));
                    } else {
                        self.complete(waiter, Outcome::Ok(Value::list(vec![])));
                    }
                    return Ok(Wait::Done);
                }
                self.st.gathers.insert(
                    gid,
                    GatherState {
                        results: vec![None; n],
                        remaining: n as u32,
                        return_exceptions,
                        waiter,
                        children: vec![Wait::Done; n],
                    },
                );
                for (i, item) in items.iter().enumerate() {
                    let w = self.start(item, Waiter::Gather { gather: gid, slot: i as u32 });
                    match w {
                        Ok(w) => {
                            if let Some(g) = self.st.gathers.get_mut(&gid) {
                                if let Some(c) = g.children.get_mut(i) {
                                    if g.results[i].is_none() {
                                        *c = w;
                                    }
                                }
                            }
                        }
                        // an arm that cannot even start fails like a coroutine raising at once
                        Err(Flow::Raise(e)) => {
                            self.complete(Waiter::Gather { gather: gid, slot: i as u32 }, Outcome::Err(e))
                        }
                        Err(f) => return Err(f),
                    }
                }
                Ok(if self.st.gathers.contains_key(&gid) { Wait::Gather(gid) } else { Wait::Done })
            }
        }
    }

    // ---- running one task -----------------------------------------------------------------------------------------

    fn run_task(&mut self, tid: u32) -> VmResult<()> {
        let Some(mut task) = self.st.tasks.remove(&tid) else { return Ok(()) };
        self.running = Some(tid);
        let mut resume = task.resume.take();
        let result = loop {
            let r = match resume.take() {
                Some(o) => self.apply_resume(&mut task, o),
                None => {
                    self.steps += 1;
                    if self.steps > MAX_STEPS_PER_ADVANCE {
                        Err(exc("RuntimeError", "the workflow ran too long without awaiting (endless loop?)"))
                    } else {
                        self.step(&mut task, tid)
                    }
                }
            };
            match r {
                Ok(Step::Continue) => {}
                Ok(Step::Block) => {
                    if let Some(o) = self.running_resume.take() {
                        task.waiting = None;
                        resume = Some(o);
                        continue;
                    }
                    self.st.tasks.insert(tid, task);
                    break self.start_created_gathers();
                }
                Ok(Step::Done(o)) => break self.task_done(tid, task, o),
                Err(Flow::Raise(e)) => {
                    self.set_context(&task, &e);
                    if let Some(o) = self.unwind(&mut task, e) {
                        break self.task_done(tid, task, o);
                    }
                }
                Err(Flow::Internal(e)) => break Err(e),
            }
        };
        self.running = None;
        result
    }

    /// CPython's gather() wraps its arms in tasks at once: they start when the creating task next yields. A
    /// gather that was awaited right away is already started (its awaitable is used); the others start detached.
    fn start_created_gathers(&mut self) -> VmResult<()> {
        for cell in crate::eval::take_created_gathers() {
            let fresh = {
                let c = cell.borrow();
                !c.used && c.gather.is_none()
            };
            if fresh {
                let gid = self.st.next_gather;
                match self.start(&Value::Awaitable(cell), Waiter::Detached(gid)) {
                    Ok(_) => {}
                    Err(Flow::Raise(e)) => {
                        self.st.gather_outcomes.insert(gid, Outcome::Err(e));
                    }
                    Err(Flow::Internal(e)) => return Err(e),
                }
            }
        }
        Ok(())
    }

    fn task_done(&mut self, tid: u32, task: Task, o: Outcome) -> VmResult<()> {
        self.running = None;
        if task.waiter.is_some() {
            self.start_created_gathers()?;
        } else {
            let _ = crate::eval::take_created_gathers(); // the run ends: nothing more starts
        }
        match task.waiter {
            None if tid == 0 => self.finish_run(o),
            None => {}
            Some(w) => self.complete(w, o),
        }
        Ok(())
    }

    /// CPython's implicit chaining: an exception raised while another is being handled gets it as __context__.
    fn set_context(&self, task: &Task, e: &Value) {
        let Value::Exception(new) = e else { return };
        if new.borrow().context.is_some() {
            return;
        }
        let handled = task.frames.iter().rev().find_map(|f| f.handled.last());
        if let Some(h @ Value::Exception(hx)) = handled {
            if std::rc::Rc::ptr_eq(new, hx) {
                return;
            }
            // avoid a cycle: if `new` is already in h's context chain, cut it there (as CPython does)
            let mut cur = h.clone();
            for _ in 0..100 {
                let next = match &cur {
                    Value::Exception(c) => c.borrow().context.clone(),
                    _ => None,
                };
                match next {
                    Some(Value::Exception(n)) if std::rc::Rc::ptr_eq(&n, new) => {
                        if let Value::Exception(c) = &cur {
                            c.borrow_mut().context = None;
                        }
                        break;
                    }
                    Some(n) => cur = n,
                    None => break,
                }
            }
            new.borrow_mut().context = Some(h.clone());
        }
    }

    /// Route an exception to the innermost handler covering pc, popping frames that have none.
    /// Returns the task's outcome when no frame handles it.
    fn unwind(&self, task: &mut Task, e: Value) -> Option<Outcome> {
        loop {
            let Some(frame) = task.frames.last_mut() else { return Some(Outcome::Err(e)) };
            let f = self.prog.function(frame.func);
            if let Some(h) = f.handlers.iter().find(|h| h.start <= frame.pc && frame.pc < h.end) {
                frame.handled.truncate(h.depth as usize);
                frame.pending = Some(e);
                frame.pc = h.target;
                return None;
            }
            task.frames.pop();
        }
    }

    /// Apply an awaited outcome at the Await the top frame is suspended on.
    fn apply_resume(&mut self, task: &mut Task, o: Outcome) -> R<Step> {
        match o {
            Outcome::Err(e) => Err(Flow::Raise(e)),
            Outcome::Ok(v) => {
                let frame = task.frames.last_mut().ok_or_else(|| internal("resume without a frame"))?;
                let target = match ins(self.prog, frame).and_then(|i| i.op.as_ref()) {
                    Some(Op::Await(a)) => a.target.as_ref(),
                    Some(Op::Call(c)) => c.target.as_ref(),
                    _ => return Err(internal("resumed a frame that is not at an await")),
                };
                if let Some(t) = target {
                    assign(self.prog, frame, t, v)?;
                }
                frame.pc += 1;
                Ok(Step::Continue)
            }
        }
    }

    fn push_frame(&self, task: &mut Task, func: u32, locals: Vec<Option<Value>>) -> R<Step> {
        if task.frames.len() >= MAX_FRAMES {
            return Err(exc("RecursionError", "maximum recursion depth exceeded"));
        }
        task.frames.push(Frame { func, pc: 0, locals, handled: vec![], pending: None });
        Ok(Step::Continue)
    }

    fn do_return(&self, task: &mut Task, v: Value) -> R<Step> {
        task.frames.pop();
        if task.frames.is_empty() {
            return Ok(Step::Done(Outcome::Ok(v)));
        }
        self.resume_caller(task, v)
    }

    fn resume_caller(&self, task: &mut Task, v: Value) -> R<Step> {
        let frame = task.frames.last_mut().ok_or_else(|| internal("no caller frame"))?;
        let target = match ins(self.prog, frame).and_then(|i| i.op.as_ref()) {
            Some(Op::Await(a)) => a.target.as_ref(),
            Some(Op::Call(c)) => c.target.as_ref(),
            _ => return Err(internal("returned into a frame that is not at a call")),
        };
        if let Some(t) = target {
            assign(self.prog, frame, t, v)?;
        }
        frame.pc += 1;
        Ok(Step::Continue)
    }

    fn step(&mut self, task: &mut Task, tid: u32) -> R<Step> {
        let prog = self.prog;
        let frame = task.frames.last_mut().ok_or_else(|| internal("task without frames"))?;
        let Some(instr) = ins(prog, frame) else {
            // falling off the end: return None
            return self.do_return(task, Value::None);
        };
        let Some(op) = &instr.op else { return Err(internal("empty instruction")) };
        match op {
            Op::Assign(a) => {
                let v = Eval::new(prog, frame).expr(need(&a.value)?)?;
                for t in &a.targets {
                    assign(prog, frame, t, v.clone())?;
                }
                frame.pc += 1;
            }
            Op::AugAssign(a) => {
                aug_assign(prog, frame, a)?;
                frame.pc += 1;
            }
            Op::Expr(e) => {
                Eval::new(prog, frame).expr(need(&e.value)?)?;
                frame.pc += 1;
            }
            Op::Jump(j) => frame.pc = j.target,
            Op::Branch(b) => {
                let c = Eval::new(prog, frame).expr(need(&b.cond)?)?;
                frame.pc = if c.truthy() { b.if_true } else { b.if_false };
            }
            Op::Return(r) => {
                let v = match &r.value {
                    Some(e) => Eval::new(prog, frame).expr(e)?,
                    None => Value::None,
                };
                return self.do_return(task, v);
            }
            Op::Raise(r) => return Err(self.raise(frame, r)),
            Op::Await(a) => {
                let aw = Eval::new(prog, frame).expr(need(&a.awaitable)?)?;
                if let Value::Awaitable(cell) = &aw {
                    let coroutine = {
                        let mut c = cell.borrow_mut();
                        match &c.kind {
                            Awaitable::Coroutine { function, locals } if !c.used => {
                                let r = Some((*function, locals.clone()));
                                c.used = true;
                                r
                            }
                            _ => None,
                        }
                    };
                    if let Some((function, locals)) = coroutine {
                        return self.push_frame(task, function, locals);
                    }
                }
                let w = self.start(&aw, Waiter::Task(tid))?;
                task.waiting = Some(w);
                return Ok(Step::Block);
            }
            Op::Call(c) => {
                let ev = Eval::new(prog, frame);
                let args = ev.args(&c.args)?;
                let locals = bind_frame_locals(prog, c.function, ev.this(), args)?;
                return self.push_frame(task, c.function, locals);
            }
            Op::GetIter(g) => {
                let v = Eval::new(prog, frame).expr(need(&g.value)?)?;
                let v = match &v {
                    Value::Class(c) => crate::classes::enum_members(prog, *c).unwrap_or(v),
                    _ => v,
                };
                let it = make_iter(&v)?;
                set_slot(frame, g.slot, it)?;
                frame.pc += 1;
            }
            Op::ForIter(fi) => {
                let it = frame
                    .locals
                    .get(fi.slot as usize)
                    .cloned()
                    .flatten()
                    .ok_or_else(|| internal("ForIter on an empty slot"))?;
                match next(&it)? {
                    Some(v) => {
                        let t = fi.target.as_ref().ok_or_else(|| internal("ForIter without target"))?;
                        assign(prog, frame, t, v)?;
                        frame.pc += 1;
                    }
                    None => frame.pc = fi.exit,
                }
            }
            Op::EnterHandler(_) => {
                let e = frame.pending.take().ok_or_else(|| internal("EnterHandler without a pending exception"))?;
                frame.handled.push(e);
                frame.pc += 1;
            }
            Op::ExitHandler(_) => {
                frame.handled.pop();
                frame.pc += 1;
            }
            Op::ExcMatch(m) => {
                let top =
                    frame.handled.last().cloned().ok_or_else(|| internal("ExcMatch without a handled exception"))?;
                let mut matched = false;
                for c in &m.classes {
                    let cls = Eval::new(prog, frame).expr(c)?;
                    if exception_matches(prog, &top, &cls)? {
                        matched = true;
                        break;
                    }
                }
                frame.pc = if matched { frame.pc + 1 } else { m.no_match };
            }
            Op::Delete(d) => {
                delete(prog, frame, d.target.as_ref().ok_or_else(|| internal("Delete without target"))?)?;
                frame.pc += 1;
            }
            Op::Nop(_) => frame.pc += 1,
        }
        Ok(Step::Continue)
    }

    fn raise(&self, frame: &Frame, r: &ir::Raise) -> Flow {
        let ev = Eval::new(self.prog, frame);
        let Some(e) = &r.exc else {
            // bare raise: the exception being handled
            return match frame.handled.last().or(frame.pending.as_ref()) {
                Some(e) => Flow::Raise(e.clone()),
                None => exc("RuntimeError", "No active exception to reraise"),
            };
        };
        let make = |v: Value, what: &str| -> R<Value> {
            match v {
                Value::Exception(_) => Ok(v),
                Value::Class(i) => {
                    let c = &self.prog.ir.classes[i as usize];
                    if crate::classes::kind(c) == ir::ClassKind::Exception
                        || c.mro.iter().any(|m| m == "builtins.BaseException")
                    {
                        crate::classes::construct(self.prog, i, CallArgs::default())
                    } else {
                        Err(type_error(what.to_string()))
                    }
                }
                _ => Err(type_error(what.to_string())),
            }
        };
        let exc_v = match ev.expr(e).and_then(|v| make(v, "exceptions must derive from BaseException")) {
            Ok(v) => v,
            Err(f) => return f,
        };
        if r.cause_is_none || r.cause.is_some() {
            let cause = match &r.cause {
                Some(c) if !r.cause_is_none => match ev.expr(c) {
                    Ok(Value::None) => None,
                    Ok(v) => match make(v, "exception causes must derive from BaseException") {
                        Ok(v) => Some(v),
                        Err(f) => return f,
                    },
                    Err(f) => return f,
                },
                _ => None,
            };
            if let Value::Exception(x) = &exc_v {
                let mut x = x.borrow_mut();
                x.cause = cause;
                x.suppress_context = true;
            }
        }
        Flow::Raise(exc_v)
    }
}

fn set_slot(frame: &mut Frame, slot: u32, v: Value) -> R<()> {
    let s = slot as usize;
    if s >= frame.locals.len() {
        frame.locals.resize(s + 1, None);
    }
    frame.locals[s] = Some(v);
    Ok(())
}

/// Store `v` into an assignment target (slot, unpacking, subscript, attribute).
pub fn assign(prog: &Program, frame: &mut Frame, t: &ir::Target, v: Value) -> R<()> {
    match &t.kind {
        Some(T::Slot(s)) => set_slot(frame, *s, v),
        Some(T::Unpack(u)) => {
            let items = match &v {
                Value::List(_)
                | Value::Tuple(_)
                | Value::Str(_)
                | Value::Dict(_)
                | Value::Set(_)
                | Value::FrozenSet(_)
                | Value::Range(_)
                | Value::View(_)
                | Value::Iter(_)
                | Value::Bytes(_) => collect(&v)?,
                _ => {
                    return Err(type_error(format!("cannot unpack non-iterable {} object", v.type_name())));
                }
            };
            let n = u.items.len();
            match u.starred {
                None => {
                    if items.len() > n {
                        return Err(crate::exc::value_error(format!("too many values to unpack (expected {n})")));
                    }
                    if items.len() < n {
                        return Err(crate::exc::value_error(format!(
                            "not enough values to unpack (expected {n}, got {})",
                            items.len()
                        )));
                    }
                    for (t, x) in u.items.iter().zip(items) {
                        assign(prog, frame, t, x)?;
                    }
                }
                Some(star) => {
                    let star = star as usize;
                    let after = n - star - 1;
                    if items.len() < n - 1 {
                        return Err(crate::exc::value_error(format!(
                            "not enough values to unpack (expected at least {}, got {})",
                            n - 1,
                            items.len()
                        )));
                    }
                    let mut items = items;
                    let tail = items.split_off(items.len() - after);
                    let middle = items.split_off(star);
                    for (t, x) in u.items[..star].iter().zip(items) {
                        assign(prog, frame, t, x)?;
                    }
                    assign(prog, frame, &u.items[star], Value::list(middle))?;
                    for (t, x) in u.items[star + 1..].iter().zip(tail) {
                        assign(prog, frame, t, x)?;
                    }
                }
            }
            Ok(())
        }
        Some(T::Subscript(s)) => {
            let ev = Eval::new(prog, frame);
            let container = ev.expr(need(&s.value)?)?;
            match &need(&s.index)?.kind {
                Some(ir::expr::Kind::Slice(sl)) => {
                    let sl = ev.slice(sl)?;
                    set_slice(&container, &sl, v)
                }
                _ => {
                    let i = ev.expr(need(&s.index)?)?;
                    set_item(&container, &i, v)
                }
            }
        }
        Some(T::Attribute(a)) => {
            let obj = Eval::new(prog, frame).expr(need(&a.value)?)?;
            crate::classes::set_attr(prog, &obj, &a.attr, v)
        }
        None => Err(internal("empty target")),
    }
}

fn aug_assign(prog: &Program, frame: &mut Frame, a: &ir::AugAssign) -> R<()> {
    let op = BinOpKind::try_from(a.op).unwrap_or(BinOpKind::Unspecified);
    let t = a.target.as_ref().ok_or_else(|| internal("AugAssign without target"))?;
    match &t.kind {
        Some(T::Slot(s)) => {
            let cur = match frame.locals.get(*s as usize) {
                Some(Some(v)) => v.clone(),
                _ => return Err(crate::eval::unbound(prog, frame, *s)),
            };
            let rhs = Eval::new(prog, frame).expr(need(&a.value)?)?;
            let new = inplace(op, &cur, &rhs)?;
            set_slot(frame, *s, new)
        }
        Some(T::Subscript(s)) => {
            let ev = Eval::new(prog, frame);
            let container = ev.expr(need(&s.value)?)?;
            let idx = ev.expr(need(&s.index)?)?;
            let cur = get_item(&container, &idx)?;
            let rhs = ev.expr(need(&a.value)?)?;
            let new = inplace(op, &cur, &rhs)?;
            set_item(&container, &idx, new)
        }
        Some(T::Attribute(at)) => {
            let ev = Eval::new(prog, frame);
            let obj = ev.expr(need(&at.value)?)?;
            let cur = crate::classes::get_attr(prog, &obj, &at.attr)?;
            let rhs = ev.expr(need(&a.value)?)?;
            let new = inplace(op, &cur, &rhs)?;
            crate::classes::set_attr(prog, &obj, &at.attr, new)
        }
        _ => Err(internal("AugAssign to an unpack target")),
    }
}

fn delete(prog: &Program, frame: &mut Frame, t: &ir::Target) -> R<()> {
    match &t.kind {
        Some(T::Slot(s)) => match frame.locals.get_mut(*s as usize) {
            Some(slot @ Some(_)) => {
                *slot = None;
                Ok(())
            }
            _ => Err(crate::eval::unbound(prog, frame, *s)),
        },
        Some(T::Unpack(u)) => {
            for item in &u.items {
                delete(prog, frame, item)?;
            }
            Ok(())
        }
        Some(T::Subscript(s)) => {
            let ev = Eval::new(prog, frame);
            let container = ev.expr(need(&s.value)?)?;
            match &need(&s.index)?.kind {
                Some(ir::expr::Kind::Slice(sl)) => del_slice(&container, &ev.slice(sl)?),
                _ => del_item(&container, &ev.expr(need(&s.index)?)?),
            }
        }
        Some(T::Attribute(a)) => {
            let obj = Eval::new(prog, frame).expr(need(&a.value)?)?;
            if let Value::WorkflowSelf(o) | Value::Object(o) = &obj {
                let mut o = o.borrow_mut();
                if o.kind != crate::value::ObjKind::Model {
                    if let Some(i) = o.fields.iter().position(|(k, _)| **k == *a.attr) {
                        o.fields.remove(i);
                        return Ok(());
                    }
                    let name = crate::value::short_name(&o.class).to_string();
                    return Err(crate::exc::attribute_error(format!("'{name}' object has no attribute '{}'", a.attr)));
                }
            }
            if let Value::Exception(e) = &obj {
                let mut e = e.borrow_mut();
                if e.del_attr(&a.attr) {
                    return Ok(());
                }
                if !matches!(&*a.attr, "args" | "__cause__" | "__context__" | "__suppress_context__" | "__traceback__")
                {
                    let name = e.short_name().to_string();
                    return Err(crate::exc::attribute_error(format!("'{name}' object has no attribute '{}'", a.attr)));
                }
            }
            Err(crate::exc::attribute_error(format!(
                "'{}' object attribute '{}' cannot be deleted",
                obj.type_name(),
                a.attr
            )))
        }
        None => Err(internal("empty target")),
    }
}

thread_local! {
    static SYNC_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Run a sync helper to completion inside an expression (a helper used as a key function: `key=self.score`).
/// Sync helpers never suspend (the compiler refuses `await` outside `async def`), so this needs no task.
pub fn call_sync(prog: &Program, function: u32, this: Value, args: CallArgs) -> R<Value> {
    let depth = SYNC_DEPTH.with(|d| d.get());
    if depth >= 200 {
        return Err(exc("RecursionError", "maximum recursion depth exceeded"));
    }
    let locals = bind_frame_locals(prog, function, this, args)?;
    SYNC_DEPTH.with(|d| d.set(depth + 1));
    let mut vm = Vm::new(prog, RunState::new());
    let frame = Frame { func: function, pc: 0, locals, handled: vec![], pending: None };
    let mut task = Task { frames: vec![frame], waiter: None, waiting: None, resume: None };
    let result = loop {
        vm.steps += 1;
        if vm.steps > MAX_STEPS_PER_ADVANCE {
            break Err(exc("RuntimeError", "the workflow ran too long without awaiting (endless loop?)"));
        }
        match vm.step(&mut task, u32::MAX) {
            Ok(Step::Continue) => {}
            Ok(Step::Done(Outcome::Ok(v))) => break Ok(v),
            Ok(Step::Done(Outcome::Err(e))) => break Err(Flow::Raise(e)),
            Ok(Step::Block) => break Err(internal("a sync helper suspended")),
            Err(Flow::Raise(e)) => {
                vm.set_context(&task, &e);
                match vm.unwind(&mut task, e) {
                    None => {}
                    Some(Outcome::Ok(v)) => break Ok(v),
                    Some(Outcome::Err(e)) => break Err(Flow::Raise(e)),
                }
            }
            Err(f) => break Err(f),
        }
    };
    SYNC_DEPTH.with(|d| d.set(depth));
    result
}

impl From<VmError> for Outcome {
    fn from(e: VmError) -> Outcome {
        Outcome::Err(new_builtin("RuntimeError", vec![Value::str(&e.to_string())]))
    }
}
