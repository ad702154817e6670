//! The OAuth revoke endpoint, `POST /oauth/revoke`, which Roster calls to disconnect.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api::{json_response, param};
use crate::oauth_error::OAuthError;
use crate::oauth_request::{has_valid_client, read_params};
use crate::state::{AppState, lock};

/// Revokes the access or refresh token in the `token` parameter, read from the query or a form
/// body, and records it for `MockZoom::revoked_tokens`. Only that token stops working: the
/// other token of the same grant is left as it is.
//
// NOTE: Zoom does not document its response to an unknown token, so the mock follows
// RFC 7009, section 2.2, and returns success for any token.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = read_params(&headers, query.as_deref(), &body);
    if !has_valid_client(&headers, &state) {
        return OAuthError::invalid_client().into_response();
    }
    let Some(token) = param(&params, "token").filter(|token| !token.is_empty()) else {
        return OAuthError::missing_parameter("token").into_response();
    };

    lock(&state.tokens).revoke(token);
    json_response(StatusCode::OK, &json!({ "status": "success" }))
}
