"""Runs seen from clients: start (idempotent on workflow_id), read status and result, signal, cancel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from waymark_store import channels
from waymark_store.db import Executor

TERMINAL = frozenset({"completed", "failed", "cancelled", "timed_out"})

# One statement: resolve the current version, insert the run and its start event, wake the schedulers.
START_RUN = f"""
WITH wf AS (
    SELECT current_version_id FROM waymark.workflows WHERE name = $2
), created AS (
    INSERT INTO waymark.runs (run_id, workflow_id, workflow_name, version_id, input, traceparent)
    SELECT $1, $3, $2, wf.current_version_id, $4::json, $5 FROM wf
    ON CONFLICT (workflow_id) DO NOTHING
    RETURNING run_id
), started AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT run_id, 'start', '{{"kind":"start"}}' FROM created
    RETURNING run_id
)
SELECT (SELECT run_id FROM started) AS run_id,
       (SELECT current_version_id FROM wf) AS version_id,
       (SELECT pg_notify('{channels.RUNS}', run_id::text) FROM started) AS notified
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


async def start_run(
    conn: Executor,
    *,
    workflow_name: str,
    input_json: str,
    workflow_id: str | None = None,
    traceparent: str | None = None,
) -> StartedRun:
    run_id = uuid.uuid4()
    row = await conn.fetchrow(START_RUN, run_id, workflow_name, workflow_id or str(run_id), input_json, traceparent)
    assert row is not None
    if row["run_id"] is not None:
        return StartedRun(row["run_id"], created=True)
    if row["version_id"] is None:
        raise UnknownWorkflow(workflow_name)
    existing = await conn.fetchrow(SELECT_BY_WORKFLOW_ID, workflow_id)
    if existing is None:  # deleted between the two statements: vanishingly rare, and safe to retry
        return await start_run(
            conn, workflow_name=workflow_name, input_json=input_json, workflow_id=workflow_id, traceparent=traceparent
        )
    if existing["workflow_name"] != workflow_name:
        raise WorkflowIdTaken(f"workflow_id {workflow_id!r} is already used by a run of {existing['workflow_name']!r}")
    return StartedRun(existing["run_id"], created=False)


async def get_outcome(conn: Executor, run_id: uuid.UUID) -> RunOutcome | None:
    row = await conn.fetchrow(SELECT_OUTCOME, run_id)
    return None if row is None else RunOutcome(**dict(row))


async def add_event(conn: Executor, run_id: uuid.UUID, kind: str, payload_json: str) -> tuple[str | None, bool]:
    """Append an event (signal, cancel) to a live run. Returns (run status or None if unknown, whether added)."""
    row = await conn.fetchrow(ADD_EVENT, run_id, kind, payload_json)
    assert row is not None
    return row["status"], bool(row["added"])
