//! Creating connections: server-to-server credentials checked with a token request, or an
//! admin's consent through the OAuth authorization-code flow with PKCE. Nothing is stored
//! until a token request succeeds.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Context as _};
use subtle::ConstantTimeEq;

use crate::app::{stored_info, App};
use crate::auth::{authorization_request, credential, OAuthEndpoints, Secret, TokenGrant, TokenResponse};
use crate::broker::{parse_origin, ConnectionContext};
use crate::runtime::wit::{AuthScheme, ConnectorInfo, GrantType, Oauth2};
use crate::store::{unix_now, AuthGrant, Connection, ConnectionState, ConnectorVersion, NewConnection, SealedCredential};

/// Redirect URI of the authorization-code flow when none is given.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/oauth/callback";
/// How long `connect --oauth` waits for the admin to finish in the browser.
pub const DEFAULT_AUTHORIZATION_WAIT: Duration = Duration::from_secs(300);

/// Input of [`App::connect_account_credentials`].
pub struct AccountCredentials<'a> {
    pub connector: &'a str,
    pub name: &'a str,
    pub account_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: Secret,
    /// Upstream name to origin, replacing the connector's defaults.
    pub upstreams: BTreeMap<String, String>,
    pub webhook_secret: Option<Secret>,
}

/// Input of [`App::connect_oauth`].
pub struct AuthorizationCode<'a> {
    pub connector: &'a str,
    pub name: &'a str,
    pub client_id: &'a str,
    pub client_secret: Secret,
    pub upstreams: BTreeMap<String, String>,
    pub webhook_secret: Option<Secret>,
    /// A loopback `http` URI; port 0 picks a free port, which suits tests and mocks only,
    /// because real providers require the registered redirect URI.
    pub redirect_uri: &'a str,
    pub wait: Duration,
}

/// A new or re-authorized connection.
pub struct Connected {
    pub connection: Connection,
    pub scopes: Option<String>,
    /// True when an existing connection was authorized again and kept its data.
    pub reauthorized: bool,
    /// The reason the account could not be identified, if it could not.
    pub identify_warning: Option<String>,
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

/// Returns the upstream overrides of a connection being authorized again: the ones given now,
/// and the stored ones for upstreams not named, so that a reconnect reaches the same servers.
fn merged_upstreams(existing: Option<&Connection>, overrides: BTreeMap<String, String>) -> anyhow::Result<BTreeMap<String, String>> {
    let mut upstreams = existing.map(|connection| connection.upstreams.clone()).unwrap_or_default();
    upstreams.extend(normalise_upstreams(overrides)?);
    Ok(upstreams)
}

/// Resolves the OAuth endpoints of a connector for a connection that does not exist yet.
fn draft_endpoints(info: &ConnectorInfo, name: &str, connector: &str, upstreams: &BTreeMap<String, String>) -> anyhow::Result<OAuthEndpoints> {
    let draft = Connection {
        id: 0,
        name: name.to_string(),
        connector_id: connector.to_string(),
        auth_grant: AuthGrant::AccountCredentials,
        account_id: None,
        client_id: String::new(),
        upstreams: upstreams.clone(),
        state: ConnectionState::Connected,
        state_detail: None,
        granted_scopes: None,
        created_at: 0,
        updated_at: 0,
    };
    let context = ConnectionContext::resolve(draft, info)?;
    context.oauth.context("the connector's OAuth endpoints did not resolve")
}

fn oauth_settings<'a>(info: &'a ConnectorInfo, connector: &str, grant: GrantType, flag: &str) -> anyhow::Result<&'a Oauth2> {
    let AuthScheme::Oauth2(oauth) = &info.auth else {
        bail!("connector `{connector}` declares no OAuth endpoints, so Roster cannot connect it");
    };
    if !oauth.grants.contains(&grant) {
        bail!("connector `{connector}` does not support {flag}");
    }
    Ok(oauth)
}

/// Seals the secrets and tokens of a new or re-authorized connection.
fn sealed_credentials(app: &App, name: &str, client_secret: &Secret, webhook_secret: Option<&Secret>, token: &TokenResponse) -> Vec<SealedCredential> {
    let tokens = &app.services.tokens;
    let expires_at = unix_now() + token.expires_in as i64;
    let mut sealed = vec![
        tokens.seal(name, credential::CLIENT_SECRET, client_secret, None),
        tokens.seal(name, credential::ACCESS_TOKEN, &token.access_token, Some(expires_at)),
    ];
    if let Some(refresh_token) = &token.refresh_token {
        sealed.push(tokens.seal(name, credential::REFRESH_TOKEN, refresh_token, None));
    }
    if let Some(secret) = webhook_secret {
        sealed.push(tokens.seal(name, credential::WEBHOOK_SECRET, secret, None));
    }
    sealed
}

