//! `GET /v2/report/activities` and `GET /v2/report/users` over HTTP: bodies against the
//! mock's truth, paging, and the date-range rules.

mod common;

use common::{client, fixture, fixture_config, get, keys, start, token};
use jiff::Timestamp;
use mock_zoom::{ActivityEntry, ActivityKind, MockConfig, MockMeeting, MockZoom, Plan, UserStatus};
use reqwest::StatusCode;
use serde_json::Value;

/// Builds a fixture-dated configuration with a per-second Heavy limit high enough for tests
/// that page through a report.
fn paging_config(users: usize) -> MockConfig {
    MockConfig {
        heavy_per_second: 100_000,
        ..fixture_config(users)
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("valid timestamp")
}

/// Returns the truth's entries between two instants, newest first, as the report orders them.
fn expected_entries(zoom: &MockZoom, from: &str, to: &str) -> Vec<ActivityEntry> {
    let (from, to) = (at(from), at(to));
    let mut entries: Vec<ActivityEntry> = zoom
        .activity()
        .into_iter()
        .filter(|entry| from <= entry.time && entry.time <= to)
        .collect();
    entries.sort_by(|a, b| {
        let a_key = (a.time, &a.email, a.kind == ActivityKind::SignOut);
        let b_key = (b.time, &b.email, b.kind == ActivityKind::SignOut);
        b_key.cmp(&a_key)
    });
    entries
}

/// Pages through `path` (which has a query) and returns every page body.
async fn all_report_pages(zoom: &MockZoom, token: &str, path: &str) -> Vec<Value> {
    let client = client();
    let mut pages = Vec::new();
    let mut next_page_token = String::new();
    for _ in 0..500 {
        let url = if next_page_token.is_empty() {
            path.to_owned()
        } else {
            format!("{path}&next_page_token={next_page_token}")
        };
        let response = get(&client, zoom, Some(token), &url).await;
        assert_eq!(response.status, StatusCode::OK, "{url}: {}", response.text);
        let page = response.json();
        next_page_token = page["next_page_token"]
            .as_str()
            .expect("next_page_token is a string")
            .to_owned();
        pages.push(page);
        if next_page_token.is_empty() {
            return pages;
        }
    }
    panic!("{path} did not end within 500 pages");
}

fn logs(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|page| page["activity_logs"].as_array().expect("array").clone())
        .collect()
}

#[tokio::test]
async fn activities_match_truth() {
    let zoom = start(paging_config(120)).await;
    let token = token(&client(), &zoom).await;
    let pages = all_report_pages(
        &zoom,
        &token,
        "/v2/report/activities?from=2026-02-01&to=2026-02-28&page_size=300",
    )
    .await;
    let listed = logs(&pages);
    let expected = expected_entries(&zoom, "2026-02-01T00:00:00Z", "2026-02-28T23:59:59Z");

    assert!(
        expected.len() > 300,
        "only {} entries in February",
        expected.len()
    );
    assert_eq!(listed.len(), expected.len());
    for (listed, truth) in listed.iter().zip(&expected) {
        assert_eq!(listed["email"], truth.email.as_str());
        assert_eq!(
            listed["time"],
            truth.time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
        assert_eq!(listed["type"], truth.kind.as_str());
        assert_eq!(listed["client_type"], truth.client_type.as_str());
        assert_eq!(listed["version"], truth.version.as_str());
        assert_eq!(listed["ip_address"], truth.ip_address.as_str());
    }
    assert!(listed.iter().any(|entry| entry["type"] == "Sign out"));
    assert!(listed.iter().any(|entry| entry["client_type"] == "Browser"));
}

#[tokio::test]
async fn activities_match_fixture_shape() {
    let zoom = start(fixture_config(60)).await;
    let token = token(&client(), &zoom).await;
    let expected = fixture(include_str!("../fixtures/report-activities.json"));

    let response = get(
        &client(),
        &zoom,
        Some(&token),
        "/v2/report/activities?from=2026-02-01&to=2026-02-28",
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let body = response.json();

    assert_eq!(keys(&body), keys(&expected));
    assert_eq!(body["from"], "2026-02-01T00:00:00Z");
    assert_eq!(body["to"], "2026-02-28T00:00:00Z");
    assert_eq!(body["page_size"], 30);
    assert_eq!(body["activity_logs"].as_array().map(Vec::len), Some(30));
    assert_eq!(
        keys(&body["activity_logs"][0]),
        keys(&expected["activity_logs"][0])
    );
}

#[tokio::test]
async fn activities_page_by_token() {
    let zoom = start(paging_config(40)).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let query = "from=2026-01-10&to=2026-02-09";

    let whole = all_report_pages(
        &zoom,
        &token,
        &format!("/v2/report/activities?{query}&page_size=300"),
    )
    .await;
    let paged = all_report_pages(
        &zoom,
        &token,
        &format!("/v2/report/activities?{query}&page_size=7"),
    )
    .await;

    assert_eq!(logs(&paged), logs(&whole));
    assert_eq!(paged.len(), logs(&whole).len().div_ceil(7));
    assert!(paged.iter().all(|page| page["page_size"] == 7));

    let carried = paged[0]["next_page_token"].as_str().expect("string");
    let other_query = format!(
        "/v2/report/activities?from=2026-01-11&to=2026-02-09&page_size=7&next_page_token={carried}"
    );
    let response = get(&client, &zoom, Some(&token), &other_query).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["code"], 300);

    let clamped = get(
        &client,
        &zoom,
        Some(&token),
        &format!("/v2/report/activities?{query}&page_size=1000"),
    )
    .await;
    assert_eq!(clamped.json()["page_size"], 300);
}

#[tokio::test]
async fn activities_enforce_range_rules() {
    let zoom = start(fixture_config(10)).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let cases = [
        ("to=2026-02-28", "Missing field: from"),
        ("from=2026-02-01", "Missing field: to"),
        ("from=2026-02-30&to=2026-03-01", "yyyy-mm-dd"),
        ("from=2026-02-01T00:00:00Z&to=2026-02-02", "yyyy-mm-dd"),
        ("from=2026-02-10&to=2026-02-01", "must not be earlier"),
        ("from=2026-01-01&to=2026-02-01", "at most one month"),
        ("from=2025-09-11&to=2025-09-30", "recent 6 months"),
    ];

    for (query, rule) in cases {
        let path = format!("/v2/report/activities?{query}");
        let response = get(&client, &zoom, Some(&token), &path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        let body = response.json();
        assert_eq!(body["code"], 300, "{query}");
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(rule), "{query}: {message}");
    }

    let longest = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/report/activities?from=2026-01-01&to=2026-01-31",
    )
    .await;
    assert_eq!(longest.status, StatusCode::OK, "{}", longest.text);
}

