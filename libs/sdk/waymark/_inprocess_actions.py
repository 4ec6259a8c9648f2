"""Running action calls for `waymark.testing`, the way a worker would, shared by `run_in_process` and `run_in_vm`.

A call arrives as what the VM would store: the action, its kwargs as tagged JSON text and its policy. The arguments
are decoded and validated through the action's pydantic adapters (`waymark._worker.execute`, the worker's own code),
each attempt runs on the test's loop (`HostBridge`) under the per-attempt timeout, the result is validated and
encoded, a failure is matched against the retry policy by class names, and the backoff before the next attempt is a
virtual sleep. The outcome is the JSON text the worker would write into the event row.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from waymark_ir import values
from waymark_store.settings import Settings

from waymark._action import ActionDefinition, ActionFunction, ActionInvocation
from waymark._context import CURRENT, CallInfo
from waymark._errors import ActionTimeout
from waymark._inprocess_loop import HostBridge
from waymark._policy import Backoff, RetryPolicy
from waymark._registry import ACTIONS
from waymark._runtime import ACTIVE
from waymark._worker.execute import (
    ArgumentError,
    CallPolicy,
    decode_arguments,
    encode_exception,
    encode_result,
)

MAX_PAYLOAD_BYTES: int = Settings.model_fields["max_payload_bytes"].default


@dataclass(frozen=True)
class TraceEvent:
    """One thing that happened in a test run, at a virtual time (seconds since the run started).

    kinds: `call` (an action call was made; `detail` is its arguments by name), `attempt` (an attempt started),
    `retry` (an attempt failed and the call waits `detail` seconds), `ok` / `error` (the call's final outcome;
    `detail` is the decoded value or exception), `signal` (a signal was delivered), `child` (a child workflow
    started; `detail` is its input)."""

    time: float
    kind: str
    name: str
    attempt: int = 0
    detail: Any = None


@dataclass(frozen=True)
class RunIds:
    """What `waymark.current_call()` reports inside actions run by the testing helpers."""

    workflow_name: str
    workflow_id: str
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))


Override = Callable[..., Any]


def resolve_overrides(overrides: Mapping[Any, Any] | None) -> dict[str, Any]:
    """`{name | ActionFunction | ActionDefinition: replacement}` as `{action name: replacement}`. A replacement is a
    function (sync or async, called with the validated keyword arguments), an ActionFunction, an exception instance
    (raised by every attempt) or any other value (returned by every attempt)."""
    resolved: dict[str, Any] = {}
    for key, replacement in (overrides or {}).items():
        if isinstance(key, ActionFunction):
            name = key.__waymark_action__.name
        elif isinstance(key, ActionDefinition):
            name = key.name
        elif isinstance(key, str):
            name = key
        else:
            raise TypeError(f"overrides: keys are action names or @action functions, got {key!r}")
        if name not in ACTIONS:
            known = ", ".join(sorted(ACTIONS)) or "none"
            raise KeyError(f"overrides: there is no action named {name!r} (registered actions: {known})")
        resolved[name] = replacement
    return resolved


def call_policy(definition: ActionDefinition, retry: RetryPolicy | None, timeout: float | None) -> CallPolicy:
    """The per-call policy over the decorator's, field by field, as the VM stores it for the worker."""
    policy = retry if retry is not None else definition.retry
    seconds = timeout if timeout is not None else definition.timeout
    if policy is None:
        return CallPolicy(attempts=1, backoff=Backoff(), retry_on=(), timeout_seconds=seconds)
    return CallPolicy(
        attempts=policy.attempts,
        backoff=policy.backoff,
        retry_on=tuple(values.class_name_of(cls) for cls in policy.on),
        timeout_seconds=seconds,
    )


@dataclass
class _Attempt:
    ok: bool
    payload: str  # tagged JSON text of the result, or of the exception
    retryable: bool = False
    traceback: str = ""


