-- 0005: per link, when it last synced without an error, and its last error
-- (what `tasksync status` shows per link, and the metrics endpoint's
-- tasksync_link_last_success_timestamp_seconds). A cycle whose link ended
-- ok sets last_success_at and clears the error; one that ended partial or
-- stopped sets last_error and last_error_at; an interrupted one leaves them.
ALTER TABLE link_state ADD COLUMN last_success_at TEXT;
ALTER TABLE link_state ADD COLUMN last_error TEXT;
ALTER TABLE link_state ADD COLUMN last_error_at TEXT;
