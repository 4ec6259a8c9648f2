"""`waymark.current_call()`: who is calling this action, set by the worker around each attempt."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class CallInfo:
    workflow_name: str
    workflow_id: str
    run_id: str
    action: str
    attempt: int
    idempotency_key: str  # the same for every attempt and redelivery of this call


CURRENT: ContextVar[CallInfo | None] = ContextVar("waymark_current_call", default=None)


def current_call() -> CallInfo:
    info = CURRENT.get()
    if info is None:
        raise RuntimeError("waymark.current_call() is only available inside an action run by a Waymark worker")
    return info
