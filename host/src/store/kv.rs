//! The key-value storage lent to connectors, with a per-connection quota.

use sqlx::Row;

use super::{unix_now, Database, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("storage quota of {limit} bytes for this connection would be exceeded")]
    QuotaExceeded { limit: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for KvError {
    fn from(error: sqlx::Error) -> Self {
        KvError::Store(StoreError::Sql(error))
    }
}

impl Database {
    pub async fn kv_get(&self, connection_id: i64, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        let row = sqlx::query("SELECT value FROM connector_storage WHERE connection_id = ? AND key = ?")
            .bind(connection_id)
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("value")).transpose()?)
    }

    /// Stores a value, refusing it when keys plus values of the connection would pass `quota`
    /// bytes. The check and the write share a transaction.
    pub async fn kv_set(&self, connection_id: i64, key: &str, value: &[u8], quota: u64) -> Result<(), KvError> {
        let mut tx = self.pool().begin().await?;
        let used: i64 = sqlx::query(
            "SELECT COALESCE(SUM(length(key) + length(value)), 0) FROM connector_storage
             WHERE connection_id = ? AND key != ?",
        )
        .bind(connection_id)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if used as u64 + (key.len() + value.len()) as u64 > quota {
            return Err(KvError::QuotaExceeded { limit: quota });
        }
        sqlx::query(
            "INSERT INTO connector_storage (connection_id, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (connection_id, key) DO UPDATE
             SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(connection_id)
        .bind(key)
        .bind(value)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn kv_delete(&self, connection_id: i64, key: &str) -> Result<(), KvError> {
        sqlx::query("DELETE FROM connector_storage WHERE connection_id = ? AND key = ?")
            .bind(connection_id)
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn kv_keys(&self, connection_id: i64, prefix: &str) -> Result<Vec<String>, KvError> {
        // `substr` compares bytes exactly, where LIKE would treat `%` and `_` in the prefix
        // as wildcards.
        let rows = sqlx::query(
            "SELECT key FROM connector_storage
             WHERE connection_id = ? AND substr(key, 1, length(?2)) = ?2
             ORDER BY key",
        )
        .bind(connection_id)
        .bind(prefix)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(|row| row.try_get("key")).collect::<Result<_, _>>()?)
    }
}
