//! Requests to an OAuth 2.0 token endpoint, with retries for 5xx answers and network errors.

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{AuthError, Secret};

/// Attempts for one token request; 4xx responses are never retried.
const ATTEMPTS: u32 = 3;

/// Where a connection's OAuth flows go, resolved from the connector's description and the
/// connection's upstream overrides.
#[derive(Debug, Clone)]
pub struct OAuthEndpoints {
    /// Display name of the SaaS tool, for messages.
    pub provider: String,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: Option<String>,
}

pub enum TokenGrant<'a> {
    /// Zoom's server-to-server grant.
    AccountCredentials { account_id: &'a str },
    AuthorizationCode { code: &'a str, redirect_uri: &'a str, code_verifier: &'a str },
    RefreshToken { refresh_token: &'a Secret },
}

impl TokenGrant<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            TokenGrant::AccountCredentials { .. } => "account_credentials",
            TokenGrant::AuthorizationCode { .. } => "authorization_code",
            TokenGrant::RefreshToken { .. } => "refresh_token",
        }
    }

    fn form(&self) -> Vec<(&'static str, &str)> {
        match self {
            TokenGrant::AccountCredentials { account_id } => {
                vec![("grant_type", "account_credentials"), ("account_id", account_id)]
            }
            TokenGrant::AuthorizationCode { code, redirect_uri, code_verifier } => vec![
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", code_verifier),
            ],
            TokenGrant::RefreshToken { refresh_token } => {
                vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token.expose())]
            }
        }
    }

    fn next_step(&self) -> &'static str {
        match self {
            TokenGrant::AccountCredentials { .. } => {
                "check --account-id, --client-id and the client secret of the server-to-server OAuth app"
            }
            TokenGrant::AuthorizationCode { .. } => "start the authorization again",
            TokenGrant::RefreshToken { .. } => "authorize the connection again",
        }
    }
}

/// A successful token response.
#[derive(Debug)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in: u64,
    /// Space-separated scopes the token carries.
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    scope: Option<String>,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    error: Option<String>,
    reason: Option<String>,
    error_description: Option<String>,
}

/// Access tokens without `expires_in` are assumed to last an hour, Zoom's documented lifetime.
const DEFAULT_EXPIRES_IN: u64 = 3600;

/// Sends a token request with HTTP Basic client authentication. Each attempt may take
/// `timeout`; 5xx responses and network errors are retried.
pub async fn request_token(
    http: &reqwest::Client,
    endpoints: &OAuthEndpoints,
    client_id: &str,
    client_secret: &Secret,
    grant: &TokenGrant<'_>,
    timeout: Duration,
) -> Result<TokenResponse, AuthError> {
    let basic = BASE64.encode(format!("{client_id}:{}", client_secret.expose()));
    let mut last_failure = String::new();

    for attempt in 1..=ATTEMPTS {
        if attempt > 1 {
            let delay = Duration::from_millis(500 * 2u64.pow(attempt - 2));
            tracing::warn!(grant = grant.name(), attempt, delay_ms = delay.as_millis() as u64, failure = %last_failure, "retrying token request");
            tokio::time::sleep(delay).await;
        }

        let sent = http
            .post(&endpoints.token_url)
            .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
            .form(&grant.form())
            .timeout(timeout)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                last_failure = error.without_url().to_string();
                continue;
            }
        };

        let status = response.status();
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => {
                last_failure = error.without_url().to_string();
                continue;
            }
        };
        if status.is_server_error() {
            last_failure = format!("HTTP {}", status.as_u16());
            continue;
        }
        if !status.is_success() {
            let parsed: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
            let code = parsed.error.unwrap_or_else(|| "unknown_error".to_string());
            let reason = parsed.reason.or(parsed.error_description).unwrap_or_default();
            return Err(AuthError::Rejected {
                provider: endpoints.provider.clone(),
                grant: grant.name(),
                status: status.as_u16(),
                reason: if reason.is_empty() { code } else { format!("{code}: {reason}") },
                next_step: grant.next_step().to_string(),
            });
        }

        let parsed: TokenBody = serde_json::from_slice(&body).map_err(|error| AuthError::InvalidResponse {
            url: endpoints.token_url.clone(),
            detail: format!("the body is not a token response: {error}"),
        })?;
        if parsed.access_token.is_empty() {
            return Err(AuthError::InvalidResponse {
                url: endpoints.token_url.clone(),
                detail: "access_token is empty".to_string(),
            });
        }
        return Ok(TokenResponse {
            access_token: Secret::new(parsed.access_token),
            refresh_token: parsed.refresh_token.filter(|token| !token.is_empty()).map(Secret::new),
            expires_in: parsed.expires_in.unwrap_or(DEFAULT_EXPIRES_IN),
            scope: parsed.scope,
        });
    }

    Err(AuthError::Unreachable { url: endpoints.token_url.clone(), attempts: ATTEMPTS, detail: last_failure })
}

