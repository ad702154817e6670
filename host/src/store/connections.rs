//! Connections and their sealed credentials.

use std::collections::BTreeMap;
use std::fmt;

use sqlx::Row;

use super::{unix_now, Database, Result, StoreError};

/// How Roster obtains access tokens for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthGrant {
    /// Zoom's server-to-server OAuth: a token per request from the client credentials.
    AccountCredentials,
    /// An admin authorized the app in a browser; tokens are refreshed with a refresh token.
    AuthorizationCode,
}

impl AuthGrant {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthGrant::AccountCredentials => "account-credentials",
            AuthGrant::AuthorizationCode => "authorization-code",
        }
    }

    fn parse(text: &str) -> Result<AuthGrant> {
        match text {
            "account-credentials" => Ok(AuthGrant::AccountCredentials),
            "authorization-code" => Ok(AuthGrant::AuthorizationCode),
            other => Err(StoreError::Corrupt(format!("unknown auth grant {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connected,
    /// The refresh token was rejected or lost; an admin must authorize again.
    NeedsReauthorization,
    Disconnected,
}

impl ConnectionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connected => "connected",
            ConnectionState::NeedsReauthorization => "needs-reauthorization",
            ConnectionState::Disconnected => "disconnected",
        }
    }

    /// Returns the state as the predicate of a sentence about the connection.
    pub fn predicate(self) -> &'static str {
        match self {
            ConnectionState::Connected => "is connected",
            ConnectionState::NeedsReauthorization => "needs re-authorization",
            ConnectionState::Disconnected => "is disconnected",
        }
    }

    fn parse(text: &str) -> Result<ConnectionState> {
        match text {
            "connected" => Ok(ConnectionState::Connected),
            "needs-reauthorization" => Ok(ConnectionState::NeedsReauthorization),
            "disconnected" => Ok(ConnectionState::Disconnected),
            other => Err(StoreError::Corrupt(format!("unknown connection state {other:?}"))),
        }
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub connector_id: String,
    pub auth_grant: AuthGrant,
    pub account_id: Option<String>,
    pub client_id: String,
    /// Base URL overrides by upstream name; upstreams not listed use the connector's default.
    pub upstreams: BTreeMap<String, String>,
    pub state: ConnectionState,
    pub state_detail: Option<String>,
    pub granted_scopes: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct NewConnection<'a> {
    pub name: &'a str,
    pub connector_id: &'a str,
    pub auth_grant: AuthGrant,
    pub account_id: Option<&'a str>,
    pub client_id: &'a str,
    pub upstreams: &'a BTreeMap<String, String>,
    pub granted_scopes: Option<&'a str>,
}

/// Rows deleted by [`Database::purge_synced_data`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PurgeCounts {
    pub users: u64,
    pub sync_runs: u64,
    pub storage_keys: u64,
}

/// A sealed credential: the bytes are opaque to the store.
pub struct SealedCredential {
    pub name: &'static str,
    pub sealed: Vec<u8>,
    pub expires_at: Option<i64>,
}

