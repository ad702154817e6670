//! Account-level endpoints over HTTP: `GET /v2/users/summary`,
//! `GET /v2/accounts/me/plans/usage`, `GET /v2/rooms` and `GET /v2/metrics/meetings`, on
//! each plan.

mod common;

use common::{client, fixture, fixture_config, get, keys, start, token};
use jiff::Timestamp;
use mock_zoom::{MockConfig, MockZoom, Plan, UserStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn get_ok(zoom: &MockZoom, path: &str) -> Value {
    let token = token(&client(), zoom).await;
    let response = get(&client(), zoom, Some(&token), path).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text);
    response.json()
}

fn count(zoom: &MockZoom, predicate: impl Fn(&mock_zoom::MockUser) -> bool) -> usize {
    zoom.users().iter().filter(|user| predicate(user)).count()
}

#[tokio::test]
async fn summary_counts_current_users() {
    let zoom = start(fixture_config(300)).await;
    let body = get_ok(&zoom, "/v2/users/summary").await;
    let expected_shape = fixture(include_str!("../fixtures/users-summary.json"));
    let listed = |user_type: i64| {
        count(&zoom, |user| {
            user.status != UserStatus::Pending && user.user_type == user_type
        })
    };
    let licensed = listed(2);
    let basic = listed(1);
    let join_only = listed(4) + listed(99);
    let pending = count(&zoom, |user| user.status == UserStatus::Pending);

    assert_eq!(keys(&body), keys(&expected_shape));
    assert_eq!(body["licensed_users_count"], licensed);
    assert_eq!(body["basic_users_count"], basic);
    assert_eq!(body["join_only_users_count"], join_only);
    assert_eq!(body["pending_users_count"], pending);
    assert_eq!(body["room_users_count"], 2);
    assert_eq!(body["on_prem_users_count"], 0);
    assert_eq!(body["total_users_count"], licensed + basic + join_only + 2);
}

#[tokio::test]
async fn summary_follows_user_changes() {
    let zoom = start(MockConfig {
        rooms: 0,
        ..fixture_config(7)
    })
    .await;

    let before = get_ok(&zoom, "/v2/users/summary").await;
    assert_eq!(
        before,
        json!({
            "licensed_users_count": 3,
            "basic_users_count": 2,
            "on_prem_users_count": 0,
            "room_users_count": 0,
            "pending_users_count": 1,
            "join_only_users_count": 1,
            "total_users_count": 6,
        })
    );

    zoom.update_user("member.four@example.test", |user| user.user_type = 1);
    let after = get_ok(&zoom, "/v2/users/summary").await;
    assert_eq!(after["licensed_users_count"], 2);
    assert_eq!(after["basic_users_count"], 3);
}

#[tokio::test]
async fn plan_usage_reports_seats() {
    let zoom = start(fixture_config(400)).await;
    let body = get_ok(&zoom, "/v2/accounts/me/plans/usage").await;
    let expected_shape = fixture(include_str!("../fixtures/plan-usage.json"));
    let usage = count(&zoom, |user| {
        user.status == UserStatus::Active && user.user_type == 2
    });
    let pending = count(&zoom, |user| {
        user.status == UserStatus::Pending && user.user_type == 2
    });
    let default_seats = ((usage + pending) * 11).div_ceil(10);

    assert_eq!(keys(&body["plan_base"]), keys(&expected_shape["plan_base"]));
    assert_eq!(
        keys(&body["plan_zoom_rooms"]),
        keys(&expected_shape["plan_zoom_rooms"])
    );
    assert_eq!(body["plan_base"]["hosts"], default_seats);
    assert_eq!(zoom.paid_seats() as usize, default_seats);
    assert_eq!(body["plan_base"]["usage"], usage);
    assert_eq!(body["plan_base"]["pending"], pending);
    let active_hosts = body["plan_base"]["active_hosts"].as_u64().expect("a count");
    assert!(
        active_hosts > 0 && active_hosts <= usage as u64,
        "{active_hosts}"
    );
    assert_eq!(body["plan_zoom_rooms"]["hosts"], 2);

    zoom.set_paid_seats(1_000);
    let changed = get_ok(&zoom, "/v2/accounts/me/plans/usage").await;
    assert_eq!(changed["plan_base"]["hosts"], 1_000);
}

#[tokio::test]
async fn plan_usage_leaves_out_missing_rooms() {
    let zoom = start(MockConfig {
        rooms: 0,
        paid_seats: Some(12),
        ..fixture_config(7)
    })
    .await;
    let body = get_ok(&zoom, "/v2/accounts/me/plans/usage").await;

    assert_eq!(body["plan_base"]["hosts"], 12);
    assert_eq!(body["plan_base"]["usage"], 3);
    assert_eq!(body["plan_base"]["pending"], 1);
    assert!(body.get("plan_zoom_rooms").is_none(), "{body}");
}

