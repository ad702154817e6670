-- Seat reclaims: the plan an admin approved and how far applying it got, so an interrupted
-- reclaim resumes instead of starting over.
CREATE TABLE reclaim_runs (
    id               INTEGER PRIMARY KEY,
    connection_id    INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    action           TEXT    NOT NULL,          -- downgrade | deactivate | remove
    unused_days      INTEGER NOT NULL,
    status           TEXT    NOT NULL,          -- applying | finished
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    seats_before     INTEGER,                   -- assigned seats the upstream reported before
    seats_after      INTEGER,                   -- and after applying
    report_path      TEXT
);

CREATE TABLE reclaim_items (
    run_id        INTEGER NOT NULL REFERENCES reclaim_runs (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    email         TEXT    NOT NULL,
    user_key      TEXT    NOT NULL,
    bucket        TEXT    NOT NULL,
    state         TEXT    NOT NULL,             -- planned | done | failed
    upstream_code TEXT,
    detail        TEXT,
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