#[tokio::test]
async fn range_rules_follow_mock_clock() {
    let zoom = start(fixture_config(10)).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let path = "/v2/report/users?type=active&from=2025-09-20&to=2025-10-10";

    let before = get(&client, &zoom, Some(&token), path).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);

    zoom.set_now(at("2026-04-15T09:00:00Z"));
    assert_eq!(zoom.now(), at("2026-04-15T09:00:00Z"));
    let after = get(&client, &zoom, Some(&token), path).await;
    assert_eq!(after.status, StatusCode::BAD_REQUEST);
    assert_eq!(after.json()["code"], 300);
}

#[tokio::test]
async fn added_sign_in_is_reported() {
    let zoom = start(fixture_config(7)).await;
    let token = token(&client(), &zoom).await;
    let user = zoom.users()[2].clone();
    assert_eq!(user.email, "member.three@example.test");
    assert!(
        zoom.sign_ins(&user.email).is_empty(),
        "member three never signed in"
    );

    zoom.add_sign_in("MEMBER.three@example.test", at("2026-03-05T09:30:00Z"));
    let response = get(
        &client(),
        &zoom,
        Some(&token),
        "/v2/report/activities?from=2026-03-05&to=2026-03-05",
    )
    .await;
    let body = response.json();
    let own: Vec<&Value> = body["activity_logs"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|entry| entry["email"] == user.email.as_str())
        .collect();

    assert_eq!(zoom.sign_ins(&user.email), [at("2026-03-05T09:30:00Z")]);
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["time"], "2026-03-05T09:30:00Z");
    assert_eq!(own[0]["type"], "Sign in");
    assert_eq!(
        zoom.user(&user.email).and_then(|user| user.last_login_time),
        None
    );
}

/// Sums the meetings of `email` that started in February 2026, as the report counts them.
fn february_totals(meetings: &[MockMeeting]) -> (u64, u64, u64) {
    let (from, to) = (at("2026-02-01T00:00:00Z"), at("2026-02-28T23:59:59Z"));
    let in_range: Vec<&MockMeeting> = meetings
        .iter()
        .filter(|meeting| from <= meeting.start && meeting.start <= to)
        .collect();
    (
        in_range.len() as u64,
        in_range.iter().map(|m| u64::from(m.participants)).sum(),
        in_range.iter().map(|m| u64::from(m.minutes)).sum(),
    )
}

