//! The audit trail of connector calls and the host calls each one made.

use super::{Database, Result};

/// One export call of a connector.
#[derive(Debug, Clone)]
pub struct ConnectorCallRecord {
    pub connection_id: Option<i64>,
    pub connector_id: String,
    pub connector_version: String,
    pub connector_sha256: String,
    pub export: &'static str,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    pub outcome: &'static str,
    pub detail: Option<String>,
}

/// One import call made by a connector. Holds no bodies, header values or credentials.
#[derive(Debug, Clone, Default)]
pub struct HostCallRecord {
    pub at_ms: i64,
    pub import: &'static str,
    pub upstream: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub bytes: Option<u64>,
    pub attempts: Option<u32>,
    pub duration_ms: Option<i64>,
    pub decision: &'static str,
    pub reason: Option<String>,
}

impl Database {
    /// Writes a connector call and its host calls in one transaction.
    pub async fn record_connector_call(
        &self,
        call: &ConnectorCallRecord,
        host_calls: &[HostCallRecord],
    ) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let call_id: i64 = sqlx::query_scalar(
            "INSERT INTO connector_calls
                 (connection_id, connector_id, connector_version, connector_sha256, export,
                  started_at_ms, duration_ms, outcome, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(call.connection_id)
        .bind(&call.connector_id)
        .bind(&call.connector_version)
        .bind(&call.connector_sha256)
        .bind(call.export)
        .bind(call.started_at_ms)
        .bind(call.duration_ms)
        .bind(call.outcome)
        .bind(&call.detail)
        .fetch_one(&mut *tx)
        .await?;
        for host_call in host_calls {
            sqlx::query(
                "INSERT INTO host_calls
                     (call_id, at_ms, import, upstream, method, path, status, bytes, attempts,
                      duration_ms, decision, reason)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(call_id)
            .bind(host_call.at_ms)
            .bind(host_call.import)
            .bind(&host_call.upstream)
            .bind(&host_call.method)
            .bind(&host_call.path)
            .bind(host_call.status.map(i64::from))
            .bind(host_call.bytes.map(|bytes| bytes as i64))
            .bind(host_call.attempts.map(i64::from))
            .bind(host_call.duration_ms)
            .bind(host_call.decision)
            .bind(&host_call.reason)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(call_id)
    }

    /// Returns the newest host calls of a connection with the export that made them.
    pub async fn recent_host_calls(&self, connection_id: i64, limit: i64) -> Result<Vec<HostCallView>> {
        let rows = sqlx::query_as::<_, HostCallView>(
            "SELECT c.export, h.import, h.upstream, h.method, h.path, h.status, h.decision, h.reason
             FROM host_calls h JOIN connector_calls c ON c.id = h.call_id
             WHERE c.connection_id = ?
             ORDER BY h.id DESC LIMIT ?",
        )
        .bind(connection_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostCallView {
    pub export: String,
    pub import: String,
    pub upstream: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<i64>,
    pub decision: String,
    pub reason: Option<String>,
}
