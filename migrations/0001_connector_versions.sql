-- Installed connector components. Each row is one component file; several versions of one
-- connector can be installed, and connections use the active one.
CREATE TABLE connector_versions (
    id             INTEGER PRIMARY KEY,
    connector_id   TEXT    NOT NULL,            -- from describe(), such as "zoom"
    name           TEXT    NOT NULL,
    version        TEXT    NOT NULL,            -- the connector's own semver
    sha256         TEXT    NOT NULL,            -- hex digest of the component file
    world          TEXT    NOT NULL,            -- the WIT world it targets
    component_path TEXT    NOT NULL,            -- copy kept in the data directory
    size_bytes     INTEGER NOT NULL,
    info_json      TEXT    NOT NULL,            -- describe() as JSON, for audits
    installed_at   INTEGER NOT NULL,            -- Unix seconds
    active         INTEGER NOT NULL DEFAULT 0,  -- 1 for the version connections use
    UNIQUE (connector_id, version)
);

CREATE INDEX connector_versions_active ON connector_versions (connector_id, active);
