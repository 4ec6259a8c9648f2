"""What the gateway (GraphQL API, dashboard) reads: overview counts, workflows and versions, runs and their actions,
events, timers and children, cron schedules. Read-only; starting, signalling and cancelling runs go through `runs`.

Index use: the runs list walks `runs_newest` (created_at, run_id) newest first, or `runs_by_workflow` for one
workflow, and pages by keyset (`(created_at, run_id) < cursor`), never by OFFSET. A search for a run-id prefix is a
primary-key range; a workflow-id prefix is matched along the same newest-first walk. Per-run details are read for a
batch of runs at once through the (run_id, ...) indexes of their tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from waymark_store import schedules as schedule_rows
from waymark_store.db import Executor

RUN_STATUSES = ("queued", "running", "waiting", "completed", "failed", "cancelled", "timed_out")

# Partial indexes answer the action and timer counts (actions_claimable, actions_leases, timers_due).
SELECT_OVERVIEW = """
SELECT (SELECT count(*) FROM waymark.workflows) AS workflows,
       (SELECT count(*) FROM waymark.actions WHERE status IN ('queued', 'retry_waiting')) AS queued_actions,
       (SELECT count(*) FROM waymark.actions WHERE status = 'running') AS running_actions,
       (SELECT count(*) FROM waymark.timers WHERE fired_at IS NULL) AS pending_timers
"""

# runs_by_status (status, updated_at) serves this as an index-only scan.
SELECT_RUN_COUNTS = "SELECT status, count(*) AS n FROM waymark.runs GROUP BY status"

SELECT_RUN_COUNTS_BY_WORKFLOW = """
SELECT workflow_name, status, count(*) AS n FROM waymark.runs WHERE workflow_name = ANY($1::text[])
GROUP BY workflow_name, status
"""

SELECT_WORKFLOWS = """
SELECT w.name, v.version_id, v.module, v.qualname, v.created_at, v.program
FROM waymark.workflows w JOIN waymark.versions v ON v.version_id = w.current_version_id
ORDER BY w.name
"""

SELECT_WORKFLOW = """
SELECT w.name, v.version_id, v.module, v.qualname, v.created_at, v.program
FROM waymark.workflows w JOIN waymark.versions v ON v.version_id = w.current_version_id
WHERE w.name = $1
"""

SELECT_VERSIONS_OF = """
SELECT version_id, workflow_name, module, qualname, created_at FROM waymark.versions
WHERE workflow_name = ANY($1::text[]) ORDER BY created_at DESC, version_id
"""

RUN_COLUMNS = """run_id, workflow_id, workflow_name, version_id, status, input::text AS input, result::text AS result,
error::text AS error, created_at, updated_at, finished_at, parent_run_id, traceparent"""

# $1 workflow name, $2 status, $3/$4 run-id range, $5 workflow-id LIKE pattern (all optional), $6/$7 the cursor,
# $8 the page size (+1, to know whether there is a next page).
SELECT_RUNS_PAGE = f"""
SELECT {RUN_COLUMNS} FROM waymark.runs
WHERE ($1::text IS NULL OR workflow_name = $1)
  AND ($2::text IS NULL OR status = $2)
  AND ($5::text IS NULL OR run_id BETWEEN $3::uuid AND $4::uuid OR workflow_id LIKE $5 ESCAPE '\\')
  AND ($6::timestamptz IS NULL OR (created_at, run_id) < ($6::timestamptz, $7::uuid))
ORDER BY created_at DESC, run_id DESC
LIMIT $8
"""

SELECT_RUNS_BY_ID = f"SELECT {RUN_COLUMNS} FROM waymark.runs WHERE run_id = ANY($1::uuid[])"
SELECT_RUN_BY_WORKFLOW_ID = f"SELECT {RUN_COLUMNS} FROM waymark.runs WHERE workflow_id = $1"
SELECT_CHILDREN_OF = f"""
SELECT {RUN_COLUMNS}, parent_seq FROM waymark.runs WHERE parent_run_id = ANY($1::uuid[])
ORDER BY parent_run_id, parent_seq, created_at
"""

SELECT_ACTIONS_OF = """
SELECT call_id, run_id, seq, action_name, status, attempt, max_attempts, redeliveries, args::text AS args,
       result::text AS result, error::text AS error, worker_id, created_at, started_at, finished_at
