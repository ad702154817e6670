//! Implementation of the `roster:connector/storage` interface: key-value storage scoped to
//! the call's connection.

use super::Broker;
use crate::runtime::bindings::roster::connector::storage::{Host, StorageError};
use crate::store::{HostCallRecord, KvError};

const MAX_KEY_BYTES: usize = 256;

fn check_key(key: &str) -> Result<(), StorageError> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.chars().any(char::is_control) {
        return Err(StorageError::InvalidKey(format!(
            "keys are 1 to {MAX_KEY_BYTES} bytes without control characters"
        )));
    }
    Ok(())
}

impl Broker {
    fn storage_connection(&self) -> Result<i64, StorageError> {
        self.connection_id()
            .ok_or_else(|| StorageError::Unavailable("this call runs without a connection, so it has no storage".to_string()))
    }

    fn record_storage(&self, import: &'static str, key: &str, result: &Result<impl Sized, StorageError>) {
        let (decision, reason) = match result {
            Ok(_) => ("allowed", None),
            Err(error) => ("failed", Some(format!("{error:?}"))),
        };
        self.audit.push(HostCallRecord {
            at_ms: crate::store::unix_now_ms(),
            import,
            path: Some(key.chars().take(MAX_KEY_BYTES).collect()),
            decision,
            reason,
            ..Default::default()
        });
    }
}

fn unavailable(error: KvError) -> StorageError {
    match error {
        KvError::QuotaExceeded { limit } => StorageError::QuotaExceeded(limit),
        KvError::Store(error) => {
            tracing::warn!(error = %error, "connector storage failed");
            StorageError::Unavailable("the host's storage failed; see the host log".to_string())
        }
    }
}

impl Host for Broker {
    async fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, StorageError> {
        let result = async {
            check_key(&key)?;
            let connection_id = self.storage_connection()?;
            self.services.db.kv_get(connection_id, &key).await.map_err(unavailable)
        }
        .await;
        self.record_storage("storage.get", &key, &result);
        result
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StorageError> {
        let result = async {
            check_key(&key)?;
            let connection_id = self.storage_connection()?;
            let quota = self.services.limits.storage_quota;
            self.services.db.kv_set(connection_id, &key, &value, quota).await.map_err(unavailable)
        }
        .await;
        self.record_storage("storage.set", &key, &result);
        result
    }

    async fn delete(&mut self, key: String) -> Result<(), StorageError> {
        let result = async {
            check_key(&key)?;
            let connection_id = self.storage_connection()?;
            self.services.db.kv_delete(connection_id, &key).await.map_err(unavailable)
        }
        .await;
        self.record_storage("storage.delete", &key, &result);
        result
    }

    async fn list_keys(&mut self, prefix: String) -> Result<Vec<String>, StorageError> {
        let result = async {
            let connection_id = self.storage_connection()?;
            self.services.db.kv_keys(connection_id, &prefix).await.map_err(unavailable)
        }
        .await;
        self.record_storage("storage.list-keys", &prefix, &result);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules() {
        assert!(check_key("zoom/roles").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key(&"k".repeat(257)).is_err());
        assert!(check_key("bad\nkey").is_err());
    }
}
