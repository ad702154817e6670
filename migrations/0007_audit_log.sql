-- Append-only record of changes made by admins, webhooks and provisioning. Connection names
-- are copied, not referenced, so records outlive a purged connection.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,             -- Unix seconds
    actor         TEXT    NOT NULL,             -- OS user of the CLI, or the webhook that acted
    connection    TEXT    NOT NULL,
    operation     TEXT    NOT NULL,             -- such as "disconnect" or "deauthorize"
    target        TEXT,
    before_json   TEXT,
    after_json    TEXT,
    outcome       TEXT    NOT NULL,             -- ok | error
    upstream_code TEXT,
    detail        TEXT
);

CREATE INDEX audit_log_connection ON audit_log (connection, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
