-- Cron schedules (docs/policies.md): one row per schedule name. The timer fires due rows (FOR UPDATE SKIP LOCKED)
-- by starting a run whose workflow_id names the schedule and the fire time, then moves next_fire_at on, in one
-- transaction: a fire is never duplicated across timer replicas or a crash.
CREATE TABLE waymark.schedules (
    name           text PRIMARY KEY,
    workflow_name  text NOT NULL,
    cron           text NOT NULL,
    timezone       text NOT NULL DEFAULT 'UTC',
    input          json NOT NULL,               -- tagged JSON of the run() arguments, like runs.input
    paused         boolean NOT NULL DEFAULT false,
    next_fire_at   timestamptz NOT NULL,
    last_fire_at   timestamptz,                 -- the fire time of the last fire (not when it was fired)
    last_run_id    uuid,
    last_error     text,                        -- why the last fire started no run (unregistered workflow, ...)
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX schedules_due ON waymark.schedules (next_fire_at) WHERE NOT paused;
