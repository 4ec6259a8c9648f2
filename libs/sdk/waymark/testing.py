"""Testing helpers: run a workflow in a test, with no database and virtual time.

    from waymark.testing import run_in_process, run_in_vm

    async def test_checkout_pays_on_the_third_try():
        attempts = []

        async def charge(order_id: int) -> bool:
            attempts.append(order_id)
            return len(attempts) == 3

        assert await run_in_process(Checkout, order_id=7, overrides={"charge": charge}) == "paid"
        assert await run_in_vm(Checkout, order_id=7, overrides={"charge": charge}) == "paid"

- `run_in_process` runs `run()` as plain Python; `run_in_vm` compiles it with the real compiler and runs the real
  Rust VM in memory. Both return the workflow's result or raise its exception, and they must agree: Waymark's own
  test-suite uses them as a differential oracle.
- **Virtual time**: `asyncio.sleep(3600)` in a workflow returns at once, timers fire in their virtual order, retry
  backoff is skipped. The clock only moves when nothing else can happen, and it stands still while an action runs.
  Actions themselves run on the test's event loop in real time (an action may use the test's fixtures).
- **Boundaries are kept**: workflow input and result, action arguments and results, signal values and exceptions
  all cross the value codec (docs/values.md), arguments and results are validated against the action's type hints,
  retry policies and per-attempt timeouts (`waymark.ActionTimeout`) apply, as on a worker.
- `overrides={"charge": fake}` (or `{charge: fake}`) replaces actions: a function (sync or async, called with the
  validated keyword arguments), another `@action`, an exception instance (raised by every attempt) or any other
  value (returned by every attempt).
- `signals={"approved": value}` delivers signals at the start; `[Signal("approved", value, at=60)]` at a virtual
  time. A workflow that waits for a signal that never comes raises `WorkflowBlocked` instead of hanging.
- `cancel_at=seconds` cancels the run at that virtual time, as `handle.cancel()` would: `asyncio.CancelledError`
  is raised at its current await, its `finally` blocks run (and may await actions); a run that lets the
  cancellation through raises `waymark.WorkflowCancelled` here.
- `workflow_timeout=seconds` (default: the class's `@workflow(timeout=...)`) is the run's workflow timeout in
  virtual time, as the timer service would enforce it: at that time `asyncio.CancelledError` is raised at the run's
  current await (its `finally` blocks run) and a run that lets it through raises `waymark.WorkflowTimedOut` here. A
  child workflow gets no timeout of its own (as on the servers); a timed-out parent cancels it.
- `trace=[]` collects `TraceEvent`s (calls, attempts with their virtual times, retries, outcomes, signals, children).

`overrides`, `signals`, `cancel_at`, `workflow_timeout` and `trace` are keyword-only parameters of these helpers, so
they cannot be names of `run()` parameters of a workflow tested this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from waymark._client import encode_input
from waymark._errors import RegistrationError
from waymark._inprocess_actions import ActionRunner, TraceEvent, decode_outcome, resolve_overrides
from waymark._inprocess_loop import HostBridge, VirtualTimeLoop, WorkflowBlocked, install_timedelta_sleep, run_virtual
from waymark._inprocess_runtime import (
    UNLIMITED,
    InProcessRun,
    Signal,
    SignalsArg,
    new_runner_ids,
    normalize_signals,
    run_workflow,
)
from waymark._policy import workflow_timeout_of
from waymark._workflow import Workflow

__all__ = [
    "RegistrationError",
    "Signal",
    "TraceEvent",
    "WorkflowBlocked",
    "run_in_process",
    "run_in_vm",
]


def _check_workflow(workflow_cls: Any) -> type[Workflow]:
    if not (
        isinstance(workflow_cls, type)
        and issubclass(workflow_cls, Workflow)
        and "__waymark_run__" in workflow_cls.__dict__
    ):
        raise TypeError(f"expected a class decorated with @waymark.workflow, got {workflow_cls!r}")
    return workflow_cls


def _timeout(cls: type[Workflow], workflow_timeout: float | timedelta | None) -> float | None:
    seconds = workflow_timeout_of(workflow_timeout, "workflow_timeout")
    return cls.__waymark_timeout__ if seconds is None else seconds


async def run_in_process(
    workflow_cls: type[Workflow],
    /,
    *args: Any,
    overrides: Mapping[Any, Any] | None = None,
    signals: SignalsArg = None,
    cancel_at: float | None = None,
    workflow_timeout: float | timedelta | None = None,
    trace: list[TraceEvent] | None = None,
    **kwargs: Any,
) -> Any:
    """Run the workflow's `run(*args, **kwargs)` in this process as plain Python, with actions called directly
    (validated, retried, timed out as on a worker) and virtual time. Returns its result or raises its exception."""
    cls = _check_workflow(workflow_cls)
    timeout = _timeout(cls, workflow_timeout)
    install_timedelta_sleep()
    input_json = encode_input(cls, args, kwargs, UNLIMITED)
    replacements = resolve_overrides(overrides)
    scheduled = normalize_signals(signals)
    runs: list[InProcessRun] = []

    async def main(loop: VirtualTimeLoop, bridge: HostBridge) -> tuple[bool, str, str]:
        runner = ActionRunner(bridge, replacements, trace, new_runner_ids(cls))
        run = InProcessRun(runner, cls.__waymark_name__)
        runs.append(run)
        run.schedule_signals(scheduled)
        if cancel_at is not None:
            loop.call_at(loop.time() + cancel_at, run.request_cancel)
        if timeout is not None:
            loop.call_at(loop.time() + timeout, run.request_timeout)
        return await run_workflow(run, cls(), input_json)

    def describe() -> str:
        waiting = runs[0].blocked_on() if runs else []
        return f"waiting for signal {', '.join(map(repr, waiting))}" if waiting else ""

    ok, payload, tb = await run_virtual(main, describe_block=describe)
    return decode_outcome(ok, payload, f"workflow {cls.__waymark_name__}", tb)


async def run_in_vm(
    workflow_cls: type[Workflow],
    /,
    *args: Any,
    overrides: Mapping[Any, Any] | None = None,
    signals: SignalsArg = None,
    cancel_at: float | None = None,
    workflow_timeout: float | timedelta | None = None,
    trace: list[TraceEvent] | None = None,
    **kwargs: Any,
) -> Any:
    """Run the workflow through the real compiler and the real VM, in memory (no Postgres), with actions run as in
    `run_in_process` and virtual time. Returns its result or raises its exception; a workflow the compiler refuses
    raises `waymark.RegistrationError` with the rendered diagnostics."""
    from waymark._inprocess_vm import drive_vm, load_program

    cls = _check_workflow(workflow_cls)
    timeout = _timeout(cls, workflow_timeout)
    input_json = encode_input(cls, args, kwargs, UNLIMITED)
    replacements = resolve_overrides(overrides)
    scheduled = normalize_signals(signals)
    program = load_program(cls)

    async def main(loop: VirtualTimeLoop, bridge: HostBridge) -> tuple[bool, str, str]:
        runner = ActionRunner(bridge, replacements, trace, new_runner_ids(cls))
        return await drive_vm(program, cls, input_json, runner, scheduled, cancel_at, timeout=timeout)

    ok, payload, tb = await run_virtual(main)
    return decode_outcome(ok, payload, f"workflow {cls.__waymark_name__}", tb)
