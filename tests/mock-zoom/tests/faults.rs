//! Injected faults, over HTTP.

mod common;

use std::time::{Duration, Instant};

use common::{all_pages, client, get, start, token};
use mock_zoom::{Fault, FaultRule, MockConfig, RetryAfter};
use reqwest::StatusCode;
use serde_json::Value;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn too_many(retry_after: Option<RetryAfter>, daily: bool) -> Fault {
    Fault::TooManyRequests { retry_after, daily }
}

#[tokio::test]
async fn per_second_limit_returns_429() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(FaultRule::new(
        "/v2/users",
        too_many(Some(RetryAfter::Seconds(2)), false),
    ));

    let limited = get(&client, &zoom, Some(&token), "/v2/users").await;
    let next = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.json(),
        fixture(include_str!("../fixtures/error-429-per-second.json"))
    );
    assert_eq!(limited.header("retry-after"), Some("2"));
    assert_eq!(limited.header("x-ratelimit-type"), None);
    assert!(limited.header("x-zm-trackingid").is_some());
    assert_eq!(next.status, StatusCode::OK);
}

#[tokio::test]
async fn daily_limit_returns_429_with_headers() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let reset = "2026-12-05T00:00:00Z".parse().expect("timestamp");
    zoom.inject(FaultRule::new(
        "/v2/users",
        too_many(Some(RetryAfter::Iso8601(reset)), true),
    ));

    let limited = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.json(),
        fixture(include_str!("../fixtures/error-429-daily.json"))
    );
    assert_eq!(limited.header("retry-after"), Some("2026-12-05T00:00:00Z"));
    assert_eq!(limited.header("x-ratelimit-type"), Some("Daily-limit"));
    assert_eq!(limited.header("x-ratelimit-category"), Some("Medium"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
}

#[tokio::test]
async fn retry_after_http_date_and_absent() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let at = "1994-11-06T08:49:37Z".parse().expect("timestamp");
    zoom.inject(FaultRule::new(
        "/v2/roles",
        too_many(Some(RetryAfter::HttpDate(at)), false),
    ));
    zoom.inject(FaultRule::new("/v2/roles", too_many(None, false)));

    let dated = get(&client, &zoom, Some(&token), "/v2/roles").await;
    let bare = get(&client, &zoom, Some(&token), "/v2/roles").await;

    assert_eq!(
        dated.header("retry-after"),
        Some("Sun, 06 Nov 1994 08:49:37 GMT")
    );
    assert_eq!(bare.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(bare.header("retry-after"), None);
}

#[tokio::test]
async fn server_error_returns_status() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(
        FaultRule::new("/v2/users", Fault::ServerError(502))
            .skip(1)
            .times(2),
    );

    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(
                get(&client, &zoom, Some(&token), "/v2/users")
                    .await
                    .status
                    .as_u16(),
            );
        }
        statuses
    };
    zoom.clear_faults();
    zoom.inject(FaultRule::new("/v2/users", Fault::ServerError(503)));
    let unavailable = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert_eq!(statuses, [200, 502, 502, 200]);
    assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        serde_json::from_str::<Value>(&unavailable.text).is_err(),
        "body is JSON: {}",
        unavailable.text
    );
    assert_eq!(unavailable.header("content-type"), Some("text/html"));
}

#[tokio::test]
async fn token_endpoint_can_fail() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    zoom.inject(FaultRule::new("/oauth/token", Fault::ServerError(500)));

    let failed = common::request_token(
        &client,
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        "grant_type=account_credentials&account_id=fakeAcct0000000000000A",
    )
    .await;
    let retried = token(&client, &zoom).await;

    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!retried.is_empty());
    assert_eq!(zoom.tokens_issued(), 1);
}

#[tokio::test]
async fn delay_then_normal_response() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(FaultRule::new(
        "/v2/users",
        Fault::Delay(Duration::from_millis(400)),
    ));

    let started = Instant::now();
    let response = get(&client, &zoom, Some(&token), "/v2/users").await;

    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "responded after {:?}",
        started.elapsed()
    );
    assert_eq!(response.status, StatusCode::OK);
}

#[tokio::test]
async fn expire_token_fault_expires_tokens() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(FaultRule::new("/v2/users", Fault::ExpireToken).skip(1));

    let before = get(&client, &zoom, Some(&token), "/v2/users").await;
    let faulted = get(&client, &zoom, Some(&token), "/v2/users").await;
    let after = get(&client, &zoom, Some(&token), "/v2/roles").await;
    let fresh = common::token(&client, &zoom).await;
    let renewed = get(&client, &zoom, Some(&fresh), "/v2/users").await;

    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(faulted.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        faulted.json(),
        fixture(include_str!("../fixtures/error-124-expired-token.json"))
    );
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(renewed.status, StatusCode::OK);
}

#[tokio::test]
async fn repeat_page_token_repeats_carried_token() {
    let zoom = start(MockConfig {
        users: 100,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let first = get(&client, &zoom, Some(&token), "/v2/users?page_size=10")
        .await
        .json();
    let carried = first["next_page_token"]
        .as_str()
        .expect("string")
        .to_owned();
    zoom.inject(FaultRule::new("/v2/users", Fault::RepeatPageToken));

    let path = format!("/v2/users?page_size=10&next_page_token={carried}");
    let repeated = get(&client, &zoom, Some(&token), &path).await.json();
    let recovered = get(&client, &zoom, Some(&token), &path).await.json();

    assert_eq!(repeated["next_page_token"], carried.as_str());
    assert_eq!(repeated["users"].as_array().expect("array").len(), 10);
    assert_ne!(recovered["next_page_token"], carried.as_str());
    assert_eq!(recovered["users"], repeated["users"]);
}

#[tokio::test]
async fn repeat_page_token_on_first_page() {
    let zoom = start(MockConfig {
        users: 100,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(FaultRule::new("/v2/users", Fault::RepeatPageToken));

    let first = get(&client, &zoom, Some(&token), "/v2/users?page_size=10")
        .await
        .json();
    let issued = first["next_page_token"]
        .as_str()
        .expect("string")
        .to_owned();
    let path = format!("/v2/users?page_size=10&next_page_token={issued}");
    let second = get(&client, &zoom, Some(&token), &path).await.json();
    let third = get(&client, &zoom, Some(&token), &path).await.json();

    assert!(!issued.is_empty());
    assert_eq!(second["next_page_token"], issued.as_str());
    assert_eq!(third["next_page_token"], issued.as_str());
    assert_ne!(second["users"], first["users"]);
}

#[tokio::test]
async fn endless_pages_never_end() {
    let zoom = start(MockConfig {
        users: 20,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    zoom.inject(FaultRule::new("/v2/users", Fault::EndlessPages).times(u32::MAX));

    let mut seen_tokens = Vec::new();
    let mut path = "/v2/users?page_size=10".to_owned();
    for _ in 0..8 {
        let page = get(&client, &zoom, Some(&token), &path).await.json();
        let next = page["next_page_token"].as_str().expect("string").to_owned();
        assert!(!next.is_empty(), "page ended: {page}");
        assert!(!seen_tokens.contains(&next), "token repeated: {next}");
        path = format!("/v2/users?page_size=10&next_page_token={next}");
        seen_tokens.push(next);
    }
    zoom.clear_faults();
    let pages = all_pages(&client, &zoom, &token, "page_size=10", 10).await;

    assert!(pages.len() <= 2);
}
