"""Cron schedules (docs/policies.md): upsert/list/pause/delete for clients, and the timer's fire of due schedules.

A fire locks due rows (`FOR UPDATE SKIP LOCKED`, Postgres' clock), starts one run per row whose workflow_id is
`schedule:<name>:<fire time, UTC ISO>` and moves `next_fire_at` to the first fire time after now, all in one
transaction: a second timer replica skips locked rows and then sees them moved on, and a crash before COMMIT leaves
everything as it was. Fires missed while nothing ran are caught up with ONE run (named for the first missed time).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from waymark_store import channels, cron, runs
from waymark_store.db import Executor

COLUMNS = """name, workflow_name, cron, timezone, input::text AS input, paused, next_fire_at, last_fire_at, last_run_id,
    last_error, created_at, updated_at"""

# Idempotent on name. An unchanged cron and zone keep the stored next_fire_at (re-declaring a schedule at every
# deploy must not skip or repeat a fire); a changed one, or a resumed schedule, starts from the new first fire.
UPSERT = f"""
WITH up AS (
    INSERT INTO waymark.schedules AS s (name, workflow_name, cron, timezone, input, paused, next_fire_at)
    VALUES ($1, $2, $3, $4, $5::json, $6, $7)
    ON CONFLICT (name) DO UPDATE SET
        next_fire_at = CASE WHEN s.cron = EXCLUDED.cron AND s.timezone = EXCLUDED.timezone AND NOT s.paused
                            THEN s.next_fire_at ELSE EXCLUDED.next_fire_at END,
        workflow_name = EXCLUDED.workflow_name, cron = EXCLUDED.cron, timezone = EXCLUDED.timezone,
        input = EXCLUDED.input, paused = EXCLUDED.paused, updated_at = clock_timestamp()
    RETURNING {COLUMNS}
)
SELECT up.*, pg_notify('{channels.TIMERS}', '') AS notified FROM up
"""

SELECT_ALL = f"SELECT {COLUMNS} FROM waymark.schedules ORDER BY name"
SELECT_ONE = f"SELECT {COLUMNS} FROM waymark.schedules WHERE name = $1"
DELETE = "DELETE FROM waymark.schedules WHERE name = $1 RETURNING name"
NOW = "SELECT clock_timestamp()"
PAUSE = (
    f"UPDATE waymark.schedules SET paused = true, updated_at = clock_timestamp() WHERE name = $1 RETURNING {COLUMNS}"
)
RESUME = f"""
WITH up AS (
    UPDATE waymark.schedules SET paused = false, next_fire_at = $2, updated_at = clock_timestamp()
    WHERE name = $1 AND paused
    RETURNING {COLUMNS}
)
SELECT up.*, pg_notify('{channels.TIMERS}', '') AS notified FROM up
"""

CLAIM_DUE = f"""
SELECT {COLUMNS}, clock_timestamp() AS now FROM waymark.schedules
WHERE NOT paused AND next_fire_at <= clock_timestamp()
ORDER BY next_fire_at
LIMIT $1
FOR UPDATE SKIP LOCKED
"""

MARK_FIRED = """
UPDATE waymark.schedules SET next_fire_at = COALESCE($2, next_fire_at), paused = paused OR $2 IS NULL,
    last_fire_at = $3, last_run_id = COALESCE($4, last_run_id), last_error = $5, updated_at = clock_timestamp()
WHERE name = $1
"""


@dataclass(frozen=True)
class ScheduleRow:
    name: str
    workflow_name: str
    cron: str
    timezone: str
    input: str  # tagged JSON text of the run() arguments
    paused: bool
    next_fire_at: datetime
    last_fire_at: datetime | None
    last_run_id: uuid.UUID | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


def _row(record: asyncpg.Record) -> ScheduleRow:
    return ScheduleRow(**{k: v for k, v in dict(record).items() if k not in ("notified", "now")})


async def now(conn: Executor) -> datetime:
    value: datetime = await conn.fetchval(NOW)
    return value


async def first_fire(conn: Executor, expression: str, timezone: str) -> datetime:
    """The first fire time after Postgres' now (raises CronError for a bad expression or zone)."""
    parsed = cron.validate(expression, timezone)
    found = parsed.next_after(await now(conn), timezone)
    if found is None:
        raise cron.CronError(f"cron expression {expression!r} never fires again")
    return found


