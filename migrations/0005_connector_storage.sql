-- The key-value store lent to connectors, scoped to one connection.
CREATE TABLE connector_storage (
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    key           TEXT    NOT NULL,
    value         BLOB    NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, key)
) WITHOUT ROWID;
