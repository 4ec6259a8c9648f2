"""The scheduler's statements: claim runnable runs with all their unconsumed events, then write what the VM decided.

Both run inside ONE transaction per batch (ARCHITECTURE.md, "One advance = one transaction"):
`claim_runnable` locks the runs (SKIP LOCKED) and reads their events; `write_advances` inserts the new action calls
and timers, updates the runs, marks exactly the events that were read as consumed, and NOTIFYs, in one statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from waymark_store import channels
from waymark_store.db import Connection

CLAIM_RUNNABLE = """
WITH claimed AS (
    SELECT r.run_id, r.version_id, r.workflow_name, r.status, r.snapshot, r.input, r.parent_run_id, r.traceparent
    FROM waymark.runs r
    WHERE r.run_id IN (
        SELECT DISTINCT e.run_id FROM waymark.events e WHERE e.consumed_at IS NULL LIMIT $1 * 4
    )
    FOR NO KEY UPDATE OF r SKIP LOCKED  -- not FOR UPDATE: event inserts (FK KEY SHARE) must not wait on us
    LIMIT $1
)
SELECT c.*, ev.event_ids, ev.payloads
FROM claimed c
CROSS JOIN LATERAL (
    SELECT array_agg(e.event_id ORDER BY e.event_id) AS event_ids,
           array_agg(e.payload::text ORDER BY e.event_id) AS payloads
    FROM waymark.events e
    WHERE e.run_id = c.run_id AND e.consumed_at IS NULL
) ev
"""

WRITE_ADVANCES = f"""
WITH new_actions AS (
    INSERT INTO waymark.actions (run_id, seq, action_name, action_key, args, max_attempts, policy,
                                 timeout_seconds, at_most_once, max_redeliveries, traceparent)
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::json[], $6::int[], $7::json[],
                         $8::float8[], $9::bool[], $10::int[], $11::text[])
    ON CONFLICT (run_id, seq) DO NOTHING
    RETURNING action_key
), new_timers AS (
    INSERT INTO waymark.timers (run_id, seq, kind, due_at)
    SELECT t.run_id, t.seq, t.kind, clock_timestamp() + make_interval(secs => t.seconds)
    FROM unnest($12::uuid[], $13::int[], $14::text[], $15::float8[]) AS t(run_id, seq, kind, seconds)
    ON CONFLICT (run_id, seq, kind) DO NOTHING
    RETURNING 1
), updated AS (
    UPDATE waymark.runs r
    SET status = u.status, snapshot = u.snapshot, result = u.result, error = u.error,
        updated_at = clock_timestamp(),
        finished_at = CASE WHEN u.status IN ('completed', 'failed', 'cancelled', 'timed_out')
                           THEN clock_timestamp() END
    FROM unnest($16::uuid[], $17::text[], $18::bytea[], $19::json[], $20::json[])
         AS u(run_id, status, snapshot, result, error)
    WHERE r.run_id = u.run_id
      AND r.status NOT IN ('completed', 'failed', 'cancelled', 'timed_out')  -- a terminal state is final
    RETURNING r.run_id, r.status
), consumed AS (
    UPDATE waymark.events SET consumed_at = clock_timestamp() WHERE event_id = ANY($21::bigint[])
    RETURNING 1
), keys AS (
    SELECT string_agg(DISTINCT action_key, ',') AS text FROM new_actions
), finished AS (
    SELECT string_agg(run_id::text, ',') AS text FROM updated
    WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out')
)
SELECT (SELECT count(*) FROM consumed) AS consumed,
       (SELECT pg_notify('{channels.ACTIONS}', {channels.sql_fit("keys.text")}) FROM keys WHERE keys.text IS NOT NULL),
       (SELECT pg_notify('{channels.TIMERS}', '') WHERE EXISTS (SELECT 1 FROM new_timers)),
       (SELECT pg_notify('{channels.DONE}', {channels.sql_fit("finished.text")})
          FROM finished WHERE finished.text IS NOT NULL)
"""


@dataclass(frozen=True)
class RunnableRun:
    run_id: uuid.UUID
    version_id: str
    workflow_name: str
    status: str
    snapshot: bytes | None
    input: str  # tagged JSON text of the run() arguments
    event_ids: list[int]
    payloads: list[str]  # VM event documents, in event order
    traceparent: str | None


@dataclass(frozen=True)
class NewAction:
    seq: int
    action_name: str
    action_key: str
    args: str  # JSON text
    max_attempts: int
    policy: str | None
    timeout_seconds: float | None
    at_most_once: bool


@dataclass(frozen=True)
class NewTimer:
    seq: int
    kind: str
    seconds: float


@dataclass
class AdvanceOutcome:
    """What one VM call decided for one run."""

    run_id: uuid.UUID
    status: str
    snapshot: bytes | None
    event_ids: list[int]
    result: str | None = None
    error: str | None = None
    actions: list[NewAction] = field(default_factory=list)
    timers: list[NewTimer] = field(default_factory=list)
    traceparent: str | None = None


async def claim_runnable(conn: Connection, limit: int) -> list[RunnableRun]:
    """Lock up to `limit` runnable runs (must be called inside a transaction) with all their unconsumed events."""
    rows = await conn.fetch(CLAIM_RUNNABLE, limit)
    return [
        RunnableRun(
            run_id=r["run_id"],
            version_id=r["version_id"],
            workflow_name=r["workflow_name"],
            status=r["status"],
            snapshot=r["snapshot"],
            input=r["input"],
            event_ids=r["event_ids"] or [],
            payloads=r["payloads"] or [],
            traceparent=r["traceparent"],
        )
        for r in rows
    ]


async def write_advances(conn: Connection, outcomes: list[AdvanceOutcome], max_redeliveries: int) -> int:
    """Write every outcome in one statement (inside the claim's transaction). Returns the events consumed."""
    a_run: list[uuid.UUID] = []
    a_seq: list[int] = []
    a_name: list[str] = []
    a_key: list[str] = []
    a_args: list[str] = []
    a_max: list[int] = []
    a_policy: list[str | None] = []
    a_timeout: list[float | None] = []
    a_once: list[bool] = []
    a_trace: list[str | None] = []
    t_run: list[uuid.UUID] = []
    t_seq: list[int] = []
    t_kind: list[str] = []
    t_seconds: list[float] = []
    event_ids: list[int] = []
    for o in outcomes:
        event_ids.extend(o.event_ids)
        for a in o.actions:
            a_run.append(o.run_id)
            a_seq.append(a.seq)
            a_name.append(a.action_name)
            a_key.append(a.action_key)
            a_args.append(a.args)
            a_max.append(a.max_attempts)
            a_policy.append(a.policy)
            a_timeout.append(a.timeout_seconds)
            a_once.append(a.at_most_once)
            a_trace.append(o.traceparent)
        for t in o.timers:
            t_run.append(o.run_id)
            t_seq.append(t.seq)
            t_kind.append(t.kind)
            t_seconds.append(t.seconds)
    consumed: int = await conn.fetchval(
        WRITE_ADVANCES,
        a_run,
        a_seq,
        a_name,
        a_key,
        a_args,
        a_max,
        a_policy,
        a_timeout,
        a_once,
        [max_redeliveries] * len(a_run),
        a_trace,
        t_run,
        t_seq,
        t_kind,
        t_seconds,
        [o.run_id for o in outcomes],
        [o.status for o in outcomes],
        [o.snapshot for o in outcomes],
        [o.result for o in outcomes],
        [o.error for o in outcomes],
        event_ids,
    )
    return consumed