async def upsert(
    conn: Executor, *, name: str, workflow_name: str, expression: str, timezone: str, input_json: str, paused: bool
) -> ScheduleRow:
    next_fire_at = await first_fire(conn, expression, timezone)
    record = await conn.fetchrow(UPSERT, name, workflow_name, expression, timezone, input_json, paused, next_fire_at)
    assert record is not None
    return _row(record)


async def list_all(conn: Executor) -> list[ScheduleRow]:
    return [_row(r) for r in await conn.fetch(SELECT_ALL)]


async def get(conn: Executor, name: str) -> ScheduleRow | None:
    record = await conn.fetchrow(SELECT_ONE, name)
    return None if record is None else _row(record)


async def delete(conn: Executor, name: str) -> bool:
    return await conn.fetchval(DELETE, name) is not None


async def pause(conn: Executor, name: str) -> ScheduleRow | None:
    record = await conn.fetchrow(PAUSE, name)
    return None if record is None else _row(record)


async def resume(conn: Executor, name: str) -> ScheduleRow | None:
    """Resume from the first fire after now (fires missed while paused are skipped)."""
    current = await get(conn, name)
    if current is None or not current.paused:
        return current
    record = await conn.fetchrow(RESUME, name, await first_fire(conn, current.cron, current.timezone))
    return await get(conn, name) if record is None else _row(record)


def workflow_id_of(name: str, fire_at: datetime) -> str:
    """The run of one fire: deterministic, so a fire can never start two runs."""
    return f"schedule:{name}:{fire_at.astimezone(UTC).isoformat()}"


@dataclass(frozen=True)
class Fired:
    name: str
    fire_at: datetime
    run_id: uuid.UUID | None
    error: str | None


async def fire_due(pool: asyncpg.Pool, limit: int = 100) -> list[Fired]:
    """Fire up to `limit` due schedules in one transaction (see the module docstring). A fire that cannot start a
    run (unregistered workflow, workflow_id taken, a value Postgres refuses) records why in `last_error` and moves on
    to the next fire time; a schedule whose cron no longer parses, or never fires again, is paused with the reason."""
    fired: list[Fired] = []
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(CLAIM_DUE, limit)
        for record in rows:
            row = _row(record)
            fire_at = row.next_fire_at
            next_fire_at: datetime | None = None
            run_id: uuid.UUID | None = None
            errors: list[str] = []
            try:
                next_fire_at = cron.parse(row.cron).next_after(record["now"], row.timezone)
                if next_fire_at is None:
                    errors.append(f"cron expression {row.cron!r} never fires again: schedule paused")
            except cron.CronError as exc:
                errors.append(f"{exc}: schedule paused")
            request = runs.StartRequest(row.workflow_name, row.input, workflow_id_of(row.name, fire_at))
            try:
                async with conn.transaction():  # a savepoint: a refused start must not undo the others
                    (started,) = await runs.start_runs(conn, [request])
            except asyncpg.PostgresError as exc:
                started = exc
            if isinstance(started, runs.StartedRun):
                run_id = started.run_id
            elif isinstance(started, runs.UnknownWorkflow):
                errors.insert(
                    0,
                    f"workflow {row.workflow_name!r} is not registered: start a worker that imports its module "
                    "(this fire started no run)",
                )
            else:
                errors.insert(0, f"this fire started no run: {type(started).__name__}: {started}")
            error = "; ".join(errors) or None
            await conn.execute(MARK_FIRED, row.name, next_fire_at, fire_at, run_id, error)
            fired.append(Fired(row.name, fire_at, run_id, error))
    return fired