class ActionRunner:
    """Runs calls to completion (every attempt) from the virtual loop; attempts run on the host loop."""

    def __init__(
        self, bridge: HostBridge, overrides: dict[str, Any], trace: list[TraceEvent] | None, ids: RunIds
    ) -> None:
        self.bridge = bridge
        self.overrides = overrides
        self.trace = trace
        self.ids = ids

    def child(self, workflow_name: str) -> ActionRunner:
        """The runner of a child run: same overrides and trace, its own ids."""
        return ActionRunner(
            self.bridge,
            self.overrides,
            self.trace,
            RunIds(workflow_name=workflow_name, workflow_id=f"{self.ids.workflow_id}/{workflow_name}"),
        )

    def record(self, kind: str, name: str, attempt: int = 0, detail: Any = None) -> None:
        if self.trace is not None:
            self.trace.append(TraceEvent(self.bridge.loop.time(), kind, name, attempt, detail))

    async def run_call(
        self, definition: ActionDefinition, args_json: str, policy: CallPolicy, seq: int
    ) -> tuple[bool, str, str]:
        """Every attempt of one call. Returns (ok, tagged JSON of the result or exception, traceback text)."""
        name = definition.name
        if self.trace is not None:
            self.record("call", name, detail=values.loads(args_json))
        try:  # what a worker does first: deterministic, so never retried
            kwargs = decode_arguments(definition, args_json)
        except (ArgumentError, values.ValueDecodingError) as exc:
            return self._final(name, 0, _Attempt(False, encode_exception(exc), False, traceback.format_exc()))
        attempt = 1
        while True:
            self.record("attempt", name, attempt)
            outcome = await self.bridge.call(functools.partial(self._attempt, definition, kwargs, policy, attempt, seq))
            if outcome.ok or not outcome.retryable or attempt >= policy.attempts:
                return self._final(name, attempt, outcome)
            delay = policy.backoff.delay(attempt)
            self.record("retry", name, attempt, delay)
            await asyncio.sleep(delay)  # virtual
            attempt += 1

    def _final(self, name: str, attempt: int, outcome: _Attempt) -> tuple[bool, str, str]:
        if self.trace is not None:
            self.record("ok" if outcome.ok else "error", name, attempt, values.loads(outcome.payload))
        return outcome.ok, outcome.payload, outcome.traceback

    async def _attempt(
        self, definition: ActionDefinition, kwargs: dict[str, Any], policy: CallPolicy, attempt: int, seq: int
    ) -> _Attempt:
        """One attempt, on the host loop, as `waymark._worker.execute.run_attempt` does it."""
        ACTIVE.set(None)  # this task's own context: actions called from an action run directly, as on a worker
        token = CURRENT.set(
            CallInfo(
                workflow_name=self.ids.workflow_name,
                workflow_id=self.ids.workflow_id,
                run_id=self.ids.run_id,
                action=definition.name,
                attempt=attempt,
                idempotency_key=f"{self.ids.run_id}:{seq}",
            )
        )
        try:
            call = self._invoke(definition, kwargs)
            if policy.timeout_seconds:
                try:
                    result = await asyncio.wait_for(call, policy.timeout_seconds)
                except TimeoutError:
                    raise ActionTimeout(
                        f"action {definition.name} attempt {attempt} timed out after {policy.timeout_seconds}s",
                        action=definition.name,
                        attempt=attempt,
                        run_id=self.ids.run_id,
                    ) from None
            else:
                result = await call
            encoded = encode_result(definition, result)
            if len(encoded) > MAX_PAYLOAD_BYTES:
                raise ValueError(
                    f"action {definition.name} returned {len(encoded)} bytes of encoded result; the "
                    f"limit is {MAX_PAYLOAD_BYTES} (WAYMARK_MAX_PAYLOAD_BYTES): store large data "
                    "elsewhere and return a reference"
                )
        except Exception as exc:  # noqa: BLE001 - like a worker: any failure of the attempt is its outcome
            return _Attempt(False, encode_exception(exc), policy.retries(exc), traceback.format_exc())
        finally:
            CURRENT.reset(token)
        return _Attempt(True, encoded)

    async def _invoke(self, definition: ActionDefinition, kwargs: dict[str, Any]) -> Any:
        if definition.name not in self.overrides:
            return await ActionInvocation(definition, (), kwargs).call_directly()
        replacement = self.overrides[definition.name]
        if isinstance(replacement, ActionFunction):
            return await ActionInvocation(replacement.__waymark_action__, (), kwargs).call_directly()
        if isinstance(replacement, BaseException):
            raise replacement
        if not callable(replacement):
            return replacement
        result = replacement(**kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


#: The original traceback of each exception raised into a workflow by an action or a child, kept beside it (a note
#: would be part of its `__dict__`, which the workflow can read and which travels), for the test's final report.
#: By id, holding the exception (builtin exceptions take no weak reference); the oldest are forgotten.
ORIGINS: OrderedDict[int, tuple[BaseException, str]] = OrderedDict()
_MAX_ORIGINS = 1024


def decode_outcome(ok: bool, payload: str, where: str, tb: str = "", *, into_workflow: bool = False) -> Any:
    """The value of a final outcome, or raise its exception. The original traceback becomes a note of the exception
    a test receives; for one raised into a workflow (`into_workflow`) it is kept aside (`ORIGINS`) and reported
    with the workflow's own traceback if the exception ends the run."""
    value = values.loads(payload)
    if ok:
        return value
    if not isinstance(value, BaseException):
        raise RuntimeError(f"{where} failed with a non-exception value {value!r}")
    if tb:
        text = f"waymark.testing: {where} raised (original traceback):\n{tb.rstrip()}"
        if into_workflow:
            ORIGINS[id(value)] = (value, text)
            while len(ORIGINS) > _MAX_ORIGINS:
                ORIGINS.popitem(last=False)
        else:
            value.add_note(text)
    raise value  # not `from`: that would set __suppress_context__, which decoding left as __cause__ says


def origins(exc: BaseException) -> str:
    """The original tracebacks kept for `exc` and the exceptions it chains to."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        kept = ORIGINS.get(id(item))
        if kept is not None and kept[0] is item:
            found.append(kept[1])
        stack += [item.__context__, item.__cause__]
    return "".join(f"\n{text}" for text in found)
