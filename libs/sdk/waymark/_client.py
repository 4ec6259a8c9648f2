"""The client: start runs (idempotent on workflow_id), wait for results, read status, signal, cancel.

One connection set per event loop: a small pool for statements and one LISTEN connection shared by every waiting
handle. Waiting follows ARCHITECTURE.md: subscribe, read the status, then wait for a NOTIFY with periodic re-checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import typing
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson
import pydantic
from waymark_ir import values
from waymark_store import channels, runs, telemetry
from waymark_store.db import CONNECTION_ERRORS, Database
from waymark_store.settings import Settings

from waymark._errors import (
    ValueNotSupported,
    WorkflowCancelled,
    WorkflowFailed,
    WorkflowNotRegistered,
    WorkflowTimedOut,
)
from waymark._policy import workflow_timeout_of

if TYPE_CHECKING:
    from waymark._workflow import Workflow

RECHECK_SECONDS = 1.0
MAX_START_BATCH = 500  # starts per statement


class _Connection:
    """The database handles of one event loop, plus the fan-out of `waymark_done` notifications to waiters."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.waiters: dict[uuid.UUID, set[asyncio.Event]] = {}
        self.subscribed = False
        self._starts: list[tuple[runs.StartRequest, asyncio.Future[runs.StartedRun]]] = []
        self._starter: asyncio.Task[None] | None = None

    async def start(self, request: runs.StartRequest) -> runs.StartedRun:
        """Start one run. Starts made while the previous statement is in flight go out together in the next one
        (one commit, one NOTIFY): alone, a start is written at once; under load, commits are shared."""
        future: asyncio.Future[runs.StartedRun] = asyncio.get_running_loop().create_future()
        self._starts.append((request, future))
        if self._starter is None or self._starter.done():
            self._starter = asyncio.create_task(self._write_starts(), name="waymark-client-starts")
        return await future

    async def _write_starts(self) -> None:
        while self._starts:
            batch, self._starts = self._starts[:MAX_START_BATCH], self._starts[MAX_START_BATCH:]
            try:
                results = await runs.start_runs(self.db.pool, [request for request, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every caller of this batch sees the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except asyncio.CancelledError:  # the loop is closing: nobody will be answered
                for _, future in batch + self._starts:
                    future.cancel()
                self._starts = []
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    async def subscribe_done(self) -> None:
        if not self.subscribed:
            await self.db.listener.subscribe(channels.DONE, self._on_done)
            self.subscribed = True

    def _on_done(self, payload: str) -> None:
        if payload == "":  # catch-up hint: everybody re-checks
            targets = [event for events in self.waiters.values() for event in events]
        else:
            ids = [_uuid(rid) for rid in channels.split_payload(payload)]
            targets = [event for rid in ids if rid is not None for event in self.waiters.get(rid, ())]
        for event in targets:
            event.set()


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


_connections: dict[asyncio.AbstractEventLoop, _Connection] = {}
_opening: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


async def _connection() -> _Connection:
    loop = asyncio.get_running_loop()
    conn = _connections.get(loop)
    if conn is not None:
        return conn
    lock = _opening.setdefault(loop, asyncio.Lock())
    async with lock:
        conn = _connections.get(loop)
        if conn is None:
            settings = Settings.from_env()
            db = await Database.open(settings.require_database_url(), pool_size=4, wait=10.0)
            conn = _connections[loop] = _Connection(db, settings)
            for stale in [other for other in _connections if other.is_closed()]:
                _connections.pop(stale, None)
                _opening.pop(stale, None)
    return conn


async def close() -> None:
    """Close this event loop's client connections (optional: they close with the loop's process)."""
    conn = _connections.pop(asyncio.get_running_loop(), None)
    if conn is not None:
        await conn.db.close()


def encode_input(cls: type[Workflow], args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> str:
    """The run() arguments by parameter name, validated against run()'s signature and encoded (docs/values.md)."""
    signature = inspect.signature(cls.__waymark_run__)
    try:
        bound = signature.bind(None, *args, **kwargs)  # None stands for self
    except TypeError as exc:
        raise TypeError(f"{cls.__waymark_name__}.run{_without_self(signature)}: {exc}") from None
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(signature.parameters)), None)
    for name, value in arguments.items():
        adapter = _input_adapters(cls).get(name)
        if adapter is None:
            continue
        try:
            adapter.validate_python(value)  # lax, like action arguments; the value itself is stored unchanged
        except pydantic.ValidationError as exc:
            problem = exc.errors()[0]["msg"] if exc.errors() else str(exc)
            raise TypeError(
                f"{cls.__waymark_name__}.run() argument {name!r} is invalid: {problem} (got {value!r})"
            ) from None
    try:
        text = values.dumps(arguments)
    except TypeError as exc:
        raise ValueNotSupported(f"{cls.__waymark_name__}.run() input cannot be stored: {exc}") from None
    if len(text) > limit:
        raise ValueNotSupported(
            f"{cls.__waymark_name__}.run() input is {len(text)} bytes encoded; the limit is "
            f"{limit} (WAYMARK_MAX_PAYLOAD_BYTES): pass a reference to large data instead"
        )
    return text


_adapters: dict[type[Any], dict[str, pydantic.TypeAdapter[Any]]] = {}


def _input_adapters(cls: type[Workflow]) -> dict[str, pydantic.TypeAdapter[Any]]:
    """A validator per annotated parameter of run() (none when the hints cannot be resolved here)."""
    found = _adapters.get(cls)
    if found is None:
        try:
            hints = typing.get_type_hints(cls.__waymark_run__, include_extras=True)
            hints.pop("return", None)
            found = {name: pydantic.TypeAdapter(hint) for name, hint in hints.items()}
        except Exception:  # noqa: BLE001 - unresolvable or unsupported hints: the compiler's checks still apply
            found = {}
        _adapters[cls] = found
    return found


MAX_WORKFLOW_ID = 1000  # characters


def check_workflow_id(workflow_id: object) -> None:
    """A clear error before anything is sent: starts made at the same time share one statement, so a value Postgres
    refuses (a NUL character) would otherwise fail every start of the batch."""
    if workflow_id is None:
        return
    if not isinstance(workflow_id, str) or not workflow_id:
        raise TypeError(f"workflow_id must be a non-empty str, got {workflow_id!r}")
    if "\x00" in workflow_id:
        raise ValueError(f"workflow_id must not contain NUL characters, got {workflow_id!r}")
    if len(workflow_id) > MAX_WORKFLOW_ID:
        raise ValueError(f"workflow_id is {len(workflow_id)} characters long; the limit is {MAX_WORKFLOW_ID}")


def _without_self(signature: inspect.Signature) -> str:
    params = list(signature.parameters.values())[1:]
    return str(signature.replace(parameters=params))


async def start_workflow(
    cls: type[Workflow],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    workflow_id: str | None = None,
    workflow_timeout: float | timedelta | None = None,
) -> WorkflowHandle:
    check_workflow_id(workflow_id)
    timeout_seconds = workflow_timeout_of(workflow_timeout, "workflow_timeout")
    if timeout_seconds is None:
        timeout_seconds = cls.__waymark_timeout__
    conn = await _connection()
    name = cls.__waymark_name__
    input_json = encode_input(cls, args, kwargs, conn.settings.max_payload_bytes)
    # The start span joins the application's trace (if it has one) and becomes the run's parent: every advance,
    # attempt and timer of the run is a child of it, through runs.traceparent (waymark_store.telemetry).
    with telemetry.span(
        f"start {name}", kind=telemetry.SpanKind.PRODUCER, attributes={"waymark.workflow": name}
    ) as span:
        try:
            request = runs.StartRequest(
                name, input_json, workflow_id, telemetry.traceparent_of(span), timeout_seconds=timeout_seconds
            )
            started = await conn.start(request)
        except runs.UnknownWorkflow:
            raise WorkflowNotRegistered(
                f"workflow {name!r} is not registered in this database: start a worker that imports its module "
                f"(`waymark-start-workers {cls.__module__}`) before starting runs",
                workflow=name,
            ) from None
        span.set_attribute("waymark.run_id", str(started.run_id))
        span.set_attribute("waymark.created", started.created)
    return WorkflowHandle(started.run_id, workflow_id or str(started.run_id), name, created=started.created)


class WorkflowHandle:
    """A started run. `await handle.result()` waits for it; the handle itself holds no resources."""

    def __init__(self, run_id: uuid.UUID, workflow_id: str, workflow_name: str, *, created: bool = True) -> None:
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.workflow_name = workflow_name
        self.created = created

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.workflow_name} workflow_id={self.workflow_id!r} run_id={self.run_id}>"

    async def status(self) -> str:
        """queued | running | waiting | completed | failed | cancelled | timed_out"""
        conn = await _connection()
        outcome = await runs.get_outcome(conn.db.pool, self.run_id)
        if outcome is None:
            raise LookupError(f"run {self.run_id} does not exist (was the database reset?)")
        return outcome.status

    async def result(self, timeout: float | None = None) -> Any:
        """Wait for the run to end; return its result or raise its exception (`WorkflowCancelled` if cancelled,
        `WorkflowTimedOut` if its workflow timeout ended it).
        Raises TimeoutError after `timeout` seconds (the run goes on)."""
        conn = await _connection()
        await conn.subscribe_done()
        event = asyncio.Event()
        conn.waiters.setdefault(self.run_id, set()).add(event)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            while True:
                event.clear()
                try:
                    outcome = await runs.get_outcome(conn.db.pool, self.run_id)
                except CONNECTION_ERRORS as exc:  # Postgres restarting: the run goes on, and so does the wait
                    outcome, status = None, f"unknown (Postgres unreachable: {type(exc).__name__}: {exc})"
                else:
                    if outcome is None:
                        raise LookupError(f"run {self.run_id} does not exist (was the database reset?)")
                    if outcome.finished:
                        return _unwrap(outcome)
                    status = outcome.status
                wait = RECHECK_SECONDS
                if deadline is not None:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        raise TimeoutError(
                            f"run {self.run_id} ({self.workflow_name}, workflow_id "
                            f"{self.workflow_id!r}) did not finish within {timeout}s; it is "
                            f"{status} and goes on"
                        )
                    wait = min(wait, remaining)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), wait)
        finally:
            waiting = conn.waiters.get(self.run_id)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    conn.waiters.pop(self.run_id, None)

    async def signal(self, name: str, value: Any = None) -> None:
        """Deliver a signal to the run (`await waymark.wait_for_signal(name)` receives `value`)."""
        conn = await _connection()
        try:
            encoded = values.dumps(value)
        except TypeError as exc:
            raise ValueNotSupported(f"signal {name!r} value cannot be stored: {exc}") from None
        limit = conn.settings.max_payload_bytes
        if len(encoded) > limit:
            raise ValueNotSupported(
                f"signal {name!r} value is {len(encoded)} bytes encoded; the limit is {limit} "
                "(WAYMARK_MAX_PAYLOAD_BYTES): pass a reference to large data instead"
            )
        payload = orjson.dumps({"kind": "signal", "name": name}).decode()[:-1] + f',"value":{encoded}}}'
        status, added = await runs.add_event(conn.db.pool, self.run_id, "signal", payload)
        if not added:
            raise RuntimeError(f"cannot signal run {self.run_id}: it is {status or 'unknown'}")

    async def cancel(self) -> None:
        """Ask the run to stop: `asyncio.CancelledError` is raised at its current await (finally blocks run)."""
        conn = await _connection()
        status, _ = await runs.add_event(conn.db.pool, self.run_id, "cancel", '{"kind":"cancel"}')
        if status is None:
            raise LookupError(f"run {self.run_id} does not exist")


def _unwrap(outcome: runs.RunOutcome) -> Any:
    if outcome.status == "completed":
        return values.loads(outcome.result) if outcome.result is not None else None
    if outcome.status == "cancelled":
        raise WorkflowCancelled(
            f"run {outcome.run_id} ({outcome.workflow_name}) was cancelled",
            run_id=str(outcome.run_id),
            workflow_id=outcome.workflow_id,
        )
    if outcome.status == "timed_out":
        raise WorkflowTimedOut(
            f"run {outcome.run_id} ({outcome.workflow_name}) timed out: it did not finish within its workflow timeout",
            run_id=str(outcome.run_id),
            workflow_id=outcome.workflow_id,
        )
    error = values.loads(outcome.error) if outcome.error is not None else None
    if isinstance(error, BaseException):
        raise error
    raise WorkflowFailed(
        f"run {outcome.run_id} ({outcome.workflow_name}) ended {outcome.status}: {error!r}",
        run_id=str(outcome.run_id),
        workflow_id=outcome.workflow_id,
        status=outcome.status,
    )
