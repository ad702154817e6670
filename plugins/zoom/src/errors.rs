//! Turns Zoom's error responses into `connector-error` values that keep Zoom's code and message.

use serde::Deserialize;

use crate::bindings::roster::connector::types::{
    ConnectorError, PermissionError, RateLimitScope, RateLimited, UpstreamError,
};
use crate::describe::permissions_for_scope;
use crate::time::parse_retry_after;

/// Zoom's error body: `{"code": 124, "message": "..."}`, plus field errors on validation.
#[derive(Deserialize, Default)]
struct ErrorBody {
    code: Option<serde_json::Value>,
    message: Option<String>,
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct FieldError {
    field: Option<String>,
    message: Option<String>,
}

/// A parsed error response, before it is classified.
pub struct ZoomError {
    pub status: u16,
    pub code: Option<i64>,
    pub message: String,
}

impl ZoomError {
    pub fn parse(status: u16, body: &[u8]) -> ZoomError {
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
        // Zoom sends numeric codes, but tolerate strings so a format change keeps the code.
        let code = parsed.code.and_then(|code| match code {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        });
        let mut message = parsed.message.unwrap_or_else(|| {
            if body.is_empty() {
                format!("HTTP {status} with an empty body")
            } else {
                format!("HTTP {status} with a body that is not Zoom's error format")
            }
        });
        for field in parsed.errors {
            let name = field.field.unwrap_or_default();
            let text = field.message.unwrap_or_default();
            message.push_str(&format!(" ({name}: {text})"));
        }
        ZoomError { status, code, message }
    }

    /// Zoom's code 124: the access token is invalid or expired.
    pub fn is_token_rejected(&self) -> bool {
        self.code == Some(124)
    }

