//! The authorization page, `GET /oauth/authorize`, which consents at once as the account owner
//! and redirects back with an authorization code.

use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use crate::api::{param, parse_pairs};
use crate::codes::{ChallengeMethod, CodeChallenge};
use crate::state::{AppState, lock};

/// The choice the mock makes on the consent page for every valid authorization request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// Redirect with a new authorization code, as when the account owner approves.
    #[default]
    Approve,
    /// Redirect with `error` and `error_description` and no code, as when the user declines,
    /// e.g. `error: "access_denied"`.
    Deny { error: String, description: String },
}

/// Checks the authorization request and redirects to its `redirect_uri` with `code` or `error`,
/// plus `state` when the request carried one. Requests that cannot be redirected, such as an
/// unknown client id, get a 400 HTML page, as a browser would show.
///
/// Any absolute `http` or `https` redirect URI is accepted: the mock has no list of registered
/// redirect URIs.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_pairs(query.unwrap_or_default().as_bytes());

    let client_id = param(&params, "client_id").unwrap_or_default();
    if client_id != state.config.client_id {
        return error_page(&format!("Invalid client_id: {client_id:?}"));
    }
    let redirect_uri = param(&params, "redirect_uri").unwrap_or_default();
    if !is_redirect_uri(redirect_uri) {
        return error_page(&format!(
            "Invalid redirect_uri {redirect_uri:?}: expected an absolute http or https URL \
             without a fragment"
        ));
    }
    let response_type = param(&params, "response_type").unwrap_or_default();
    if response_type != "code" {
        return error_page(&format!(
            "Unsupported response_type {response_type:?}: expected \"code\""
        ));
    }
    let challenge = match read_challenge(&params) {
        Ok(challenge) => challenge,
        Err(message) => return error_page(&message),
    };

    let outcome = lock(&state.authorize_outcome).clone();
    let mut result: Vec<(&str, String)> = Vec::new();
    match outcome {
        AuthorizeOutcome::Approve => {
            let code = lock(&state.codes).issue(
                client_id,
                redirect_uri,
                challenge,
                state.config.code_ttl,
                Timestamp::now(),
            );
            result.push(("code", code));
        }
        AuthorizeOutcome::Deny { error, description } => {
            result.push(("error", error));
            result.push(("error_description", description));
        }
    }
    if let Some(request_state) = param(&params, "state").filter(|value| !value.is_empty()) {
        result.push(("state", request_state.to_owned()));
    }
    redirect(redirect_uri, &result)
}

/// Reads `code_challenge` and `code_challenge_method`. The method defaults to `plain`, as in
/// Zoom's OAuth guide, and is ignored when the request has no challenge.
fn read_challenge(params: &[(String, String)]) -> Result<Option<CodeChallenge>, String> {
    let Some(challenge) = param(params, "code_challenge").filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    let method_name = param(params, "code_challenge_method").unwrap_or("plain");
    let method = ChallengeMethod::parse(method_name).ok_or_else(|| {
        format!("Invalid code_challenge_method {method_name:?}: expected \"S256\" or \"plain\"")
    })?;
    Ok(Some(CodeChallenge {
        challenge: challenge.to_owned(),
        method,
    }))
}

fn is_redirect_uri(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty()) && !uri.contains('#')
}

/// Builds the 302 to `redirect_uri` with `result` appended to its query.
fn redirect(redirect_uri: &str, result: &[(&str, String)]) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in result {
        query.append_pair(name, value);
    }
    let query = query.finish();
    let separator = match redirect_uri.find('?') {
        None => "?",
        Some(_) if redirect_uri.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    let location = format!("{redirect_uri}{separator}{query}");

    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::FOUND, [(LOCATION, location)]).into_response(),
        Err(_) => error_page(&format!(
            "Invalid redirect_uri {redirect_uri:?}: it contains characters not allowed in a URL"
        )),
    }
}

/// Builds a 400 HTML page showing `message`.
fn error_page(message: &str) -> Response {
    let body = format!(
        "<html><head><title>Error - Zoom</title></head><body><h1>Error</h1><p>{}</p></body></html>\n",
        escape_html(message)
    );
    let mut response = (StatusCode::BAD_REQUEST, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    response
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uri_must_be_absolute_http() {
        assert!(is_redirect_uri("http://127.0.0.1:8080/callback"));
        assert!(is_redirect_uri("HTTPS://app.example.test/cb?x=1"));
        assert!(!is_redirect_uri(""));
        assert!(!is_redirect_uri("http://"));
        assert!(!is_redirect_uri("/callback"));
        assert!(!is_redirect_uri("ftp://app.example.test/cb"));
        assert!(!is_redirect_uri("http://127.0.0.1/cb#fragment"));
    }

    #[test]
    fn redirect_appends_to_existing_query() {
        let result = [("code", "a b".to_owned())];
        let location = |uri: &str| {
            redirect(uri, &result)
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };

        assert_eq!(
            location("http://127.0.0.1/cb").as_deref(),
            Some("http://127.0.0.1/cb?code=a+b")
        );
        assert_eq!(
            location("http://127.0.0.1/cb?x=1").as_deref(),
            Some("http://127.0.0.1/cb?x=1&code=a+b")
        );
        assert_eq!(
            location("http://127.0.0.1/cb?").as_deref(),
            Some("http://127.0.0.1/cb?code=a+b")
        );
    }

    #[test]
    fn error_page_escapes_html() {
        assert_eq!(
            escape_html("<b>\"x\" & 'y'"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
