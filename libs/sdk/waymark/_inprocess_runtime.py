"""`run_in_process`: the user's `run()` as plain Python on a virtual-time loop, with Waymark's boundaries kept.

What crosses a boundary in production crosses the value codec here too (workflow input and result, action
arguments and outcomes, signal values, child inputs and outcomes), so a test catches a value that cannot travel, and
an exception reaches the workflow as the decoded exception it would be after a worker reported it.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from waymark_ir import values

from waymark._client import encode_input
from waymark._errors import ValueNotSupported, WorkflowCancelled, WorkflowTimedOut
from waymark._inprocess_actions import ActionRunner, RunIds, call_policy, decode_outcome, origins
from waymark._runtime import ACTIVE
from waymark._worker.execute import encode_exception

if TYPE_CHECKING:
    from waymark._action import ActionInvocation
    from waymark._policy import RetryPolicy
    from waymark._workflow import Workflow

UNLIMITED = 1 << 62


@dataclass(frozen=True)
class Signal:
    """A signal the test sends: `value` is delivered to `wait_for_signal(name)` at virtual time `at` (seconds after
    the run starts). Signals that arrive before anyone waits are kept, in order, like the VM does."""

    name: str
    value: Any = None
    at: float = 0.0


SignalsArg = Mapping[str, Any] | Iterable[Signal] | None


def normalize_signals(signals: SignalsArg) -> list[Signal]:
    if signals is None:
        return []
    if isinstance(signals, Mapping):
        return [Signal(name, value) for name, value in signals.items()]
    out = []
    for item in signals:
        if not isinstance(item, Signal):
            raise TypeError(f"signals: give a dict {{name: value}} or waymark.testing.Signal(...) items, got {item!r}")
        out.append(item)
    return sorted(out, key=lambda s: s.at)  # stable: equal times keep the order given


def encode_signal_value(signal: Signal) -> str:
    try:
        return values.dumps(signal.value, path=f"signal {signal.name!r}")
    except values.ValueEncodingError as exc:
        raise ValueNotSupported(f"signal {signal.name!r} cannot be sent: {exc}") from None


class _Mailbox:
    """Signals of one run: delivered values per name, and who waits for them."""

    def __init__(self) -> None:
        self.values: dict[str, collections.deque[Any]] = collections.defaultdict(collections.deque)
        self.waiters: dict[str, collections.deque[asyncio.Future[Any]]] = collections.defaultdict(collections.deque)

    def deliver(self, name: str, text: str) -> None:
        waiting = self.waiters[name]
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(values.loads(text))
                return
        self.values[name].append(text)

    def waiting_for(self) -> list[str]:
        return sorted(name for name, queue in self.waiters.items() if any(not w.done() for w in queue))


class InProcessRun:
    """The `waymark._runtime.InProcessRuntime` of one run (the top workflow or a child)."""

    def __init__(self, runner: ActionRunner, workflow_name: str) -> None:
        self.runner = runner
        self.workflow_name = workflow_name
        self.mailbox = _Mailbox()
        self.seq = 0
        self.children: list[InProcessRun] = []
        self.task: asyncio.Task[Any] | None = None
        self.cancel_requested = False
        self.timed_out = False

    def request_cancel(self) -> None:
        """What `handle.cancel()` does: CancelledError at the run's current await (its finally blocks run)."""
        if self.task is not None and not self.task.done() and not self.cancel_requested:
            self.cancel_requested = True
            self.task.cancel()

    def request_timeout(self) -> None:
        """The workflow timeout: a cancel whose run, if it lets the CancelledError through, ends timed out."""
        if self.task is not None and not self.task.done() and not self.cancel_requested:
            self.timed_out = True
            self.request_cancel()

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def schedule_signals(self, signals: list[Signal]) -> None:
        loop = asyncio.get_running_loop()
        for signal in signals:
            text = encode_signal_value(signal)
            loop.call_at(loop.time() + signal.at, self._deliver, signal.name, text)

    def _deliver(self, name: str, text: str) -> None:
        self.runner.record("signal", name, detail=values.loads(text))
        self.mailbox.deliver(name, text)

    def blocked_on(self) -> list[str]:
        return self.mailbox.waiting_for() + [name for child in self.children for name in child.blocked_on()]

    async def call_action(
        self, invocation: ActionInvocation[Any], retry: RetryPolicy | None, timeout: float | None
    ) -> Any:
        definition = invocation.definition
        arguments = with_defaults(definition.signature, definition.bind(invocation.args, invocation.kwargs))
        try:
            args_json = values.dumps(arguments, path="args")
        except values.ValueEncodingError as exc:
            raise ValueNotSupported(
                f"action {definition.name}: {exc}", action=definition.name, path=exc.path, type=exc.type_name
            ) from None
        policy = call_policy(definition, retry, timeout)
        ok, payload, tb = await self.runner.run_call(definition, args_json, policy, self.next_seq())
        return decode_outcome(ok, payload, f"action {definition.name}", tb, into_workflow=True)

    async def wait_for_signal(self, name: str, timeout: float | None) -> Any:
        self.next_seq()
        queue = self.mailbox.values[name]
        if queue:
            return values.loads(queue.popleft())
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.mailbox.waiters[name].append(waiter)
        if timeout is None:
            return await waiter
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            raise TimeoutError(f"no signal {name!r} received in time") from None

    async def run_child(
        self, workflow: Workflow, args: tuple[Any, ...], kwargs: dict[str, Any], workflow_id: str | None
    ) -> Any:
        cls = type(workflow)
        self.next_seq()
        input_json = encode_input(cls, args, kwargs, UNLIMITED)
        child = InProcessRun(self.runner.child(cls.__waymark_name__), cls.__waymark_name__)
        self.children.append(child)
        self.runner.record("child", cls.__waymark_name__, detail=values.loads(input_json))
        ok, payload, tb = await run_workflow(child, workflow, input_json)
        return decode_outcome(ok, payload, f"child workflow {cls.__waymark_name__}", tb, into_workflow=True)


