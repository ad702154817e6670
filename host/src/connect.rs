//! Creating connections: resolve the connector's upstreams, prove the credentials with a
//! token request, then store the connection with its sealed secrets.

use std::collections::BTreeMap;

use anyhow::{bail, Context as _};

use crate::app::{stored_info, App};
use crate::auth::{credential, Secret};
use crate::broker::{parse_origin, ConnectionContext};
use crate::runtime::wit::{AuthScheme, GrantType};
use crate::store::{AuthGrant, Connection, ConnectionState, NewConnection};

/// Input of `connect_account_credentials`.
pub struct AccountCredentials<'a> {
    pub connector: &'a str,
    pub name: &'a str,
    pub account_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: Secret,
    /// Upstream name to origin, replacing the connector's defaults.
    pub upstreams: BTreeMap<String, String>,
}

pub fn check_connection_name(name: &str) -> anyhow::Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !valid {
        bail!("connection name {name:?} is invalid; use 1 to 64 letters, digits, dots, dashes or underscores");
    }
    Ok(())
}

/// Checks and normalises upstream overrides such as `api=http://127.0.0.1:8080/`.
pub fn normalise_upstreams(upstreams: BTreeMap<String, String>) -> anyhow::Result<BTreeMap<String, String>> {
    upstreams
        .into_iter()
        .map(|(name, origin)| {
            let url = parse_origin(&name, &origin)?;
            Ok((name, url.as_str().trim_end_matches('/').to_string()))
        })
        .collect()
}

impl App {
    /// Creates a server-to-server connection. Nothing is stored unless a token request with
    /// the credentials succeeds.
    pub async fn connect_account_credentials(&self, request: AccountCredentials<'_>) -> anyhow::Result<(Connection, Option<String>)> {
        check_connection_name(request.name)?;
        if request.client_secret.expose().trim().is_empty() {
            bail!("the client secret is empty; pass --client-secret or set ROSTER_CLIENT_SECRET");
        }
        let version = self.db.active_connector_version(request.connector).await?.with_context(|| {
            format!("connector `{}` is not installed; run `roster connector add PATH.wasm` first", request.connector)
        })?;
        let info = stored_info(&version)?;
        let AuthScheme::Oauth2(oauth) = &info.auth else {
            bail!("connector `{}` declares no OAuth endpoints, so Roster cannot connect it with client credentials", request.connector);
        };
        if !oauth.grants.contains(&GrantType::AccountCredentials) {
            bail!("connector `{}` does not support the server-to-server account_credentials grant", request.connector);
        }
        if self.db.connection(request.name).await.is_ok() {
            bail!("a connection named `{}` already exists; choose another --name", request.name);
        }

        let upstreams = normalise_upstreams(request.upstreams)?;
        // A draft connection validates the upstreams and yields the token URL before anything
        // is stored.
        let draft = Connection {
            id: 0,
            name: request.name.to_string(),
            connector_id: request.connector.to_string(),
            auth_grant: AuthGrant::AccountCredentials,
            account_id: Some(request.account_id.to_string()),
            client_id: request.client_id.to_string(),
            upstreams: upstreams.clone(),
            state: ConnectionState::Connected,
            state_detail: None,
            granted_scopes: None,
            created_at: 0,
            updated_at: 0,
        };
        let context = ConnectionContext::resolve(draft, &info)?;
        let endpoints = context.oauth.as_ref().context("the connector's OAuth endpoints did not resolve")?;

        let tokens = &self.services.tokens;
        let token = tokens
            .probe_account_credentials(endpoints, request.account_id, request.client_id, &request.client_secret)
            .await
            .context("the connection was not saved")?;

        let sealed = vec![tokens.seal(request.name, credential::CLIENT_SECRET, &request.client_secret, None)];
        let connection = self
            .db
            .create_connection(
                &NewConnection {
                    name: request.name,
                    connector_id: request.connector,
                    auth_grant: AuthGrant::AccountCredentials,
                    account_id: Some(request.account_id),
                    client_id: request.client_id,
                    upstreams: &upstreams,
                    granted_scopes: token.scope.as_deref(),
                },
                &sealed,
            )
            .await?;
        tokens.store_response(&connection, &token).await?;
        tracing::info!(connection = %connection.name, connector = %connection.connector_id, "created connection");
        Ok((connection, token.scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_names() {
        assert!(check_connection_name("acme").is_ok());
        assert!(check_connection_name("acme-zoom_2.eu").is_ok());
        for bad in ["", "a b", "acme/zoom", &"x".repeat(65)] {
            assert!(check_connection_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn upstream_origins_are_normalised_and_checked() {
        let upstreams = BTreeMap::from([("api".to_string(), "http://127.0.0.1:8080/".to_string())]);
        assert_eq!(normalise_upstreams(upstreams).unwrap()["api"], "http://127.0.0.1:8080");

        let cases = [
            ("http://api.example.com", "upstream `api` has an invalid base URL \"http://api.example.com\": plain http is only allowed for loopback addresses; use https"),
            ("https://api.example.com/v2", "upstream `api` has an invalid base URL \"https://api.example.com/v2\": give an origin only, without path, query or fragment"),
            ("ftp://127.0.0.1", "upstream `api` has an invalid base URL \"ftp://127.0.0.1\": the scheme must be https"),
            ("https://user:pw@api.example.com", "upstream `api` has an invalid base URL \"https://user:pw@api.example.com\": credentials do not belong in the URL"),
        ];
        for (origin, expected) in cases {
            let upstreams = BTreeMap::from([("api".to_string(), origin.to_string())]);
            assert_eq!(normalise_upstreams(upstreams).unwrap_err().to_string(), expected);
        }
    }
}
