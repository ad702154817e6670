//! Bearer-token and scope checks on the API host, over HTTP.

mod common;

use std::time::Duration;

use common::{client, get, start, token};
use mock_zoom::MockConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn invalid_token_body() -> Value {
    fixture(include_str!("../fixtures/error-124-invalid-token.json"))
}

fn expired_token_body() -> Value {
    fixture(include_str!("../fixtures/error-124-expired-token.json"))
}

#[tokio::test]
async fn missing_bearer_is_invalid_token() {
    let zoom = start(MockConfig::default()).await;

    let response = get(&client(), &zoom, None, "/v2/users").await;

    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.json(), invalid_token_body());
}

#[tokio::test]
async fn unknown_bearer_is_invalid_token() {
    let zoom = start(MockConfig::default()).await;

    let response = get(&client(), &zoom, Some("not-a-token"), "/v2/users").await;

    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.json(), invalid_token_body());
}

#[tokio::test]
async fn api_responses_carry_zoom_headers() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let ok = get(&client, &zoom, Some(&token), "/v2/users").await;
    let rejected = get(&client, &zoom, None, "/v2/roles").await;

    for response in [ok, rejected] {
        assert_eq!(
            response.header("content-type"),
            Some("application/json;charset=UTF-8")
        );
        assert!(
            response
                .header("x-zm-trackingid")
                .is_some_and(|id| !id.is_empty())
        );
    }
}

#[tokio::test]
async fn token_expires_after_ttl() {
    let zoom = start(MockConfig {
        token_ttl: Duration::from_millis(300),
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let fresh = get(&client, &zoom, Some(&token), "/v2/users").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stale = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stale.json(), expired_token_body());
}

#[tokio::test]
async fn expire_tokens_expires_issued_tokens() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let old = token(&client, &zoom).await;

    zoom.expire_tokens();
    let stale = get(&client, &zoom, Some(&old), "/v2/users").await;
    let new = token(&client, &zoom).await;
    let fresh = get(&client, &zoom, Some(&new), "/v2/users").await;

    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stale.json(), expired_token_body());
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(zoom.tokens_issued(), 2);
}

#[tokio::test]
async fn expired_token_status_is_configurable() {
    let zoom = start(MockConfig {
        expired_token_status: 400,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let unknown = get(&client, &zoom, Some("nope"), "/v2/users").await;
    zoom.expire_tokens();
    let expired = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json(), invalid_token_body());
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert_eq!(expired.json(), expired_token_body());
}

#[tokio::test]
async fn missing_list_scope_is_4711() {
    let zoom = start(MockConfig {
        scopes: vec!["user:read:user:admin".to_owned()],
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let list = get(&client, &zoom, Some(&token), "/v2/users").await;
    let single = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users/owner.one@example.test",
    )
    .await;

    assert_eq!(list.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        list.json(),
        fixture(include_str!("../fixtures/error-4711-missing-scopes.json"))
    );
    assert_eq!(single.status, StatusCode::OK);
}

#[tokio::test]
async fn missing_user_scope_is_4711() {
    let zoom = start(MockConfig {
        scopes: vec!["role:read:list_roles:admin".to_owned()],
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let response = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users/owner.one@example.test",
    )
    .await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        json!({
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:[user:read:user:admin].",
        })
    );
}

#[tokio::test]
async fn missing_role_scope_is_4700() {
    let zoom = start(MockConfig {
        scopes: vec!["user:read:list_users:admin".to_owned()],
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let response = get(&client, &zoom, Some(&token), "/v2/roles").await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        fixture(include_str!(
            "../fixtures/error-4700-missing-scope-roles.json"
        ))
    );
}

#[tokio::test]
async fn classic_scopes_are_accepted() {
    let zoom = start(MockConfig {
        scopes: vec!["user:read:admin".to_owned(), "role:read:admin".to_owned()],
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let users = get(&client, &zoom, Some(&token), "/v2/users").await;
    let roles = get(&client, &zoom, Some(&token), "/v2/roles").await;

    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(roles.status, StatusCode::OK);
}

#[tokio::test]
async fn token_without_scopes_is_rejected() {
    let zoom = start(MockConfig {
        scopes: Vec::new(),
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let response = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert_eq!(response.json()["code"], 4711);
}
