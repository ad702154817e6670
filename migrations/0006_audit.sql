-- What each connector call did, for security review. Never holds bodies, header values or
-- credentials.
CREATE TABLE connector_calls (
    id                INTEGER PRIMARY KEY,
    connection_id     INTEGER REFERENCES connections (id) ON DELETE SET NULL,
    connector_id      TEXT    NOT NULL,
    connector_version TEXT    NOT NULL,
    connector_sha256  TEXT    NOT NULL,
    export            TEXT    NOT NULL,          -- such as "list-users"
    started_at_ms     INTEGER NOT NULL,
    duration_ms       INTEGER NOT NULL,
    outcome           TEXT    NOT NULL,          -- ok | error | trap | timeout
    detail            TEXT
);

CREATE TABLE host_calls (
    id            INTEGER PRIMARY KEY,
    call_id       INTEGER NOT NULL REFERENCES connector_calls (id) ON DELETE CASCADE,
    at_ms         INTEGER NOT NULL,
    import        TEXT    NOT NULL,              -- such as "http.send" or "storage.set"
    upstream      TEXT,
    method        TEXT,
    path          TEXT,                          -- without the query string
    status        INTEGER,
    bytes         INTEGER,
    attempts      INTEGER,
    duration_ms   INTEGER,
    decision      TEXT    NOT NULL,              -- allowed | denied | failed
    reason        TEXT
);

CREATE INDEX host_calls_call ON host_calls (call_id);
CREATE INDEX connector_calls_connection ON connector_calls (connection_id, id);
