"""The action call state machine (ARCHITECTURE.md): claim, heartbeat, record outcomes, expire leases.

queued/retry_waiting --claim--> running --outcome--> succeeded | failed | retry_waiting (attempt + 1)
running --lease expired--> queued (redelivery, attempt not spent) | failed with ActionLost
Every transition out of `running` is fenced by (call_id, attempt, lease_token): a late outcome changes nothing and is
kept in late_outcomes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from waymark_store import channels
from waymark_store.db import Executor

# Seconds past an attempt's timeout before the timer fails it (the worker's own timeout normally fires first; the
# timer's is the backstop for a worker that cannot stop the attempt).
DEADLINE_GRACE_SECONDS = 2.0

CLAIM = f"""
WITH picked AS (
    SELECT call_id FROM waymark.actions
    WHERE status IN ('queued', 'retry_waiting') AND action_key = ANY($1::text[])
      AND available_at <= clock_timestamp()
    ORDER BY available_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE waymark.actions a
SET status = 'running', lease_token = gen_random_uuid(),
    lease_expires_at = clock_timestamp() + make_interval(secs => $3), worker_id = $4, started_at = clock_timestamp(),
    -- the attempt deadline the timer enforces (the worker's own timeout fires DEADLINE_GRACE_SECONDS earlier)
    deadline_at = clock_timestamp() + make_interval(secs => a.timeout_seconds + {DEADLINE_GRACE_SECONDS})
FROM picked, waymark.runs r
WHERE a.call_id = picked.call_id AND r.run_id = a.run_id
RETURNING a.call_id, a.run_id, a.seq, a.action_name, a.action_key, a.args, a.attempt, a.max_attempts, a.policy,
          a.timeout_seconds, a.lease_token, a.redeliveries, a.traceparent, r.workflow_id, r.workflow_name
"""

NEXT_AVAILABLE = """
SELECT EXTRACT(EPOCH FROM (min(available_at) - clock_timestamp()))::float8
FROM waymark.actions WHERE status IN ('queued', 'retry_waiting') AND action_key = ANY($1::text[])
"""

HEARTBEAT = """
UPDATE waymark.actions a SET lease_expires_at = clock_timestamp() + make_interval(secs => $3)
FROM unnest($1::bigint[], $2::uuid[]) AS h(call_id, token)
WHERE a.call_id = h.call_id AND a.lease_token = h.token AND a.status = 'running'
RETURNING a.call_id, a.cancel_requested
"""

# Outcomes of a batch of attempts, in one statement. `status` is the next state: succeeded, failed (final) or
# retry_waiting (the worker matched the retry policy and computed the backoff). Final outcomes become events.
RECORD_OUTCOMES = f"""
WITH d AS (
    SELECT * FROM unnest($1::bigint[], $2::int[], $3::uuid[], $4::text[], $5::json[], $6::json[], $7::float8[],
                         $8::text[])
           AS d(call_id, attempt, token, status, result, error, retry_delay, event)
), done AS (
    UPDATE waymark.actions a
    SET status = d.status,
        result = d.result,
        error = d.error,
        attempt = CASE WHEN d.status = 'retry_waiting' THEN a.attempt + 1 ELSE a.attempt END,
        available_at = CASE WHEN d.status = 'retry_waiting'
                            THEN clock_timestamp() + make_interval(secs => d.retry_delay) ELSE a.available_at END,
        finished_at = CASE WHEN d.status = 'retry_waiting' THEN NULL ELSE clock_timestamp() END,
        lease_token = NULL, lease_expires_at = NULL, deadline_at = NULL
    FROM d
    WHERE a.call_id = d.call_id AND a.attempt = d.attempt AND a.lease_token = d.token AND a.status = 'running'
    RETURNING a.call_id, a.run_id, a.status, a.action_key
), events AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT done.run_id, 'action', d.event::json FROM done JOIN d USING (call_id)
    WHERE done.status <> 'retry_waiting'
    RETURNING run_id
), late AS (
    INSERT INTO waymark.late_outcomes (call_id, attempt, worker_id, outcome)
    SELECT d.call_id, d.attempt, $9, json_build_object('status', d.status, 'result', d.result, 'error', d.error)
    FROM d WHERE d.call_id NOT IN (SELECT call_id FROM done)
    RETURNING call_id
), woken AS (
    SELECT string_agg(DISTINCT run_id::text, ',') AS text FROM events
), retried AS (
    SELECT string_agg(DISTINCT action_key, ',') AS text FROM done WHERE status = 'retry_waiting'
)
SELECT (SELECT count(*) FROM done) AS recorded,
       (SELECT count(*) FROM late) AS late,
       (SELECT text FROM woken) AS woken,
       (SELECT text IS NOT NULL FROM retried) AS retried,
       -- $10: a small batch notifies in its own transaction (channels.INLINE_MAX); a large one right after it
       (SELECT pg_notify('{channels.RUNS}', {channels.sql_fit("woken.text")})
          FROM woken WHERE $10 AND woken.text IS NOT NULL),
       (SELECT pg_notify('{channels.TIMERS}', '') FROM retried WHERE $10 AND retried.text IS NOT NULL)
"""

# ActionLost as a tagged exception (docs/values.md), built in SQL so that expiry is one statement.
_LOST_MESSAGE = """format(
    CASE WHEN a.at_most_once
         THEN 'action %s (call %s, attempt %s) was lost: its worker stopped heartbeating and the action is '
              'at_most_once, so it is not delivered again'
         ELSE 'action %s (call %s, attempt %s) was lost: its worker stopped heartbeating after %s redeliveries '
              '(the maximum)' END,
    a.action_name, a.call_id, a.attempt, a.redeliveries)"""
_ACTION_LOST = f"""json_build_object('$exception', json_build_object(
    'class', 'waymark.ActionLost',
    'mro', json_build_array('waymark.ActionLost', 'waymark.WaymarkError', 'builtins.Exception',
                            'builtins.BaseException'),
    'args', json_build_array({_LOST_MESSAGE}), 'message', {_LOST_MESSAGE}, 'cause', NULL))"""

EXPIRE_LEASES = f"""
WITH expired AS (
    SELECT call_id FROM waymark.actions
    WHERE status = 'running' AND lease_expires_at < clock_timestamp()
    ORDER BY lease_expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), again AS (
    UPDATE waymark.actions a
    SET status = 'queued', redeliveries = a.redeliveries + 1, lease_token = NULL, lease_expires_at = NULL,
        deadline_at = NULL, worker_id = NULL, available_at = clock_timestamp()
    FROM expired e
    WHERE a.call_id = e.call_id AND NOT a.at_most_once AND NOT a.cancel_requested
      AND a.redeliveries < a.max_redeliveries
    RETURNING a.action_key
), lost AS (
    UPDATE waymark.actions a
    SET status = 'failed', lease_token = NULL, lease_expires_at = NULL, deadline_at = NULL,
        finished_at = clock_timestamp(), error = {_ACTION_LOST}
    FROM expired e
    WHERE a.call_id = e.call_id AND (a.at_most_once OR a.cancel_requested OR a.redeliveries >= a.max_redeliveries)
    RETURNING a.run_id, a.seq, a.error
), events AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT run_id, 'action', json_build_object('kind', 'action', 'seq', seq, 'ok', false, 'error', error)
    FROM lost
    RETURNING run_id
), keys AS (
    SELECT string_agg(DISTINCT action_key, ',') AS text FROM again
), woken AS (
    SELECT string_agg(DISTINCT run_id::text, ',') AS text FROM events
)
SELECT (SELECT count(*) FROM again) AS redelivered, (SELECT count(*) FROM lost) AS lost,
       (SELECT pg_notify('{channels.ACTIONS}', {channels.sql_fit("keys.text")}) FROM keys WHERE keys.text IS NOT NULL),
       (SELECT pg_notify('{channels.RUNS}', {channels.sql_fit("woken.text")}) FROM woken WHERE woken.text IS NOT NULL)
