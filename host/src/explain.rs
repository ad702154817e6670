//! Turns connector errors into one-line explanations for admins: the upstream's message,
//! its code, and what to do next.

use crate::runtime::wit::{ConnectorError, HttpError, RateLimitScope, UpstreamError};

/// Joins an error and its causes into one line, skipping a cause whose text is already shown,
/// because many errors repeat their source in their own message.
pub fn one_line(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message.replace('\n', " ")
}

/// An explained error with a short kind, as stored in sync runs and the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub kind: &'static str,
    pub message: String,
}

fn upstream_text(provider: &str, error: &UpstreamError) -> String {
    let code = match &error.code {
        Some(code) => format!("code {code}, HTTP {}", error.status),
        None => format!("HTTP {}", error.status),
    };
    let mut text = format!("{provider} answered {code}: {}", error.message.trim_end_matches('.'));
    if let Some(hint) = &error.hint {
        text.push_str("; ");
        text.push_str(hint);
    }
    text
}

fn format_time(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map(|at| at.to_string()).unwrap_or_else(|_| unix.to_string())
}

/// Explains `error` from a connector for `provider` (such as "Zoom"). `auth_failure` is the
/// host's own reason when it could not attach credentials, which is more precise than the
/// denied request the connector saw.
pub fn explain_connector_error(error: &ConnectorError, provider: &str, auth_failure: Option<&str>) -> Explained {
    if let (ConnectorError::Transport(HttpError::Denied(_)), Some(reason)) = (error, auth_failure) {
        return Explained { kind: "auth", message: reason.to_string() };
    }

    let (kind, message) = match error {
        ConnectorError::Unauthorized(upstream) => ("unauthorized", upstream_text(provider, upstream)),
        ConnectorError::MissingPermissions(permission) => {
            let scopes = if permission.missing_scopes.is_empty() {
                String::from("scopes it does not name")
            } else {
                permission.missing_scopes.join(", ")
            };
            let mut text = format!("{provider} refused the request: the grant lacks {scopes}");
            if !permission.admin_permissions.is_empty() {
                text.push_str(&format!(
                    " (admin role permission needed: {})",
                    permission.admin_permissions.join(", ")
                ));
            }
            text.push_str(&format!(" [{}]", upstream_text(provider, &permission.upstream)));
            ("missing-permissions", text)
        }
        ConnectorError::NotFound(upstream) => ("not-found", upstream_text(provider, upstream)),
        ConnectorError::Conflict(upstream) => ("conflict", upstream_text(provider, upstream)),
        ConnectorError::LimitReached(upstream) => ("limit-reached", upstream_text(provider, upstream)),
        ConnectorError::Rejected(upstream) => ("rejected", upstream_text(provider, upstream)),
        ConnectorError::Unavailable(upstream) => ("unavailable", upstream_text(provider, upstream)),
        ConnectorError::Upstream(upstream) => ("upstream", upstream_text(provider, upstream)),
        ConnectorError::RateLimited(limit) => {
            let scope = match limit.scope {
                RateLimitScope::PerSecond => "per-second",
                RateLimitScope::Daily => "daily",
                RateLimitScope::Concurrent => "concurrent-request",
                RateLimitScope::Unknown => "",
            };
            let when = match limit.retry_after {
                Some(at) => format!("retry after {}", format_time(at)),
                None => "retry later".to_string(),
            };
            let limit_name = if scope.is_empty() { "rate limit".to_string() } else { format!("{scope} rate limit") };
            ("rate-limited", format!("{provider} {limit_name} reached; {when} [{}]", upstream_text(provider, &limit.upstream)))
        }
        ConnectorError::InvalidCursor(detail) => ("invalid-cursor", format!("the listing cursor is no longer valid: {detail}")),
        ConnectorError::InvalidInput(detail) => ("invalid-input", detail.clone()),
        ConnectorError::Unsupported(detail) => ("unsupported", detail.clone()),
        ConnectorError::InvalidResponse(detail) => ("invalid-response", format!("{provider} sent a response the connector cannot use: {detail}")),
        ConnectorError::Transport(http) => ("transport", explain_http_error(provider, http)),
        ConnectorError::Internal(detail) => ("connector-bug", format!("the connector failed internally: {detail}")),
    };
    Explained { kind, message }
}

fn explain_http_error(provider: &str, error: &HttpError) -> String {
    match error {
        HttpError::Denied(reason) => format!("the host denied a request: {reason}"),
        HttpError::Timeout => format!("{provider} timed out after retries; retry later"),
        HttpError::TooLarge(limit) => format!("a {provider} response passed the {limit}-byte limit"),
        HttpError::ConnectionFailed(detail) => format!("cannot reach {provider}: {detail}; check the network and the upstream base URLs"),
        HttpError::InvalidRequest(detail) => format!("the connector built an invalid request: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::wit::{PermissionError, RateLimited};

    fn upstream(code: &str, message: &str, hint: Option<&str>) -> UpstreamError {
        UpstreamError { status: 400, code: Some(code.into()), message: message.into(), hint: hint.map(Into::into) }
    }

    #[test]
    fn missing_permission_names_scope_and_role() {
        let error = ConnectorError::MissingPermissions(PermissionError {
            missing_scopes: vec!["user:read:list_users:admin".into()],
            admin_permissions: vec!["Users: VIEW".into()],
            upstream: upstream("4711", "Invalid access token, does not contain scopes:[user:read:list_users:admin].", None),
        });
        let explained = explain_connector_error(&error, "Zoom", None);
        assert_eq!(explained.kind, "missing-permissions");
        assert_eq!(
            explained.message,
            "Zoom refused the request: the grant lacks user:read:list_users:admin (admin role permission needed: Users: VIEW) [Zoom answered code 4711, HTTP 400: Invalid access token, does not contain scopes:[user:read:list_users:admin]]"
        );
    }

    #[test]
    fn daily_rate_limit_says_when() {
        let error = ConnectorError::RateLimited(RateLimited {
            scope: RateLimitScope::Daily,
            retry_after: Some(1_796_428_800),
            upstream: UpstreamError { status: 429, code: Some("429".into()), message: "daily limit.".into(), hint: None },
        });
        let explained = explain_connector_error(&error, "Zoom", None);
        assert_eq!(explained.message, "Zoom daily rate limit reached; retry after 2026-12-05T00:00:00Z [Zoom answered code 429, HTTP 429: daily limit]");
    }

    #[test]
    fn host_auth_failure_wins_over_denied_request() {
        let error = ConnectorError::Transport(HttpError::Denied("no access token: x".into()));
        let explained = explain_connector_error(&error, "Zoom", Some("Zoom rejected the account_credentials request"));
        assert_eq!(explained, Explained { kind: "auth", message: "Zoom rejected the account_credentials request".into() });
    }
}
