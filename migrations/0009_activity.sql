-- Sign-ins from the upstream's activity log, one row per event. Fetching an overlapping
-- range again inserts nothing twice, so no day is counted twice.
CREATE TABLE sign_ins (
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,             -- lowercased; activity logs carry no user id
    at            INTEGER NOT NULL,             -- Unix seconds
    client_type   TEXT,
    PRIMARY KEY (connection_id, email, at)
) WITHOUT ROWID;

CREATE INDEX sign_ins_time ON sign_ins (connection_id, at);

-- Meetings hosted per user and calendar month. Fetching a month again replaces its rows.
CREATE TABLE usage_months (
    connection_id   INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    month           TEXT    NOT NULL,           -- YYYY-MM
    email           TEXT    NOT NULL,           -- lowercased
    meetings        INTEGER NOT NULL,
    meeting_minutes INTEGER NOT NULL,
    participants    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, month, email)
) WITHOUT ROWID;

-- How far the stored history reaches, per connection.
CREATE TABLE activity_state (
    connection_id     INTEGER PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    sessions_from     TEXT,                     -- first UTC day fetched (YYYY-MM-DD)
    sessions_through  TEXT,                     -- last UTC day fetched
    final_months      TEXT NOT NULL DEFAULT '[]', -- JSON: months whose usage was fetched after they ended
    unavailable_json  TEXT NOT NULL DEFAULT '[]', -- JSON: features the upstream refused in the last run
    updated_at        INTEGER NOT NULL
);

-- Activity sync runs. A run stopped by a daily rate limit is "partial" and the next run
-- resumes from its checkpoint.
CREATE TABLE activity_runs (
    id              INTEGER PRIMARY KEY,
    connection_id   INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL,           -- running | succeeded | partial | failed | interrupted
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    checkpoint      TEXT,                       -- JSON: the task, its range and cursor
    pages           INTEGER NOT NULL DEFAULT 0,
    sign_ins_added  INTEGER NOT NULL DEFAULT 0,
    usage_rows      INTEGER NOT NULL DEFAULT 0,
    resume_after    INTEGER,                    -- Unix seconds, from the rate limit's Retry-After
    error_kind      TEXT,
    error           TEXT
);

CREATE INDEX activity_runs_connection ON activity_runs (connection_id, id);

-- The latest account-summary result: seats per plan, rooms, dashboard.
CREATE TABLE account_reports (
    connection_id INTEGER PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    fetched_at    INTEGER NOT NULL,
    report_json   TEXT    NOT NULL
);

-- Contract terms and engagement settings per connection, set with `roster app set`.
CREATE TABLE app_settings (
    connection_id   INTEGER PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    seats           INTEGER,                    -- seats bought, when the admin states it
    renewal_date    TEXT,                       -- YYYY-MM-DD
    price_per_seat  TEXT,                       -- decimal, yearly price of one paid seat
    currency        TEXT,                       -- ISO 4217 code
    unused_days     INTEGER,
    low_max_days    INTEGER,
    medium_max_days INTEGER,
    updated_at      INTEGER NOT NULL
);