"""


@dataclass(frozen=True)
class ClaimedCall:
    call_id: int
    run_id: uuid.UUID
    seq: int
    action_name: str
    action_key: str
    args: str  # tagged JSON text of the kwargs
    attempt: int
    max_attempts: int
    policy: str | None
    timeout_seconds: float | None
    lease_token: uuid.UUID
    redeliveries: int
    traceparent: str | None
    workflow_id: str
    workflow_name: str

    @property
    def idempotency_key(self) -> str:
        return f"{self.run_id}:{self.seq}"


@dataclass(frozen=True)
class Outcome:
    call_id: int
    attempt: int
    lease_token: uuid.UUID
    status: str  # succeeded | failed | retry_waiting
    result: str | None  # JSON text (succeeded)
    error: str | None  # JSON text (failed, retry_waiting)
    retry_delay: float  # seconds (retry_waiting)
    event: str | None  # the VM event document for a final outcome


async def claim(conn: Executor, keys: list[str], limit: int, lease_seconds: float, worker_id: str) -> list[ClaimedCall]:
    rows = await conn.fetch(CLAIM, keys, limit, lease_seconds, worker_id)
    return [ClaimedCall(**dict(r)) for r in rows]


async def seconds_until_next(conn: Executor, keys: list[str]) -> float | None:
    """Seconds until the next queued call of these keys becomes available (<= 0: now), None when there is none."""
    value: float | None = await conn.fetchval(NEXT_AVAILABLE, keys)
    return value


@dataclass(frozen=True)
class HeartbeatReply:
    held: set[int]  # leases extended; a call missing here was lost to expiry
    cancel_requested: set[int]  # held calls whose run no longer waits for them: stop the attempt


async def heartbeat(conn: Executor, leases: list[tuple[int, uuid.UUID]], lease_seconds: float) -> HeartbeatReply:
    """Extend the leases, and learn which calls were lost or are no longer wanted."""
    if not leases:
        return HeartbeatReply(set(), set())
    rows = await conn.fetch(HEARTBEAT, [c for c, _ in leases], [t for _, t in leases], lease_seconds)
    return HeartbeatReply({r["call_id"] for r in rows}, {r["call_id"] for r in rows if r["cancel_requested"]})


async def record_outcomes(conn: Executor, outcomes: list[Outcome], worker_id: str) -> tuple[int, int]:
    """Record a batch of attempt outcomes, then wake the schedulers (and the timer, for retries) in a transaction of
    their own (channels.py says why; a small batch notifies in its own statement). Returns (recorded, late)."""
    inline = len(outcomes) <= channels.INLINE_MAX
    row = await conn.fetchrow(
        RECORD_OUTCOMES,
        [o.call_id for o in outcomes],
        [o.attempt for o in outcomes],
        [o.lease_token for o in outcomes],
        [o.status for o in outcomes],
        [o.result for o in outcomes],
        [o.error for o in outcomes],
        [o.retry_delay for o in outcomes],
        [o.event for o in outcomes],
        worker_id,
        inline,
    )
    assert row is not None
    if not inline:
        notices = channels.Notices()
        notices.add(channels.RUNS, row["woken"])
        notices.add(channels.TIMERS, "" if row["retried"] else None)
        await notices.send(conn)
    return row["recorded"], row["late"]


async def expire_leases(conn: Executor, limit: int = 500) -> tuple[int, int]:
    """Redeliver (or fail with ActionLost) calls whose lease expired. Returns (redelivered, lost)."""
    row = await conn.fetchrow(EXPIRE_LEASES, limit)
    assert row is not None
    return row["redelivered"], row["lost"]


RELEASE = f"""
WITH released AS (
    UPDATE waymark.actions a
    SET status = 'queued', lease_token = NULL, lease_expires_at = NULL, deadline_at = NULL, worker_id = NULL,
        available_at = clock_timestamp()
    FROM unnest($1::bigint[], $2::uuid[]) AS h(call_id, token)
    WHERE a.call_id = h.call_id AND a.lease_token = h.token AND a.status = 'running'
    RETURNING a.action_key
), keys AS (
    SELECT string_agg(DISTINCT action_key, ',') AS text FROM released
)
SELECT (SELECT count(*) FROM released),
       (SELECT pg_notify('{channels.ACTIONS}', {channels.sql_fit("keys.text")}) FROM keys WHERE keys.text IS NOT NULL)