/// Values that tie an authorization request to its callback and its code exchange.
pub struct AuthorizationRequest {
    /// Random value echoed by the callback; a mismatch means a forged or stale callback.
    pub state: String,
    /// The PKCE secret, sent only with the code exchange.
    pub code_verifier: String,
    pub url: String,
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Returns the S256 PKCE challenge of a verifier: base64url without padding of its SHA-256.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Builds an authorization URL with a fresh `state` and an S256 `code_challenge`.
pub fn authorization_request(endpoints: &OAuthEndpoints, client_id: &str, redirect_uri: &str, scopes: &[String]) -> AuthorizationRequest {
    let state = random_token();
    // 32 random bytes give a 43-character verifier, the minimum length RFC 7636 allows.
    let code_verifier = random_token();
    let mut url = url::Url::parse(&endpoints.authorize_url).expect("authorize URLs come from a validated origin");
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce_challenge(&code_verifier))
            .append_pair("code_challenge_method", "S256");
        if !scopes.is_empty() {
            query.append_pair("scope", &scopes.join(" "));
        }
    }
    AuthorizationRequest { state, code_verifier, url: url.to_string() }
}

/// Revokes a token at the provider's revoke endpoint. Zoom takes the token as a query or form
/// parameter; Roster sends it in the form body so it stays out of URLs.
pub async fn revoke_token(
    http: &reqwest::Client,
    revoke_url: &str,
    client_id: &str,
    client_secret: &Secret,
    token: &Secret,
    timeout: Duration,
) -> Result<(), String> {
    let basic = BASE64.encode(format!("{client_id}:{}", client_secret.expose()));
    let response = http
        .post(revoke_url)
        .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
        .form(&[("token", token.expose())])
        .timeout(timeout)
        .send()
        .await
        .map_err(|error| error.without_url().to_string())?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let bytes = response.bytes().await.unwrap_or_default();
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
    let reason = body.reason.or(body.error_description).or(body.error).unwrap_or_default();
    Err(format!("HTTP {} {reason}", status.as_u16()).trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_example() {
        // The example verifier and challenge from RFC 7636, appendix B.
        assert_eq!(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn authorization_url_carries_state_and_challenge() {
        let endpoints = OAuthEndpoints {
            provider: "Zoom".into(),
            authorize_url: "https://zoom.example.test/oauth/authorize".into(),
            token_url: String::new(),
            revoke_url: None,
        };
        let request = authorization_request(&endpoints, "client 1", "http://127.0.0.1:8765/oauth/callback", &[]);
        let url = url::Url::parse(&request.url).unwrap();
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "client 1");
        assert_eq!(query["redirect_uri"], "http://127.0.0.1:8765/oauth/callback");
        assert_eq!(query["state"], request.state);
        assert_eq!(query["code_challenge"], pkce_challenge(&request.code_verifier));
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(request.code_verifier.len(), 43);
        assert!(!query.contains_key("scope"));
    }
}
