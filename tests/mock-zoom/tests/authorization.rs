//! The authorization-code flow over HTTP: `GET /oauth/authorize`, its deny outcome, and the
//! code exchange with PKCE.

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{
    REDIRECT_URI, authorize, client, code, post_token_form, redirect_params, start, token_pair,
    value,
};
use mock_zoom::{AuthorizeOutcome, MockConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// `redirect_uri` as it appears in an authorization URL.
const ENCODED_REDIRECT_URI: &str = "http%3A%2F%2F127.0.0.1%3A9%2Foauth%2Fcallback";
/// A PKCE verifier of 43 characters, the minimum length RFC 7636 allows.
const VERIFIER: &str = "verifier-0123456789-abcdefghijklmnopqrstuvw";

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn exchange(
    zoom: &mock_zoom::MockZoom,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> common::TextResponse {
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(verifier) = verifier {
        params.push(("code_verifier", verifier));
    }
    post_token_form(&client(), zoom, &params).await
}

#[tokio::test]
async fn authorize_redirects_with_code_and_state() {
    let zoom = start(MockConfig::default()).await;
    let query = format!(
        "response_type=code&client_id=mock-client-id&redirect_uri={ENCODED_REDIRECT_URI}\
         &state=xyz%20123"
    );

    let first = authorize(&zoom, &query).await;
    let second = authorize(&zoom, &query).await;
    let first_params = redirect_params(&first);
    let second_params = redirect_params(&second);

    assert_eq!(first.status, StatusCode::FOUND);
    let code = value(&first_params, "code").expect("code");
    assert!(code.len() >= 20, "code too short: {code}");
    assert_eq!(value(&first_params, "state"), Some("xyz 123"));
    assert_eq!(value(&first_params, "error"), None);
    assert_ne!(value(&second_params, "code"), Some(code));
    assert_eq!(zoom.requests()[0].path, "/oauth/authorize");
    assert_eq!(zoom.requests()[0].status, 302);
}

#[tokio::test]
async fn authorize_omits_state_when_absent() {
    let zoom = start(MockConfig::default()).await;
    let query =
        format!("response_type=code&client_id=mock-client-id&redirect_uri={ENCODED_REDIRECT_URI}");

    let response = authorize(&zoom, &query).await;
    let params = redirect_params(&response);

    assert_eq!(params.len(), 1, "{params:?}");
    assert!(value(&params, "code").is_some());
}

#[tokio::test]
async fn authorize_deny_outcome_redirects_with_error() {
    let zoom = start(MockConfig::default()).await;
    let query = format!(
        "response_type=code&client_id=mock-client-id&redirect_uri={ENCODED_REDIRECT_URI}&state=s1"
    );
    zoom.set_authorize_outcome(AuthorizeOutcome::Deny {
        error: "access_denied".into(),
        description: "The user denied the request".into(),
    });

    let denied = authorize(&zoom, &query).await;
    zoom.set_authorize_outcome(AuthorizeOutcome::Approve);
    let approved = authorize(&zoom, &query).await;
    let denied_params = redirect_params(&denied);

    assert_eq!(denied.status, StatusCode::FOUND);
    assert_eq!(value(&denied_params, "error"), Some("access_denied"));
    assert_eq!(
        value(&denied_params, "error_description"),
        Some("The user denied the request")
    );
    assert_eq!(value(&denied_params, "state"), Some("s1"));
    assert_eq!(value(&denied_params, "code"), None);
    assert!(value(&redirect_params(&approved), "code").is_some());
}

#[tokio::test]
async fn authorize_rejects_bad_requests() {
    let zoom = start(MockConfig::default()).await;
    let cases = [
        format!("response_type=code&client_id=other-client&redirect_uri={ENCODED_REDIRECT_URI}"),
        format!("response_type=code&redirect_uri={ENCODED_REDIRECT_URI}"),
        "response_type=code&client_id=mock-client-id".to_owned(),
        "response_type=code&client_id=mock-client-id&redirect_uri=%2Fcallback".to_owned(),
        format!("response_type=token&client_id=mock-client-id&redirect_uri={ENCODED_REDIRECT_URI}"),
        format!(
            "response_type=code&client_id=mock-client-id&redirect_uri={ENCODED_REDIRECT_URI}\
             &code_challenge=abc&code_challenge_method=S512"
        ),
    ];

    for query in &cases {
        let response = authorize(&zoom, query).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.header("location"), None, "{query}");
        assert!(
            response
                .header("content-type")
                .is_some_and(|value| value.starts_with("text/html")),
            "{query}"
        );
    }
    let unknown_client = authorize(&zoom, &cases[0]).await;
    assert!(
        unknown_client.text.contains("Invalid client_id"),
        "{}",
        unknown_client.text
    );
    assert!(
        unknown_client.text.contains("other-client"),
        "{}",
        unknown_client.text
    );
}

#[tokio::test]
async fn exchange_with_s256_verifier() {
    let zoom = start(MockConfig::default()).await;
    let code = code(
        &zoom,
        &format!(
            "&code_challenge={}&code_challenge_method=S256",
            s256(VERIFIER)
        ),
    )
    .await;

    let response = exchange(&zoom, &code, REDIRECT_URI, Some(VERIFIER)).await;
    let body = response.json();
    let expected = fixture(include_str!("../fixtures/token-authorization-code.json"));

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    let expected_keys: Vec<&String> = expected.as_object().expect("object").keys().collect();
    assert_eq!(keys, expected_keys);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["scope"], zoom.config().scopes.join(" "));
    assert_eq!(body["api_url"], zoom.url());
    let (access, refresh) = token_pair(&response);
    assert_ne!(access, refresh);
    assert_eq!(zoom.token_requests("authorization_code"), 1);
    assert_eq!(zoom.tokens_issued(), 1);

    let me = common::get(&client(), &zoom, Some(&access), "/v2/users/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
}

#[tokio::test]
async fn exchange_with_plain_verifier() {
    let zoom = start(MockConfig::default()).await;
    let explicit = code(
        &zoom,
        &format!("&code_challenge={VERIFIER}&code_challenge_method=plain"),
    )
    .await;
    let defaulted = code(&zoom, &format!("&code_challenge={VERIFIER}")).await;

    let explicit = exchange(&zoom, &explicit, REDIRECT_URI, Some(VERIFIER)).await;
    let defaulted = exchange(&zoom, &defaulted, REDIRECT_URI, Some(VERIFIER)).await;

    assert_eq!(explicit.status, StatusCode::OK, "{}", explicit.text);
    assert_eq!(defaulted.status, StatusCode::OK, "{}", defaulted.text);
}

#[tokio::test]
async fn exchange_without_challenge_ignores_verifier() {
    let zoom = start(MockConfig::default()).await;
    let without_verifier = code(&zoom, "").await;
    let with_verifier = code(&zoom, "").await;

    let without_verifier = exchange(&zoom, &without_verifier, REDIRECT_URI, None).await;
    let with_verifier = exchange(&zoom, &with_verifier, REDIRECT_URI, Some(VERIFIER)).await;

    assert_eq!(
        without_verifier.status,
        StatusCode::OK,
        "{}",
        without_verifier.text
    );
    assert_eq!(
        with_verifier.status,
        StatusCode::OK,
        "{}",
        with_verifier.text
    );
}

#[tokio::test]
async fn exchange_rejects_wrong_verifier() {
    let zoom = start(MockConfig::default()).await;
    let s256_code = code(
        &zoom,
        &format!(
            "&code_challenge={}&code_challenge_method=S256",
            s256(VERIFIER)
        ),
    )
    .await;
    let plain_code = code(&zoom, &format!("&code_challenge={VERIFIER}")).await;
    let expected = json!({"reason": "Invalid code_verifier", "error": "invalid_grant"});

    // For S256, sending the challenge itself as the verifier is a typical client bug.
    let s256_response = exchange(&zoom, &s256_code, REDIRECT_URI, Some(&s256(VERIFIER))).await;
    let plain_response = exchange(&zoom, &plain_code, REDIRECT_URI, Some("other-verifier")).await;

    assert_eq!(s256_response.status, StatusCode::BAD_REQUEST);
    assert_eq!(s256_response.json(), expected);
    assert_eq!(plain_response.status, StatusCode::BAD_REQUEST);
    assert_eq!(plain_response.json(), expected);
    assert_eq!(zoom.tokens_issued(), 0);
}

#[tokio::test]
async fn exchange_rejects_missing_verifier() {
    let zoom = start(MockConfig::default()).await;
    let code = code(
        &zoom,
        &format!(
            "&code_challenge={}&code_challenge_method=S256",
            s256(VERIFIER)
        ),
    )
    .await;

    let response = exchange(&zoom, &code, REDIRECT_URI, None).await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        json!({"reason": "Invalid code_verifier", "error": "invalid_grant"})
    );
}