#[tokio::test]
async fn report_users_sum_meetings() {
    let zoom = start(paging_config(150)).await;
    let token = token(&client(), &zoom).await;
    let active_pages = all_report_pages(
        &zoom,
        &token,
        "/v2/report/users?type=active&from=2026-02-01&to=2026-02-28&page_size=40",
    )
    .await;
    let inactive_pages = all_report_pages(
        &zoom,
        &token,
        "/v2/report/users?type=inactive&from=2026-02-01&to=2026-02-28&page_size=40",
    )
    .await;
    let rows = |pages: &[Value]| -> Vec<Value> {
        pages
            .iter()
            .flat_map(|page| page["users"].as_array().expect("array").clone())
            .collect()
    };
    let hosts = rows(&active_pages);
    let idle = rows(&inactive_pages);

    let mut expected_hosts = Vec::new();
    let mut expected_idle = Vec::new();
    let mut totals = (0, 0, 0);
    for user in zoom.users() {
        if user.status == UserStatus::Pending {
            continue;
        }
        let sums = february_totals(&zoom.meetings(&user.email));
        if sums.0 > 0 {
            expected_hosts.push((user.email.clone(), sums));
            totals = (totals.0 + sums.0, totals.1 + sums.1, totals.2 + sums.2);
        } else if user.status == UserStatus::Active {
            expected_idle.push(user.email.clone());
        }
    }

    let listed_hosts: Vec<(String, (u64, u64, u64))> = hosts
        .iter()
        .map(|row| {
            let count = |name: &str| row[name].as_u64().expect("a count");
            let email = row["email"].as_str().expect("email").to_owned();
            (
                email,
                (
                    count("meetings"),
                    count("participants"),
                    count("meeting_minutes"),
                ),
            )
        })
        .collect();
    assert!(!expected_hosts.is_empty());
    assert_eq!(listed_hosts, expected_hosts);
    let first = &active_pages[0];
    assert_eq!(first["total_records"], expected_hosts.len());
    assert_eq!(first["total_meetings"], totals.0);
    assert_eq!(first["total_participants"], totals.1);
    assert_eq!(first["total_meeting_minutes"], totals.2);

    let listed_idle: Vec<&str> = idle
        .iter()
        .map(|row| row["email"].as_str().expect("email"))
        .collect();
    assert_eq!(listed_idle, expected_idle);
    assert!(
        idle.iter()
            .all(|row| row["meetings"] == 0 && row["meeting_minutes"] == 0)
    );
    assert_eq!(inactive_pages[0]["total_meetings"], 0);
}

#[tokio::test]
async fn report_users_match_fixture_shape() {
    let zoom = start(fixture_config(60)).await;
    let token = token(&client(), &zoom).await;

    for (kind, text) in [
        (
            "active",
            include_str!("../fixtures/report-users-active.json"),
        ),
        (
            "inactive",
            include_str!("../fixtures/report-users-inactive.json"),
        ),
    ] {
        let expected = fixture(text);
        let path = format!("/v2/report/users?type={kind}&from=2026-02-01&to=2026-02-28");
        let response = get(&client(), &zoom, Some(&token), &path).await;
        assert_eq!(response.status, StatusCode::OK, "{kind}: {}", response.text);
        let body = response.json();

        assert_eq!(keys(&body), keys(&expected), "{kind}");
        assert_eq!(body["from"], "2026-02-01", "{kind}");
        assert_eq!(body["to"], "2026-02-28", "{kind}");
        assert_eq!(
            keys(&body["users"][0]),
            keys(&expected["users"][0]),
            "{kind}"
        );
        assert_eq!(
            body["users"][0]["custom_attributes"],
            Value::Array(Vec::new())
        );
    }
}

#[tokio::test]
async fn report_users_need_paid_plan() {
    let zoom = start(MockConfig {
        plan: Plan::Free,
        ..fixture_config(10)
    })
    .await;
    let token = token(&client(), &zoom).await;

    for path in [
        "/v2/report/users?type=active&from=2026-02-01&to=2026-02-28",
        "/v2/report/activities?from=2026-02-01&to=2026-02-28",
    ] {
        let response = get(&client(), &zoom, Some(&token), path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(response.json()["code"], 200, "{path}");
        assert_eq!(
            response.json()["message"],
            "Only available for paid accounts.",
            "{path}"
        );
    }
}

#[tokio::test]
async fn report_users_reject_unknown_type() {
    let zoom = start(fixture_config(10)).await;
    let token = token(&client(), &zoom).await;

    let response = get(
        &client(),
        &zoom,
        Some(&token),
        "/v2/report/users?type=idle&from=2026-02-01&to=2026-02-28",
    )
    .await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["code"], 300);
    assert_eq!(response.json()["errors"][0]["field"], "type");
}

#[tokio::test]
async fn added_meeting_counts_in_report() {
    let zoom = start(fixture_config(7)).await;
    let token = token(&client(), &zoom).await;
    let meeting = MockMeeting {
        start: at("2026-03-02T10:00:00Z"),
        minutes: 45,
        participants: 4,
    };
    zoom.add_meeting("member.three@example.test", meeting);

    let response = get(
        &client(),
        &zoom,
        Some(&token),
        "/v2/report/users?type=active&from=2026-03-02&to=2026-03-02",
    )
    .await;
    let body = response.json();
    let row = body["users"]
        .as_array()
        .expect("array")
        .iter()
        .find(|row| row["email"] == "member.three@example.test")
        .cloned()
        .expect("member three hosted a meeting");

    assert_eq!(row["meetings"], 1);
    assert_eq!(row["participants"], 4);
    assert_eq!(row["meeting_minutes"], 45);
    assert_eq!(row["id"], "fakeUser0000000000003C");
    assert_eq!(zoom.meetings("member.three@example.test"), [meeting]);
}
