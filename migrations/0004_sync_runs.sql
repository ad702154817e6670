-- One row per sync run. A run killed mid-way stays "running" until the next sync of the same
-- connection finds it, marks it "interrupted" and resumes from its cursor.
CREATE TABLE sync_runs (
    id                INTEGER PRIMARY KEY,
    connection_id     INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    connector_version TEXT    NOT NULL,
    connector_sha256  TEXT    NOT NULL,
    status            TEXT    NOT NULL,          -- running | succeeded | failed | interrupted
    resumed_from      INTEGER REFERENCES sync_runs (id),
    started_at        INTEGER NOT NULL,
    finished_at       INTEGER,
    cursor            TEXT,                      -- checkpoint: cursor of the next page
    pages             INTEGER NOT NULL DEFAULT 0,
    users_seen        INTEGER NOT NULL DEFAULT 0,
    users_added       INTEGER NOT NULL DEFAULT 0,
    users_changed     INTEGER NOT NULL DEFAULT 0,
    users_removed     INTEGER NOT NULL DEFAULT 0,
    total_hint        INTEGER,
    error_kind        TEXT,
    error             TEXT
);

CREATE INDEX sync_runs_connection ON sync_runs (connection_id, id);

-- Keys seen by a run that is still in progress, so users absent at its end can be marked
-- removed. Rows are deleted when the run ends.
CREATE TABLE sync_seen (
    run_id   INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    user_key TEXT    NOT NULL,
    PRIMARY KEY (run_id, user_key)
) WITHOUT ROWID;
