-- The dashboard's runs list (gateway, waymark_store.dashboard): newest first, keyset-paginated on
-- (created_at, run_id). Without it every page of the list sorts the whole table. Both columns are immutable.
CREATE INDEX runs_newest ON waymark.runs (created_at, run_id);
