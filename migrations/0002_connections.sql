-- A connection is one account of one SaaS tool, reached through a connector.
CREATE TABLE connections (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    connector_id   TEXT    NOT NULL,
    auth_grant     TEXT    NOT NULL,            -- "account-credentials" or "authorization-code"
    account_id     TEXT,                        -- the upstream account, when the grant names one
    client_id      TEXT    NOT NULL,
    upstreams_json TEXT    NOT NULL DEFAULT '{}', -- upstream name -> base URL overrides
    state          TEXT    NOT NULL DEFAULT 'connected', -- connected | needs-reauthorization | disconnected
    state_detail   TEXT,
    granted_scopes TEXT,                        -- space-separated, from the last token response
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Secrets of a connection, sealed with the master key (ChaCha20-Poly1305). `name` is
-- "client-secret", "access-token", "refresh-token" or "webhook-secret".
CREATE TABLE credentials (
    connection_id INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    sealed        BLOB    NOT NULL,             -- nonce followed by ciphertext and tag
    expires_at    INTEGER,                      -- Unix seconds, for access tokens
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, name)
);