/// The request the loopback listener received.
struct Callback {
    params: BTreeMap<String, String>,
}

/// Hands the first callback to the waiting command; later ones find it taken.
type CallbackSlot = std::sync::Arc<std::sync::Mutex<Option<tokio::sync::oneshot::Sender<Callback>>>>;

/// Binds the redirect URI's loopback address and returns the listener and the redirect URI
/// with the bound port filled in.
async fn bind_redirect(redirect_uri: &str) -> anyhow::Result<(tokio::net::TcpListener, url::Url)> {
    let mut url = url::Url::parse(redirect_uri).with_context(|| format!("--redirect-uri {redirect_uri:?} is not a URL"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => false,
    };
    if url.scheme() != "http" || !loopback {
        bail!("--redirect-uri {redirect_uri:?} must be an http URL on a loopback address, such as {DEFAULT_REDIRECT_URI}, because Roster receives the callback itself");
    }
    let host = url.host_str().expect("checked above").trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port().unwrap_or(80);
    let address = if host == "localhost" { format!("127.0.0.1:{port}") } else if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let address: SocketAddr = address.parse().with_context(|| format!("cannot use {address} for the OAuth callback"))?;
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| {
        format!("cannot listen on {address} for the OAuth callback; free the port or pass another --redirect-uri that is registered in the app")
    })?;
    let bound = listener.local_addr()?;
    url.set_port(Some(bound.port())).expect("http URLs take a port");
    Ok((listener, url))
}

const CALLBACK_OK: &str = "<!doctype html><title>Roster</title><p>Roster received the authorization. You can close this tab and return to the terminal.</p>";
const CALLBACK_FAILED: &str = "<!doctype html><title>Roster</title><p>Roster did not receive an authorization code. Return to the terminal for details.</p>";

/// Serves the redirect path until the first callback arrives, or `wait` passes.
async fn receive_callback(listener: tokio::net::TcpListener, path: String, wait: Duration) -> anyhow::Result<Callback> {
    use axum::extract::{Query, State};
    use axum::response::Html;

    let (sender, receiver) = tokio::sync::oneshot::channel::<Callback>();
    let slot: CallbackSlot = std::sync::Arc::new(std::sync::Mutex::new(Some(sender)));
    let router = axum::Router::new()
        .route(
            &path,
            axum::routing::get(|State(slot): State<CallbackSlot>, Query(params): Query<BTreeMap<String, String>>| async move {
                let page = if params.contains_key("code") { CALLBACK_OK } else { CALLBACK_FAILED };
                if let Some(sender) = slot.lock().expect("callback lock is never poisoned").take() {
                    let _ = sender.send(Callback { params });
                }
                Html(page)
            }),
        )
        .with_state(slot);

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let received = tokio::time::timeout(wait, receiver).await;
    let _ = stop.send(());
    // Let the browser's page finish; the listener closes right after.
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    match received {
        Ok(Ok(callback)) => Ok(callback),
        Ok(Err(_)) => bail!("the OAuth callback listener stopped unexpectedly; run the command again"),
        Err(_) => bail!("no authorization arrived within {} s; run the command again and finish the consent in the browser", wait.as_secs()),
    }
}

impl App {
    async fn installed(&self, connector: &str) -> anyhow::Result<(ConnectorVersion, ConnectorInfo)> {
        let version = self
            .db
            .active_connector_version(connector)
            .await?
            .with_context(|| format!("connector `{connector}` is not installed; run `roster connector add PATH.wasm` first"))?;
        let info = stored_info(&version)?;
        Ok((version, info))
    }

