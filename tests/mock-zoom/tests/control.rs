//! The request log and the `/_mock/` control endpoints, over HTTP.

mod common;

use common::{client, get, read, start, token};
use mock_zoom::{Fault, FaultRule, MockConfig, MockUser, UserStatus};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn request_log_records_responses() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(FaultRule::new("/v2/roles", Fault::ServerError(500)));

    get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users?status=pending&page_size=5",
    )
    .await;
    get(&client, &zoom, None, "/v2/users").await;
    get(&client, &zoom, Some(&token), "/v2/roles").await;
    let log = zoom.requests();

    assert_eq!(log.len(), 4);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/oauth/token");
    assert_eq!(
        log[0].query,
        "grant_type=account_credentials&account_id=fakeAcct0000000000000A"
    );
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].path, "/v2/users");
    assert_eq!(log[1].query, "status=pending&page_size=5");
    assert_eq!(log[1].bearer_token.as_deref(), Some(token.as_str()));
    assert_eq!(log[1].status, 200);
    assert_eq!(log[2].bearer_token, None);
    assert_eq!(log[2].status, 401);
    assert_eq!(log[3].status, 500);
    assert!(log.windows(2).all(|pair| pair[0].at <= pair[1].at));

    zoom.clear_requests();
    assert!(zoom.requests().is_empty());
}

#[tokio::test]
async fn request_log_keeps_body() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let body = "grant_type=account_credentials&account_id=fakeAcct0000000000000A";

    let response = client
        .post(format!("{}/oauth/token", zoom.url()))
        .basic_auth("mock-client-id", Some("mock-client-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("sending the token request");
    read(response).await;

    let log = zoom.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].body, body.as_bytes());
    assert_eq!(log[0].query, "");
}

#[tokio::test]
async fn control_users_returns_truth() {
    let zoom = start(MockConfig {
        users: 30,
        ..MockConfig::default()
    })
    .await;
    let client = client();

    let response = read(
        client
            .get(format!("{}/_mock/users", zoom.url()))
            .send()
            .await
            .expect("sending"),
    )
    .await;
    let users: Vec<MockUser> = serde_json::from_str(&response.text).expect("MockUser JSON");

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(users, zoom.users());
    assert!(response.text.contains("\"status\":\"pending\""));
    assert!(zoom.requests().is_empty(), "control requests were logged");
}

#[tokio::test]
async fn control_requests_and_expire_tokens() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let expire = client
        .post(format!("{}/_mock/expire-tokens", zoom.url()))
        .send()
        .await
        .expect("sending");
    let stale = get(&client, &zoom, Some(&token), "/v2/users").await;
    let log = read(
        client
            .get(format!("{}/_mock/requests", zoom.url()))
            .send()
            .await
            .expect("sending"),
    )
    .await;
    let entries: Vec<Value> = serde_json::from_str(&log.text).expect("JSON array");

    assert_eq!(expire.status(), StatusCode::NO_CONTENT);
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["path"], "/v2/users");
    assert_eq!(entries[1]["status"], 401);
    assert_eq!(entries[1]["bearer_token"], token.as_str());
}

#[tokio::test]
async fn added_user_is_listed() {
    let zoom = start(MockConfig {
        users: 3,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let mut user = zoom.users()[2].clone();
    user.id = None;
    user.status = UserStatus::Pending;
    user.email = "New.Invite@Example.test".to_owned();

    zoom.add_user(user.clone());
    let page = get(&client, &zoom, Some(&token), "/v2/users?status=pending")
        .await
        .json();

    assert_eq!(user.key(), "new.invite@example.test");
    assert_eq!(page["total_records"], 1);
    assert_eq!(page["users"][0]["email"], "New.Invite@Example.test");
    zoom.shutdown().await;
}
