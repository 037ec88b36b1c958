-- 0004: an operator's pause of a link (`tasksync pause --link NAME`).
-- A paused link is skipped by `run` and `sync` until `tasksync resume`;
-- kept here so that it survives restarts. NULL paused_at: not paused.
ALTER TABLE link_state ADD COLUMN paused_at TEXT;
ALTER TABLE link_state ADD COLUMN paused_reason TEXT;
