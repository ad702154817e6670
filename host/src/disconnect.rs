//! Ending connections: `roster disconnect` revokes and deletes the tokens, and an upstream's
//! deauthorization notice deletes tokens and synced data. Both leave an audit record.

use anyhow::Context as _;
use serde::Serialize;
use serde_json::json;

use crate::app::App;
use crate::auth::credential;
use crate::runtime::wit::Deauthorization;
use crate::store::{AuditEntry, Connection, ConnectionState, PurgeCounts};

/// The result of `disconnect`.
#[derive(Debug, Serialize)]
pub struct Disconnected {
    /// Problems revoking tokens at the provider; the local copies are deleted anyway.
    pub revoke_failures: Vec<String>,
    pub credentials_deleted: u64,
    /// Rows deleted with `--purge`; the connection itself is deleted too.
    pub purged: Option<PurgeCounts>,
}

/// Returns the OS user running the CLI, for audit records.
pub fn cli_actor() -> String {
    if let Ok(user) = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        return format!("cli:{user}");
    }
    // Containers and CI runners often set neither variable; the uid still identifies the user.
    #[cfg(unix)]
    {
        // SAFETY: getuid takes no arguments and POSIX defines no error for it.
        let uid = unsafe { libc::getuid() };
        format!("cli:uid-{uid}")
    }
    #[cfg(not(unix))]
    {
        "cli:unknown".to_string()
    }
}

impl App {
    /// Revokes the connection's tokens at the provider and deletes its credentials. With
    /// `purge`, also deletes its synced data and the connection itself.
    pub async fn disconnect(&self, name: &str, purge: bool, actor: &str) -> anyhow::Result<Disconnected> {
        let connection = self.db.connection(name).await?;
        let before = json!({
            "state": connection.state.as_str(),
            "users": self.db.user_counts(connection.id).await?.total,
        });

        let revoke_failures = match self.prepare(connection.clone()).await {
            Ok(prepared) => match &prepared.context.oauth {
                Some(endpoints) => self.services.tokens.revoke(&connection, endpoints).await?,
                None => Vec::new(),
            },
            Err(error) => vec![format!("cannot revoke tokens: {error:#}")],
        };
        let credentials_deleted = self.db.delete_credentials(connection.id, &[]).await?;
        self.services.tokens.forget(connection.id);

        let purged = if purge {
            let counts = self.db.purge_synced_data(connection.id).await?;
            self.db.delete_connection(connection.id).await?;
            Some(counts)
        } else {
            let detail = format!("disconnected by {actor}");
            self.db.set_connection_state(connection.id, ConnectionState::Disconnected, Some(&detail)).await?;
            None
        };

        let report = Disconnected { revoke_failures, credentials_deleted, purged };
        let detail = if !report.revoke_failures.is_empty() {
            report.revoke_failures.join("; ")
        } else if report.credentials_deleted == 0 {
            "no credentials were stored".to_string()
        } else {
            "tokens revoked".to_string()
        };
        self.db
            .append_audit(&AuditEntry {
                actor: actor.to_string(),
                connection: connection.name.clone(),
                operation: if purge { "disconnect-purge" } else { "disconnect" }.to_string(),
                target: Some(connection.name.clone()),
                before: Some(before),
                after: Some(json!({
                    "state": if purge { "deleted" } else { "disconnected" },
                    "credentials_deleted": report.credentials_deleted,
                    "purged": report.purged,
                })),
                outcome: "ok".to_string(),
                upstream_code: None,
                detail: Some(detail),
            })
            .await?;
        tracing::info!(connection = %connection.name, purge, revoke_failures = report.revoke_failures.len(), "disconnected");
        Ok(report)
    }

    /// Acts on an upstream's deauthorization notice: deletes the connection's tokens and
    /// synced data, marks it disconnected, and writes a deletion receipt to the audit log.
    /// The webhook secret stays so that redeliveries still verify; a second notice deletes
    /// nothing more and records that.
    pub async fn deauthorize(&self, connection: &Connection, event: &Deauthorization, delivery_id: &str, actor: &str) -> anyhow::Result<PurgeCounts> {
        let credentials_deleted = self
            .db
            .delete_credentials(connection.id, &[credential::ACCESS_TOKEN, credential::REFRESH_TOKEN, credential::CLIENT_SECRET])
            .await?;
        self.services.tokens.forget(connection.id);
        let counts = self.db.purge_synced_data(connection.id).await.context("deleting synced data failed")?;
        let when = event.at.and_then(|at| jiff::Timestamp::from_second(at).ok()).map(|at| at.to_string()).unwrap_or_else(|| "an unknown time".to_string());
        let detail = format!("deauthorized in the upstream at {when}");
        self.db.set_connection_state(connection.id, ConnectionState::Disconnected, Some(&detail)).await?;

        let already_done = credentials_deleted == 0 && counts == PurgeCounts::default();
        self.db
            .append_audit(&AuditEntry {
                actor: actor.to_string(),
                connection: connection.name.clone(),
                operation: "deauthorize".to_string(),
                target: Some(event.account_id.clone()),
                before: Some(json!({ "state": connection.state.as_str() })),
                after: Some(json!({
                    "state": "disconnected",
                    "deleted": {
                        "credentials": credentials_deleted,
                        "users": counts.users,
                        "sync_runs": counts.sync_runs,
                        "storage_keys": counts.storage_keys,
                    },
                    "account_id": event.account_id,
                    "user_id": event.user_id,
                    "delivery_id": delivery_id,
                })),
                outcome: "ok".to_string(),
                upstream_code: None,
                detail: Some(if already_done { format!("{detail}; nothing left to delete") } else { detail }),
            })
            .await?;
        tracing::info!(connection = %connection.name, users = counts.users, already_done, "deauthorized connection; synced data deleted");
        Ok(counts)
    }
}
