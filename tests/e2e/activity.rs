//! Sign-in history, engagement buckets, seats and the daily rate limit.

use std::collections::{BTreeMap, BTreeSet};

use mock_zoom::{MockConfig, MockUser, Plan, UserStatus};
use serde_json::Value;

use crate::harness::{users_json, Env};

const NOW: &str = "2026-11-20T12:00:00Z";
const DAY: i64 = 86_400;

fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

fn day(at: jiff::Timestamp) -> i64 {
    at.as_second().div_euclid(DAY)
}

/// The bucket the documented formula gives a user of the mock, from its truth.
fn expected_bucket(env: &Env, user: &MockUser, today: i64) -> &'static str {
    let sign_ins = env.zoom.sign_ins(&user.email);
    let last_login = user.last_login_time.filter(|_| user.status != UserStatus::Pending);
    let mut days: BTreeSet<i64> = sign_ins.iter().map(|at| day(*at)).filter(|day| *day > today - 30).collect();
    if let Some(login) = last_login.filter(|login| day(*login) > today - 30) {
        days.insert(day(login));
    }
    let newest = sign_ins.iter().copied().chain(last_login).max();
    match newest {
        None => "never",
        Some(newest) if today - day(newest) >= 90 => "unused",
        Some(_) => match days.len() {
            0..=4 => "low",
            5..=14 => "medium",
            _ => "high",
        },
    }
}