#[tokio::test]
async fn rooms_page_and_match_fixture() {
    let zoom = start(MockConfig {
        rooms: 5,
        ..fixture_config(7)
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let expected = fixture(include_str!("../fixtures/rooms.json"));

    let first = get(&client, &zoom, Some(&token), "/v2/rooms?page_size=2")
        .await
        .json();
    assert_eq!(first["rooms"], expected["rooms"]);
    assert_eq!(first["page_size"], 2);

    let mut names = Vec::new();
    let mut page = first;
    loop {
        for room in page["rooms"].as_array().expect("array") {
            names.push(room["name"].as_str().expect("name").to_owned());
        }
        let next = page["next_page_token"].as_str().expect("string").to_owned();
        if next.is_empty() {
            break;
        }
        let path = format!("/v2/rooms?page_size=2&next_page_token={next}");
        page = get(&client, &zoom, Some(&token), &path).await.json();
    }
    assert_eq!(
        names,
        [
            "Conference Room A",
            "Huddle Room B",
            "Board Room C",
            "Training Room D",
            "Focus Room E"
        ]
    );
}

#[tokio::test]
async fn free_plan_rejects_paid_endpoints() {
    let zoom = start(MockConfig {
        plan: Plan::Free,
        ..fixture_config(7)
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let cases = [
        ("/v2/rooms", "Only available for paid accounts."),
        (
            "/v2/accounts/me/plans/usage",
            "Only available for paid accounts.",
        ),
        ("/v2/groups", "Only available for Paid account."),
    ];

    for (path, message) in cases {
        let response = get(&client, &zoom, Some(&token), path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(response.json()["code"], 200, "{path}");
        assert_eq!(response.json()["message"], message, "{path}");
    }
    let summary = get(&client, &zoom, Some(&token), "/v2/users/summary").await;
    assert_eq!(summary.json()["room_users_count"], 0);
}

#[tokio::test]
async fn dashboard_lists_past_meetings() {
    let zoom = start(fixture_config(80)).await;
    let (from, to) = ("2026-02-01T00:00:00Z", "2026-02-07T23:59:59Z");
    let body = get_ok(
        &zoom,
        "/v2/metrics/meetings?type=past&from=2026-02-01&to=2026-02-07&page_size=300",
    )
    .await;
    let expected_shape = fixture(include_str!("../fixtures/dashboard-meetings.json"));
    let (from, to): (Timestamp, Timestamp) = (from.parse().unwrap(), to.parse().unwrap());
    let mut expected: Vec<(String, String, u32)> = Vec::new();
    for user in zoom.users() {
        for meeting in zoom.meetings(&user.email) {
            if from <= meeting.start && meeting.start <= to {
                let start = meeting.start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
                expected.push((start, user.email.clone(), meeting.minutes));
            }
        }
    }
    expected.sort();

    let meetings = body["meetings"].as_array().expect("array");
    let mut listed: Vec<(String, String, u32)> = meetings
        .iter()
        .map(|meeting| {
            let duration = meeting["duration"].as_str().expect("duration");
            (
                meeting["start_time"].as_str().expect("start").to_owned(),
                meeting["email"].as_str().expect("email").to_owned(),
                duration_minutes(duration),
            )
        })
        .collect();
    listed.sort();

    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
    assert_eq!(body["total_records"], expected.len());
    assert_eq!(keys(&body), keys(&expected_shape));
    assert_eq!(keys(&meetings[0]), keys(&expected_shape["meetings"][0]));
    assert_eq!(body["from"], "2026-02-01");
}

/// Parses "mm:ss" or "hh:mm:ss" into whole minutes.
fn duration_minutes(text: &str) -> u32 {
    let parts: Vec<u32> = text
        .split(':')
        .map(|part| part.parse().expect("a number"))
        .collect();
    match parts.as_slice() {
        [minutes, 0] => *minutes,
        [hours, minutes, 0] => hours * 60 + minutes,
        _ => panic!("unexpected duration {text}"),
    }
}

#[tokio::test]
async fn dashboard_needs_business_plan() {
    for plan in [Plan::Free, Plan::Pro] {
        let zoom = start(MockConfig {
            plan,
            ..fixture_config(7)
        })
        .await;
        let token = token(&client(), &zoom).await;
        let response = get(
            &client(),
            &zoom,
            Some(&token),
            "/v2/metrics/meetings?type=past&from=2026-02-01&to=2026-02-07",
        )
        .await;

        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{plan:?}");
        assert_eq!(response.json()["code"], 400, "{plan:?}");
        let message = response.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("Business or higher"),
            "{plan:?}: {message}"
        );
    }
}

#[tokio::test]
async fn dashboard_enforces_range_rules() {
    let zoom = start(fixture_config(7)).await;
    let token = token(&client(), &zoom).await;

    for query in [
        "type=past&from=2026-01-01&to=2026-02-15",
        "type=past&to=2026-02-15",
        "type=past&from=2025-08-01&to=2025-08-02",
        "type=recent&from=2026-02-01&to=2026-02-02",
    ] {
        let path = format!("/v2/metrics/meetings?{query}");
        let response = get(&client(), &zoom, Some(&token), &path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.json()["code"], 300, "{query}");
    }

    let with_times = get(
        &client(),
        &zoom,
        Some(&token),
        "/v2/metrics/meetings?type=past&from=2026-02-01%2008:00:00&to=2026-02-02%2018:00:00",
    )
    .await;
    assert_eq!(with_times.status, StatusCode::OK, "{}", with_times.text);
    assert_eq!(with_times.json()["from"], "2026-02-01 08:00:00");
}

#[tokio::test]
async fn pro_plan_serves_reports_and_rooms() {
    let zoom = start(MockConfig {
        plan: Plan::Pro,
        ..fixture_config(20)
    })
    .await;

    get_ok(&zoom, "/v2/rooms").await;
    get_ok(&zoom, "/v2/accounts/me/plans/usage").await;
    get_ok(
        &zoom,
        "/v2/report/users?type=active&from=2026-02-01&to=2026-02-28",
    )
    .await;
}
