"""The scheduler service: claim runnable runs, advance each through the VM, commit — one transaction per batch.

A run is runnable exactly when it has unconsumed events (ARCHITECTURE.md). The loop wakes on NOTIFY waymark_runs
(with a polling fallback), drains everything runnable, and sleeps again. Several loops (and several scheduler
processes) run side by side safely: runs are claimed with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from typing import Any

import asyncpg
import orjson
from waymark_store import advance, channels, failpoints, telemetry, versions
from waymark_store.db import Connection, Database
from waymark_store.listener import Wakeup
from waymark_store.runs import TERMINAL
from waymark_store.service import ServiceSpec
from waymark_store.settings import Settings

from waymark_scheduler.vm import Effects, Program, VmError, load_program

log = logging.getLogger("waymark.scheduler")

_START = '{"kind":"start"}'

# Errors that depend on the values written (not on the connection or the server): the same advance would be refused
# again, forever. Data exceptions (SQLSTATE class 22), integrity violations (23), program limits exceeded (54).
REFUSED_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
    asyncpg.ProgramLimitExceededError,
)


def internal_error(message: str) -> str:
    """A run-ending error the VM itself could not express (unloadable program, unreadable snapshot)."""
    return orjson.dumps(
        {
            "$exception": {
                "class": "waymark.WaymarkError",
                "mro": ["waymark.WaymarkError", "builtins.Exception", "builtins.BaseException"],
                "args": [message],
                "message": message,
                "cause": None,
            }
        }
    ).decode()


def timed_out_error(run: advance.RunnableRun) -> str:
    """The error of a run that its timeout ended (`waymark.WorkflowTimedOut`): what `handle.result()` raises and
    what a parent awaiting it as a child sees, rather than a bare CancelledError."""
    message = f"run {run.run_id} ({run.workflow_name}) timed out: it did not finish within its workflow timeout"
    mro = ["waymark.WorkflowTimedOut", "waymark.WaymarkError", "builtins.Exception", "builtins.BaseException"]
    return orjson.dumps(
        {"$exception": {"class": mro[0], "mro": mro, "args": [message], "message": message, "cause": None}}
    ).decode()


def events_document(run: advance.RunnableRun) -> bytes:
    """The VM's events array, built from the stored payload texts without parsing them."""
    parts = [f'{{"kind":"start","input":{run.input}}}' if p == _START else p for p in run.payloads]
    return ("[" + ",".join(parts) + "]").encode()


def outcome_from_effects(run: advance.RunnableRun, snapshot: bytes, effects: Effects) -> advance.AdvanceOutcome:
    status = effects["status"]
    outcome = advance.AdvanceOutcome(
        run_id=run.run_id,
        status=status,
        snapshot=None if status in TERMINAL else snapshot,
        event_ids=run.event_ids,
        result=effects.get("result"),
        error=timed_out_error(run) if status == "timed_out" else effects.get("error"),
        actions=[
            advance.NewAction(
                seq=a["seq"],
                action_name=a["action"],
                action_key=a["key"],
                args=a["args"],
                max_attempts=a["max_attempts"],
                policy=a.get("policy"),
                timeout_seconds=a.get("timeout_seconds"),
                at_most_once=a.get("at_most_once", False),
            )
            for a in effects.get("actions", [])
        ],
        timers=[
            advance.NewTimer(seq=t["seq"], kind=t["kind"], seconds=t["seconds"]) for t in effects.get("timers", [])
        ],
        traceparent=run.traceparent,
        children=[
            advance.NewChild(
                seq=c["seq"], workflow_name=c["workflow"], args=c["args"], workflow_id=c.get("workflow_id")
            )
            for c in effects.get("children", [])
        ],
        cancelled_seqs=list(effects.get("cancel", [])),
    )
    return with_parent_event(run, outcome)


def with_parent_event(run: advance.RunnableRun, outcome: advance.AdvanceOutcome) -> advance.AdvanceOutcome:
    """A child run that just ended tells its parent, in the same transaction."""
    if run.parent_run_id is not None and run.parent_seq is not None and outcome.status in TERMINAL:
        event = advance.child_event(run.parent_seq, outcome.status, outcome.result, outcome.error)
        outcome.parent_event = (run.parent_run_id, event)
    return outcome


