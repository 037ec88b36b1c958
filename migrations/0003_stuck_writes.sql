-- 0003: writes that did not stick (rule 13). Per mapping, a JSON object of
-- field -> the value tasksync wrote and the provider did not keep (it
-- ignored the field, or put a default of its own in its place). Such a write
-- is reported once, in the journal and in `tasksync status`, and not sent
-- again until the value to write changes.
ALTER TABLE mappings ADD COLUMN stuck TEXT;
