-- Webhook deliveries already accepted, so a captured request cannot be replayed.
CREATE TABLE webhook_deliveries (
    connector_id TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,             -- from the connector, such as Zoom's signature
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (connector_id, delivery_id)
) WITHOUT ROWID;
