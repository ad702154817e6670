-- Users of each connection as last synced. Rows change only when upstream data changes, so a
-- sync with no upstream change leaves the table byte for byte the same.
CREATE TABLE app_users (
    connection_id       INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    user_key            TEXT    NOT NULL,       -- upstream id, or lowercased email without one
    remote_id           TEXT,
    email               TEXT    NOT NULL,
    display_name        TEXT,
    first_name          TEXT,
    last_name           TEXT,
    status              TEXT    NOT NULL,       -- active | inactive | pending
    license             TEXT    NOT NULL,       -- basic | licensed | none | other
    license_code        TEXT,
    role_id             TEXT,
    role                TEXT,
    group_ids           TEXT    NOT NULL DEFAULT '[]', -- JSON array
    department          TEXT,
    login_types         TEXT    NOT NULL DEFAULT '[]', -- JSON array
    created_at          INTEGER,                -- Unix seconds, upstream's account creation
    last_login_at       INTEGER,
    last_client_version TEXT,
    removed             INTEGER NOT NULL DEFAULT 0, -- 1 when absent from the last complete sync
    removed_at          INTEGER,
    first_seen_run      INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,       -- when a synced field last changed
    PRIMARY KEY (connection_id, user_key)
);

CREATE INDEX app_users_email ON app_users (connection_id, lower(email));
CREATE INDEX app_users_status ON app_users (connection_id, removed, status, license);
