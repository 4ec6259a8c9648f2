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
SELECT r.run_id, r.version_id, r.workflow_name, r.status, r.snapshot, r.input, r.parent_run_id, r.parent_seq,
       r.traceparent
FROM waymark.runs r
WHERE r.run_id IN (
    SELECT DISTINCT e.run_id FROM waymark.events e WHERE e.consumed_at IS NULL LIMIT $1 * 4
)
FOR NO KEY UPDATE OF r SKIP LOCKED  -- not FOR UPDATE: event inserts (FK KEY SHARE) must not wait on us
LIMIT $1
"""

# A statement of its own, after the claim (READ COMMITTED: a new snapshot). Read in the claim's statement, the events
# could be stale: a run another scheduler advanced and committed while the claim was running is locked in its new
# version, but that statement's snapshot still shows the events the other advance consumed, and the VM would get
# them a second time (a signal would be delivered twice).
SELECT_UNCONSUMED_EVENTS = """
SELECT e.run_id, array_agg(e.event_id ORDER BY e.event_id) AS event_ids,
       array_agg(e.payload::text ORDER BY e.event_id) AS payloads
FROM waymark.events e
WHERE e.run_id = ANY($1::uuid[]) AND e.consumed_at IS NULL
GROUP BY e.run_id
"""


def _waymark_exception(cls: str, mro: list[str], message_sql: str) -> str:
    """SQL building a tagged `$exception` (docs/values.md) whose message is the SQL expression `message_sql`."""
    mro_sql = ", ".join(f"'{name}'" for name in mro)
    return (
        f"json_build_object('$exception', json_build_object('class', '{cls}', 'mro', json_build_array({mro_sql}), "
        f"'args', json_build_array({message_sql}), 'message', {message_sql}, 'cause', NULL))"
    )


_NOT_REGISTERED = _waymark_exception(
    "waymark.WorkflowNotRegistered",
    [
        "waymark.WorkflowNotRegistered",
        "waymark.WaymarkError",
        "builtins.LookupError",
        "builtins.Exception",
        "builtins.BaseException",
    ],
    "format('child workflow %s is not registered: start a worker that imports its module', r.workflow_name)",
)
_ID_TAKEN = _waymark_exception(
    "waymark.WaymarkError",
    ["waymark.WaymarkError", "builtins.Exception", "builtins.BaseException"],
    "format('cannot start child workflow %s: workflow_id %s is already used by another run', r.workflow_name, "
    "r.workflow_id)",
)
_CANCELLED = _waymark_exception(
    "asyncio.exceptions.CancelledError",
    ["asyncio.exceptions.CancelledError", "builtins.BaseException"],
    "'the run no longer waits for this call'",
)

# Links between runs and what they stopped waiting for; run (in the advance's transaction) only when an advance
# started children, abandoned operations, or ended a child run.
WRITE_RUN_LINKS = f"""
WITH child_req AS (
    SELECT c.*, wf.current_version_id
    FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::uuid[], $11::text[])
         AS c(parent_run_id, parent_seq, workflow_name, input, workflow_id, run_id, traceparent)
    LEFT JOIN waymark.workflows wf ON wf.name = c.workflow_name
), child_runs AS (
    INSERT INTO waymark.runs (run_id, workflow_id, workflow_name, version_id, input, parent_run_id, parent_seq,
                              traceparent)
    SELECT run_id, workflow_id, workflow_name, current_version_id, input::json, parent_run_id, parent_seq, traceparent
    FROM child_req WHERE current_version_id IS NOT NULL
    ON CONFLICT (workflow_id) DO NOTHING
    RETURNING run_id
), child_started AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT run_id, 'start', '{{"kind":"start"}}' FROM child_runs
    RETURNING run_id
), child_refused AS (  -- unregistered, or the workflow_id is taken: the parent sees a failed child at once
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT r.parent_run_id, 'child', json_build_object('kind', 'child', 'seq', r.parent_seq, 'ok', false, 'error',
           CASE WHEN r.current_version_id IS NULL THEN {_NOT_REGISTERED} ELSE {_ID_TAKEN} END)
    FROM child_req r WHERE r.run_id NOT IN (SELECT run_id FROM child_runs)
    RETURNING run_id
), cancel_req AS (
    SELECT * FROM unnest($7::uuid[], $8::int[]) AS c(run_id, seq)
), dropped_calls AS (
    -- Not started yet: never run them. Running: the worker learns of it through its heartbeat and cancels the
    -- attempt. One UPDATE for both, so that a call a worker claims meanwhile (queued in this statement's snapshot,
    -- running once its lock is released) is re-checked and still marked (two UPDATEs would each miss it).
    UPDATE waymark.actions a
    SET status = CASE WHEN a.status = 'running' THEN a.status ELSE 'failed' END,
        error = CASE WHEN a.status = 'running' THEN a.error ELSE {_CANCELLED} END,
        finished_at = CASE WHEN a.status = 'running' THEN a.finished_at ELSE clock_timestamp() END,
        cancel_requested = true
    FROM cancel_req c
    WHERE a.run_id = c.run_id AND a.seq = c.seq AND a.status IN ('queued', 'retry_waiting', 'running')
    RETURNING 1
), dropped_timers AS (  -- done without an event
    UPDATE waymark.timers t SET fired_at = clock_timestamp()
    FROM cancel_req c WHERE t.run_id = c.run_id AND t.seq = c.seq AND t.fired_at IS NULL
    RETURNING 1
), cancelled_children AS (
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT r.run_id, 'cancel', '{{"kind":"cancel"}}'
    FROM waymark.runs r JOIN cancel_req c ON r.parent_run_id = c.run_id AND r.parent_seq = c.seq
    WHERE r.status NOT IN ('completed', 'failed', 'cancelled', 'timed_out')
    RETURNING run_id
), to_parents AS (  -- children that ended in this advance
    INSERT INTO waymark.events (run_id, kind, payload)
    SELECT p.parent_run_id, 'child', p.event::json FROM unnest($9::uuid[], $10::text[]) AS p(parent_run_id, event)
    RETURNING run_id
), woken AS (
    SELECT string_agg(DISTINCT run_id::text, ',') AS text FROM (
        SELECT run_id FROM child_started UNION ALL SELECT run_id FROM child_refused
        UNION ALL SELECT run_id FROM cancelled_children UNION ALL SELECT run_id FROM to_parents) w
)
SELECT (SELECT count(*) FROM child_runs) AS children,
       (SELECT count(*) FROM dropped_calls) + (SELECT count(*) FROM dropped_timers) AS dropped,
       (SELECT pg_notify('{channels.RUNS}', {channels.sql_fit("woken.text")}) FROM woken WHERE woken.text IS NOT NULL)
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
    INSERT INTO waymark.timers (run_id, seq, kind, due_at, traceparent)
    SELECT t.run_id, t.seq, t.kind, clock_timestamp() + make_interval(secs => t.seconds), t.traceparent
    FROM unnest($12::uuid[], $13::int[], $14::text[], $15::float8[], $23::text[])
         AS t(run_id, seq, kind, seconds, traceparent)
    ON CONFLICT (run_id, seq, kind) DO NOTHING
    RETURNING 1
), updated AS (
    UPDATE waymark.runs r
    SET status = u.status, snapshot = u.snapshot, result = u.result, error = u.error,
        updated_at = clock_timestamp(),
        finished_at = CASE WHEN u.status IN ('completed', 'failed', 'cancelled', 'timed_out')
                           THEN clock_timestamp() END,
        traceparent = COALESCE(r.traceparent, u.traceparent)  -- a run started untraced: its first traced advance
    FROM unnest($16::uuid[], $17::text[], $18::bytea[], $19::json[], $20::json[], $24::text[])
         AS u(run_id, status, snapshot, result, error, traceparent)
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
       (SELECT text FROM keys) AS action_keys,
       EXISTS (SELECT 1 FROM new_timers) AS new_timers,
       (SELECT text FROM finished) AS finished,
       -- $22: a small batch notifies in its own transaction (channels.INLINE_MAX); a large one leaves it to the caller
       (SELECT pg_notify('{channels.ACTIONS}', {channels.sql_fit("keys.text")})
          FROM keys WHERE $22 AND keys.text IS NOT NULL),
       (SELECT pg_notify('{channels.TIMERS}', '') WHERE $22 AND EXISTS (SELECT 1 FROM new_timers)),
       (SELECT pg_notify('{channels.DONE}', {channels.sql_fit("finished.text")})
          FROM finished WHERE $22 AND finished.text IS NOT NULL)
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
    parent_run_id: uuid.UUID | None = None  # set on child runs: their outcome becomes a `child` event of the parent
    parent_seq: int | None = None


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


@dataclass(frozen=True)
class NewChild:
    seq: int
    workflow_name: str
    args: str  # tagged JSON text of the child's run() arguments
    workflow_id: str | None  # None: "<parent run id>:<seq>", stable across re-advances


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
    traceparent: str | None = None  # the parent of what this advance created: calls, timers, child runs
    run_traceparent: str | None = None  # stored on a run that had none (its first traced advance is its root)
    children: list[NewChild] = field(default_factory=list)
    cancelled_seqs: list[int] = field(default_factory=list)  # operations the run stopped waiting for
    parent_event: tuple[uuid.UUID, str] | None = None  # (parent run, `child` event) when a child run just ended


async def claim_runnable(conn: Connection, limit: int) -> list[RunnableRun]:
    """Lock up to `limit` runnable runs (must be called inside a transaction) with all their unconsumed events. A run
    whose events were all consumed meanwhile (advanced by another scheduler) is left out, still locked."""
    rows = await conn.fetch(CLAIM_RUNNABLE, limit)
    if not rows:
        return []
    events = {e["run_id"]: e for e in await conn.fetch(SELECT_UNCONSUMED_EVENTS, [r["run_id"] for r in rows])}
    return [
        RunnableRun(
            run_id=r["run_id"],
            version_id=r["version_id"],
            workflow_name=r["workflow_name"],
            status=r["status"],
            snapshot=r["snapshot"],
            input=r["input"],
            event_ids=events[r["run_id"]]["event_ids"],
            payloads=events[r["run_id"]]["payloads"],
            traceparent=r["traceparent"],
            parent_run_id=r["parent_run_id"],
            parent_seq=r["parent_seq"],
        )
        for r in rows
        if r["run_id"] in events
    ]


async def write_advances(
    conn: Connection, outcomes: list[AdvanceOutcome], max_redeliveries: int, notices: channels.Notices | None = None
) -> int:
    """Write every outcome in one statement (inside the claim's transaction). Returns the events consumed.

    The notifications it causes (new calls, new timers, finished runs) go to `notices`, for the caller to send once
    the transaction has committed (channels.py says why); a small batch, or a call without `notices`, sends them in
    this transaction."""
    inline = notices is None or len(outcomes) <= channels.INLINE_MAX
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
    t_trace: list[str | None] = []
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
            t_trace.append(o.traceparent)
    row = await conn.fetchrow(
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
        inline,
        t_trace,
        [o.run_traceparent for o in outcomes],
    )
    assert row is not None
    if not inline:
        assert notices is not None
        notices.add(channels.ACTIONS, row["action_keys"])
        notices.add(channels.TIMERS, "" if row["new_timers"] else None)
        notices.add(channels.DONE, row["finished"])
    consumed: int = row["consumed"]
    return consumed


def child_event(seq: int, status: str, result: str | None, error: str | None) -> str:
    """The `child` event a parent receives when its child run (started at `seq`) ends."""
    if status == "completed":
        return f'{{"kind":"child","seq":{seq},"ok":true,"value":{result or "null"}}}'
    return f'{{"kind":"child","seq":{seq},"ok":false,"error":{error or "null"}}}'


async def write_run_links(conn: Connection, outcomes: list[AdvanceOutcome]) -> None:
    """Start the children, drop what runs stopped waiting for, and tell parents about children that ended (inside
    the claim's transaction; skipped when there is nothing to write)."""
    c_parent: list[uuid.UUID] = []
    c_seq: list[int] = []
    c_name: list[str] = []
    c_args: list[str] = []
    c_id: list[str] = []
    c_run: list[uuid.UUID] = []
    c_trace: list[str | None] = []
    x_run: list[uuid.UUID] = []
    x_seq: list[int] = []
    p_run: list[uuid.UUID] = []
    p_event: list[str] = []
    for o in outcomes:
        for child in o.children:
            c_parent.append(o.run_id)
            c_seq.append(child.seq)
            c_name.append(child.workflow_name)
            c_args.append(child.args)
            c_id.append(child.workflow_id or f"{o.run_id}:{child.seq}")
            c_run.append(uuid.uuid4())
            c_trace.append(o.traceparent)
        for seq in o.cancelled_seqs:
            x_run.append(o.run_id)
            x_seq.append(seq)
        if o.parent_event is not None:
            p_run.append(o.parent_event[0])
            p_event.append(o.parent_event[1])
    if c_parent or x_run or p_run:
        await conn.execute(
            WRITE_RUN_LINKS, c_parent, c_seq, c_name, c_args, c_id, c_run, x_run, x_seq, p_run, p_event, c_trace
        )