class LoopDispatch:
    """Hands each `NOTIFY waymark_runs` to one idle advance loop rather than to all of them.

    Woken all at once, every loop raced for the same run at light load: one advanced it, the others paid a BEGIN, an
    empty claim and a COMMIT on the critical path of that hop. A notification that finds no idle loop is remembered,
    and the next loop to finish a batch claims again instead of waiting (so none is lost); a loop whose batch came
    back full wakes another one."""

    def __init__(self) -> None:
        self._idle: collections.deque[asyncio.Event] = collections.deque()
        self._pending = False

    async def forward(self, wakeup: Wakeup) -> None:
        while True:
            await wakeup.wait(None)
            self.notify()

    def notify(self) -> None:
        while self._idle:
            event = self._idle.popleft()
            if not event.is_set():
                event.set()
                return
        self._pending = True

    async def wait(self, timeout: float) -> None:
        """Until this loop is handed a notification, or `timeout` seconds (the polling fallback)."""
        if self._pending:
            self._pending = False
            return
        event = asyncio.Event()
        self._idle.append(event)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._idle.remove(event)


class Scheduler:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._programs: dict[str, Program] = {}  # versions are immutable, so programs are safe to keep
        self.advanced = 0
        self.tracing = telemetry.enabled()  # untraced: no span is even started (the hot path stays as it was)

    async def run(self) -> None:
        wakeup = await self.db.listener.subscribe(channels.RUNS)  # before the first claim: nothing is missed
        dispatch = LoopDispatch()
        tasks = [asyncio.create_task(dispatch.forward(wakeup), name="scheduler-dispatch")]
        for index in range(self.settings.scheduler_concurrency):
            tasks.append(asyncio.create_task(self._loop(dispatch), name=f"scheduler-loop-{index}"))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

    async def _loop(self, wakeup: LoopDispatch) -> None:
        while True:
            try:
                while (advanced := await self.advance_batch()) > 0:
                    if advanced >= self.settings.scheduler_batch:
                        wakeup.notify()  # a full batch: there is likely more, let an idle loop help
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("advance failed (%s: %s); the runs stay runnable and are retried", type(exc).__name__, exc)
                await asyncio.sleep(0.5)
            except Exception:  # a bug must not stop the service: its runs stay runnable, and it says so loudly
                log.exception("advance failed unexpectedly; the runs stay runnable and are retried")
                await asyncio.sleep(1.0)
            await wakeup.wait(self.settings.poll_seconds)

    async def advance_batch(self) -> int:
        """Claim and advance one batch in one transaction. Returns how many runs were advanced."""
        try:
            return await self._advance_batch(run_by_run=False)
        except REFUSED_ERRORS as exc:
            # Postgres refuses what the VM decided for some run of the batch (a value it cannot store, e.g. a sleep
            # beyond the timestamp range). Retrying the batch would hold every run in it back forever, so this batch
            # is written run by run, and a run that cannot be stored fails on its own.
            log.error(
                "a batch of advances was refused (%s: %s); writing the next one run by run", type(exc).__name__, exc
            )
            return await self._advance_batch(run_by_run=True)

    async def _advance_batch(self, *, run_by_run: bool) -> int:
        notices = channels.Notices()  # sent once the batch has committed (channels.py says why)
        async with self.db.pool.acquire() as conn:
            async with conn.transaction():
                runs = await advance.claim_runnable(conn, self.settings.scheduler_batch)
                if not runs:
                    return 0
                failpoints.hit("scheduler.after_claim")
                outcomes = [await self._advance_one(conn, run) for run in runs]
                failpoints.hit("scheduler.after_vm")
                if run_by_run:
                    for run, outcome in zip(runs, outcomes, strict=True):
                        await self._write_alone(conn, run, outcome, notices)
                else:
                    await advance.write_advances(conn, outcomes, self.settings.max_redeliveries, notices)
                    await advance.write_run_links(conn, outcomes)
                failpoints.hit("scheduler.before_commit")
            await notices.send(conn)
        self.advanced += len(runs)
        return len(runs)

    async def _write_alone(
        self, conn: Connection, run: advance.RunnableRun, outcome: advance.AdvanceOutcome, notices: channels.Notices
    ) -> None:
        """Write one run's advance in a savepoint; if Postgres refuses it, the run fails (with its events consumed)
        instead: every started run reaches a terminal state (DESIGN §4.1), this one too."""
        try:
            async with conn.transaction():  # a savepoint: the batch's other writes and its locks stay
                await advance.write_advances(conn, [outcome], self.settings.max_redeliveries, notices)
                await advance.write_run_links(conn, [outcome])
            return
        except REFUSED_ERRORS as exc:
            log.error("run %s (%s) cannot be stored: %s: %s", run.run_id, run.workflow_name, type(exc).__name__, exc)
            message = f"run {run.run_id} of {run.workflow_name} could not be stored: {type(exc).__name__}: {exc}"
        failed = advance.AdvanceOutcome(run.run_id, "failed", None, run.event_ids, error=internal_error(message))
        failed = with_parent_event(run, failed)
        await advance.write_advances(conn, [failed], self.settings.max_redeliveries, notices)
        await advance.write_run_links(conn, [failed])

    async def _advance_one(self, conn: Connection, run: advance.RunnableRun) -> advance.AdvanceOutcome:
        if not self.tracing:
            return await self._advance_vm(conn, run)
        # One short span per advance, child of the run's stored context; what the advance creates (calls, timers,
        # child runs) is stored with this span as its parent, so the run's whole story is one trace.
        with telemetry.span(
            f"advance {run.workflow_name}",
            parent=run.traceparent,
            attributes={"waymark.run_id": str(run.run_id), "waymark.events": len(run.event_ids)},
        ) as span:
            outcome = await self._advance_vm(conn, run)
            span.set_attribute("waymark.status", outcome.status)
            span.set_attribute("waymark.actions", len(outcome.actions))
            span.set_attribute("waymark.timers", len(outcome.timers))
            if outcome.status in ("failed", "timed_out"):
                telemetry.set_error(span, f"run {outcome.status}")
            here = telemetry.traceparent_of(span)
            outcome.traceparent = here or run.traceparent
            if run.traceparent is None:
                outcome.run_traceparent = here
        return outcome

    async def _advance_vm(self, conn: Connection, run: advance.RunnableRun) -> advance.AdvanceOutcome:
        if run.status in TERMINAL:  # late events (a gather sibling, a late signal): consumed, never run
            return advance.AdvanceOutcome(run.run_id, run.status, None, run.event_ids)
        try:
            program = await self._program(conn, run.version_id)
            snapshot, effects_json = program.advance(run.snapshot, events_document(run))
            effects: Effects = orjson.loads(effects_json)
            return outcome_from_effects(run, snapshot, effects)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            raise  # the database, not the run: the batch is retried
        except Exception as exc:  # VmError, or anything else this one run's data provokes
            # Fail this run alone: re-raising would fail the batch, and the same data would fail it again forever.
            log.exception("run %s (%s) cannot advance", run.run_id, run.workflow_name)
            message = f"run {run.run_id} of {run.workflow_name} could not be advanced: {type(exc).__name__}: {exc}"
            failed = advance.AdvanceOutcome(run.run_id, "failed", None, run.event_ids, error=internal_error(message))
            return with_parent_event(run, failed)

    async def _program(self, conn: Connection, version_id: str) -> Program:
        program = self._programs.get(version_id)
        if program is None:
            data = await versions.load_program(conn, version_id)
            if data is None:
                raise VmError(f"version {version_id} is not stored")
            program = load_program(data)
            self._programs[version_id] = program
        return program


async def run_scheduler(settings: Settings, **_: Any) -> None:
    db = await Database.open(settings.require_database_url(), pool_size=settings.scheduler_concurrency + 1)
    try:
        log.info(
            "scheduler running (%d loops, batches of %d)", settings.scheduler_concurrency, settings.scheduler_batch
        )
        await Scheduler(settings, db).run()
    finally:
        await db.close()


SERVICE = ServiceSpec(name="scheduler", help="advance runnable runs through the Rust VM", run=run_scheduler, order=20)