FROM waymark.actions WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, seq
"""

SELECT_EVENTS_OF = """
SELECT event_id, run_id, kind, payload::text AS payload, created_at, consumed_at
FROM waymark.events WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, event_id
"""

SELECT_TIMERS_OF = """
SELECT run_id, seq, kind, due_at, fired_at FROM waymark.timers WHERE run_id = ANY($1::uuid[])
ORDER BY run_id, due_at, seq
"""


@dataclass(frozen=True)
class Overview:
    run_counts: dict[str, int]
    workflows: int
    queued_actions: int
    running_actions: int
    pending_timers: int


@dataclass(frozen=True)
class VersionInfo:
    version_id: str
    workflow_name: str
    module: str
    qualname: str
    created_at: datetime


@dataclass(frozen=True)
class WorkflowInfo:
    name: str
    current: VersionInfo
    program: bytes  # waymark.ir.v1.Program of the current version


@dataclass(frozen=True)
class RunRow:
    run_id: uuid.UUID
    workflow_id: str
    workflow_name: str
    version_id: str
    status: str
    input: str
    result: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    parent_run_id: uuid.UUID | None
    traceparent: str | None


@dataclass(frozen=True)
class ActionRow:
    call_id: int
    run_id: uuid.UUID
    seq: int
    action_name: str
    status: str
    attempt: int
    max_attempts: int
    redeliveries: int
    args: str
    result: str | None
    error: str | None
    worker_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class EventRow:
    event_id: int
    run_id: uuid.UUID
    kind: str
    payload: str
    created_at: datetime
    consumed_at: datetime | None


@dataclass(frozen=True)
class TimerRow:
    run_id: uuid.UUID
    seq: int
    kind: str
    due_at: datetime
    fired_at: datetime | None


@dataclass(frozen=True)
class RunPage:
    runs: list[RunRow]
    more: bool  # a next page exists (its cursor is the last run's (created_at, run_id))


@dataclass(frozen=True)
class RunSearch:
    """A search text as the query takes it: a run-id range (for a hex prefix) and a workflow-id LIKE pattern."""

    low: uuid.UUID
    high: uuid.UUID
    pattern: str

    @classmethod
    def of(cls, text: str) -> RunSearch:
        hexdigits = text.replace("-", "").lower()
        if hexdigits and len(hexdigits) <= 32 and all(c in "0123456789abcdef" for c in hexdigits):
            low, high = uuid.UUID(hexdigits.ljust(32, "0")), uuid.UUID(hexdigits.ljust(32, "f"))
        else:  # an empty range: low > high
            low, high = uuid.UUID(int=1), uuid.UUID(int=0)
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return cls(low, high, escaped + "%")


async def overview(conn: Executor) -> Overview:
    counts = {row["status"]: row["n"] for row in await conn.fetch(SELECT_RUN_COUNTS)}
    row = await conn.fetchrow(SELECT_OVERVIEW)
    assert row is not None
    return Overview(counts, row["workflows"], row["queued_actions"], row["running_actions"], row["pending_timers"])


async def run_counts_by_workflow(conn: Executor, names: Sequence[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {name: {} for name in names}
    for row in await conn.fetch(SELECT_RUN_COUNTS_BY_WORKFLOW, list(names)):
        found.setdefault(row["workflow_name"], {})[row["status"]] = row["n"]
    return found


def _workflow(row: asyncpg.Record) -> WorkflowInfo:
    version = VersionInfo(row["version_id"], row["name"], row["module"], row["qualname"], row["created_at"])
    return WorkflowInfo(row["name"], version, bytes(row["program"]))


async def workflows(conn: Executor) -> list[WorkflowInfo]:
    return [_workflow(row) for row in await conn.fetch(SELECT_WORKFLOWS)]


async def workflow(conn: Executor, name: str) -> WorkflowInfo | None:
    row = await conn.fetchrow(SELECT_WORKFLOW, name)
    return None if row is None else _workflow(row)


async def versions_of(conn: Executor, names: Sequence[str]) -> dict[str, list[VersionInfo]]:
    found: dict[str, list[VersionInfo]] = {name: [] for name in names}
    for row in await conn.fetch(SELECT_VERSIONS_OF, list(names)):
        found.setdefault(row["workflow_name"], []).append(VersionInfo(**dict(row)))
    return found


async def runs_page(
    conn: Executor,
    *,
    first: int,
    workflow_name: str | None = None,
    status: str | None = None,
    search: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> RunPage:
    """Runs newest first, at most `first`, strictly older than `after` (the previous page's last run)."""
    found = RunSearch.of(search) if search else None
    rows = await conn.fetch(
        SELECT_RUNS_PAGE,
        workflow_name,
        status,
        found.low if found else None,
        found.high if found else None,
        found.pattern if found else None,
        after[0] if after else None,
        after[1] if after else None,
        first + 1,
    )
    page = [RunRow(**dict(row)) for row in rows[:first]]
    return RunPage(page, more=len(rows) > first)


async def runs_by_id(conn: Executor, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RunRow]:
    if not run_ids:
        return {}
    return {row["run_id"]: RunRow(**dict(row)) for row in await conn.fetch(SELECT_RUNS_BY_ID, list(run_ids))}


async def run_by_workflow_id(conn: Executor, workflow_id: str) -> RunRow | None:
    row = await conn.fetchrow(SELECT_RUN_BY_WORKFLOW_ID, workflow_id)
    return None if row is None else RunRow(**dict(row))


async def children_of(conn: Executor, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[RunRow]]:
    found: dict[uuid.UUID, list[RunRow]] = {run_id: [] for run_id in run_ids}
    for row in await conn.fetch(SELECT_CHILDREN_OF, list(run_ids)):
        values = dict(row)
        values.pop("parent_seq")
        found.setdefault(row["parent_run_id"], []).append(RunRow(**values))
    return found


async def actions_of(conn: Executor, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ActionRow]]:
    found: dict[uuid.UUID, list[ActionRow]] = {run_id: [] for run_id in run_ids}
    for row in await conn.fetch(SELECT_ACTIONS_OF, list(run_ids)):
        found.setdefault(row["run_id"], []).append(ActionRow(**dict(row)))
    return found


async def events_of(conn: Executor, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[EventRow]]:
    found: dict[uuid.UUID, list[EventRow]] = {run_id: [] for run_id in run_ids}
    for row in await conn.fetch(SELECT_EVENTS_OF, list(run_ids)):
        found.setdefault(row["run_id"], []).append(EventRow(**dict(row)))
    return found


async def timers_of(conn: Executor, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[TimerRow]]:
    found: dict[uuid.UUID, list[TimerRow]] = {run_id: [] for run_id in run_ids}
    for row in await conn.fetch(SELECT_TIMERS_OF, list(run_ids)):
        found.setdefault(row["run_id"], []).append(TimerRow(**dict(row)))
    return found


# Every schedule, by name (a small table: one row per schedule name).
SELECT_SCHEDULES = schedule_rows.SELECT_ALL


async def schedules(conn: Executor) -> list[schedule_rows.ScheduleRow]:
    return [schedule_rows.ScheduleRow(**dict(row)) for row in await conn.fetch(SELECT_SCHEDULES)]