    /// Creates a server-to-server connection. An existing server-to-server connection of the
    /// same name and account is authorized again with the new credentials and keeps its data.
    pub async fn connect_account_credentials(&self, request: AccountCredentials<'_>) -> anyhow::Result<Connected> {
        check_connection_name(request.name)?;
        if request.client_secret.expose().trim().is_empty() {
            bail!("the client secret is empty; pass --client-secret or set ROSTER_CLIENT_SECRET");
        }
        let (_, info) = self.installed(request.connector).await?;
        oauth_settings(&info, request.connector, GrantType::AccountCredentials, "the server-to-server account_credentials grant")?;
        let existing = match self.db.connection(request.name).await {
            Ok(existing) if existing.auth_grant == AuthGrant::AccountCredentials && existing.connector_id == request.connector => {
                if existing.account_id.as_deref() != Some(request.account_id) {
                    bail!(
                        "connection `{}` belongs to account {}, not {}; choose another --name, or run `roster disconnect {} --purge` first",
                        request.name,
                        existing.account_id.as_deref().unwrap_or("(unknown)"),
                        request.account_id,
                        request.name
                    );
                }
                Some(existing)
            }
            Ok(_) => bail!("a connection named `{}` already exists and does not use `{}` server-to-server; choose another --name", request.name, request.connector),
            Err(_) => None,
        };

        let upstreams = merged_upstreams(existing.as_ref(), request.upstreams)?;
        let endpoints = draft_endpoints(&info, request.name, request.connector, &upstreams)?;
        let grant = TokenGrant::AccountCredentials { account_id: request.account_id };
        let token = self
            .services
            .tokens
            .request(&endpoints, request.client_id, &request.client_secret, &grant)
            .await
            .context("the connection was not saved")?;

        let sealed = sealed_credentials(self, request.name, &request.client_secret, request.webhook_secret.as_ref(), &token);
        let new = NewConnection {
            name: request.name,
            connector_id: request.connector,
            auth_grant: AuthGrant::AccountCredentials,
            account_id: Some(request.account_id),
            client_id: request.client_id,
            upstreams: &upstreams,
            granted_scopes: token.scope.as_deref(),
        };
        let (connection, reauthorized) = self.save_connection(existing, &new, &sealed).await?;
        tracing::info!(connection = %connection.name, connector = %connection.connector_id, grant = "account-credentials", reauthorized, "connected");
        Ok(Connected { connection, scopes: token.scope, reauthorized, identify_warning: None })
    }

    /// Connects through the admin's consent: listens on the loopback redirect URI, hands the
    /// authorization URL to `show_url`, checks the callback's `state`, and exchanges the code
    /// with its PKCE verifier. An existing authorization-code connection of the same name is
    /// authorized again and keeps its synced data.
    pub async fn connect_oauth(&self, request: AuthorizationCode<'_>, show_url: impl FnOnce(&str)) -> anyhow::Result<Connected> {
        check_connection_name(request.name)?;
        if request.client_secret.expose().trim().is_empty() {
            bail!("the client secret is empty; pass --client-secret or set ROSTER_CLIENT_SECRET");
        }
        let (_, info) = self.installed(request.connector).await?;
        let oauth = oauth_settings(&info, request.connector, GrantType::AuthorizationCode, "the OAuth authorization-code flow")?;
        let existing = match self.db.connection(request.name).await {
            Ok(existing) if existing.auth_grant == AuthGrant::AuthorizationCode && existing.connector_id == request.connector => Some(existing),
            Ok(_) => bail!("a connection named `{}` already exists and does not use `{} --oauth`; choose another --name", request.name, request.connector),
            Err(_) => None,
        };

        let upstreams = merged_upstreams(existing.as_ref(), request.upstreams)?;
        let endpoints = draft_endpoints(&info, request.name, request.connector, &upstreams)?;
        let (listener, redirect_uri) = bind_redirect(request.redirect_uri).await?;
        let authorization = authorization_request(&endpoints, request.client_id, redirect_uri.as_str(), &oauth.scopes);
        tracing::info!(connection = request.name, redirect_uri = %redirect_uri, "waiting for the OAuth callback");
        show_url(&authorization.url);

        let callback = receive_callback(listener, redirect_uri.path().to_string(), request.wait).await?;
        let params = &callback.params;
        if let Some(error) = params.get("error") {
            let description = params.get("error_description").map(|text| format!(": {text}")).unwrap_or_default();
            bail!("{} declined the authorization ({error}{description}); nothing was saved", info.name);
        }
        let returned_state = params.get("state").map(String::as_str).unwrap_or_default();
        if !bool::from(returned_state.as_bytes().ct_eq(authorization.state.as_bytes())) {
            bail!("the OAuth callback carried a state that does not match this request, so it may be forged; nothing was saved, run the command again");
        }
        let Some(code) = params.get("code").filter(|code| !code.is_empty()) else {
            bail!("the OAuth callback carried no code; nothing was saved, run the command again");
        };

        let grant = TokenGrant::AuthorizationCode { code, redirect_uri: redirect_uri.as_str(), code_verifier: &authorization.code_verifier };
        let token = self
            .services
            .tokens
            .request(&endpoints, request.client_id, &request.client_secret, &grant)
            .await
            .context("exchanging the authorization code failed; nothing was saved")?;
        if token.refresh_token.is_none() {
            tracing::warn!(connection = request.name, "the token response carried no refresh token; the connection works until the access token expires");
        }

        let sealed = sealed_credentials(self, request.name, &request.client_secret, request.webhook_secret.as_ref(), &token);
        let new = NewConnection {
            name: request.name,
            connector_id: request.connector,
            auth_grant: AuthGrant::AuthorizationCode,
            account_id: None,
            client_id: request.client_id,
            upstreams: &upstreams,
            granted_scopes: token.scope.as_deref(),
        };
        let (connection, reauthorized) = self.save_connection(existing, &new, &sealed).await?;
        tracing::info!(connection = %connection.name, connector = %connection.connector_id, grant = "authorization-code", reauthorized, "connected");

        // Webhooks name the account, so learn it now. A failure leaves the connection usable.
        let identify_warning = match self.identify(&connection).await {
            Ok(account_id) => {
                self.db.set_account_id(connection.id, &account_id).await?;
                None
            }
            Err(error) => {
                tracing::warn!(connection = %connection.name, error = %format!("{error:#}"), "cannot identify the connection's account");
                Some(format!("{error:#}"))
            }
        };
        let connection = self.db.connection(&connection.name).await?;
        Ok(Connected { connection, scopes: token.scope, reauthorized, identify_warning })
    }

