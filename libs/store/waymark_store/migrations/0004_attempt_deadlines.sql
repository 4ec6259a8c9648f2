-- Attempt deadlines enforced by the timer (docs/policies.md): a claim of a call with a timeout sets deadline_at =
-- start + timeout + grace; the timer fails a running attempt past it with ActionTimeout, even when its worker still
-- heartbeats (an action that blocks its worker's event loop, or swallows the cancellation).
ALTER TABLE waymark.actions ADD COLUMN deadline_at timestamptz;
CREATE INDEX actions_deadlines ON waymark.actions (deadline_at) WHERE status = 'running' AND deadline_at IS NOT NULL;
