//! Access tokens per connection: cached in memory and sealed in the database, fetched again
//! shortly before expiry, and at most one fetch in flight per connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::oauth::{request_token, OAuthEndpoints, TokenGrant, TokenResponse};
use super::{credential, AuthError, MasterKey, Secret};
use crate::store::{unix_now, AuthGrant, Connection, Database, SealedCredential};

/// Tokens closer than this to expiry are replaced before use, so a request never starts with
/// a token that expires in flight.
const EXPIRY_MARGIN_SECONDS: i64 = 120;

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
    /// One slot per connection id. The async mutex makes concurrent callers wait for a
    /// fetch in flight instead of starting their own.
    slots: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Option<AccessToken>>>>>,
}

/// Seal context for a credential: binds the ciphertext to its connection and name.
pub fn seal_context(connection_name: &str, credential: &str) -> String {
    format!("roster/v1/{connection_name}/{credential}")
}

impl TokenService {
    pub fn new(db: Database, key: Arc<MasterKey>, http: reqwest::Client) -> TokenService {
        TokenService { db, key, http, slots: Mutex::new(HashMap::new()) }
    }

    pub fn master_key(&self) -> &MasterKey {
        &self.key
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
        let opened = self.key.open(&seal_context(&connection.name, name), &sealed).ok_or_else(|| {
            AuthError::WrongMasterKey {
                connection: connection.name.clone(),
                credential: name.to_string(),
                key_file: self.key.source().to_string(),
            }
        })?;
        let value = String::from_utf8(opened).map_err(|_| AuthError::WrongMasterKey {
            connection: connection.name.clone(),
            credential: name.to_string(),
            key_file: self.key.source().to_string(),
        })?;
        Ok(Some((Secret::new(value), expires_at)))
    }

    /// Returns an access token that stays valid for at least the expiry margin.
    pub async fn access_token(&self, connection: &Connection, endpoints: &OAuthEndpoints) -> Result<AccessToken, AuthError> {
        let slot = self.slot(connection.id);
        let mut cached = slot.lock().await;
        let now = unix_now();
        if let Some(token) = cached.as_ref().filter(|token| token.is_fresh(now)) {
            return Ok(token.clone());
        }

        // Another process (an earlier CLI run) may have stored a token that is still good.
        if let Some((value, Some(expires_at))) = self.secret(connection, credential::ACCESS_TOKEN).await? {
            let stored = AccessToken { value, expires_at };
            if stored.is_fresh(now) {
                *cached = Some(stored.clone());
                return Ok(stored);
            }
        }

        let token = self.fetch(connection, endpoints).await?;
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
        let token = self.fetch(connection, endpoints).await?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Fetches a new access token with the connection's grant and stores it sealed.
    async fn fetch(&self, connection: &Connection, endpoints: &OAuthEndpoints) -> Result<AccessToken, AuthError> {
        let client_secret = self
            .secret(connection, credential::CLIENT_SECRET)
            .await?
            .ok_or_else(|| AuthError::MissingCredential { connection: connection.name.clone(), credential: credential::CLIENT_SECRET })?
            .0;

        let response = match connection.auth_grant {
            AuthGrant::AccountCredentials => {
                let account_id = connection.account_id.as_deref().unwrap_or_default();
                let grant = TokenGrant::AccountCredentials { account_id };
                request_token(&self.http, endpoints, &connection.client_id, &client_secret, &grant).await?
            }
            AuthGrant::AuthorizationCode => {
                // TODO: refresh-token rotation arrives with the authorization-code flow.
                return Err(AuthError::NeedsReauthorization {
                    connection: connection.name.clone(),
                    detail: "this Roster version cannot refresh authorization-code tokens yet".to_string(),
                });
            }
        };
        tracing::info!(connection = %connection.name, grant = connection.auth_grant.as_str(), expires_in = response.expires_in, "fetched access token");
        self.store_response(connection, &response).await
    }

    /// Persists a token response and returns its access token.
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

    /// Fetches a token for credentials that are not stored yet, to check them before a
    /// connection is saved.
    pub async fn probe_account_credentials(
        &self,
        endpoints: &OAuthEndpoints,
        account_id: &str,
        client_id: &str,
        client_secret: &Secret,
    ) -> Result<TokenResponse, AuthError> {
        let grant = TokenGrant::AccountCredentials { account_id };
        request_token(&self.http, endpoints, client_id, client_secret, &grant).await
    }

    /// Forgets cached tokens of a connection, as after it is deleted.
    pub fn forget(&self, connection_id: i64) {
        let mut slots = self.slots.lock().expect("token slot map is never poisoned by a panic while held");
        slots.remove(&connection_id);
    }
}