    /// Stores a new connection, or the new credentials of an existing one authorized again,
    /// and returns it with whether it existed. A stored webhook secret survives a reconnect
    /// that gives none.
    async fn save_connection(&self, existing: Option<Connection>, new: &NewConnection<'_>, sealed: &[SealedCredential]) -> anyhow::Result<(Connection, bool)> {
        match existing {
            Some(existing) => {
                let connection = self
                    .db
                    .reauthorize_connection(existing.id, new.client_id, new.upstreams, new.granted_scopes, sealed, &[credential::WEBHOOK_SECRET])
                    .await?;
                self.services.tokens.forget(connection.id);
                Ok((connection, true))
            }
            None => Ok((self.db.create_connection(new, sealed).await?, false)),
        }
    }

    /// Asks the connector which account the connection belongs to.
    async fn identify(&self, connection: &Connection) -> anyhow::Result<String> {
        let prepared = self.prepare(connection.clone()).await?;
        let broker = self.broker(Some(prepared.context.clone()), &prepared.version);
        let audit = broker.audit_sink();
        match self.runtime.identify(&prepared.connector, broker).await? {
            Ok(identity) => Ok(identity.account_id),
            Err(error) => {
                let explained = crate::explain::explain_connector_error(&error, &prepared.info.name, audit.auth_failure().as_deref());
                bail!("{}", explained.message)
            }
        }
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
            ("127.0.0.1:8080", "upstream `api` has an invalid base URL \"127.0.0.1:8080\": it has no scheme; write https://HOST, or http://127.0.0.1:PORT for a local server"),
            ("https://user:pw@api.example.com", "upstream `api` has an invalid base URL \"https://user:pw@api.example.com\": credentials do not belong in the URL"),
        ];
        for (origin, expected) in cases {
            let upstreams = BTreeMap::from([("api".to_string(), origin.to_string())]);
            assert_eq!(normalise_upstreams(upstreams).unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn reconnect_keeps_stored_upstreams() {
        let existing = Connection {
            id: 1,
            name: "acme".to_string(),
            connector_id: "zoom".to_string(),
            auth_grant: AuthGrant::AccountCredentials,
            account_id: Some("A".to_string()),
            client_id: "c".to_string(),
            upstreams: BTreeMap::from([
                ("api".to_string(), "http://127.0.0.1:1000".to_string()),
                ("oauth".to_string(), "http://127.0.0.1:1000".to_string()),
            ]),
            state: ConnectionState::Disconnected,
            state_detail: None,
            granted_scopes: None,
            created_at: 0,
            updated_at: 0,
        };
        let overrides = BTreeMap::from([("api".to_string(), "http://127.0.0.1:2000/".to_string())]);

        let merged = merged_upstreams(Some(&existing), overrides.clone()).unwrap();
        assert_eq!(merged["api"], "http://127.0.0.1:2000");
        assert_eq!(merged["oauth"], "http://127.0.0.1:1000");

        let fresh = merged_upstreams(None, overrides).unwrap();
        assert_eq!(fresh.len(), 1);
    }

    #[tokio::test]
    async fn redirect_uri_must_be_loopback_http() {
        for bad in ["https://127.0.0.1:8765/cb", "http://example.com:8765/cb", "not a url"] {
            assert!(bind_redirect(bad).await.is_err(), "{bad}");
        }
        let (_listener, url) = bind_redirect("http://127.0.0.1:0/oauth/callback").await.unwrap();
        assert_ne!(url.port(), Some(0));
        assert_eq!(url.path(), "/oauth/callback");
    }
}