#[tokio::test]
async fn exchange_rejects_wrong_redirect_uri() {
    let zoom = start(MockConfig::default()).await;
    let wrong_code = code(&zoom, "").await;
    let missing_code = code(&zoom, "").await;
    let other_uri = "http://127.0.0.1:9/other";

    let wrong = exchange(&zoom, &wrong_code, other_uri, None).await;
    let missing = post_token_form(
        &client(),
        &zoom,
        &[
            ("grant_type", "authorization_code"),
            ("code", &missing_code),
        ],
    )
    .await;

    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let body = wrong.json();
    assert_eq!(body["error"], "invalid_grant");
    let reason = body["reason"].as_str().expect("reason is a string");
    assert!(reason.contains(other_uri), "{reason}");
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.json(),
        json!({"reason": "Missing redirect_uri", "error": "invalid_request"})
    );
}

#[tokio::test]
async fn exchange_rejects_reused_code() {
    let zoom = start(MockConfig::default()).await;
    let code = code(&zoom, "").await;

    let first = exchange(&zoom, &code, REDIRECT_URI, None).await;
    let second = exchange(&zoom, &code, REDIRECT_URI, None).await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        second.json(),
        json!({"reason": format!("Invalid authorization code {code}"), "error": "invalid_grant"})
    );
    assert_eq!(zoom.token_requests("authorization_code"), 2);
    assert_eq!(zoom.tokens_issued(), 1);
}