async def run_workflow(run: InProcessRun, workflow: Workflow, input_json: str) -> tuple[bool, str, str]:
    """Run `workflow.__waymark_run__` under `run` in a task of its own; its outcome as (ok, tagged JSON, tb)."""

    async def body() -> Any:
        ACTIVE.set(run)
        user_run = type(workflow).__waymark_run__
        positional, keywords = call_arguments(inspect.signature(user_run), values.loads(input_json))
        return await user_run(workflow, *positional, **keywords)

    task = run.task = asyncio.get_running_loop().create_task(body())
    try:
        result = await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():  # this caller is being cancelled, not only the run
            raise
        if run.cancel_requested:  # the run let the cancellation through: it ends cancelled, as in the VM
            ended = timed_out(run.workflow_name) if run.timed_out else cancelled(run.workflow_name)
            return False, encode_exception(ended), ""
        return False, encode_exception(asyncio.CancelledError()), traceback.format_exc()
    except Exception as exc:  # noqa: BLE001 - the run failed: its exception is its outcome
        return False, encode_exception(exc), traceback.format_exc() + origins(exc)
    try:
        return True, values.dumps(result, path="result"), ""
    except values.ValueEncodingError as exc:
        error = ValueNotSupported(f"workflow {run.workflow_name} returned a value that cannot be stored: {exc}")
        return False, encode_exception(error), ""


def cancelled(workflow_name: str) -> WorkflowCancelled:
    return WorkflowCancelled(f"workflow {workflow_name} was cancelled", workflow=workflow_name)


def timed_out(workflow_name: str) -> WorkflowTimedOut:
    return WorkflowTimedOut(
        f"workflow {workflow_name} timed out: it did not finish within its workflow timeout", workflow=workflow_name
    )


def with_defaults(signature: inspect.Signature, arguments: dict[str, Any]) -> dict[str, Any]:
    """Bound arguments with the defaults filled in, in parameter order: what the VM stores as a call's args."""
    bound = inspect.BoundArguments(signature, arguments)
    bound.apply_defaults()
    return dict(bound.arguments)


def call_arguments(signature: inspect.Signature, arguments: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for run(self, ...) from its arguments by parameter name (self excluded).
    Parameters before a `*args` must be passed by position."""
    params = list(signature.parameters.values())[1:]
    star = next((i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL), -1)
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for index, param in enumerate(params):
        if param.name not in arguments:
            continue
        value = arguments[param.name]
        if param.kind is param.VAR_POSITIONAL:
            positional.extend(value)
        elif param.kind is param.VAR_KEYWORD:
            keywords.update(value)
        elif param.kind is param.POSITIONAL_ONLY or index < star:
            positional.append(value)
        else:
            keywords[param.name] = value
    return positional, keywords


def new_runner_ids(workflow_cls: type[Workflow]) -> RunIds:
    return RunIds(workflow_name=workflow_cls.__waymark_name__, workflow_id=f"test-{workflow_cls.__waymark_name__}")
