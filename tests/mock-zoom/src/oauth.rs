//! The OAuth token endpoint, `POST /oauth/token`, as served by `zoom.us`: the
//! `account_credentials`, `authorization_code` and `refresh_token` grants.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;

use crate::api::{json_response, param};
use crate::oauth_error::OAuthError;
use crate::oauth_request::{has_valid_client, read_params};
use crate::state::{AppState, lock};
use crate::tokens::Grant;

/// Success body of the token endpoint.
#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    /// Absent for `account_credentials`, which has no refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    expires_in: u64,
    /// Granted scopes, space-separated.
    scope: String,
    api_url: String,
}

/// Issues tokens for one of the three grants. Every request is counted under its
/// `grant_type` value before any check, so `MockZoom::token_requests` also counts failures.
pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = read_params(&headers, query.as_deref(), &body);
    let grant_type = param(&params, "grant_type");
    if let Some(grant_type) = grant_type {
        lock(&state.tokens).count_request(grant_type);
    }

    if !has_valid_client(&headers, &state) {
        return OAuthError::invalid_client().into_response();
    }

    let result = match grant_type {
        Some("account_credentials") => account_credentials(&state, &params),
        Some("authorization_code") => authorization_code(&state, &params),
        Some("refresh_token") => refresh_token(&state, &params),
        _ => Err(OAuthError::unsupported_grant_type()),
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(error) => error.into_response(),
    }
}

/// Server-to-Server OAuth: an access token for the configured account, without a refresh token.
fn account_credentials(
    state: &AppState,
    params: &[(String, String)],
) -> Result<TokenResponse, OAuthError> {
    if param(params, "account_id") != Some(state.config.account_id.as_str()) {
        return Err(OAuthError::invalid_account_id());
    }
    let scopes = state.config.scopes.clone();
    let access_token = issue_access(state, Grant::AccountCredentials, scopes.clone());
    Ok(token_response(state, access_token, None, &scopes))
}

/// Redeems an authorization code. The code is consumed before the redirect URI and the PKCE
/// verifier are checked, so a failed attempt cannot be retried with the same code.
fn authorization_code(
    state: &AppState,
    params: &[(String, String)],
) -> Result<TokenResponse, OAuthError> {
    let code = param(params, "code")
        .filter(|code| !code.is_empty())
        .ok_or_else(|| OAuthError::missing_parameter("code"))?;
    let record = lock(&state.codes)
        .redeem(code, Timestamp::now())
        .ok_or_else(|| OAuthError::invalid_code(code))?;
    if record.client_id != state.config.client_id {
        return Err(OAuthError::invalid_code(code));
    }

    let redirect_uri = param(params, "redirect_uri")
        .filter(|uri| !uri.is_empty())
        .ok_or_else(|| OAuthError::missing_parameter("redirect_uri"))?;
    if redirect_uri != record.redirect_uri {
        return Err(OAuthError::invalid_grant(format!(
            "Redirect URI mismatch: {redirect_uri} is not the redirect_uri of the authorization request"
        )));
    }

    // A verifier sent for a code issued without a challenge is ignored.
    if let Some(challenge) = &record.challenge {
        let verified =
            param(params, "code_verifier").is_some_and(|verifier| challenge.is_met_by(verifier));
        if !verified {
            return Err(OAuthError::invalid_grant("Invalid code_verifier"));
        }
    }

    let scopes = state.config.scopes.clone();
    let access_token = issue_access(state, Grant::AuthorizationCode, scopes.clone());
    let refresh_token = lock(&state.tokens).issue_refresh(scopes.clone());
    Ok(token_response(
        state,
        access_token,
        Some(refresh_token),
        &scopes,
    ))
}

/// Exchanges a refresh token for a new access and refresh token, and invalidates the one
/// presented (rotation). Earlier access tokens keep working until they expire.
fn refresh_token(
    state: &AppState,
    params: &[(String, String)],
) -> Result<TokenResponse, OAuthError> {
    let presented = param(params, "refresh_token").unwrap_or_default();
    let issued = {
        let mut tokens = lock(&state.tokens);
        tokens.take_refresh(presented).map(|scopes| {
            let access_token = tokens.issue(
                Grant::RefreshToken,
                scopes.clone(),
                state.config.token_ttl,
                Timestamp::now(),
            );
            let refresh_token = tokens.issue_refresh(scopes.clone());
            (access_token, refresh_token, scopes)
        })
    };
    let Some((access_token, refresh_token, scopes)) = issued else {
        return Err(OAuthError::invalid_refresh_token(
            state.invalid_refresh_status(),
        ));
    };
    Ok(token_response(
        state,
        access_token,
        Some(refresh_token),
        &scopes,
    ))
}

fn issue_access(state: &AppState, grant: Grant, scopes: Vec<String>) -> String {
    lock(&state.tokens).issue(grant, scopes, state.config.token_ttl, Timestamp::now())
}

fn token_response(
    state: &AppState,
    access_token: String,
    refresh_token: Option<String>,
    scopes: &[String],
) -> TokenResponse {
    TokenResponse {
        access_token,
        token_type: "bearer",
        refresh_token,
        expires_in: state.config.token_ttl.as_secs(),
        scope: scopes.join(" "),
        api_url: state.base_url.clone(),
    }
}
