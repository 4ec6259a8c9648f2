"""The Rust VM as the scheduler (and `waymark.testing.run_in_vm`) sees it.

`Program(program_bytes).advance(snapshot | None, events_json) -> (snapshot, effects_json)`. Events and effects are
JSON documents (see ARCHITECTURE.md, "The VM boundary"); the TypedDicts below mirror
`services/scheduler/crates/vm-core/src/effects.rs` and `events.rs` field for field.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from waymark_scheduler._vm import (
    SNAPSHOT_FORMAT,
    Program,
    VmError,
    VmEventError,
    VmInternalError,
    VmProgramError,
    VmSnapshotError,
)

__all__ = [
    "SNAPSHOT_FORMAT",
    "ActionEffect",
    "ChildEffect",
    "Effects",
    "Program",
    "RunStatus",
    "SignalEffect",
    "TimerEffect",
    "VmError",
    "VmEventError",
    "VmInternalError",
    "VmProgramError",
    "VmSnapshotError",
    "load_program",
]

RunStatus = Literal["running", "waiting", "completed", "failed", "cancelled", "timed_out"]


class ActionEffect(TypedDict):
    """A new action call; `(run_id, seq)` identifies it and workers claim it by `key`."""

    seq: int
    action: str  # registered action name
    key: str  # "name@signature_hash"
    args: str  # tagged JSON text of the bound kwargs dict
    max_attempts: int
    # JSON text: {"attempts", "backoff": {"kind","initial","factor","max","jitter"}, "retry_on", "timeout_seconds"}
    policy: str
    timeout_seconds: float | None
    at_most_once: bool


class TimerEffect(TypedDict):
    """A durable timer; when due, send {"kind": "timer", "seq": seq}."""

    seq: int
    kind: Literal["sleep", "signal_timeout"]
    seconds: float


class SignalEffect(TypedDict):
    """The run waits for a signal (a `signal_timeout` timer with the same seq exists when timeout_seconds is set)."""

    seq: int
    name: str
    timeout_seconds: float | None


class ChildEffect(TypedDict):
    """A child workflow to start; report its end with {"kind": "child", "seq": seq, "ok": ..., ...}."""

    seq: int
    workflow: str
    args: str  # tagged JSON text of the bound kwargs dict
    workflow_id: str | None


class Effects(TypedDict):
    """What one advance asks for. Only operations started by this advance are listed."""

    status: RunStatus
    actions: list[ActionEffect]
    timers: list[TimerEffect]
    signals: list[SignalEffect]
    children: list[ChildEffect]
    cancel: list[int]  # seqs the run abandoned (cancellation): cancel those actions, drop those timers
    result: str | None  # tagged JSON text of run()'s return value when completed
    error: str | None  # tagged JSON text of the $exception when failed, cancelled or timed_out


class StartEvent(TypedDict):
    kind: Literal["start"]
    input: NotRequired[dict[str, object]]


class OutcomeEvent(TypedDict):
    kind: Literal["action", "child"]
    seq: int
    ok: bool
    value: NotRequired[object]
    error: NotRequired[object]


class TimerEvent(TypedDict):
    kind: Literal["timer"]
    seq: int


class SignalEvent(TypedDict):
    kind: Literal["signal"]
    name: str
    value: object


class CancelEvent(TypedDict):
    kind: Literal["cancel"]


class TimeoutEvent(TypedDict):
    """The workflow's timeout fired: like a cancel, but a run that lets it through ends `timed_out`."""

    kind: Literal["timeout"]


def load_program(program: bytes) -> Program:
    """Entry point `waymark.plugins: vm`: parse and validate a compiled program (raises VmProgramError)."""
    return Program(program)
