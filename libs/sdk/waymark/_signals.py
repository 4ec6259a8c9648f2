"""`waymark.wait_for_signal`: a durable wait inside a compiled workflow; elsewhere it needs run_in_process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from waymark._policy import seconds_of
from waymark._runtime import ACTIVE


async def wait_for_signal(name: str, timeout: float | timedelta | None = None) -> Any:
    """Wait until `handle.signal(name, value)` is sent to this run and return the value. With `timeout`, raise
    `TimeoutError` when it passes first."""
    runtime = ACTIVE.get()
    if runtime is None:
        raise RuntimeError(
            "waymark.wait_for_signal() only works inside a workflow's run() (or under waymark.testing.run_in_process)"
        )
    return await runtime.wait_for_signal(name, None if timeout is None else seconds_of(timeout, "timeout"))
