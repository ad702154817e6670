//! Keeps other web pages out of the UI and the API: cross-origin writes and DNS rebinding.
//!
//! The server has no login, so a page open in the admin's browser could otherwise post to
//! `http://127.0.0.1:8080/api/...` and remove users. Browsers send `Origin` with every POST,
//! and a rebinding attack shows up as a `Host` name that is not this server's. Webhooks are
//! exempt: they come from the SaaS tool, through a proxy with its own host name, and carry
//! their own signature.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::ServerState;

/// Host names the UI and API serve besides IP literals and `localhost`.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    pub fn new(names: impl IntoIterator<Item = String>) -> AllowedHosts {
        AllowedHosts(names.into_iter().map(|name| name.to_ascii_lowercase()).collect())
    }

    fn allows(&self, host: &str) -> bool {
        let name = host_name(host);
        name == "localhost" || name.parse::<std::net::IpAddr>().is_ok() || self.0.contains(&name)
    }
}

/// Returns the name part of a `Host` value, without port and brackets, in lower case.
fn host_name(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_string();
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|byte| byte.is_ascii_digit()) => name.to_string(),
        _ => host,
    }
}

fn reject(status: StatusCode, message: String) -> Response {
    tracing::warn!(status = status.as_u16(), reason = %message, "request rejected by the origin guard");
    (status, Json(json!({ "error": message }))).into_response()
}

/// Rejects UI and API requests for a foreign host name, and writes from another origin.
pub async fn same_origin(State(state): State<Arc<ServerState>>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/webhooks/") {
        return next.run(request).await;
    }

    let host = request.headers().get(header::HOST).and_then(|value| value.to_str().ok()).unwrap_or_default().to_string();
    if !state.allowed_hosts.allows(&host) {
        return reject(
            StatusCode::MISDIRECTED_REQUEST,
            format!("host {:?} is not served here; add it with `roster serve --allow-host NAME`", host_name(&host)),
        );
    }

    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        let origin = request.headers().get(header::ORIGIN).and_then(|value| value.to_str().ok());
        if let Some(origin) = origin {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
            if !origin_host.eq_ignore_ascii_case(&host) {
                return reject(StatusCode::FORBIDDEN, format!("a page from {origin} may not change data on this server"));
            }
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("Roster.Example.com"), "roster.example.com");

        let allowed = AllowedHosts::new(["roster.example.com".to_string()]);
        for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "10.0.0.5", "roster.example.com:443"] {
            assert!(allowed.allows(host), "{host}");
        }
        for host in ["evil.example", "localhost.evil.example:8080", ""] {
            assert!(!allowed.allows(host), "{host}");
        }
    }
}
