//! Refresh-token rotation, revocation and lost token responses, over HTTP.

mod common;

use std::time::{Duration, Instant};

use common::{client, code, get, post_token_form, read, redeem, start, token, token_pair};
use mock_zoom::{Fault, FaultRule, MockConfig, MockZoom};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

async fn refresh(zoom: &MockZoom, refresh_token: &str) -> common::TextResponse {
    post_token_form(
        &client(),
        zoom,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

async fn connect(zoom: &MockZoom) -> (String, String) {
    let code = code(zoom, "").await;
    redeem(&client(), zoom, &code).await
}

/// Sends `POST /oauth/revoke` with the configured client and `token` in a form body.
async fn revoke(zoom: &MockZoom, token: &str) -> common::TextResponse {
    let config = zoom.config();
    let response = client()
        .post(format!("{}/oauth/revoke", zoom.url()))
        .basic_auth(&config.client_id, Some(&config.client_secret))
        .form(&[("token", token)])
        .send()
        .await
        .expect("sending the revoke request");
    read(response).await
}

#[tokio::test]
async fn refresh_rotates_tokens() {
    let zoom = start(MockConfig::default()).await;
    let (first_access, first_refresh) = connect(&zoom).await;

    let response = refresh(&zoom, &first_refresh).await;
    let (second_access, second_refresh) = token_pair(&response);
    let reused = refresh(&zoom, &first_refresh).await;
    let third = refresh(&zoom, &second_refresh).await;
    let me = get(&client(), &zoom, Some(&second_access), "/v2/users/me").await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let body = response.json();
    let expected = fixture(include_str!("../fixtures/token-refresh.json"));
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    let expected_keys: Vec<&String> = expected.as_object().expect("object").keys().collect();
    assert_eq!(keys, expected_keys);
    assert_eq!(body["scope"], zoom.config().scopes.join(" "));
    assert_ne!(second_access, first_access);
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reused.json(),
        fixture(include_str!("../fixtures/token-error-invalid-grant.json"))
    );
    assert_eq!(third.status, StatusCode::OK, "{}", third.text);
    assert_eq!(zoom.token_requests("authorization_code"), 1);
    assert_eq!(zoom.token_requests("refresh_token"), 3);
    assert_eq!(zoom.token_requests("account_credentials"), 0);
    assert_eq!(zoom.tokens_issued(), 3);
}

#[tokio::test]
async fn refresh_rejects_unknown_token() {
    let zoom = start(MockConfig::default()).await;
    let expected = fixture(include_str!("../fixtures/token-error-invalid-grant.json"));

    let unknown = refresh(&zoom, "mock-rt-unknown").await;
    let missing = post_token_form(&client(), &zoom, &[("grant_type", "refresh_token")]).await;

    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json(), expected);
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json(), expected);
}

#[tokio::test]
async fn refresh_status_switch_gives_401() {
    let zoom = start(MockConfig {
        invalid_refresh_status: 401,
        ..MockConfig::default()
    })
    .await;
    let (_, first_refresh) = connect(&zoom).await;

    let rotated = refresh(&zoom, &first_refresh).await;
    let reused = refresh(&zoom, &first_refresh).await;

    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reused.json(),
        fixture(include_str!(
            "../fixtures/token-error-invalid-request-legacy.json"
        ))
    );
}

#[tokio::test]
async fn refresh_reads_query_parameters() {
    let zoom = start(MockConfig::default()).await;
    let (_, refresh_token) = connect(&zoom).await;

    let response = common::request_token(
        &client(),
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        &format!("grant_type=refresh_token&refresh_token={refresh_token}"),
    )
    .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn revoked_access_token_gets_124() {
    let zoom = start(MockConfig::default()).await;
    let (access, _) = connect(&zoom).await;
    let before = get(&client(), &zoom, Some(&access), "/v2/users/me").await;

    let revoked = revoke(&zoom, &access).await;
    let after = get(&client(), &zoom, Some(&access), "/v2/users/me").await;

    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_eq!(
        revoked.json(),
        fixture(include_str!("../fixtures/token-revoke-success.json"))
    );
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        after.json(),
        json!({"code": 124, "message": "Invalid access token."})
    );
    assert_eq!(zoom.revoked_tokens(), [access]);
}