/// Inserts sealed credentials of a connection inside a transaction.
async fn insert_credentials(tx: &mut sqlx::SqliteConnection, connection_id: i64, credentials: &[SealedCredential], now: i64) -> Result<()> {
    for credential in credentials {
        sqlx::query(
            "INSERT INTO credentials (connection_id, name, sealed, expires_at, updated_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(connection_id)
        .bind(credential.name)
        .bind(&credential.sealed)
        .bind(credential.expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Connection> {
    let upstreams_json: String = row.try_get("upstreams_json")?;
    let upstreams = serde_json::from_str(&upstreams_json)
        .map_err(|error| StoreError::Corrupt(format!("upstreams of a connection: {error}")))?;
    let auth_grant: String = row.try_get("auth_grant")?;
    let state: String = row.try_get("state")?;
    Ok(Connection {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        connector_id: row.try_get("connector_id")?,
        auth_grant: AuthGrant::parse(&auth_grant)?,
        account_id: row.try_get("account_id")?,
        client_id: row.try_get("client_id")?,
        upstreams,
        state: ConnectionState::parse(&state)?,
        state_detail: row.try_get("state_detail")?,
        granted_scopes: row.try_get("granted_scopes")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Database {
    /// Creates a connection and its credentials in one transaction.
    pub async fn create_connection(
        &self,
        new: &NewConnection<'_>,
        credentials: &[SealedCredential],
    ) -> Result<Connection> {
        let now = unix_now();
        let upstreams_json =
            serde_json::to_string(new.upstreams).expect("a string map always serialises");
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO connections
                 (name, connector_id, auth_grant, account_id, client_id, upstreams_json,
                  granted_scopes, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING *",
        )
        .bind(new.name)
        .bind(new.connector_id)
        .bind(new.auth_grant.as_str())
        .bind(new.account_id)
        .bind(new.client_id)
        .bind(&upstreams_json)
        .bind(new.granted_scopes)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::ConnectionExists(new.name.to_string()));
            }
            Err(error) => return Err(error.into()),
        };
        let connection = from_row(&row)?;
        insert_credentials(&mut tx, connection.id, credentials, now).await?;
        tx.commit().await?;
        Ok(connection)
    }

    pub async fn connection(&self, name: &str) -> Result<Connection> {
        let row = sqlx::query("SELECT * FROM connections WHERE name = ?")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => from_row(&row),
            None => Err(StoreError::ConnectionNotFound(name.to_string())),
        }
    }

    pub async fn connections(&self) -> Result<Vec<Connection>> {
        let rows = sqlx::query("SELECT * FROM connections ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn set_connection_state(
        &self,
        connection_id: i64,
        state: ConnectionState,
        detail: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE connections SET state = ?, state_detail = ?, updated_at = ? WHERE id = ?")
            .bind(state.as_str())
            .bind(detail)
            .bind(unix_now())
            .bind(connection_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_account_id(&self, connection_id: i64, account_id: &str) -> Result<()> {
        sqlx::query("UPDATE connections SET account_id = ?, updated_at = ? WHERE id = ?")
            .bind(account_id)
            .bind(unix_now())
            .bind(connection_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Replaces the credentials and settings of an existing connection after an admin
    /// authorized it again, and marks it connected. Synced data stays, and so do the
    /// credentials named in `keep` unless `credentials` replaces them.
    pub async fn reauthorize_connection(
        &self,
        connection_id: i64,
        client_id: &str,
        upstreams: &BTreeMap<String, String>,
        granted_scopes: Option<&str>,
        credentials: &[SealedCredential],
        keep: &[&str],
    ) -> Result<Connection> {
        let now = unix_now();
        let upstreams_json = serde_json::to_string(upstreams).expect("a string map always serialises");
        let mut tx = self.pool().begin().await?;

        let stored: Vec<String> = sqlx::query_scalar("SELECT name FROM credentials WHERE connection_id = ?")
            .bind(connection_id)
            .fetch_all(&mut *tx)
            .await?;
        for name in stored {
            let replaced = credentials.iter().any(|credential| credential.name == name);
            if replaced || !keep.contains(&name.as_str()) {
                sqlx::query("DELETE FROM credentials WHERE connection_id = ? AND name = ?")
                    .bind(connection_id)
                    .bind(&name)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        insert_credentials(&mut tx, connection_id, credentials, now).await?;
        let row = sqlx::query(
            "UPDATE connections
             SET client_id = ?, upstreams_json = ?, granted_scopes = ?, state = 'connected',
                 state_detail = NULL, updated_at = ?
             WHERE id = ?
             RETURNING *",
        )
        .bind(client_id)
        .bind(&upstreams_json)
        .bind(granted_scopes)
        .bind(now)
        .bind(connection_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        from_row(&row)
    }

    pub async fn connections_of_connector(&self, connector_id: &str) -> Result<Vec<Connection>> {
        let rows = sqlx::query("SELECT * FROM connections WHERE connector_id = ? ORDER BY id")
            .bind(connector_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Deletes the named credentials of a connection, or all of them when `names` is empty.
    pub async fn delete_credentials(&self, connection_id: i64, names: &[&str]) -> Result<u64> {
        let mut deleted = 0;
        if names.is_empty() {
            deleted = sqlx::query("DELETE FROM credentials WHERE connection_id = ?")
                .bind(connection_id)
                .execute(self.pool())
                .await?
                .rows_affected();
        }
        for name in names {
            deleted += sqlx::query("DELETE FROM credentials WHERE connection_id = ? AND name = ?")
                .bind(connection_id)
                .bind(name)
                .execute(self.pool())
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    /// Deletes everything synced for a connection: users, sync runs and connector storage. The
    /// connection row, its credentials and the audit trail of its connector calls stay.
    pub async fn purge_synced_data(&self, connection_id: i64) -> Result<PurgeCounts> {
        let mut tx = self.pool().begin().await?;
        let mut delete = async |sql: &'static str| -> Result<u64> {
            Ok(sqlx::query(sql).bind(connection_id).execute(&mut *tx).await?.rows_affected())
        };
        let counts = PurgeCounts {
            users: delete("DELETE FROM app_users WHERE connection_id = ?").await?,
            sync_runs: delete("DELETE FROM sync_runs WHERE connection_id = ?").await?,
            storage_keys: delete("DELETE FROM connector_storage WHERE connection_id = ?").await?,
        };
        tx.commit().await?;
        Ok(counts)
    }

    /// Deletes a connection and its synced data. Its connector calls stay in the audit trail
    /// without the reference.
    pub async fn delete_connection(&self, connection_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM connections WHERE id = ?").bind(connection_id).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn set_granted_scopes(&self, connection_id: i64, scopes: &str) -> Result<()> {
        sqlx::query("UPDATE connections SET granted_scopes = ?, updated_at = ? WHERE id = ?")
            .bind(scopes)
            .bind(unix_now())
            .bind(connection_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Returns a sealed credential and its expiry.
    pub async fn credential(&self, connection_id: i64, name: &str) -> Result<Option<(Vec<u8>, Option<i64>)>> {
        let row = sqlx::query("SELECT sealed, expires_at FROM credentials WHERE connection_id = ? AND name = ?")
            .bind(connection_id)
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| Ok((row.try_get("sealed")?, row.try_get("expires_at")?))).transpose()
    }

    /// Stores sealed credentials atomically, replacing earlier values with the same names.
    pub async fn put_credentials(&self, connection_id: i64, credentials: &[SealedCredential]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for credential in credentials {
            sqlx::query(
                "INSERT INTO credentials (connection_id, name, sealed, expires_at, updated_at)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (connection_id, name) DO UPDATE
                 SET sealed = excluded.sealed, expires_at = excluded.expires_at,
                     updated_at = excluded.updated_at",
            )
            .bind(connection_id)
            .bind(credential.name)
            .bind(&credential.sealed)
            .bind(credential.expires_at)
            .bind(unix_now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Names and expiry of a connection's credentials, without their values.
    pub async fn credential_names(&self, connection_id: i64) -> Result<Vec<(String, Option<i64>)>> {
        let rows = sqlx::query("SELECT name, expires_at FROM credentials WHERE connection_id = ? ORDER BY name")
            .bind(connection_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok((row.try_get("name")?, row.try_get("expires_at")?))).collect()
    }
}
