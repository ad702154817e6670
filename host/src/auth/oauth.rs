//! Requests to an OAuth 2.0 token endpoint, with retries for 5xx answers and network errors.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::Deserialize;

use super::{AuthError, Secret};

/// Attempts for one token request; 4xx answers are never retried.
const ATTEMPTS: u32 = 3;
const TOKEN_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

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

/// Sends a token request with HTTP Basic client authentication.
pub async fn request_token(
    http: &reqwest::Client,
    endpoints: &OAuthEndpoints,
    client_id: &str,
    client_secret: &Secret,
    grant: &TokenGrant<'_>,
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
            .timeout(TOKEN_REQUEST_TIMEOUT)
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
