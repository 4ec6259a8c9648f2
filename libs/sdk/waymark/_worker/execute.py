"""Running one attempt of one call: decode and validate arguments, call, validate and encode the result, and decide
what the outcome means under the call's retry policy (the worker has the real exception classes; DESIGN §2.1)."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError
from waymark_ir import values
from waymark_store.actions import ClaimedCall, Outcome

from waymark._action import ActionDefinition, ActionInvocation
from waymark._context import CURRENT, CallInfo
from waymark._errors import ActionTimeout
from waymark._policy import Backoff

ACTION_TIMEOUT = "waymark.ActionTimeout"


@dataclass(frozen=True)
class CallPolicy:
    """The policy the VM stored with the call (per-call override merged over the decorator's)."""

    attempts: int
    backoff: Backoff
    retry_on: tuple[str, ...]
    timeout_seconds: float | None

    @classmethod
    def parse(cls, text: str | None, max_attempts: int, timeout: float | None) -> CallPolicy:
        """Every call of an action carries the same policy text: parsed once (the result is immutable)."""
        return _parse_policy(text, max_attempts, timeout)

    @classmethod
    def _parse(cls, text: str | None, max_attempts: int, timeout: float | None) -> CallPolicy:
        data: dict[str, Any] = orjson.loads(text) if text else {}
        b = data.get("backoff") or {}
        backoff = Backoff(
            kind=b.get("kind", "none"),
            initial=float(b.get("initial", 0.0)),
            factor=float(b.get("factor", 1.0)),
            max=float(b.get("max", 0.0)),
            jitter=bool(b.get("jitter", False)),
        )
        return cls(
            attempts=int(data.get("attempts", max_attempts) or max_attempts),
            backoff=backoff,
            retry_on=tuple(data.get("retry_on") or ()),
            timeout_seconds=data.get("timeout_seconds", timeout) or timeout,
        )

    def retries(self, exc: BaseException) -> bool:
        """Does this policy retry `exc`? Empty `retry_on`: every Exception except ActionTimeout."""
        names = {values.class_name_of(c) for c in type(exc).__mro__}
        if not self.retry_on:
            return isinstance(exc, Exception) and ACTION_TIMEOUT not in names
        return bool(names.intersection(self.retry_on))


@functools.lru_cache(maxsize=1024)
def _parse_policy(text: str | None, max_attempts: int, timeout: float | None) -> CallPolicy:
    return CallPolicy._parse(text, max_attempts, timeout)


def final_event(seq: int, ok: bool, payload: str) -> str:
    """The VM event document for a call's final outcome (payload is already JSON text)."""
    return f'{{"kind":"action","seq":{seq},"ok":{"true" if ok else "false"},"{"value" if ok else "error"}":{payload}}}'


class ArgumentError(TypeError):
    """The stored arguments do not fit the action's signature (a deterministic failure: never retried)."""


def decode_arguments(definition: ActionDefinition, args_json: str) -> dict[str, Any]:
    raw = values.loads(args_json)
    if not isinstance(raw, dict):
        raise ArgumentError(f"action {definition.name}: arguments must be a dict of parameters, got {type(raw)}")
    kwargs: dict[str, Any] = {}
    for name, value in raw.items():
        adapter = definition.adapter(name)
        if adapter is None:
            kwargs[name] = value
            continue
        try:
            kwargs[name] = adapter.validate_python(value)
        except ValidationError as exc:
            raise ArgumentError(
                f"action {definition.name}: argument {name!r} is invalid: {_first_error(exc)}"
            ) from None
    return kwargs


def encode_result(definition: ActionDefinition, result: Any) -> str:
    adapter = definition.adapter("return")
    if adapter is not None:
        try:
            result = adapter.validate_python(result)
        except ValidationError as exc:
            raise TypeError(
                f"action {definition.name} returned a value that does not match its return annotation: "
                f"{_first_error(exc)}"
            ) from None
    return values.dumps(result)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where + ': ' if where else ''}{first.get('msg')} (got {first.get('input')!r})"


async def run_attempt(call: ClaimedCall, definition: ActionDefinition, max_payload: int) -> Outcome:
    """One attempt, start to end. Never raises except for cancellation (which hands the call back)."""
    policy = CallPolicy.parse(call.policy, call.max_attempts, call.timeout_seconds)
    token = CURRENT.set(
        CallInfo(
            workflow_name=call.workflow_name,
            workflow_id=call.workflow_id,
            run_id=str(call.run_id),
            action=call.action_name,
            attempt=call.attempt,
            idempotency_key=call.idempotency_key,
        )
    )
    try:
        if len(call.args) > max_payload:  # built by the workflow itself: the call fails, the workflow may catch it
            raise ArgumentError(
                f"action {call.action_name} was called with {len(call.args)} bytes of encoded arguments; the limit "
                f"is {max_payload} (WAYMARK_MAX_PAYLOAD_BYTES): pass a reference to large data instead"
            )
        kwargs = decode_arguments(definition, call.args)
        invocation: ActionInvocation[Any] = ActionInvocation(definition, (), kwargs)
        if policy.timeout_seconds:
            try:
                result = await asyncio.wait_for(invocation.call_directly(), policy.timeout_seconds)
            except TimeoutError:
                raise ActionTimeout(
                    f"action {call.action_name} attempt {call.attempt} timed out after {policy.timeout_seconds}s",
                    action=call.action_name,
                    attempt=call.attempt,
                    run_id=str(call.run_id),
                ) from None
        else:
            result = await invocation.call_directly()
        encoded = encode_result(definition, result)
        if len(encoded) > max_payload:
            raise ValueError(
                f"action {call.action_name} returned {len(encoded)} bytes of encoded result; the limit "
                f"is {max_payload} (WAYMARK_MAX_PAYLOAD_BYTES): store large data elsewhere and return a "
                "reference"
            )
    except Exception as exc:  # noqa: BLE001 - any failure of user code is the attempt's outcome
        return failure_outcome(call, policy, exc)
    finally:
        CURRENT.reset(token)
    return Outcome(
        call.call_id,
        call.attempt,
        call.lease_token,
        "succeeded",
        encoded,
        None,
        0.0,
        final_event(call.seq, True, encoded),
    )


def failure_outcome(call: ClaimedCall, policy: CallPolicy, exc: BaseException) -> Outcome:
    error = encode_exception(exc)
    deterministic = isinstance(exc, ArgumentError)
    if not deterministic and call.attempt < policy.attempts and policy.retries(exc):
        delay = policy.backoff.delay(call.attempt)
        return Outcome(call.call_id, call.attempt, call.lease_token, "retry_waiting", None, error, delay, None)
    return Outcome(
        call.call_id, call.attempt, call.lease_token, "failed", None, error, 0.0, final_event(call.seq, False, error)
    )


def encode_exception(exc: BaseException) -> str:
    try:
        return values.dumps(exc)
    except Exception:  # noqa: BLE001 - its args cannot travel: keep the class, MRO and message, drop the args
        message = str(exc)
        return orjson.dumps(
            {
                "$exception": {
                    "class": values.class_name_of(type(exc)),
                    "mro": values.mro_names(type(exc)),
                    "args": [message],
                    "message": message,
                    "cause": None,
                }
            }
        ).decode()


def cancelled_outcome(call: ClaimedCall) -> Outcome:
    """The final outcome of an attempt cancelled because its run no longer waits for it (never retried)."""
    error = encode_exception(asyncio.CancelledError(f"action {call.action_name}: its run no longer waits for it"))
    return Outcome(
        call.call_id, call.attempt, call.lease_token, "failed", None, error, 0.0, final_event(call.seq, False, error)
    )