#[tokio::test]
async fn revoked_refresh_token_gets_invalid_grant() {
    let zoom = start(MockConfig::default()).await;
    let (access, refresh_token) = connect(&zoom).await;
    let config = zoom.config();

    // This time the token goes in the query, which Zoom also accepts.
    let revoked = client()
        .post(format!("{}/oauth/revoke?token={refresh_token}", zoom.url()))
        .basic_auth(&config.client_id, Some(&config.client_secret))
        .send()
        .await
        .expect("sending the revoke request");
    let revoked = read(revoked).await;
    let refreshed = refresh(&zoom, &refresh_token).await;
    let api = get(&client(), &zoom, Some(&access), "/v2/users/me").await;

    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_eq!(refreshed.status, StatusCode::BAD_REQUEST);
    assert_eq!(refreshed.json()["error"], "invalid_grant");
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert_eq!(zoom.revoked_tokens(), [refresh_token]);
}

#[tokio::test]
async fn revoke_works_for_server_to_server_tokens() {
    let zoom = start(MockConfig::default()).await;
    let access = token(&client(), &zoom).await;

    let revoked = revoke(&zoom, &access).await;
    let api = get(&client(), &zoom, Some(&access), "/v2/users").await;

    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_eq!(api.json()["code"], 124);
}

#[tokio::test]
async fn revoke_rejects_bad_requests() {
    let zoom = start(MockConfig::default()).await;
    let (access, _) = connect(&zoom).await;

    let bad_client = read(
        client()
            .post(format!("{}/oauth/revoke?token={access}", zoom.url()))
            .basic_auth("mock-client-id", Some("wrong"))
            .send()
            .await
            .expect("sending the revoke request"),
    )
    .await;
    let missing_token = revoke(&zoom, "").await;
    let api = get(&client(), &zoom, Some(&access), "/v2/users/me").await;

    assert_eq!(bad_client.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_client.json()["error"], "invalid_client");
    assert_eq!(missing_token.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing_token.json(),
        json!({"reason": "Missing token", "error": "invalid_request"})
    );
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert!(zoom.revoked_tokens().is_empty());
}

#[tokio::test]
async fn lost_refresh_response_still_rotates() {
    let zoom = start(MockConfig::default()).await;
    let (_, first_refresh) = connect(&zoom).await;
    zoom.inject(FaultRule::new(
        "/oauth/token",
        Fault::LoseResponse(Duration::from_secs(5)),
    ));
    let impatient = {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .expect("building the reqwest client")
    };
    let config = zoom.config();

    let lost = impatient
        .post(format!("{}/oauth/token", zoom.url()))
        .basic_auth(&config.client_id, Some(&config.client_secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", first_refresh.as_str()),
        ])
        .send()
        .await;
    let retried = refresh(&zoom, &first_refresh).await;

    let error = lost.expect_err("the response is held back past the client timeout");
    assert!(error.is_timeout(), "{error}");
    assert_eq!(zoom.token_requests("refresh_token"), 2);
    assert_eq!(zoom.tokens_issued(), 2);
    assert_eq!(retried.status, StatusCode::BAD_REQUEST);
    assert_eq!(retried.json()["error"], "invalid_grant");
    let log = zoom.requests();
    let statuses: Vec<u16> = log
        .iter()
        .filter(|request| request.path == "/oauth/token")
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses, [200, 200, 400]);
}

#[tokio::test]
async fn lose_response_responds_after_stall() {
    let zoom = start(MockConfig::default()).await;
    let stall = Duration::from_millis(400);
    zoom.inject(FaultRule::new("/v2/users/me", Fault::LoseResponse(stall)));
    let access = token(&client(), &zoom).await;

    let started = Instant::now();
    let response = get(&client(), &zoom, Some(&access), "/v2/users/me").await;
    let elapsed = started.elapsed();

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert!(elapsed >= stall, "responded after {elapsed:?}");
    assert_eq!(zoom.requests().len(), 2);
}
