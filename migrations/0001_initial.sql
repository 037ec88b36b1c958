-- 0001: the first schema of the tasksync mirror.
-- Every later change to the schema is a new numbered file beside this one.

-- One row per sync cycle (real or dry run).
CREATE TABLE cycles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT            -- in_sync, changed, partial, failed, stopped
);

-- One row per task, subtask or comment as the mirror knows it.
CREATE TABLE entities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    link          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('task', 'subtask', 'comment')),
    parent_id     INTEGER REFERENCES entities(id),
    canonical     TEXT NOT NULL,  -- JSON: the values all members agree on
    state         TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'deleted', 'archived')),
    created_cycle INTEGER,
    updated_cycle INTEGER
);
CREATE INDEX entities_link ON entities(link, kind);

-- entity <-> (provider, remote id), with the shadow: the last state of that
-- remote item that both sides agreed on. Diffs are taken against it.
CREATE TABLE mappings (
    entity_id         INTEGER NOT NULL REFERENCES entities(id),
    provider          TEXT NOT NULL,
    remote_id         TEXT NOT NULL,
    parent_remote_id  TEXT,
    shadow            TEXT NOT NULL,
    remote_updated_at INTEGER,     -- the remote updated_at, in ms since 1970 (UTC)
    PRIMARY KEY (provider, remote_id),
    UNIQUE (entity_id, provider)
);

-- Append-only: every observed change, conflict, push and error.
CREATE TABLE journal (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id  INTEGER,
    at        TEXT NOT NULL,
    link      TEXT,
    provider  TEXT,
    entity_id INTEGER,
    kind      TEXT NOT NULL,
    field     TEXT,
    old_value TEXT,
    new_value TEXT,
    detail    TEXT
);
CREATE INDEX journal_entity ON journal(entity_id);
CREATE INDEX journal_cycle ON journal(cycle_id);

-- Remote writes, recorded before they are sent.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id    INTEGER,
    link        TEXT NOT NULL,
    provider    TEXT NOT NULL,
    entity_id   INTEGER NOT NULL,
    operation   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'reconciled', 'abandoned')),
    remote_id   TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX outbox_pending ON outbox(state, provider);

-- The same field changed on two sides: who won, and the value that lost.
CREATE TABLE conflicts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id        INTEGER,
    at              TEXT NOT NULL,
    link            TEXT NOT NULL,
    entity_id       INTEGER NOT NULL,
    field           TEXT NOT NULL,
    winner_provider TEXT NOT NULL,
    winner_value    TEXT,
    loser_provider  TEXT NOT NULL,
    loser_value     TEXT
);

-- Per provider: incremental cursor, last listing, last error.
CREATE TABLE provider_state (
    provider             TEXT PRIMARY KEY,
    cursor               TEXT,
    last_full_listing_at TEXT,
    last_cycle_id        INTEGER,
    last_success_at      TEXT,
    last_error           TEXT,
    last_error_at        TEXT,
    backoff_until        TEXT,
    task_count           INTEGER
);

-- Per link: how its last cycle ended and why it stopped, if it did.
CREATE TABLE link_state (
    link           TEXT PRIMARY KEY,
    last_cycle_id  INTEGER,
    last_outcome   TEXT,
    stopped_reason TEXT
);