async fn synced(users: usize, config: MockConfig) -> Env {
    let env = Env::pinned(MockConfig { users, ..config }, now()).await;
    env.connect_zoom("acme").await;
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("activity: "), "{}", out.stdout);
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn engagement_matches_mock_truth() {
    let env = synced(300, MockConfig::default()).await;
    let today = day(now());

    let stored: BTreeMap<String, String> = users_json(env.roster(&["users", "acme", "--format", "json"]).await.ok())
        .into_iter()
        .map(|user| (user["key"].as_str().unwrap().to_string(), user["engagement"].as_str().unwrap().to_string()))
        .collect();
    let mut expected_counts: BTreeMap<&str, u64> = ["never", "unused", "low", "medium", "high"].into_iter().map(|bucket| (bucket, 0)).collect();
    for user in env.zoom.users() {
        let expected = expected_bucket(&env, &user, today);
        *expected_counts.get_mut(expected).unwrap() += 1;
        assert_eq!(stored[&user.key()], expected, "bucket of {}", user.email);
    }
    assert!(expected_counts.values().all(|count| *count > 0), "the account exercises every bucket: {expected_counts:?}");

    let counts: Value = serde_json::from_str(env.roster(&["engagement", "acme", "--format", "json"]).await.ok()).unwrap();
    for (bucket, count) in &expected_counts {
        assert_eq!(counts[bucket], *count, "{bucket}");
    }
    let table = env.roster(&["engagement", "acme"]).await;
    assert!(table.ok().contains("An active day is a UTC day with a sign-in in the activity log, or the day of the last login."), "{}", table.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_sign_ins_match_the_window() {
    let env = synced(120, MockConfig::default()).await;
    let window_start = "2026-05-21T00:00:00Z".parse::<jiff::Timestamp>().unwrap();
    let truth: BTreeSet<(String, i64)> = env
        .zoom
        .users()
        .iter()
        .flat_map(|user| env.zoom.sign_ins(&user.email).into_iter().map(|at| (user.email.to_lowercase(), at.as_second())).collect::<Vec<_>>())
        .filter(|(_, at)| *at >= window_start.as_second())
        .collect();
    let stored = env.query_text("SELECT email || ' ' || at FROM sign_ins").await;
    let stored: BTreeSet<(String, i64)> = stored
        .iter()
        .map(|row| {
            let (email, at) = row.split_once(' ').unwrap();
            (email.to_string(), at.parse().unwrap())
        })
        .collect();
    assert_eq!(stored, truth, "exactly the sign-ins of the six-month window, once each");
    // Six months back, split by month: the first request starts the day after 2026-05-20.
    let first = env.zoom.requests().into_iter().find(|request| request.path == "/v2/report/activities").unwrap();
    assert!(first.query.starts_with("from=2026-05-21&to=2026-05-31"), "{}", first.query);
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_sync_counts_no_day_twice() {
    let env = synced(150, MockConfig::default()).await;
    let before = env.count("SELECT COUNT(*) FROM sign_ins").await;

    let active: Vec<MockUser> = env.zoom.users().into_iter().filter(|user| user.status == UserStatus::Active).take(3).collect();
    for user in &active {
        env.zoom.add_sign_in(&user.email, now() - jiff::SignedDuration::from_hours(1));
    }
    env.zoom.clear_requests();
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("activity: 3 new sign-ins"), "{}", out.stdout);
    assert_eq!(env.count("SELECT COUNT(*) FROM sign_ins").await, before + 3);

    // The second sync starts two days before the last stored day, in one month's range.
    let ranges: Vec<String> = env.zoom.requests().into_iter().filter(|r| r.path == "/v2/report/activities").map(|r| r.query).collect();
    assert!(ranges.iter().all(|query| query.starts_with("from=2026-11-18&to=2026-11-20")), "{ranges:?}");

    // A sync with nothing new changes no count.
    env.roster(&["sync", "acme"]).await.ok();
    assert_eq!(env.count("SELECT COUNT(*) FROM sign_ins").await, before + 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn history_outlives_the_upstream_window() {
    let env = synced(80, MockConfig::default()).await;
    let first_day = env.query_text("SELECT sessions_from FROM activity_state").await;
    assert_eq!(first_day, vec!["2026-05-21"]);
    let old_before = env.count("SELECT COUNT(*) FROM sign_ins WHERE at < 1780790400").await;
    assert!(old_before > 0, "sign-ins before 2026-06-07 were stored");

    // Seventy days later Zoom no longer serves June, but Roster kept it.
    env.set_now(now() + jiff::SignedDuration::from_hours(70 * 24));
    let out = env.roster(&["sync", "acme"]).await;
    out.ok();
    assert_eq!(env.count("SELECT COUNT(*) FROM sign_ins WHERE at < 1780790400").await, old_before);
    assert_eq!(env.query_text("SELECT sessions_from FROM activity_state").await, vec!["2026-05-21"]);
    assert_eq!(env.query_text("SELECT sessions_through FROM activity_state").await, vec!["2027-01-29"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_limit_gives_partial_then_resume() {
    let env = Env::pinned(MockConfig { users: 200, heavy_daily_limit: Some(8), ..MockConfig::default() }, now()).await;
    env.connect_zoom("acme").await;

    let out = env.roster(&["sync", "acme"]).await;
    let stdout = out.ok();
    assert!(stdout.contains("activity: partial"), "{stdout}");
    assert!(stdout.contains("Zoom's daily limit for report requests was reached; the next sync resumes after 2026-11-21T00:00:00Z"), "{stdout}");
    assert_eq!(env.query_text("SELECT status FROM activity_runs").await, vec!["partial"]);
    let checkpoint = env.query_text("SELECT checkpoint FROM activity_runs").await.remove(0);
    assert!(checkpoint.contains("\"task\":\"sessions\""), "{checkpoint}");
    let status: Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(status[0]["health"], "ok", "a partial activity sync is not a failure");

    // Each new day brings a new allowance; every sync resumes where the last one stopped.
    let mut syncs = 1;
    loop {
        let stored_before = env.count("SELECT COUNT(*) FROM sign_ins").await;
        env.zoom.reset_daily_limits();
        let out = env.roster(&["sync", "acme"]).await;
        syncs += 1;
        if !out.ok().contains("activity: partial") {
            break;
        }
        assert!(env.count("SELECT COUNT(*) FROM sign_ins").await > stored_before, "sync {syncs} made progress");
        assert!(syncs < 10, "the activity sync never completed");
    }
    let statuses = env.query_text("SELECT status FROM activity_runs ORDER BY id").await;
    assert_eq!(statuses.len(), syncs);
    assert!(statuses[..syncs - 1].iter().all(|status| status == "partial"), "{statuses:?}");
    assert_eq!(statuses.last().unwrap(), "succeeded");

    let expected: usize = env
        .zoom
        .users()
        .iter()
        .map(|user| env.zoom.sign_ins(&user.email).into_iter().filter(|at| at.as_second() >= 1_779_321_600).count())
        .sum();
    assert_eq!(env.count("SELECT COUNT(*) FROM sign_ins").await as usize, expected, "nothing lost or counted twice across the resumes");
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_unavailable_on_pro_plan() {
    let env = synced(60, MockConfig { plan: Plan::Pro, ..MockConfig::default() }).await;
    let seats: Value = serde_json::from_str(env.roster(&["seats", "acme", "--format", "json"]).await.ok()).unwrap();
    let notes = seats["unavailable"].as_array().unwrap();
    let dashboard = notes.iter().find(|note| note["feature"] == "dashboard-meetings").expect("the dashboard is reported as not available");
    assert_eq!(dashboard["upstream_code"], "400");
    assert!(dashboard["reason"].as_str().unwrap().contains("only available"), "{dashboard}");
    assert_eq!(notes.len(), 1, "only the dashboard is missing on Pro: {notes:?}");
    assert_eq!(seats["dashboard"], Value::Null);
    let status: Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(status[0]["health"], "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn seats_report_and_manual_values() {
    let env = synced(200, MockConfig { paid_seats: Some(150), ..MockConfig::default() }).await;
    let licensed = users_json(env.roster(&["users", "acme", "--license", "licensed", "--format", "json"]).await.ok());
    let idle = licensed.iter().filter(|user| user["engagement"] == "unused" || user["engagement"] == "never").count() as u64;

    let seats: Value = serde_json::from_str(env.roster(&["seats", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(seats["seats_bought"], 150);
    assert_eq!(seats["seats_bought_source"], "upstream");
    let pending = licensed.iter().filter(|user| user["status"] == "pending").count() as u64;
    assert_eq!(seats["seats_assigned"], licensed.len() as u64 - pending);
    assert_eq!(seats["seats_pending"], pending);
    assert_eq!(seats["upstream_assigned"], seats["seats_assigned"], "Roster's count agrees with Zoom's plan usage");
    assert_eq!(seats["idle_licensed"]["total"], idle);
    assert_eq!(seats["rooms"]["count"], 2);
    assert!(seats["dashboard"]["meetings"].as_u64().unwrap() > 0, "Business plans have the dashboard: {}", seats["dashboard"]);
    assert_eq!(seats["renewal"]["state"], "unknown");

    env.roster(&["app", "set", "acme", "--seats", "180", "--renewal", "2026-12-20", "--price-per-seat", "100", "--currency", "eur"]).await.ok();
    let seats: Value = serde_json::from_str(env.roster(&["seats", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(seats["seats_bought"], 180);
    assert_eq!(seats["seats_bought_source"], "manual");
    assert_eq!(seats["idle_licensed"]["yearly_cost"], format!("{}.00", idle * 100));
    assert_eq!(seats["idle_licensed"]["currency"], "EUR");
    assert_eq!(seats["renewal"]["state"], "due-soon");
    assert_eq!(seats["renewal"]["days_left"], 30);
    let percent = ((licensed.len() as u64 - pending) as f64 * 1000.0 / 180.0).round() / 10.0;
    assert_eq!(seats["utilisation_percent"], percent);

    let text = env.roster(&["seats", "acme"]).await;
    assert!(text.ok().contains("bought:       180 (manual)"), "{}", text.stdout);
    assert!(text.stdout.contains("renewal:      2026-12-20, due in 30 days"), "{}", text.stdout);

    let bad = env.roster(&["app", "set", "acme", "--price-per-seat", "1,50", "--currency", "EUR"]).await;
    assert_eq!(bad.error(), "error: --price-per-seat: invalid amount \"1,50\"; write a number such as 149.90");
    let bad = env.roster(&["app", "set", "acme", "--renewal", "next year"]).await;
    assert_eq!(bad.error(), "error: --renewal \"next year\" is not a date; write it as YYYY-MM-DD");
    assert_eq!(bad.status.code(), Some(2), "an invalid value exits with 2, like clap's own errors");

    // Clearing the manual seat count brings back Zoom's plan figure; the other values stay.
    env.roster(&["app", "set", "acme", "--clear", "seats"]).await.ok();
    let seats: Value = serde_json::from_str(env.roster(&["seats", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(seats["seats_bought"], 150);
    assert_eq!(seats["seats_bought_source"], "upstream");
    assert_eq!(seats["idle_licensed"]["currency"], "EUR");
    env.roster(&["app", "set", "acme", "--clear", "price", "--clear", "renewal"]).await.ok();
    let seats: Value = serde_json::from_str(env.roster(&["seats", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(seats["idle_licensed"]["yearly_cost"], Value::Null);
    assert_eq!(seats["renewal"]["state"], "unknown");

    // More seats assigned than bought means the recorded count is wrong, and the report flags it.
    env.roster(&["app", "set", "acme", "--seats", "10"]).await.ok();
    let text = env.roster(&["seats", "acme"]).await;
    let over = licensed.len() as u64 - pending - 10;
    assert!(text.ok().contains(&format!("{over} more seats assigned than bought; check the seat count")), "{}", text.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn unused_period_is_configurable() {
    let env = synced(150, MockConfig::default()).await;
    let default: Value = serde_json::from_str(env.roster(&["engagement", "acme", "--format", "json"]).await.ok()).unwrap();
    env.roster(&["app", "set", "acme", "--unused-days", "30"]).await.ok();
    let shorter: Value = serde_json::from_str(env.roster(&["engagement", "acme", "--format", "json"]).await.ok()).unwrap();
    assert!(shorter["unused"].as_u64() > default["unused"].as_u64(), "a shorter unused period moves users to unused");
    assert_eq!(shorter["low"].as_u64().unwrap() + shorter["unused"].as_u64().unwrap(), default["low"].as_u64().unwrap() + default["unused"].as_u64().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn api_numbers_equal_cli() {
    let env = synced(90, MockConfig::default()).await;
    let (server, first) = env.spawn(&["serve", "--listen", "127.0.0.1:0"]).await;
    let base = first.strip_prefix("roster serving on ").unwrap().to_string();
    let client = crate::harness::browser();
    let get = |path: &str| {
        let request = client.get(format!("{base}{path}"));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };

    let cli: Value = serde_json::from_str(env.roster(&["engagement", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(get("/api/connections/acme/engagement").await["buckets"], cli);
    let cli: Value = serde_json::from_str(env.roster(&["seats", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(get("/api/connections/acme/seats").await, cli);
    let cli: Value = serde_json::from_str(env.roster(&["users", "acme", "--engagement", "low", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(get("/api/connections/acme/users?engagement=low").await, cli);
    let cli: Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(get("/api/connections").await, cli);
    let cli: Value = serde_json::from_str(env.roster(&["usage", "acme", "--month", "2026-10", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(get("/api/connections/acme/usage?month=2026-10").await, cli);

    let bad = client.get(format!("{base}/api/connections/acme/users?engagement=idle")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.text().await.unwrap(), r#"{"error":"invalid engagement bucket \"idle\"; expected one of: never, unused, low, medium, high"}"#);
    let missing = client.get(format!("{base}/api/connections/nope/seats")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_matches_mock_meetings() {
    let env = synced(150, MockConfig::default()).await;
    let month_start: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
    let month_end: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();

    // The mock's truth: meetings of listed users that started in October.
    let mut hosts = 0;
    let (mut meetings, mut minutes, mut participants) = (0u64, 0u64, 0u64);
    let mut licensed_idle = 0;
    let licensed = env.zoom.users().into_iter().filter(|user| user.user_type == 2).count();
    for user in env.zoom.users().into_iter().filter(|user| user.status != UserStatus::Pending) {
        let hosted: Vec<_> = env.zoom.meetings(&user.email).into_iter().filter(|meeting| meeting.start >= month_start && meeting.start < month_end).collect();
        if hosted.is_empty() {
            licensed_idle += usize::from(user.user_type == 2);
            continue;
        }
        hosts += 1;
        meetings += hosted.len() as u64;
        minutes += hosted.iter().map(|meeting| u64::from(meeting.minutes)).sum::<u64>();
        participants += hosted.iter().map(|meeting| u64::from(meeting.participants)).sum::<u64>();
    }
    let pending_licensed = env.zoom.users().into_iter().filter(|user| user.user_type == 2 && user.status == UserStatus::Pending).count();

    let report: Value = serde_json::from_str(env.roster(&["usage", "acme", "--month", "2026-10", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(report["month"], "2026-10");
    assert_eq!(report["complete"], true);
    assert_eq!(report["hosts"], hosts);
    assert_eq!(report["meetings"], meetings);
    assert_eq!(report["meeting_minutes"], minutes);
    assert_eq!(report["participants"], participants);
    assert_eq!(report["licensed_users"], licensed);
    assert_eq!(report["licensed_without_meetings"], licensed_idle + pending_licensed);

    // Without --month the newest month shows, which is still running.
    let current: Value = serde_json::from_str(env.roster(&["usage", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(current["month"], "2026-11");
    assert_eq!(current["complete"], false);
    let text = env.roster(&["usage", "acme", "--month", "2026-10", "--top", "3"]).await;
    assert!(text.ok().starts_with("acme: meetings hosted in 2026-10 (complete month)\n"), "{}", text.stdout);

    let bad = env.roster(&["usage", "acme", "--month", "October"]).await;
    assert_eq!(bad.error(), "error: month \"October\" is invalid; write it as YYYY-MM");
    let old = env.roster(&["usage", "acme", "--month", "2025-01"]).await;
    assert_eq!(old.error(), "error: no usage is stored for 2025-01; stored months: 2026-11, 2026-10, 2026-09, 2026-08, 2026-07, 2026-06, 2026-05");
}
