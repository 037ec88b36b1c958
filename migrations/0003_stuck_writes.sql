-- 0003: writes that did not stick (rule 13). Per mapping, a JSON object of
-- field -> the value tasksync wrote and the provider did not keep (it
-- ignored the field, or put a default of its own in its place). Such a write
-- is reported once, in the journal and in `tasksync status`, and not sent
-- again until the value to write changes.
ALTER TABLE mappings ADD COLUMN stuck TEXT;

-- When a write was sent (or about to be: it is marked in the transaction
-- that stores the answer of the write before it). A pending row without it
-- was never sent: nothing to re-find, it is simply planned again (rule 4).
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
