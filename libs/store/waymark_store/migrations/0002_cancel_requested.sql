-- A run that no longer waits for a running call (it was cancelled, or a gather sibling failed and the run ended)
-- asks the worker to stop it: the worker learns of it through its heartbeat (DESIGN §2.1, Cancellation).
ALTER TABLE waymark.actions ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;
CREATE INDEX runs_children ON waymark.runs (parent_run_id, parent_seq) WHERE parent_run_id IS NOT NULL;
