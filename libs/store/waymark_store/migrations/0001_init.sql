-- Waymark schema v1: the tables of ARCHITECTURE.md ("Tables", "Event rows", "Action call state machine").
-- Values are `json` (not jsonb): jsonb reorders dict keys and turns 1e16 into an integer.

CREATE TABLE waymark.versions (
    version_id     text PRIMARY KEY,             -- hash of the canonical IR + manifest
    workflow_name  text NOT NULL,
    module         text NOT NULL,
    qualname       text NOT NULL,
    ir_version     integer NOT NULL,
    program        bytea NOT NULL,               -- waymark.ir.v1.Program
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE waymark.workflows (
    name               text PRIMARY KEY,
    current_version_id text NOT NULL REFERENCES waymark.versions (version_id),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE waymark.runs (
    run_id         uuid PRIMARY KEY,
    workflow_id    text NOT NULL UNIQUE,         -- user-chosen idempotency key (defaults to the run id)
    workflow_name  text NOT NULL,
    version_id     text NOT NULL REFERENCES waymark.versions (version_id),
    status         text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'timed_out')),
    input          json NOT NULL,
    result         json,
    error          json,
    snapshot       bytea,                        -- the VM's live state; NULL before the first advance and after the end
    parent_run_id  uuid,
    parent_seq     integer,
    traceparent    text,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at    timestamptz
);
CREATE INDEX runs_by_status ON waymark.runs (status, updated_at);
CREATE INDEX runs_by_workflow ON waymark.runs (workflow_name, created_at);

CREATE TABLE waymark.events (
    event_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       uuid NOT NULL REFERENCES waymark.runs (run_id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('start', 'action', 'timer', 'signal', 'cancel', 'child', 'timeout')),
    payload      json NOT NULL,                -- the VM's event document
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    consumed_at  timestamptz
);
-- A run is runnable exactly when it has a row here: the scheduler's claim reads only this small partial index.
CREATE INDEX events_unconsumed ON waymark.events (run_id, event_id) WHERE consumed_at IS NULL;
CREATE INDEX events_by_run ON waymark.events (run_id, event_id);

CREATE TABLE waymark.actions (
    call_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id            uuid NOT NULL REFERENCES waymark.runs (run_id) ON DELETE CASCADE,
    seq               integer NOT NULL,
    action_name       text NOT NULL,
    action_key        text NOT NULL,             -- name@signature_hash: a worker claims only keys it has
    args              json NOT NULL,
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'retry_waiting', 'succeeded', 'failed')),
    attempt           integer NOT NULL DEFAULT 1,   -- policy attempts; lease expiries do not spend one
    max_attempts      integer NOT NULL DEFAULT 1,
    policy            json,
    timeout_seconds   double precision,
    at_most_once      boolean NOT NULL DEFAULT false,
    redeliveries      integer NOT NULL DEFAULT 0,
    max_redeliveries  integer NOT NULL DEFAULT 5,
    available_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_token       uuid,
    lease_expires_at  timestamptz,
    worker_id         text,
    result            json,
    error             json,
    traceparent       text,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at        timestamptz,
    finished_at       timestamptz,
    UNIQUE (run_id, seq)
);
CREATE INDEX actions_claimable ON waymark.actions (action_key, available_at)
    WHERE status IN ('queued', 'retry_waiting');
CREATE INDEX actions_leases ON waymark.actions (lease_expires_at) WHERE status = 'running';

CREATE TABLE waymark.timers (
    timer_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       uuid NOT NULL REFERENCES waymark.runs (run_id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    kind         text NOT NULL,                  -- sleep | signal_timeout | workflow_timeout
    due_at       timestamptz NOT NULL,
    fired_at     timestamptz,
    traceparent  text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (run_id, seq, kind)
);
CREATE INDEX timers_due ON waymark.timers (due_at) WHERE fired_at IS NULL;

CREATE TABLE waymark.late_outcomes (
    call_id      bigint NOT NULL,
    attempt      integer NOT NULL,
    worker_id    text,
    outcome      json NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
