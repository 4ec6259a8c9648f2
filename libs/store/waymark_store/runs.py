"""Runs seen from clients: start (idempotent on workflow_id), read status and result, signal, cancel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from waymark_store import channels
from waymark_store.db import Executor

TERMINAL = frozenset({"completed", "failed", "cancelled", "timed_out"})

# One statement for a batch of starts (a client coalesces the starts made while its previous statement was in
# flight): resolve each current version, insert the runs and their start events. Each row is exactly what a single
# start would write; ON CONFLICT keeps the first run of a workflow_id (also within a batch). The schedulers are woken
# once the statement has committed (channels.Notices).
START_RUNS = f"""
WITH req AS (
    SELECT r.*, wf.current_version_id
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $7::float8[])
         WITH ORDINALITY AS r(run_id, workflow_name, workflow_id, input, traceparent, timeout_seconds, ord)
    LEFT JOIN waymark.workflows wf ON wf.name = r.workflow_name
), created AS (
    INSERT INTO waymark.runs (run_id, workflow_id, workflow_name, version_id, input, traceparent)
    SELECT run_id, workflow_id, workflow_name, current_version_id, input::json, traceparent
    FROM req WHERE current_version_id IS NOT NULL ORDER BY ord
    ON CONFLICT (workflow_id) DO NOTHING
    RETURNING run_id
), started AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT run_id, 'start', '{{"kind":"start"}}' FROM created
    RETURNING run_id
), deadlines AS (  -- the workflow timeout: a timer row (seq 0, which the VM never gives out) written with the run
    INSERT INTO waymark.timers (run_id, seq, kind, due_at, traceparent)
    SELECT req.run_id, 0, 'workflow_timeout', clock_timestamp() + make_interval(secs => req.timeout_seconds),
           req.traceparent
    FROM created JOIN req USING (run_id) WHERE req.timeout_seconds IS NOT NULL
    RETURNING 1
), woken AS (
    SELECT string_agg(run_id::text, ',') AS text FROM started
)
SELECT req.ord, started.run_id IS NOT NULL AS created, req.current_version_id IS NOT NULL AS known,
       EXISTS (SELECT 1 FROM deadlines) AS deadlines,
       -- $6: a small batch notifies in its own transaction (channels.INLINE_MAX); a large one right after it
       (SELECT pg_notify('{channels.RUNS}', {channels.sql_fit("woken.text")})
          FROM woken WHERE $6 AND woken.text IS NOT NULL),
       (SELECT pg_notify('{channels.TIMERS}', '') WHERE $6 AND EXISTS (SELECT 1 FROM deadlines))
FROM req LEFT JOIN started USING (run_id)
ORDER BY req.ord
"""

SELECT_BY_WORKFLOW_ID = "SELECT run_id, workflow_name FROM waymark.runs WHERE workflow_id = $1"

SELECT_OUTCOME = """
SELECT run_id, workflow_id, workflow_name, status, result, error FROM waymark.runs WHERE run_id = $1
"""

# Signals and cancel requests are events like any other; the run must exist and not be finished.
ADD_EVENT = f"""
WITH target AS (
    SELECT run_id, status FROM waymark.runs WHERE run_id = $1
), added AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT run_id, $2, $3::json FROM target WHERE status NOT IN ('completed', 'failed', 'cancelled', 'timed_out')
    RETURNING run_id
)
SELECT (SELECT status FROM target) AS status,
       (SELECT count(*) FROM added) AS added,
       (SELECT pg_notify('{channels.RUNS}', run_id::text) FROM added) AS notified
"""


class UnknownWorkflow(LookupError):
    """No version is registered under this workflow name."""


class WorkflowIdTaken(ValueError):
    """The workflow_id already names a run of another workflow."""


@dataclass(frozen=True)
class StartedRun:
    run_id: uuid.UUID
    created: bool  # False: a run with this workflow_id existed and is returned instead


@dataclass(frozen=True)
class RunOutcome:
    run_id: uuid.UUID
    workflow_id: str
    workflow_name: str
    status: str
    result: str | None  # tagged JSON text
    error: str | None  # tagged JSON text of the exception

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class StartRequest:
    workflow_name: str
    input_json: str
    workflow_id: str | None = None
    traceparent: str | None = None
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)
    timeout_seconds: float | None = None  # the workflow timeout: the run ends timed_out past it


async def start_runs(conn: Executor, requests: list[StartRequest]) -> list[StartedRun | Exception]:
    """Start a batch of runs in one statement (one commit, one NOTIFY). Each item is the run started (or found, for a
    workflow_id that exists) or the error of that request alone (UnknownWorkflow, WorkflowIdTaken)."""
    inline = len(requests) <= channels.INLINE_MAX
    rows = await conn.fetch(
        START_RUNS,
        [r.run_id for r in requests],
        [r.workflow_name for r in requests],
        [r.workflow_id or str(r.run_id) for r in requests],
        [r.input_json for r in requests],
        [r.traceparent for r in requests],
        inline,
        [r.timeout_seconds for r in requests],
    )
    if not inline:
        notices = channels.Notices()
        created = (str(r.run_id) for r, row in zip(requests, rows, strict=True) if row["created"])
        notices.add(channels.RUNS, ",".join(created))
        notices.add(channels.TIMERS, "" if rows and rows[0]["deadlines"] else None)
        await notices.send(conn)
    results: list[StartedRun | Exception] = []
    for request, row in zip(requests, rows, strict=True):
        if row["created"]:
            results.append(StartedRun(request.run_id, created=True))
        elif not row["known"]:
            results.append(UnknownWorkflow(request.workflow_name))
        else:
            try:
                results.append(await _existing(conn, request))
            except WorkflowIdTaken as exc:
                results.append(exc)
    return results


async def _existing(conn: Executor, request: StartRequest) -> StartedRun:
    """The run that already holds the request's workflow_id."""
    existing = await conn.fetchrow(SELECT_BY_WORKFLOW_ID, request.workflow_id)
    if existing is None:  # deleted between the two statements: vanishingly rare, and safe to retry
        (again,) = await start_runs(conn, [request])
        if isinstance(again, Exception):
            raise again
        return again
    if existing["workflow_name"] != request.workflow_name:
        raise WorkflowIdTaken(
            f"workflow_id {request.workflow_id!r} is already used by a run of {existing['workflow_name']!r}"
        )
    return StartedRun(existing["run_id"], created=False)


async def start_run(
    conn: Executor,
    *,
    workflow_name: str,
    input_json: str,
    workflow_id: str | None = None,
    traceparent: str | None = None,
    timeout_seconds: float | None = None,
) -> StartedRun:
    request = StartRequest(workflow_name, input_json, workflow_id, traceparent, timeout_seconds=timeout_seconds)
    (result,) = await start_runs(conn, [request])
    if isinstance(result, Exception):
        raise result
    return result


async def get_outcome(conn: Executor, run_id: uuid.UUID) -> RunOutcome | None:
    row = await conn.fetchrow(SELECT_OUTCOME, run_id)
    return None if row is None else RunOutcome(**dict(row))


async def add_event(conn: Executor, run_id: uuid.UUID, kind: str, payload_json: str) -> tuple[str | None, bool]:
    """Append an event (signal, cancel) to a live run. Returns (run status or None if unknown, whether added)."""
    row = await conn.fetchrow(ADD_EVENT, run_id, kind, payload_json)
    assert row is not None
    return row["status"], bool(row["added"])
