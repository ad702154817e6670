//! The append-only audit log of changes, and the webhook deliveries already accepted.

use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{unix_now, Database, Result};

fn serialize_rfc3339<S: serde::Serializer>(unix: &i64, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    let at = jiff::Timestamp::from_second(*unix).map_err(serde::ser::Error::custom)?;
    serializer.collect_str(&at)
}

/// One audit log entry, as written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditEntry {
    pub actor: String,
    pub connection: String,
    pub operation: String,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// "ok" or "error".
    pub outcome: String,
    pub upstream_code: Option<String>,
    pub detail: Option<String>,
}

/// A stored audit log entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    /// Unix seconds, serialised as RFC 3339 like every other time in Roster's JSON.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub at: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

fn json(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(|value| value.to_string())
}

impl Database {
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO audit_log
                 (at, actor, connection, operation, target, before_json, after_json, outcome,
                  upstream_code, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(unix_now())
        .bind(&entry.actor)
        .bind(&entry.connection)
        .bind(&entry.operation)
        .bind(&entry.target)
        .bind(json(&entry.before))
        .bind(json(&entry.after))
        .bind(&entry.outcome)
        .bind(&entry.upstream_code)
        .bind(&entry.detail)
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// Returns audit entries, oldest first, optionally for one connection and since a time.
    pub async fn audit_entries(&self, connection: Option<&str>, since: Option<i64>) -> Result<Vec<AuditRecord>> {
        let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM audit_log WHERE 1 = 1");
        if let Some(connection) = connection {
            query.push(" AND connection = ").push_bind(connection);
        }
        if let Some(since) = since {
            query.push(" AND at >= ").push_bind(since);
        }
        query.push(" ORDER BY id");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let parse = |column: &str| -> Result<Option<serde_json::Value>> {
                    let text: Option<String> = row.try_get(column)?;
                    Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
                };
                let entry = AuditEntry {
                    actor: row.try_get("actor")?,
                    connection: row.try_get("connection")?,
                    operation: row.try_get("operation")?,
                    target: row.try_get("target")?,
                    before: parse("before_json")?,
                    after: parse("after_json")?,
                    outcome: row.try_get("outcome")?,
                    upstream_code: row.try_get("upstream_code")?,
                    detail: row.try_get("detail")?,
                };
                Ok(AuditRecord { id: row.try_get("id")?, at: row.try_get("at")?, entry })
            })
            .collect()
    }

    /// Records a webhook delivery. Returns false when it was recorded before: a replay.
    pub async fn record_webhook_delivery(&self, connector_id: &str, delivery_id: &str) -> Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO webhook_deliveries (connector_id, delivery_id, received_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(connector_id)
        .bind(delivery_id)
        .bind(unix_now())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Forgets deliveries older than `max_age` seconds; their timestamps are outside the
    /// accepted window anyway.
    pub async fn prune_webhook_deliveries(&self, max_age: i64) -> Result<u64> {
        let deleted = sqlx::query("DELETE FROM webhook_deliveries WHERE received_at < ?")
            .bind(unix_now() - max_age)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(deleted)
    }
}
