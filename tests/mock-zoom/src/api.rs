//! Zoom API plumbing: JSON responses, `{code, message}` errors and the bearer-token check.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;

use crate::scopes::ScopeRequirement;
use crate::state::{AppState, lock};
use crate::tokens::TokenCheck;

/// The content type of Zoom's API responses, spelled exactly as Zoom sends it.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// Serializes `body` into a JSON response with Zoom's content type. A serialization failure
/// becomes a 500 that names the cause.
pub(crate) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
            response
        }
        Err(error) => internal_error(&format!("serializing the response body failed: {error}")),
    }
}

/// Formats a timestamp as Zoom does, in UTC to the second: `2025-06-01T07:58:03Z`.
pub(crate) fn zoom_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Builds a 500 response with a plain-text message, for bugs in the mock rather than Zoom
/// behaviour.
pub(crate) fn internal_error(message: &str) -> Response {
    tracing::error!(message, "mock-zoom internal error");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("mock-zoom internal error: {message}\n"),
    )
        .into_response()
}

/// Returns the token of an `Authorization: Bearer …` header, if the request has one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// One entry of the `errors` list of a Zoom validation failure.
#[derive(Debug, Serialize)]
pub(crate) struct FieldError {
    pub field: String,
    pub message: String,
}

/// A Zoom API error response: an HTTP status with a `{code, message[, errors]}` body.
#[derive(Debug, Serialize)]
pub(crate) struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra response headers, such as the rate-limit headers of a 429.
    #[serde(skip)]
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Builds a 400 response with a Zoom business error `code`.
    pub fn bad_request(code: i64, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Adds a response header. A value that is not a valid header value is dropped with an
    /// error log, because only the mock's own formatting produces these values.
    pub fn with_header(mut self, name: &'static str, value: &str) -> ApiError {
        match HeaderValue::from_str(value) {
            Ok(header_value) => self
                .headers
                .push((HeaderName::from_static(name), header_value)),
            Err(error) => tracing::error!(name, value, %error, "invalid response header dropped"),
        }
        self
    }

    pub fn invalid_token(status: StatusCode) -> ApiError {
        ApiError::new(status, 124, "Invalid access token.")
    }

    pub fn expired_token(status: StatusCode) -> ApiError {
        ApiError::new(status, 124, "Access token is expired.")
    }

    pub fn invalid_page_token() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            300,
            "The next page token is invalid or expired.",
        )
    }

    /// Code 300 "Validation Failed." naming the query parameter that was rejected.
    pub fn invalid_field(field: &str) -> ApiError {
        ApiError::invalid_fields(&[field])
    }

    /// Code 300 "Validation Failed." naming every rejected parameter or body field, e.g.
    /// `user_info.email`.
    pub fn invalid_fields(fields: &[&str]) -> ApiError {
        let mut error = ApiError::new(StatusCode::BAD_REQUEST, 300, "Validation Failed.");
        for field in fields {
            error.errors.push(FieldError {
                field: (*field).to_owned(),
                message: "Invalid field.".to_owned(),
            });
        }
        error
    }

    pub fn user_not_found(user_id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            1001,
            format!("User does not exist: {user_id}."),
        )
    }

    pub fn unknown_endpoint() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            2300,
            "This API endpoint is not recognized.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, &self);
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// Parses a JSON request body into an object, rejecting anything else with code 300.
pub(crate) fn json_object(
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::bad_request(
            300,
            "Request body must be a JSON object.",
        )),
        Err(error) => Err(ApiError::bad_request(
            300,
            format!("Request body must be a JSON object: {error}."),
        )),
    }
}

/// Proof that a request carried a valid access token, with the scopes granted to that token.
/// As an extractor it rejects the request with Zoom's code 124 responses.
#[derive(Debug)]
pub(crate) struct Authorized {
    scopes: Vec<String>,
}

impl Authorized {
    /// Rejects the request with Zoom's missing-scope error unless the token meets `requirement`.
    pub fn require(&self, requirement: &ScopeRequirement) -> Result<(), ApiError> {
        if requirement.is_met_by(&self.scopes) {
            return Ok(());
        }
        let (code, message) = requirement.missing.code_and_message();
        Err(ApiError::new(StatusCode::BAD_REQUEST, code, message))
    }
}

impl FromRequestParts<AppState> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let status = state.expired_token_status();
        let token = bearer_token(&parts.headers).ok_or_else(|| ApiError::invalid_token(status))?;
        match lock(&state.tokens).check(token, Timestamp::now()) {
            TokenCheck::Valid { scopes } => Ok(Authorized { scopes }),
            TokenCheck::Expired => Err(ApiError::expired_token(status)),
            TokenCheck::Revoked | TokenCheck::Unknown => Err(ApiError::invalid_token(status)),
        }
    }
}

/// Parses a query string or form body into name/value pairs, percent-decoded.
pub(crate) fn parse_pairs(encoded: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(encoded)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Returns the last value of `name` in `pairs`, as a repeated parameter's last value wins.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_parses_scheme_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&headers), Some("abc"));

        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);

        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn validation_error_lists_field() {
        let body =
            serde_json::to_value(ApiError::invalid_field("page_size")).expect("serializable");

        assert_eq!(
            body,
            serde_json::json!({
                "code": 300,
                "message": "Validation Failed.",
                "errors": [{"field": "page_size", "message": "Invalid field."}],
            })
        );
    }

    #[test]
    fn param_takes_last_value() {
        let pairs = parse_pairs(b"status=active&page_size=10&status=pending&role_id=a%20b");

        assert_eq!(param(&pairs, "status"), Some("pending"));
        assert_eq!(param(&pairs, "role_id"), Some("a b"));
        assert_eq!(param(&pairs, "missing"), None);
    }
}
