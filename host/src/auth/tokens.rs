//! Access tokens per connection: cached in memory and sealed in the database, replaced
//! shortly before expiry or when the upstream rejects them, with one fetch in flight per
//! connection across threads and processes.
//!
//! Refresh tokens rotate (Zoom invalidates the old one when it issues a new one), so a refresh
//! stores the new pair in one transaction before anything uses the new access token, and a
//! rejected refresh marks the connection as needing re-authorization instead of retrying.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::oauth::{request_token, revoke_token, OAuthEndpoints, TokenGrant, TokenResponse};
use super::{credential, AuthError, MasterKey, Secret};
use crate::store::{unix_now, AuthGrant, Connection, ConnectionState, Database, SealedCredential};

/// Tokens closer than this to expiry are replaced before use, so a request never starts with
/// a token that expires in flight.
const EXPIRY_MARGIN_SECONDS: i64 = 120;
/// How long a process waits for another process's token fetch before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(120);

#[derive(Clone, Debug)]
pub struct AccessToken {
    pub value: Secret,
    pub expires_at: i64,
}

impl AccessToken {
    fn is_fresh(&self, now: i64) -> bool {
        self.expires_at - EXPIRY_MARGIN_SECONDS > now
    }
}

/// Hands out access tokens to brokered requests.
pub struct TokenService {
    db: Database,
    key: Arc<MasterKey>,
    http: reqwest::Client,
    /// Timeout of one token-endpoint request attempt.
    timeout: Duration,
    /// One slot per connection id. The async mutex makes concurrent callers wait for a
    /// fetch in flight instead of starting their own.
    slots: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Option<AccessToken>>>>>,
}

/// Seal context for a credential: binds the ciphertext to its connection and name.
pub fn seal_context(connection_name: &str, credential: &str) -> String {
    format!("roster/v1/{connection_name}/{credential}")
}

/// An exclusive lock on a connection's tokens shared by every Roster process using the same
/// database. The operating system releases it when the process exits.
struct TokenLock {
    _file: File,
}

impl TokenLock {
    async fn acquire(db: &Database, connection_id: i64) -> Result<TokenLock, AuthError> {
        let mut dir_name = db.path().file_name().unwrap_or_default().to_os_string();
        dir_name.push(".locks");
        let path: PathBuf = db.path().with_file_name(dir_name).join(format!("token-{connection_id}.lock"));
        let io_error = |error: std::io::Error| AuthError::MasterKey(format!("cannot use lock file {}: {error}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error)?;
        }
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io_error)?;

        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(TokenLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(AuthError::MasterKey(format!(
                        "another process held the token lock {} for over {} s",
                        path.display(),
                        LOCK_WAIT.as_secs()
                    )));
                }
                Err(TryLockError::Error(error)) => return Err(io_error(error)),
            }
        }
    }
}

impl TokenService {
    pub fn new(db: Database, key: Arc<MasterKey>, http: reqwest::Client, timeout: Duration) -> TokenService {
        TokenService { db, key, http, timeout, slots: Mutex::new(HashMap::new()) }
    }

    fn slot(&self, connection_id: i64) -> Arc<tokio::sync::Mutex<Option<AccessToken>>> {
        let mut slots = self.slots.lock().expect("token slot map is never poisoned by a panic while held");
        slots.entry(connection_id).or_default().clone()
    }

    /// Seals a credential for storage.
    pub fn seal(&self, connection_name: &str, name: &'static str, value: &Secret, expires_at: Option<i64>) -> SealedCredential {
        SealedCredential {
            name,
            sealed: self.key.seal(&seal_context(connection_name, name), value.expose().as_bytes()),
            expires_at,
        }
    }

    /// Reads and opens a stored credential.
    pub async fn secret(&self, connection: &Connection, name: &'static str) -> Result<Option<(Secret, Option<i64>)>, AuthError> {
        let Some((sealed, expires_at)) = self.db.credential(connection.id, name).await? else {
            return Ok(None);
        };
        let wrong_key = || AuthError::WrongMasterKey {
            connection: connection.name.clone(),
            credential: name.to_string(),
            key_file: self.key.source().to_string(),
        };
        let opened = self.key.open(&seal_context(&connection.name, name), &sealed).ok_or_else(wrong_key)?;
        let value = String::from_utf8(opened).map_err(|_| wrong_key())?;
        Ok(Some((Secret::new(value), expires_at)))
    }