"""


async def release(conn: Executor, leases: list[tuple[int, uuid.UUID]]) -> int:
    """Hand calls back (a worker shutting down): queued again at once, no attempt spent."""
    if not leases:
        return 0
    released: int = await conn.fetchval(RELEASE, [c for c, _ in leases], [t for _, t in leases])
    return released


# ActionTimeout as a tagged exception, built in SQL like ActionLost.
_TIMEOUT_MESSAGE = """format('action %s (call %s, attempt %s) timed out after %ss: the timer failed the attempt at '
    'its deadline while its worker was still running it', a.action_name, a.call_id, a.attempt, a.timeout_seconds)"""
_ACTION_TIMEOUT = f"""json_build_object('$exception', json_build_object(
    'class', 'waymark.ActionTimeout',
    'mro', json_build_array('waymark.ActionTimeout', 'waymark.WaymarkError', 'builtins.Exception',
                            'builtins.BaseException'),
    'args', json_build_array({_TIMEOUT_MESSAGE}), 'message', {_TIMEOUT_MESSAGE}, 'cause', NULL))"""

# The retry decision a worker makes (waymark._worker.execute: CallPolicy.retries, Backoff.delay), for ActionTimeout:
# retried only when the policy's retry_on names it or one of its bases, and attempts remain.
_TIMEOUT_RETRIED = """(a.attempt < a.max_attempts AND NOT a.cancel_requested AND EXISTS (
    SELECT 1 FROM json_array_elements_text(COALESCE(a.policy -> 'retry_on', '[]'::json)) AS n(name)
    WHERE n.name IN ('waymark.ActionTimeout', 'waymark.WaymarkError', 'builtins.Exception',
                     'builtins.BaseException')))"""
_BACKOFF_BASE = """LEAST(
    CASE a.policy -> 'backoff' ->> 'kind'
        WHEN 'fixed' THEN (a.policy -> 'backoff' ->> 'initial')::float8
        WHEN 'exponential' THEN (a.policy -> 'backoff' ->> 'initial')::float8
            * exp(LEAST(ln((a.policy -> 'backoff' ->> 'factor')::float8) * (a.attempt - 1), 700))
        ELSE 0 END,
    COALESCE((a.policy -> 'backoff' ->> 'max')::float8, 0))"""
_BACKOFF = f"""CASE WHEN COALESCE((a.policy -> 'backoff' ->> 'jitter')::boolean, false)
    THEN random() * {_BACKOFF_BASE} ELSE {_BACKOFF_BASE} END"""

# Attempts past their deadline (claim time + timeout + grace) while still `running`: the worker could not stop them
# (it blocks its event loop, or swallows the cancellation) yet still heartbeats. The attempt fails with ActionTimeout
# as a worker would record it: retried per policy (attempt + 1, backoff) or final (an event for the run). The lease
# token is cleared, so the worker's late outcome is fenced into late_outcomes and its heartbeat learns it lost the call.
EXPIRE_DEADLINES = f"""
WITH overdue AS (
    SELECT call_id FROM waymark.actions
    WHERE status = 'running' AND deadline_at IS NOT NULL AND deadline_at < clock_timestamp()
    ORDER BY deadline_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), decided AS (
    SELECT a.call_id, {_TIMEOUT_RETRIED} AS retry, {_BACKOFF} AS delay, {_ACTION_TIMEOUT} AS error
    FROM waymark.actions a JOIN overdue USING (call_id)
), done AS (
    UPDATE waymark.actions a
    SET status = CASE WHEN d.retry THEN 'retry_waiting' ELSE 'failed' END,
        error = d.error,
        attempt = CASE WHEN d.retry THEN a.attempt + 1 ELSE a.attempt END,
        available_at = CASE WHEN d.retry THEN clock_timestamp() + make_interval(secs => d.delay)
                            ELSE a.available_at END,
        finished_at = CASE WHEN d.retry THEN NULL ELSE clock_timestamp() END,
        lease_token = NULL, lease_expires_at = NULL, deadline_at = NULL
    FROM decided d
    WHERE a.call_id = d.call_id AND a.status = 'running'
    RETURNING a.run_id, a.seq, a.status, a.error, a.action_key
), events AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT run_id, 'action', json_build_object('kind', 'action', 'seq', seq, 'ok', false, 'error', error)
    FROM done WHERE status = 'failed'
    RETURNING run_id
), keys AS (
    SELECT string_agg(DISTINCT action_key, ',') AS text FROM done WHERE status = 'retry_waiting'
), woken AS (
    SELECT string_agg(DISTINCT run_id::text, ',') AS text FROM events
)
SELECT (SELECT count(*) FROM done WHERE status = 'retry_waiting') AS retried,
       (SELECT count(*) FROM done WHERE status = 'failed') AS failed,
       (SELECT pg_notify('{channels.ACTIONS}', {channels.sql_fit("keys.text")}) FROM keys WHERE keys.text IS NOT NULL),
       (SELECT pg_notify('{channels.RUNS}', {channels.sql_fit("woken.text")}) FROM woken WHERE woken.text IS NOT NULL)
"""


async def expire_deadlines(conn: Executor, limit: int = 500) -> tuple[int, int]:
    """Fail running attempts past their deadline with ActionTimeout. Returns (retried, failed)."""
    row = await conn.fetchrow(EXPIRE_DEADLINES, limit)
    assert row is not None
    return row["retried"], row["failed"]
