//! Parameters and client credentials of requests to the OAuth endpoints.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::api::parse_pairs;
use crate::state::AppState;

/// Reads the parameters of a token or revoke request. Zoom reads them from the query or from
/// an `application/x-www-form-urlencoded` body. When both carry a parameter, the body's value
/// wins.
pub(crate) fn read_params(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Vec<(String, String)> {
    let mut params = parse_pairs(query.unwrap_or_default().as_bytes());
    if is_form(headers) {
        params.extend(parse_pairs(body));
    }
    params
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
pub(crate) fn has_valid_client(headers: &HeaderMap, state: &AppState) -> bool {
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
    use crate::api::param;

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

    #[test]
    fn form_body_overrides_query() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=UTF-8"),
        );
        let params = read_params(&headers, Some("token=from-query&a=1"), b"token=from-body");

        assert_eq!(param(&params, "token"), Some("from-body"));
        assert_eq!(param(&params, "a"), Some("1"));
    }

    #[test]
    fn other_bodies_are_ignored() {
        let params = read_params(&HeaderMap::new(), None, b"token=from-body");

        assert_eq!(param(&params, "token"), None);
    }
}
