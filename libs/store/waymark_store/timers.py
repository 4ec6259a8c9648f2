"""Timers: fire due rows idempotently (a second timer replica is safe) and tell the timer when to wake next."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from waymark_store import channels
from waymark_store.db import Executor

FIRE_DUE = """
WITH due AS (
    SELECT timer_id FROM waymark.timers
    WHERE fired_at IS NULL AND due_at <= clock_timestamp()
    ORDER BY due_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), fired AS (
    UPDATE waymark.timers t SET fired_at = clock_timestamp()
    FROM due WHERE t.timer_id = due.timer_id
    RETURNING t.run_id, t.seq, t.kind, t.traceparent, t.due_at, t.fired_at
), events AS (
    -- A workflow timeout is a `timeout` event, written only while its run is live (a run that finished first
    -- simply lets its timeout row fire into nothing); every other timer is a `timer` event for its seq.
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT f.run_id, 'timer', json_build_object('kind', 'timer', 'seq', f.seq, 'timer', f.kind)
    FROM fired f WHERE f.kind <> 'workflow_timeout'
    UNION ALL
    SELECT f.run_id, 'timeout', '{"kind":"timeout"}'::json
    FROM fired f JOIN waymark.runs r ON r.run_id = f.run_id
    WHERE f.kind = 'workflow_timeout' AND r.status NOT IN ('completed', 'failed', 'cancelled', 'timed_out')
    RETURNING run_id
), woken AS (
    SELECT string_agg(DISTINCT run_id::text, ',') AS text FROM events
)
SELECT (SELECT count(*) FROM fired) AS fired, (SELECT text FROM woken) AS woken,
       -- $2: the fired rows themselves, for a traced timer's spans
       (SELECT json_agg(json_build_object('run_id', run_id, 'seq', seq, 'kind', kind, 'traceparent', traceparent,
                                          'due', extract(epoch FROM due_at), 'fired', extract(epoch FROM fired_at)))
          FROM fired WHERE $2) AS rows
"""

# Seconds until the timer has something to do: the earliest unfired timer, lease expiry, attempt deadline or
# schedule fire.
SECONDS_UNTIL_DUE = """
SELECT EXTRACT(EPOCH FROM (LEAST(
    (SELECT min(due_at) FROM waymark.timers WHERE fired_at IS NULL),
    (SELECT min(lease_expires_at) FROM waymark.actions WHERE status = 'running'),
    (SELECT min(deadline_at) FROM waymark.actions WHERE status = 'running' AND deadline_at IS NOT NULL),
    (SELECT min(next_fire_at) FROM waymark.schedules WHERE NOT paused)
) - clock_timestamp()))::float8
"""


@dataclass(frozen=True)
class FiredTimer:
    run_id: str
    seq: int
    kind: str
    traceparent: str | None
    due: float  # epoch seconds, Postgres' clock
    fired: float


async def fire_due(conn: Executor, limit: int = 1000, *, rows: list[FiredTimer] | None = None) -> int:
    """Fire up to `limit` due timers, then wake the schedulers once the firing has committed (channels.Notices).
    Returns how many fired; with `rows`, also appends what fired to it."""
    row = await conn.fetchrow(FIRE_DUE, limit, rows is not None)
    assert row is not None
    notices = channels.Notices()
    notices.add(channels.RUNS, row["woken"])
    await notices.send(conn)
    if rows is not None and row["rows"] is not None:
        rows.extend(FiredTimer(**item) for item in orjson.loads(row["rows"]))
    fired: int = row["fired"]
    return fired


async def seconds_until_due(conn: Executor) -> float | None:
    value: float | None = await conn.fetchval(SECONDS_UNTIL_DUE)
    return value
