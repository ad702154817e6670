//! Rate limits of the Heavy and Resource-intensive endpoints over HTTP: the per-second 429,
//! the daily 429 with its headers, and the daily reset.

mod common;

use common::{TextResponse, client, fixture, fixture_config, get, start, token};
use mock_zoom::{MockConfig, MockZoom};
use reqwest::StatusCode;

const PLAN_USAGE: &str = "/v2/accounts/me/plans/usage";
const ACTIVITIES: &str = "/v2/report/activities?from=2026-03-01&to=2026-03-10";
const DASHBOARD: &str = "/v2/metrics/meetings?type=past&from=2026-03-01&to=2026-03-02";

async fn call(zoom: &MockZoom, token: &str, path: &str) -> TextResponse {
    get(&client(), zoom, Some(token), path).await
}

#[tokio::test]
async fn per_second_limit_returns_429() {
    let zoom = start(MockConfig {
        heavy_per_second: 3,
        ..fixture_config(7)
    })
    .await;
    let token = token(&client(), &zoom).await;

    let mut statuses = Vec::new();
    let mut limited = None;
    for path in [PLAN_USAGE, ACTIVITIES, DASHBOARD, PLAN_USAGE] {
        let response = call(&zoom, &token, path).await;
        statuses.push(response.status);
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
        }
    }
    let limited = limited.expect("the fourth request within a second is limited");

    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(
        limited.json(),
        fixture(include_str!("../fixtures/error-429-per-second.json"))
    );
    assert_eq!(limited.header("retry-after"), None);
    assert_eq!(zoom.heavy_requests(), 3);
}

#[tokio::test]
async fn per_second_window_reopens() {
    let zoom = start(MockConfig {
        heavy_per_second: 1,
        ..fixture_config(7)
    })
    .await;
    let token = token(&client(), &zoom).await;

    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
    assert_eq!(
        call(&zoom, &token, PLAN_USAGE).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
}

#[tokio::test]
async fn daily_limit_returns_429_with_headers() {
    let zoom = start(MockConfig {
        heavy_daily_limit: Some(2),
        ..fixture_config(7)
    })
    .await;
    let token = token(&client(), &zoom).await;

    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
    assert_eq!(call(&zoom, &token, ACTIVITIES).await.status, StatusCode::OK);
    let limited = call(&zoom, &token, ACTIVITIES).await;

    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.json(),
        fixture(include_str!("../fixtures/error-429-daily.json"))
    );
    assert_eq!(limited.header("x-ratelimit-category"), Some("Heavy"));
    assert_eq!(limited.header("x-ratelimit-type"), Some("Daily-limit"));
    assert_eq!(limited.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(limited.header("retry-after"), Some("2026-03-13T00:00:00Z"));

    let dashboard = call(&zoom, &token, DASHBOARD).await;
    assert_eq!(dashboard.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        dashboard.header("x-ratelimit-category"),
        Some("Resource-intensive")
    );
    assert_eq!(zoom.heavy_requests(), 2);
}

#[tokio::test]
async fn daily_limit_resets() {
    let zoom = start(MockConfig {
        heavy_daily_limit: Some(1),
        ..fixture_config(7)
    })
    .await;
    let token = token(&client(), &zoom).await;

    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
    assert_eq!(
        call(&zoom, &token, PLAN_USAGE).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    zoom.reset_daily_limits();
    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
    assert_eq!(
        call(&zoom, &token, PLAN_USAGE).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    zoom.set_now("2026-03-13T08:00:00Z".parse().expect("valid timestamp"));
    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
    let limited = call(&zoom, &token, PLAN_USAGE).await;
    assert_eq!(limited.header("retry-after"), Some("2026-03-14T00:00:00Z"));
    assert_eq!(zoom.heavy_requests(), 3);
}

#[tokio::test]
async fn other_endpoints_are_not_counted() {
    let zoom = start(MockConfig {
        heavy_per_second: 1,
        heavy_daily_limit: Some(1),
        ..fixture_config(7)
    })
    .await;
    let token = token(&client(), &zoom).await;

    for path in [
        "/v2/users",
        "/v2/users/summary",
        "/v2/rooms",
        "/v2/groups",
        "/v2/roles",
    ] {
        for _ in 0..3 {
            let response = call(&zoom, &token, path).await;
            assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text);
        }
    }
    assert_eq!(zoom.heavy_requests(), 0);
    assert_eq!(call(&zoom, &token, PLAN_USAGE).await.status, StatusCode::OK);
}
