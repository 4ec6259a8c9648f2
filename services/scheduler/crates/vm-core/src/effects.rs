//! The effects document: what one advance asks the outside world to do. Returned as JSON bytes; mirrored by the
//! TypedDicts in `waymark_scheduler.vm`. Only operations started by *this* advance are listed.
//!
//! ```json
//! {"status": "running|waiting|completed|failed|cancelled|timed_out",
//!  "actions":  [{"seq": 1, "action": "charge", "key": "charge@<signature_hash>", "args": "<json text>",
//!                "max_attempts": 1, "policy": "<json text>", "timeout_seconds": null, "at_most_once": false}],
//!  "timers":   [{"seq": 2, "kind": "sleep", "seconds": 1.0}],
//!  "signals":  [{"seq": 3, "name": "approved", "timeout_seconds": 60.0}],
//!  "children": [{"seq": 4, "workflow": "ChildFlow", "args": "<json text>", "workflow_id": null}],
//!  "cancel":   [5, 6],
//!  "result": "<json text or null>", "error": "<json text or null>"}
//! ```
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Effects {
    /// `running`: at least one action is in flight; `waiting`: only timers, signals or children are pending;
    /// `completed` / `failed` / `cancelled` / `timed_out`: the run ended in this advance (or had ended before).
    pub status: &'static str,
    pub actions: Vec<ActionEffect>,
    pub timers: Vec<TimerEffect>,
    pub signals: Vec<SignalEffect>,
    pub children: Vec<ChildEffect>,
    /// Seqs of operations the run no longer waits for (abandoned by cancellation): their actions may be
    /// cancelled and their timers dropped; a late outcome event for them is ignored.
    pub cancel: Vec<u64>,
    /// Tagged JSON text of run()'s return value, when status is `completed`.
    pub result: Option<String>,
    /// Tagged JSON text of the `$exception` that ended the run, when status is `failed`, `cancelled` or `timed_out`.
    pub error: Option<String>,
}

/// A new action call. `(run_id, seq)` identifies it; the worker claims it by `key`.
#[derive(Debug, Serialize)]
pub struct ActionEffect {
    pub seq: u64,
    /// The registered action name (ActionRef.name).
    pub action: String,
    /// `name@signature_hash`: workers claim only actions whose name and signature they have.
    pub key: String,
    /// Tagged JSON text of the bound kwargs dict (positional args mapped to parameter names, defaults filled).
    pub args: String,
    /// `policy.attempts`, for convenience.
    pub max_attempts: u32,
    /// JSON text: `{"attempts": n, "backoff": {"kind": "none|fixed|exponential", "initial": s, "factor": f,
    /// "max": s, "jitter": b}, "retry_on": [qualnames], "timeout_seconds": x|null}` (per-call over decorator).
    pub policy: String,
    /// Per-attempt timeout in seconds, or null.
    pub timeout_seconds: Option<f64>,
    /// `@action(at_most_once=True)`: never redeliver after a lost lease.
    pub at_most_once: bool,
}

/// A new durable timer. When it fires, send `{"kind": "timer", "seq": N}`.
#[derive(Debug, Serialize)]
pub struct TimerEffect {
    pub seq: u64,
    /// `sleep` (asyncio.sleep) or `signal_timeout` (the timeout of wait_for_signal with the same seq).
    pub kind: &'static str,
    pub seconds: f64,
}

/// The run started waiting for a signal. Deliver with `{"kind": "signal", "name": S, "value": V}`; signals that
/// arrive before anyone waits are buffered by the VM in arrival order.
#[derive(Debug, Serialize)]
pub struct SignalEffect {
    pub seq: u64,
    pub name: String,
    /// null: wait forever; else a `signal_timeout` timer with the same seq is also in `timers`.
    pub timeout_seconds: Option<f64>,
}

/// A child workflow to start. Report its end with `{"kind": "child", "seq": N, "ok": .., "value"/"error": ..}`.
#[derive(Debug, Serialize)]
pub struct ChildEffect {
    pub seq: u64,
    /// Registered workflow name of the child.
    pub workflow: String,
    /// Tagged JSON text of the bound kwargs dict of the child's run().
    pub args: String,
    /// The workflow_id to start the child with, or null (the scheduler derives one).
    pub workflow_id: Option<String>,
}

impl Effects {
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain structs of strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec())
    }
}
