-- 0006: what an operator asks of the engine (`tasksync resync`, `tasksync
-- conflicts restore`). The command writes only the request, in one small
-- transaction, so it may do so while the daemon runs; the engine acts on it
-- at the start of the link's next cycle, never while a cycle of the link
-- holds its state in memory.

-- `tasksync resync --link NAME`: the link's next cycle reads every member in
-- full and merges every task as on a first link (pairing the ones the
-- mirror does not know by title). Cleared by the cycle that did it, once
-- every member was read; NULL: nothing asked.
ALTER TABLE link_state ADD COLUMN resync_requested_at TEXT;

-- A conflict's values as JSON (`"Plan A"`, `["bug"]`, `true`, `null`):
-- winner_value and loser_value are printed for people, and lossy. NULL in
-- conflicts recorded before this migration.
ALTER TABLE conflicts ADD COLUMN winner_json TEXT;
ALTER TABLE conflicts ADD COLUMN loser_json TEXT;

-- `tasksync conflicts restore ID`: asked (restore_requested_at), then done
-- by the next cycle of the link (restored_at, restored_cycle: the losing
-- value became the task's value and was written to every member) or
-- refused by it (restore_refused: why). A conflict is restored once.
ALTER TABLE conflicts ADD COLUMN restore_requested_at TEXT;
ALTER TABLE conflicts ADD COLUMN restored_at TEXT;
ALTER TABLE conflicts ADD COLUMN restored_cycle INTEGER;
ALTER TABLE conflicts ADD COLUMN restore_refused TEXT;
