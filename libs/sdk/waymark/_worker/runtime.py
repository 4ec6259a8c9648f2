"""The worker loop: claim calls in adaptive batches (SKIP LOCKED; woken by NOTIFY, with a polling fallback), run
them under a concurrency limit while a separate thread heartbeats their leases, and write outcomes in batches.

Batching is "natural": a claim asks for as many calls as there are free slots, and the outcome writer writes, in one
statement, every outcome that finished while the previous write was in flight. At light load each step goes out at
once; under load, commits are shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg
from waymark_store import actions, channels, failpoints, telemetry
from waymark_store.actions import ClaimedCall, Outcome
from waymark_store.db import CONNECTION_ERRORS, Database
from waymark_store.listener import Wakeup
from waymark_store.settings import Settings

from waymark._action import ActionDefinition
from waymark._worker.execute import cancelled_outcome, run_attempt
from waymark._worker.heartbeat import HeartbeatThread

log = logging.getLogger("waymark.worker")

MAX_CLAIM = 128  # calls per claim statement
# Errors after which a statement is simply tried again: the connection or the server went away, or Postgres chose this
# transaction as a deadlock or serialization victim.
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (*CONNECTION_ERRORS, asyncpg.TransactionRollbackError)


class Worker:
    def __init__(self, settings: Settings, db: Database, definitions: dict[str, ActionDefinition]) -> None:
        self.settings = settings
        self.db = db
        self.by_key = {d.key: d for d in definitions.values()}
        self.keys = sorted(self.by_key)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.running: dict[int, tuple[asyncio.Task[None], ClaimedCall]] = {}
        self.completed = 0
        self._slot_freed = asyncio.Event()
        self._outcomes: list[Outcome] = []
        self._outcome_ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self._closing = False  # every attempt has ended: the outcome writer exits once it has written everything
        self._wakeup: Wakeup | None = None
        self._heartbeat: HeartbeatThread | None = None
        self._unwanted: set[int] = set()  # calls cancelled because their run stopped waiting for them
        self.tracing = telemetry.enabled()  # untraced: no span is started per attempt

    async def run(self) -> None:
        """Run until `stop()`; then finish what is held (up to a grace period) and hand back the rest."""
        if not self.keys:
            log.warning("this worker has no actions to run; it only registered workflows")
            await self._stopping.wait()
            return
        loop = asyncio.get_running_loop()
        loop.set_default_executor(
            ThreadPoolExecutor(max_workers=self.settings.worker_concurrency, thread_name_prefix="waymark-action")
        )
        self._heartbeat = HeartbeatThread(
            self.db.url, self.settings.lease_seconds, self._leases_lost, loop, on_cancel=self._cancel_requested
        )
        self._heartbeat.start()
        writer = asyncio.create_task(self._write_outcomes(), name="waymark-outcomes")
        try:
            await self._claim_loop()
            await self._drain(self.settings.shutdown_grace_seconds)
            # Every attempt has ended. Let the writer finish the last outcomes: cancelling it mid-statement would lose
            # its batch (those calls would run again after their leases expired), and the heartbeat keeps their
            # leases until they are written.
            self._closing = True
            self._outcome_ready.set()
            await writer
        finally:
            if not writer.done():  # failing or cancelled ourselves: nothing more can be written
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
            self._heartbeat.stop()

    def stop(self) -> None:
        """Stop claiming now (also when waiting for work), then finish or hand back what is held (`run`)."""
        self._stopping.set()
        self._slot_freed.set()
        if self._wakeup is not None:
            self._wakeup.notify("")

    async def _claim_loop(self) -> None:
        wakeup = self._wakeup = await self.db.listener.subscribe(channels.ACTIONS)
        while not self._stopping.is_set():
            free = self.settings.worker_concurrency - len(self.running)
            wait: float = self.settings.poll_seconds
            if free > 0:
                want = min(free, MAX_CLAIM)
                try:
                    calls = await actions.claim(
                        self.db.pool, self.keys, want, self.settings.lease_seconds, self.worker_id
                    )
                    if calls:
                        failpoints.hit("worker.after_claim")
                    for call in calls:
                        self._start(call)
                    if len(calls) == want:
                        continue  # there may be more right now
                    until = await actions.seconds_until_next(self.db.pool, self.keys)
                    if until is not None:
                        wait = max(0.0, min(wait, until + 0.001))
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("claim failed (%s: %s); retrying", type(exc).__name__, exc)
                    wait = 0.5
            else:
                self._slot_freed.clear()
                await self._slot_freed.wait()
                continue
            await self._wait_for_work(wakeup, wait)

    async def _wait_for_work(self, wakeup: Wakeup, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._stopping.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            payloads = await wakeup.wait(remaining)
            if not payloads:
                return  # timed out: poll
            if any(p == "" or not channels.split_payload(p).isdisjoint(self.by_key) for p in payloads):
                return  # work for us (or a catch-up hint)

    def _start(self, call: ClaimedCall) -> None:
        definition = self.by_key[call.action_key]
        assert self._heartbeat is not None
        self._heartbeat.hold(call.call_id, call.lease_token)
        task = asyncio.create_task(self._execute(call, definition), name=f"action-{call.action_name}-{call.call_id}")
        self.running[call.call_id] = (task, call)

    async def _execute(self, call: ClaimedCall, definition: ActionDefinition) -> None:
        queued = False
        try:
            try:
                if self.tracing:
                    outcome = await self._traced_attempt(call, definition)
                else:
                    outcome = await run_attempt(call, definition, self.settings.max_payload_bytes)
            except asyncio.CancelledError:
                if call.call_id not in self._unwanted:
                    raise  # lease lost or shutting down: the call is redelivered or handed back
                # The run stopped waiting for this call: end it for good, so it is not redelivered.
                outcome = cancelled_outcome(call)
            self._outcomes.append(outcome)
            self._outcome_ready.set()
            queued = True  # the heartbeat keeps its lease until the writer has written it (and drops it then)
        finally:
            self._unwanted.discard(call.call_id)
            self.running.pop(call.call_id, None)
            if self._heartbeat is not None and not queued:
                self._heartbeat.drop(call.call_id)
            self._slot_freed.set()

    async def _traced_attempt(self, call: ClaimedCall, definition: ActionDefinition) -> Outcome:
        """The attempt in a span that is a child of the advance that created the call, and current while the
        action runs (so the action's own spans, an HTTP client's for example, join the run's trace)."""
        with telemetry.span(
            f"action {call.action_name}",
            parent=call.traceparent,
            kind=telemetry.SpanKind.CONSUMER,
            attributes={
                "waymark.run_id": str(call.run_id),
                "waymark.workflow": call.workflow_name,
                "waymark.call_id": call.call_id,
                "waymark.attempt": call.attempt,
                "waymark.worker_id": self.worker_id,
            },
            current=True,
        ) as span:
            outcome = await run_attempt(call, definition, self.settings.max_payload_bytes)
            span.set_attribute("waymark.outcome", outcome.status)
            if outcome.status != "succeeded":
                telemetry.set_error(span, f"attempt {outcome.status}")
            return outcome

    def _cancel_requested(self, call_ids: set[int]) -> None:
        """The runs no longer wait for these calls (cancelled, or ended): cancel the attempts."""
        for call_id in call_ids:
            held = self.running.get(call_id)
            if held is not None and call_id not in self._unwanted:
                log.info(
                    "call %d (%s) is no longer wanted by its run; cancelling the attempt", call_id, held[1].action_name
                )
                self._unwanted.add(call_id)
                held[0].cancel()

    def _leases_lost(self, call_ids: set[int]) -> None:
        """The timer took these calls back (we missed heartbeats): our outcome would be late, so stop working."""
        for call_id in call_ids:
            held = self.running.get(call_id)
            if held is not None:
                log.warning("lease of call %d (%s) was lost; cancelling the attempt", call_id, held[1].action_name)
                held[0].cancel()

    async def _write_outcomes(self) -> None:
        while True:
            await self._outcome_ready.wait()
            self._outcome_ready.clear()
            await self._flush()
            if self._closing and not self._outcomes:
                return

    async def _flush(self) -> None:
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            try:
                await self._record(batch)
            except RETRYABLE_ERRORS as exc:
                # Keep them: the lease (heartbeated until written) protects the calls meanwhile.
                log.warning("writing %d outcomes failed (%s); retrying", len(batch), exc)
                self._outcomes[:0] = batch
                await asyncio.sleep(0.5)
            except asyncpg.PostgresError as exc:
                # Not a lost connection: this statement will never succeed. Retrying the batch would hold every
                # later outcome of this worker behind it, so write the outcomes one by one and give up on the ones
                # Postgres refuses: their leases lapse and the calls are redelivered (a bounded number of times).
                log.error("writing %d outcomes failed (%s); writing them one by one", len(batch), exc)
                for outcome in batch:
                    try:
                        await self._record([outcome])
                    except RETRYABLE_ERRORS:
                        self._outcomes.append(outcome)
                    except asyncpg.PostgresError as single:
                        log.error(
                            "the outcome of call %d cannot be written (%s); it will be redelivered",
                            outcome.call_id,
                            single,
                        )
                        if self._heartbeat is not None:
                            self._heartbeat.drop(outcome.call_id)

    async def _record(self, batch: list[Outcome]) -> None:
        failpoints.hit("worker.before_record")
        await actions.record_outcomes(self.db.pool, batch, self.worker_id)
        failpoints.hit("worker.after_record")
        self.completed += len(batch)
        if self._heartbeat is not None:
            for written in batch:
                self._heartbeat.drop(written.call_id)

    async def _drain(self, grace: float = 30.0) -> None:
        """Shutdown: let running attempts finish for `grace` seconds, then cancel and hand back the rest."""
        if not self.running:
            return
        log.info("stopping: waiting up to %.0fs for %d running actions", grace, len(self.running))
        tasks = [task for task, _ in self.running.values()]
        _, pending = await asyncio.wait(tasks, timeout=grace)
        if pending:
            leases = [(call.call_id, call.lease_token) for task, call in list(self.running.values()) if task in pending]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            released = await actions.release(self.db.pool, leases)
            log.info("handed back %d calls", released)
