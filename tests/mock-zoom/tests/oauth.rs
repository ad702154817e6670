//! The Server-to-Server token grant and its error responses, over HTTP.

mod common;

use std::time::Duration;

use common::{client, read, request_token, start};
use mock_zoom::MockConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

const GRANT: &str = "grant_type=account_credentials&account_id=fakeAcct0000000000000A";

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

#[tokio::test]
async fn grant_returns_token_body() {
    let zoom = start(MockConfig {
        scopes: vec![
            "user:read:list_users:admin".to_owned(),
            "user:read:user:admin".to_owned(),
        ],
        ..MockConfig::default()
    })
    .await;
    let client = client();

    let response = request_token(
        &client,
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        GRANT,
    )
    .await;
    let body = response.json();
    let expected = fixture(include_str!("../fixtures/token-account-credentials.json"));

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    let expected_keys: Vec<&String> = expected.as_object().expect("object").keys().collect();
    assert_eq!(keys, expected_keys);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["scope"], expected["scope"]);
    assert_eq!(body["api_url"], zoom.url());
    let access_token = body["access_token"]
        .as_str()
        .expect("access_token is a string");
    assert!(access_token.len() >= 32, "token too short: {access_token}");
    assert_eq!(zoom.tokens_issued(), 1);
}

#[tokio::test]
async fn grant_issues_distinct_tokens() {
    let zoom = start(MockConfig::default()).await;
    let client = client();

    let first = request_token(
        &client,
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        GRANT,
    )
    .await
    .json();
    let second = request_token(
        &client,
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        GRANT,
    )
    .await
    .json();

    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(zoom.tokens_issued(), 2);
}

#[tokio::test]
async fn grant_reads_form_body() {
    let zoom = start(MockConfig::default()).await;
    let client = client();

    let response = client
        .post(format!("{}/oauth/token", zoom.url()))
        .basic_auth("mock-client-id", Some("mock-client-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(GRANT)
        .send()
        .await
        .expect("sending the token request");
    let response = read(response).await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(zoom.tokens_issued(), 1);
}

#[tokio::test]
async fn grant_reports_ttl_in_seconds() {
    let zoom = start(MockConfig {
        token_ttl: Duration::from_secs(120),
        ..MockConfig::default()
    })
    .await;

    let response = request_token(
        &client(),
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        GRANT,
    )
    .await;

    assert_eq!(response.json()["expires_in"], 120);
}

#[tokio::test]
async fn grant_rejects_bad_client() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let expected = fixture(include_str!("../fixtures/token-error-invalid-client.json"));

    let wrong_secret = request_token(&client, &zoom, "mock-client-id", "wrong", GRANT).await;
    let wrong_id = request_token(&client, &zoom, "other-id", "mock-client-secret", GRANT).await;
    let no_header = read(
        client
            .post(format!("{}/oauth/token?{GRANT}", zoom.url()))
            .send()
            .await
            .expect("sending the token request"),
    )
    .await;

    for response in [wrong_secret, wrong_id, no_header] {
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(response.json(), expected);
    }
    assert_eq!(zoom.tokens_issued(), 0);
}

#[tokio::test]
async fn grant_rejects_bad_grant_type() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let expected = fixture(include_str!(
        "../fixtures/token-error-unsupported-grant-type.json"
    ));

    for query in [
        "account_id=fakeAcct0000000000000A",
        "grant_type=client_credentials&account_id=fakeAcct0000000000000A",
        "grant_type=&account_id=fakeAcct0000000000000A",
    ] {
        let response = request_token(
            &client,
            &zoom,
            "mock-client-id",
            "mock-client-secret",
            query,
        )
        .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.json(), expected, "{query}");
    }
}

#[tokio::test]
async fn grant_rejects_bad_account_id() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let expected = json!({"reason": "Invalid account_id", "error": "invalid_request"});

    for query in [
        "grant_type=account_credentials",
        "grant_type=account_credentials&account_id=fakeAcct0000000000000B",
        "grant_type=account_credentials&account_id=",
    ] {
        let response = request_token(
            &client,
            &zoom,
            "mock-client-id",
            "mock-client-secret",
            query,
        )
        .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.json(), expected, "{query}");
    }
}

#[tokio::test]
async fn grant_uses_configured_credentials() {
    let zoom = start(MockConfig {
        account_id: "otherAcct".to_owned(),
        client_id: "id-2".to_owned(),
        client_secret: "secret-2".to_owned(),
        ..MockConfig::default()
    })
    .await;
    let client = client();

    let accepted = request_token(
        &client,
        &zoom,
        "id-2",
        "secret-2",
        "grant_type=account_credentials&account_id=otherAcct",
    )
    .await;
    let default_rejected = request_token(
        &client,
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        GRANT,
    )
    .await;

    assert_eq!(accepted.status, StatusCode::OK);
    assert_eq!(default_rejected.status, StatusCode::BAD_REQUEST);
}
