//! Error responses of the OAuth endpoints, in Zoom's `{reason, error}` shape.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::json_response;

/// Error body of the token and revoke endpoints. Zoom sends `reason` before `error`, unlike
/// RFC 6749.
#[derive(Debug, Serialize)]
pub(crate) struct OAuthError {
    #[serde(skip)]
    status: StatusCode,
    reason: Cow<'static, str>,
    error: &'static str,
}

impl OAuthError {
    fn new(status: StatusCode, reason: impl Into<Cow<'static, str>>, error: &'static str) -> Self {
        OAuthError {
            status,
            reason: reason.into(),
            error,
        }
    }

    pub fn invalid_client() -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "Invalid client_id or client_secret",
            "invalid_client",
        )
    }

    pub fn unsupported_grant_type() -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported grant type",
            "unsupported_grant_type",
        )
    }

    pub fn invalid_account_id() -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "Invalid account_id",
            "invalid_request",
        )
    }

    /// 400 `invalid_request` for a missing parameter.
    pub fn missing_parameter(name: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            format!("Missing {name}"),
            "invalid_request",
        )
    }

    /// 400 `invalid_grant` with `reason`.
    pub fn invalid_grant(reason: impl Into<Cow<'static, str>>) -> OAuthError {
        OAuthError::new(StatusCode::BAD_REQUEST, reason, "invalid_grant")
    }

    /// Builds the error for an unknown, used or expired authorization code.
    pub fn invalid_code(code: &str) -> OAuthError {
        OAuthError::invalid_grant(format!("Invalid authorization code {code}"))
    }

    /// Builds the error for an unknown, rotated or revoked refresh token, with `status` from
    /// `MockConfig::invalid_refresh_status`. Integrators have reported two variants: 400 with
    /// `invalid_grant` in 2024, and 401 with `invalid_request` in 2020. A 401 gets the older
    /// body and any other status the newer one.
    pub fn invalid_refresh_token(status: StatusCode) -> OAuthError {
        let error = if status == StatusCode::UNAUTHORIZED {
            "invalid_request"
        } else {
            "invalid_grant"
        };
        OAuthError::new(status, "Invalid Token!", error)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json_response(self.status, &self)
    }
}
