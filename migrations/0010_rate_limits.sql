-- Pacing per rate class, replacing the connector's defaults for accounts on larger plans,
-- as a JSON object of class name to requests per minute.
ALTER TABLE app_settings ADD COLUMN rate_limits_json TEXT NOT NULL DEFAULT '{}';
