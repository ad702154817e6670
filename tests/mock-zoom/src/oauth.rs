//! The OAuth token endpoint, `POST /oauth/token`, as served by `zoom.us`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use serde::Serialize;

use crate::api::{json_response, param, parse_pairs};
use crate::state::{AppState, lock};
use crate::tokens::Grant;

/// Error body of the token endpoint. Zoom sends `reason` before `error`, unlike RFC 6749.
#[derive(Debug, Serialize)]
struct OAuthError {
    #[serde(skip)]
    status: StatusCode,
    reason: &'static str,
    error: &'static str,
}

impl OAuthError {
    fn invalid_client() -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            reason: "Invalid client_id or client_secret",
            error: "invalid_client",
        }
    }

    fn unsupported_grant_type() -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            reason: "unsupported grant type",
            error: "unsupported_grant_type",
        }
    }

    fn invalid_account_id() -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            reason: "Invalid account_id",
            error: "invalid_request",
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json_response(self.status, &self)
    }
}

/// Success body of the token endpoint for grants without a refresh token.
#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    /// Granted scopes, space-separated.
    scope: String,
    api_url: String,
}

/// Issues an access token. Zoom reads the parameters from the query or from an
/// `application/x-www-form-urlencoded` body. When both carry a parameter, the body's value wins.
pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut params = parse_pairs(query.unwrap_or_default().as_bytes());
    if is_form(&headers) {
        params.extend(parse_pairs(&body));
    }

    if !has_valid_client(&headers, &state) {
        return OAuthError::invalid_client().into_response();
    }

    let grant = match param(&params, "grant_type") {
        Some("account_credentials") => Grant::AccountCredentials,
        _ => return OAuthError::unsupported_grant_type().into_response(),
    };

    match grant {
        Grant::AccountCredentials => {
            if param(&params, "account_id") != Some(state.config.account_id.as_str()) {
                return OAuthError::invalid_account_id().into_response();
            }
            issue(&state, grant)
        }
    }
}

fn issue(state: &AppState, grant: Grant) -> Response {
    let config = &state.config;
    let access_token = lock(&state.tokens).issue(
        grant,
        config.scopes.clone(),
        config.token_ttl,
        Timestamp::now(),
    );
    let body = TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: config.token_ttl.as_secs(),
        scope: config.scopes.join(" "),
        api_url: state.base_url.clone(),
    };
    json_response(StatusCode::OK, &body)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// Checks the `Authorization: Basic base64(client_id:client_secret)` header.
fn has_valid_client(headers: &HeaderMap, state: &AppState) -> bool {
    let Some((client_id, client_secret)) = basic_credentials(headers) else {
        return false;
    };
    client_id == state.config.client_id && client_secret == state.config.client_secret
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (client_id, client_secret) = decoded.split_once(':')?;
    Some((client_id.to_owned(), client_secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn basic_credentials_split_at_first_colon() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("id:secret:with:colons");
        let value = HeaderValue::from_str(&format!("Basic {encoded}")).expect("valid header");
        headers.insert(AUTHORIZATION, value);

        assert_eq!(
            basic_credentials(&headers),
            Some(("id".to_owned(), "secret:with:colons".to_owned()))
        );
    }

    #[test]
    fn basic_credentials_reject_other_schemes() {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer aWQ6c2VjcmV0"),
        );

        assert_eq!(basic_credentials(&headers), None);
    }
}