#[tokio::test]
async fn exchange_consumes_code_on_failure() {
    let zoom = start(MockConfig::default()).await;
    let code = code(
        &zoom,
        &format!(
            "&code_challenge={}&code_challenge_method=S256",
            s256(VERIFIER)
        ),
    )
    .await;

    let failed = exchange(&zoom, &code, REDIRECT_URI, Some("wrong")).await;
    let retried = exchange(&zoom, &code, REDIRECT_URI, Some(VERIFIER)).await;

    assert_eq!(failed.status, StatusCode::BAD_REQUEST);
    assert_eq!(retried.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        retried.json()["reason"],
        format!("Invalid authorization code {code}")
    );
}

#[tokio::test]
async fn exchange_rejects_expired_and_unknown_codes() {
    let zoom = start(MockConfig {
        code_ttl: Duration::from_millis(50),
        ..MockConfig::default()
    })
    .await;
    let code = code(&zoom, "").await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let expired = exchange(&zoom, &code, REDIRECT_URI, None).await;
    let unknown = exchange(&zoom, "no-such-code", REDIRECT_URI, None).await;
    let missing = post_token_form(
        &client(),
        &zoom,
        &[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT_URI),
        ],
    )
    .await;

    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        expired.json(),
        json!({"reason": format!("Invalid authorization code {code}"), "error": "invalid_grant"})
    );
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.json()["reason"],
        "Invalid authorization code no-such-code"
    );
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.json(),
        json!({"reason": "Missing code", "error": "invalid_request"})
    );
}

#[tokio::test]
async fn exchange_reads_query_parameters() {
    let zoom = start(MockConfig::default()).await;
    let code = code(&zoom, "").await;
    let query =
        format!("grant_type=authorization_code&code={code}&redirect_uri={ENCODED_REDIRECT_URI}");

    let response = common::request_token(
        &client(),
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        &query,
    )
    .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn exchange_rejects_bad_client() {
    let zoom = start(MockConfig::default()).await;
    let code = code(&zoom, "").await;
    let query =
        format!("grant_type=authorization_code&code={code}&redirect_uri={ENCODED_REDIRECT_URI}");

    let response = common::request_token(&client(), &zoom, "mock-client-id", "wrong", &query).await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_client");
    assert_eq!(zoom.token_requests("authorization_code"), 1);
}
