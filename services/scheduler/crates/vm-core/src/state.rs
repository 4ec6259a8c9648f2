//! The live state of one run: tasks (each a stack of frames), pending operations, gathers, buffered signals and
//! the sequence counter. This is exactly what the snapshot stores; nothing here grows with steps already run.
use std::collections::BTreeMap;

use crate::value::{Str, Value};

#[derive(Debug, Clone)]
pub struct Frame {
    pub func: u32,
    pub pc: u32,
    pub locals: Vec<Option<Value>>,
    /// Exceptions being handled (CPython's exception stack of this frame); `except ... as e` reads the top.
    pub handled: Vec<Value>,
    /// Raised and routed to a handler, not yet moved onto `handled` by EnterHandler.
    pub pending: Option<Value>,
}

/// Who receives the outcome of an operation, a spawned task or a gather.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiter {
    /// The task suspended at an Await instruction.
    Task(u32),
    /// Slot `slot` of gather `gather`.
    Gather { gather: u32, slot: u32 },
    /// Nobody yet: a gather started when it was created (CPython schedules its arms at once), awaited later.
    Detached(u32),
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Ok(Value),
    Err(Value),
}

/// What a blocked task (or a gather's arm) is waiting for; used to cancel it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Op(u64),
    Task(u32),
    Gather(u32),
    /// Resolved immediately (a buffered signal, an empty gather): nothing to cancel.
    Done,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub frames: Vec<Frame>,
    /// None for the main task (run()): its outcome is the run's.
    pub waiter: Option<Waiter>,
    pub waiting: Option<Wait>,
    /// An outcome delivered while the task was blocked, applied at the Await when it runs next.
    pub resume: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpKind {
    Action,
    Timer,
    Signal { name: Str },
    Child,
}

#[derive(Debug, Clone)]
pub struct PendingOp {
    pub kind: OpKind,
    pub waiter: Waiter,
}

#[derive(Debug, Clone)]
pub struct GatherState {
    pub results: Vec<Option<Outcome>>,
    pub remaining: u32,
    pub return_exceptions: bool,
    pub waiter: Waiter,
    pub children: Vec<Wait>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
    Cancelled,
    TimedOut,
}

impl RunStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::TimedOut => "timed_out",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunState {
    /// The last sequence number given out (the next operation gets seq + 1).
    pub seq: u64,
    pub next_task: u32,
    pub next_gather: u32,
    pub tasks: BTreeMap<u32, Task>,
    pub ops: BTreeMap<u64, PendingOp>,
    pub gathers: BTreeMap<u32, GatherState>,
    /// Outcomes of gathers that finished before anyone awaited them (kept for every later `await g`).
    pub gather_outcomes: BTreeMap<u32, Outcome>,
    /// Signals that arrived before anyone waited for them, in arrival order.
    pub signals: Vec<(Str, Value)>,
    pub cancel_requested: bool,
    /// The cancellation came from the workflow's timeout: a run that lets it through ends `timed_out`.
    pub timed_out: bool,
    pub status: RunStatus,
    /// Tagged JSON text of the result (completed) or the exception (failed/cancelled).
    pub result: Option<String>,
    pub error: Option<String>,
}

impl RunState {
    pub fn new() -> RunState {
        RunState {
            seq: 0,
            next_task: 1,
            next_gather: 0,
            tasks: BTreeMap::new(),
            ops: BTreeMap::new(),
            gathers: BTreeMap::new(),
            gather_outcomes: BTreeMap::new(),
            signals: Vec::new(),
            cancel_requested: false,
            timed_out: false,
            status: RunStatus::Running,
            result: None,
            error: None,
        }
    }

    pub fn is_terminal(&self) -> bool {
        self.status != RunStatus::Running
    }

    /// running while an action is in flight, else waiting (timers, signals, children only).
    pub fn live_status(&self) -> &'static str {
        if self.is_terminal() {
            return self.status.as_str();
        }
        if self.ops.values().any(|o| o.kind == OpKind::Action) {
            "running"
        } else {
            "waiting"
        }
    }
}

impl Default for RunState {
    fn default() -> Self {
        RunState::new()
    }
}