    /// Returns an access token that stays valid for at least the expiry margin.
    pub async fn access_token(&self, connection: &Connection, endpoints: &OAuthEndpoints) -> Result<AccessToken, AuthError> {
        let slot = self.slot(connection.id);
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref().filter(|token| token.is_fresh(unix_now())) {
            return Ok(token.clone());
        }
        let token = self.obtain(connection, endpoints, None).await?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Replaces a token the upstream rejected. When another caller already replaced it,
    /// returns that newer token instead of fetching again.
    pub async fn replace_rejected(&self, connection: &Connection, endpoints: &OAuthEndpoints, rejected: &Secret) -> Result<AccessToken, AuthError> {
        let slot = self.slot(connection.id);
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref().filter(|token| &token.value != rejected && token.is_fresh(unix_now())) {
            return Ok(token.clone());
        }
        tracing::info!(connection = %connection.name, "access token rejected by the upstream; fetching a new one");
        let token = self.obtain(connection, endpoints, Some(rejected)).await?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Returns the stored token when it is fresh and not the rejected one, or fetches a new
    /// one while holding the cross-process lock.
    async fn obtain(&self, connection: &Connection, endpoints: &OAuthEndpoints, rejected: Option<&Secret>) -> Result<AccessToken, AuthError> {
        let _lock = TokenLock::acquire(&self.db, connection.id).await?;

        // Another process, or an earlier run, may have stored a good token meanwhile.
        if let Some((value, Some(expires_at))) = self.secret(connection, credential::ACCESS_TOKEN).await? {
            let stored = AccessToken { value, expires_at };
            if stored.is_fresh(unix_now()) && Some(&stored.value) != rejected {
                return Ok(stored);
            }
        }

        // The state may have changed since the caller loaded the connection.
        let current = self.db.connection(&connection.name).await?;
        if current.state != ConnectionState::Connected {
            return Err(AuthError::NeedsReauthorization {
                connection: connection.name.clone(),
                detail: format!(
                    "{}; run `{}` to authorize again",
                    current.state_detail.as_deref().unwrap_or(current.state.as_str()),
                    reconnect_command(&current)
                ),
            });
        }

        match connection.auth_grant {
            AuthGrant::AccountCredentials => self.fetch_account_credentials(connection, endpoints).await,
            AuthGrant::AuthorizationCode => self.refresh(connection, endpoints).await,
        }
    }

    async fn client_secret(&self, connection: &Connection) -> Result<Secret, AuthError> {
        let secret = self.secret(connection, credential::CLIENT_SECRET).await?;
        secret.map(|(secret, _)| secret).ok_or_else(|| AuthError::MissingCredential {
            connection: connection.name.clone(),
            credential: credential::CLIENT_SECRET,
        })
    }

    async fn fetch_account_credentials(&self, connection: &Connection, endpoints: &OAuthEndpoints) -> Result<AccessToken, AuthError> {
        let client_secret = self.client_secret(connection).await?;
        let account_id = connection.account_id.as_deref().unwrap_or_default();
        let grant = TokenGrant::AccountCredentials { account_id };
        let response = request_token(&self.http, endpoints, &connection.client_id, &client_secret, &grant, self.timeout).await?;
        tracing::info!(connection = %connection.name, grant = grant.name(), expires_in = response.expires_in, "fetched access token");
        self.store_response(connection, &response).await
    }

    /// Exchanges the refresh token for a new pair. A 4xx response, including the `invalid_grant`
    /// that follows a lost response (the provider rotated the token but Roster never saw the
    /// new one), marks the connection as needing re-authorization. There is no retry loop.
    async fn refresh(&self, connection: &Connection, endpoints: &OAuthEndpoints) -> Result<AccessToken, AuthError> {
        let client_secret = self.client_secret(connection).await?;
        let Some((refresh_token, _)) = self.secret(connection, credential::REFRESH_TOKEN).await? else {
            return Err(self.mark_needs_reauthorization(connection, "no refresh token is stored").await);
        };

        let grant = TokenGrant::RefreshToken { refresh_token: &refresh_token };
        match request_token(&self.http, endpoints, &connection.client_id, &client_secret, &grant, self.timeout).await {
            Ok(response) => {
                if response.refresh_token.is_none() {
                    tracing::warn!(connection = %connection.name, "refresh response carried no refresh token; keeping the previous one");
                }
                tracing::info!(connection = %connection.name, expires_in = response.expires_in, "refreshed access token");
                self.store_response(connection, &response).await
            }
            Err(AuthError::Rejected { status, reason, provider, .. }) if (400..500).contains(&status) => {
                let detail = format!("{provider} rejected the refresh token with HTTP {status} ({reason})");
                Err(self.mark_needs_reauthorization(connection, &detail).await)
            }
            Err(other) => {
                tracing::warn!(connection = %connection.name, error = %other, "refreshing the access token failed; stored tokens are kept");
                Err(other)
            }
        }
    }

    async fn mark_needs_reauthorization(&self, connection: &Connection, detail: &str) -> AuthError {
        tracing::error!(connection = %connection.name, detail, "connection needs re-authorization");
        if let Err(error) = self.db.set_connection_state(connection.id, ConnectionState::NeedsReauthorization, Some(detail)).await {
            tracing::error!(connection = %connection.name, error = %error, "cannot record that the connection needs re-authorization");
        }
        AuthError::NeedsReauthorization {
            connection: connection.name.clone(),
            detail: format!("{detail}; run `{}` to authorize again", reconnect_command(connection)),
        }
    }

    /// Persists a token response and returns its access token. A rotated refresh token and the
    /// new access token are written in one transaction.
    pub async fn store_response(&self, connection: &Connection, response: &TokenResponse) -> Result<AccessToken, AuthError> {
        let expires_at = unix_now() + response.expires_in as i64;
        let mut sealed = vec![self.seal(&connection.name, credential::ACCESS_TOKEN, &response.access_token, Some(expires_at))];
        if let Some(refresh_token) = &response.refresh_token {
            sealed.push(self.seal(&connection.name, credential::REFRESH_TOKEN, refresh_token, None));
        }
        self.db.put_credentials(connection.id, &sealed).await?;
        if let Some(scope) = &response.scope {
            self.db.set_granted_scopes(connection.id, scope).await?;
        }
        Ok(AccessToken { value: response.access_token.clone(), expires_at })
    }

    /// Requests a token for credentials that are not stored yet, to check them before a
    /// connection is saved.
    pub async fn request(&self, endpoints: &OAuthEndpoints, client_id: &str, client_secret: &Secret, grant: &TokenGrant<'_>) -> Result<TokenResponse, AuthError> {
        request_token(&self.http, endpoints, client_id, client_secret, grant, self.timeout).await
    }

    /// Revokes the connection's tokens at the provider. Returns a description of what failed,
    /// if anything, so callers can still delete the local copies.
    pub async fn revoke(&self, connection: &Connection, endpoints: &OAuthEndpoints) -> Result<Vec<String>, AuthError> {
        let Some(revoke_url) = &endpoints.revoke_url else {
            return Ok(vec![format!("{} has no revoke endpoint", endpoints.provider)]);
        };
        let mut tokens = Vec::new();
        for name in [credential::REFRESH_TOKEN, credential::ACCESS_TOKEN] {
            if let Some((token, _)) = self.secret(connection, name).await? {
                tokens.push((name, token));
            }
        }
        // A connection that is already disconnected has no tokens, and may have no client
        // secret left either.
        if tokens.is_empty() {
            return Ok(Vec::new());
        }

        let client_secret = self.client_secret(connection).await?;
        let mut failures = Vec::new();
        for (name, token) in tokens {
            if let Err(failure) = revoke_token(&self.http, revoke_url, &connection.client_id, &client_secret, &token, self.timeout).await {
                tracing::warn!(connection = %connection.name, credential = name, failure, "revoking a token failed");
                failures.push(format!("revoking the {name} failed: {failure}"));
            }
        }
        Ok(failures)
    }

    /// Forgets cached tokens of a connection, as after it is disconnected.
    pub fn forget(&self, connection_id: i64) {
        let mut slots = self.slots.lock().expect("token slot map is never poisoned by a panic while held");
        slots.remove(&connection_id);
    }
}

/// Returns why `connection` cannot do `task` (such as "changing users") and the command that
/// connects it again, or `None` when it is connected.
pub fn not_connected(connection: &Connection, task: &str) -> Option<String> {
    if connection.state == ConnectionState::Connected {
        return None;
    }
    Some(format!("connection `{}` {}; run `{}` before {task}", connection.name, connection.state.predicate(), reconnect_command(connection)))
}

/// Returns the command that authorizes a connection again.
pub fn reconnect_command(connection: &Connection) -> String {
    match connection.auth_grant {
        AuthGrant::AuthorizationCode => format!(
            "roster connect {} --name {} --oauth --client-id {} --client-secret SECRET",
            connection.connector_id, connection.name, connection.client_id
        ),
        AuthGrant::AccountCredentials => format!(
            "roster connect {} --name {} --account-id {} --client-id {} --client-secret SECRET",
            connection.connector_id,
            connection.name,
            connection.account_id.as_deref().unwrap_or("ACCOUNT_ID"),
            connection.client_id,
        ),
    }
}