    fn upstream(&self, hint: Option<&str>) -> UpstreamError {
        UpstreamError {
            status: self.status,
            code: self.code.map(|code| code.to_string()),
            message: self.message.clone(),
            hint: hint.map(str::to_string),
        }
    }
}

/// Reads the scopes out of Zoom's messages, which come in two forms:
/// `does not contain scopes:[a, b].` and `does not contain role:read:admin scope.`
fn scopes_in_message(message: &str) -> Vec<String> {
    if let Some(start) = message.find('[')
        && let Some(end) = message[start..].find(']')
    {
        return message[start + 1..start + end]
            .split(',')
            .map(|scope| scope.trim().to_string())
            .filter(|scope| !scope.is_empty())
            .collect();
    }
    if let Some(rest) = message.split("does not contain ").nth(1)
        && let Some(scope) = rest.split_whitespace().next()
        && scope.contains(':')
    {
        return vec![scope.trim_end_matches('.').to_string()];
    }
    Vec::new()
}

fn rate_limit_scope(headers: &[(String, String)], message: &str) -> RateLimitScope {
    let kind = header(headers, "x-ratelimit-type").unwrap_or_default().to_ascii_lowercase();
    let message = message.to_ascii_lowercase();
    if kind.contains("daily") || message.contains("daily") {
        RateLimitScope::Daily
    } else if message.contains("concurrent") {
        RateLimitScope::Concurrent
    } else if kind.contains("qps") || kind.contains("second") || message.contains("per-second") {
        RateLimitScope::PerSecond
    } else {
        RateLimitScope::Unknown
    }
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// Classifies an error response. `had_page_token` says whether the request carried a
/// `next_page_token`, because Zoom reports a stale token as a generic validation error.
pub fn classify(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    had_page_token: bool,
) -> ConnectorError {
    let error = ZoomError::parse(status, body);

    if status == 429 {
        let retry_after =
            header(headers, "retry-after").and_then(|value| parse_retry_after(value, unix_now()));
        return ConnectorError::RateLimited(RateLimited {
            scope: rate_limit_scope(headers, &error.message),
            retry_after,
            upstream: error.upstream(None),
        });
    }

    match error.code {
        Some(124) => ConnectorError::Unauthorized(error.upstream(Some(
            "Zoom rejected a freshly issued access token; check that the app is still activated \
             in the Zoom App Marketplace",
        ))),
        Some(4700 | 4711) => {
            let missing_scopes = scopes_in_message(&error.message);
            let admin_permissions =
                missing_scopes.iter().flat_map(|scope| permissions_for_scope(scope)).collect();
            ConnectorError::MissingPermissions(PermissionError {
                missing_scopes,
                admin_permissions,
                upstream: error.upstream(Some(
                    "add the missing scopes to the Zoom app and have an admin with the listed \
                     role permissions authorize it again",
                )),
            })
        }
        Some(300) if had_page_token && error.message.to_ascii_lowercase().contains("page token") => {
            ConnectorError::InvalidCursor(error.message)
        }
        Some(1001 | 4130 | 4131 | 2001) => ConnectorError::NotFound(error.upstream(None)),
        Some(1005) => ConnectorError::Conflict(error.upstream(Some(
            "the user already exists in Zoom; adopt the existing account instead of creating it",
        ))),
        Some(2033 | 2034 | 2038 | 3412) => ConnectorError::LimitReached(error.upstream(Some(
            "the account has no free seats of this type; buy more licences in Zoom or free a \
             seat first",
        ))),
        Some(1117) => ConnectorError::Rejected(error.upstream(Some(
            "Zoom does not disassociate admins; change the user's role to Member first",
        ))),
        Some(2032) => ConnectorError::Rejected(error.upstream(Some(
            "ssoCreate needs the \"Pre-provisioning SSO User\" option, which Zoom support \
             enables; use another create action instead",
        ))),
        // Plan restrictions: "Only available for paid accounts" (code 200) and the dashboard's
        // "only available for ZMP and Business or higher accounts" (code 400).
        Some(200 | 400) if error.message.to_ascii_lowercase().contains("only available for") => {
            ConnectorError::Unavailable(error.upstream(Some(
                "the account's Zoom plan does not include this feature; Roster skips it",
            )))
        }
        _ => match status {
            401 => ConnectorError::Unauthorized(error.upstream(None)),
            403 => ConnectorError::Rejected(error.upstream(Some(
                "Zoom denied API access for this account; contact Zoom support",
            ))),
            404 => ConnectorError::NotFound(error.upstream(None)),
            409 => ConnectorError::Conflict(error.upstream(None)),
            _ => ConnectorError::Upstream(error.upstream(None)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_body(status: u16, body: &str) -> ConnectorError {
        classify(status, &[], body.as_bytes(), false)
    }

    #[test]
    fn scopes_from_both_message_forms() {
        assert_eq!(
            scopes_in_message(
                "Invalid access token, does not contain scopes:[user:read:list_users:admin]."
            ),
            vec!["user:read:list_users:admin"]
        );
        assert_eq!(
            scopes_in_message("Invalid access token, does not contain role:read:admin scope."),
            vec!["role:read:admin"]
        );
        assert!(scopes_in_message("Invalid access token.").is_empty());
    }

    #[test]
    fn missing_scope_keeps_code_and_permission() {
        let error = classify_body(
            400,
            r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:list_users:admin]."}"#,
        );
        let ConnectorError::MissingPermissions(error) = error else { panic!("{error:?}") };
        assert_eq!(error.missing_scopes, vec!["user:read:list_users:admin"]);
        assert_eq!(error.admin_permissions, vec!["Users: VIEW"]);
        assert_eq!(error.upstream.code.as_deref(), Some("4711"));
    }

    #[test]
    fn expired_token_is_unauthorized() {
        for status in [400, 401] {
            let error =
                classify_body(status, r#"{"code":124,"message":"Access token is expired."}"#);
            let ConnectorError::Unauthorized(error) = error else { panic!("{error:?}") };
            assert_eq!(error.status, status);
            assert_eq!(error.message, "Access token is expired.");
        }
    }

    #[test]
    fn stale_page_token_is_invalid_cursor() {
        let body = r#"{"code":300,"message":"The next page token is invalid or expired."}"#;
        assert!(matches!(
            classify(400, &[], body.as_bytes(), true),
            ConnectorError::InvalidCursor(_)
        ));
        assert!(matches!(classify(400, &[], body.as_bytes(), false), ConnectorError::Upstream(_)));
    }

    #[test]
    fn daily_rate_limit_with_iso_retry_after() {
        let headers = vec![("Retry-After".to_string(), "2026-12-05T00:00:00Z".to_string())];
        let body = r#"{"code":429,"message":"You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request."}"#;
        let ConnectorError::RateLimited(limit) = classify(429, &headers, body.as_bytes(), false)
        else {
            panic!()
        };
        assert_eq!(limit.scope, RateLimitScope::Daily);
        assert_eq!(limit.retry_after, Some(1_796_428_800));
    }

    #[test]
    fn non_json_body_names_status() {
        let ConnectorError::Upstream(error) = classify_body(502, "<html>bad gateway</html>") else {
            panic!()
        };
        assert_eq!(error.message, "HTTP 502 with a body that is not Zoom's error format");
        assert_eq!(error.code, None);
    }

    #[test]
    fn validation_errors_list_fields() {
        let body = r#"{"code":300,"message":"Validation Failed.","errors":[{"field":"user_info.email","message":"Invalid field."}]}"#;
        let ConnectorError::Upstream(error) = classify_body(400, body) else { panic!() };
        assert_eq!(error.message, "Validation Failed. (user_info.email: Invalid field.)");
    }
}
