//! Generated sign-in histories through the public API: determinism, engagement spread, and
//! `last_login_time` as `GET /v2/users` lists it against the sign-ins.

mod common;

use std::collections::HashMap;

use common::{all_pages, client, fixture_config, start, token};
use jiff::{SignedDuration, Timestamp};
use mock_zoom::{ActivityKind, Engagement, MockConfig, UserStatus};

#[tokio::test]
async fn histories_repeat_for_same_seed() {
    let first = start(fixture_config(150)).await;
    let second = start(fixture_config(150)).await;
    let other_seed = start(MockConfig {
        seed: 8,
        ..fixture_config(150)
    })
    .await;

    assert_eq!(first.activity(), second.activity());
    assert_ne!(first.activity(), other_seed.activity());
    for user in first.users() {
        assert_eq!(first.sign_ins(&user.email), second.sign_ins(&user.email));
        assert_eq!(first.meetings(&user.email), second.meetings(&user.email));
    }
}

#[tokio::test]
async fn engagement_spreads_realistically() {
    let zoom = start(fixture_config(3_000)).await;
    let mut active: HashMap<Engagement, usize> = HashMap::new();
    let mut inactive: HashMap<Engagement, usize> = HashMap::new();
    let (mut active_total, mut inactive_total) = (0, 0);

    for user in zoom.users() {
        let engagement = zoom.engagement(&user.email);
        match user.status {
            UserStatus::Active => {
                *active
                    .entry(engagement.expect("active users have a pattern"))
                    .or_default() += 1;
                active_total += 1;
            }
            UserStatus::Inactive => {
                *inactive
                    .entry(engagement.expect("inactive users have a pattern"))
                    .or_default() += 1;
                inactive_total += 1;
            }
            UserStatus::Pending => {
                assert_eq!(engagement, None, "{}", user.email);
                assert!(zoom.sign_ins(&user.email).is_empty(), "{}", user.email);
            }
        }
    }
    let share = |counts: &HashMap<Engagement, usize>, total: usize, pattern: Engagement| {
        counts.get(&pattern).copied().unwrap_or(0) as f64 / total as f64
    };

    for (pattern, low, high) in [
        (Engagement::Daily, 0.25, 0.33),
        (Engagement::Weekly, 0.16, 0.24),
        (Engagement::Monthly, 0.17, 0.25),
        (Engagement::Rare, 0.21, 0.30),
        (Engagement::Never, 0.02, 0.07),
    ] {
        let actual = share(&active, active_total, pattern);
        assert!(
            (low..high).contains(&actual),
            "active {pattern:?} share {actual}"
        );
    }
    let rare_or_never = share(&inactive, inactive_total, Engagement::Rare)
        + share(&inactive, inactive_total, Engagement::Never);
    assert!(
        rare_or_never > 0.55,
        "inactive rare or never share {rare_or_never}"
    );
}

#[tokio::test]
async fn patterns_shape_sign_in_frequency() {
    let zoom = start(fixture_config(1_500)).await;
    let now = zoom.now();
    let mut days_by_pattern: HashMap<Engagement, Vec<usize>> = HashMap::new();

    for user in zoom.users() {
        let Some(engagement) = zoom.engagement(&user.email) else {
            continue;
        };
        // Only users who were active over the whole last 90 days show their pattern there.
        let created_long_ago =
            now.duration_since(user.created_at) > SignedDuration::from_hours(24 * 400);
        if user.status != UserStatus::Active || !created_long_ago {
            continue;
        }
        let since = now - SignedDuration::from_hours(24 * 90);
        let mut days: Vec<i64> = zoom
            .sign_ins(&user.email)
            .iter()
            .filter(|time| **time >= since)
            .map(|time| time.as_second().div_euclid(86_400))
            .collect();
        days.dedup();
        days_by_pattern
            .entry(engagement)
            .or_default()
            .push(days.len());
    }
    let median = |pattern: Engagement| {
        let mut days = days_by_pattern[&pattern].clone();
        days.sort_unstable();
        days[days.len() / 2]
    };

    assert!(
        median(Engagement::Daily) >= 50,
        "daily median {}",
        median(Engagement::Daily)
    );
    assert!(
        (12..=25).contains(&median(Engagement::Weekly)),
        "weekly median {}",
        median(Engagement::Weekly)
    );
    assert!(
        (3..=9).contains(&median(Engagement::Monthly)),
        "monthly median {}",
        median(Engagement::Monthly)
    );
    assert!(
        median(Engagement::Rare) <= 2,
        "rare median {}",
        median(Engagement::Rare)
    );
    assert!(
        days_by_pattern[&Engagement::Never]
            .iter()
            .all(|&days| days == 0)
    );
}

#[tokio::test]
async fn listed_last_login_is_buffered_latest_sign_in() {
    let zoom = start(fixture_config(1_000)).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let mut buffered = 0;
    let mut checked = 0;

    for status in ["active", "inactive", "pending"] {
        let query = format!("status={status}&page_size=300");
        for page in all_pages(&client, &zoom, &token, &query, 20).await {
            for user in page["users"].as_array().expect("array") {
                let email = user["email"].as_str().expect("email");
                let sign_ins = zoom.sign_ins(email);
                let Some(listed) = user["last_login_time"].as_str() else {
                    assert!(
                        sign_ins.is_empty(),
                        "{email} signed in without a last login"
                    );
                    continue;
                };
                let login: Timestamp = listed.parse().expect("a timestamp");
                let latest = *sign_ins.last().expect("a last login needs a sign-in");
                assert!(
                    login <= latest,
                    "{email}: last login after the latest sign-in"
                );
                assert!(
                    latest.duration_since(login) < SignedDuration::from_hours(72),
                    "{email}: last login more than 3 days before the latest sign-in"
                );
                assert!(
                    sign_ins.contains(&login),
                    "{email}: last login is no sign-in"
                );
                checked += 1;
                if login < latest {
                    buffered += 1;
                }
            }
        }
    }
    assert!(checked > 700, "only {checked} users have a last login");
    assert!(
        buffered > 10,
        "only {buffered} users show a buffered last login"
    );
}

#[tokio::test]
async fn activity_pairs_sign_outs_with_sign_ins() {
    let zoom = start(fixture_config(200)).await;
    let activity = zoom.activity();
    let now = zoom.now();
    let mut open: HashMap<String, Timestamp> = HashMap::new();
    let (mut sign_ins, mut sign_outs) = (0, 0);

    assert!(activity.windows(2).all(|pair| pair[0].time <= pair[1].time));
    for entry in &activity {
        assert!(entry.time < now, "{} at {}", entry.email, entry.time);
        assert!(
            entry.ip_address.starts_with("192.0.2.") || entry.ip_address.starts_with("198.51.100.")
        );
        match entry.kind {
            ActivityKind::SignIn => {
                open.insert(entry.email.to_lowercase(), entry.time);
                sign_ins += 1;
            }
            ActivityKind::SignOut => {
                let signed_in = open.remove(&entry.email.to_lowercase());
                assert!(
                    signed_in.is_some_and(|at| at < entry.time),
                    "{} signed out while out",
                    entry.email
                );
                sign_outs += 1;
            }
        }
    }
    let share = sign_outs as f64 / sign_ins as f64;
    assert!((0.7..0.9).contains(&share), "sign-out share {share}");
    let total_sign_ins: usize = zoom
        .users()
        .iter()
        .map(|user| zoom.sign_ins(&user.email).len())
        .sum();
    assert_eq!(total_sign_ins, sign_ins);
}

#[tokio::test]
async fn fixture_users_keep_fixture_logins() {
    let zoom = start(fixture_config(7)).await;

    for user in zoom.users() {
        let sign_ins = zoom.sign_ins(&user.email);
        match user.last_login_time {
            Some(login) => assert!(sign_ins.contains(&login), "{}", user.email),
            None => assert!(sign_ins.is_empty(), "{}", user.email),
        }
    }
    let owner = zoom.user("owner.one@example.test").expect("exists");
    assert_eq!(
        owner
            .last_login_time
            .map(|time| time.to_string())
            .as_deref(),
        Some("2026-03-02T08:15:00Z")
    );
    assert_eq!(
        zoom.engagement("owner.one@example.test"),
        Some(Engagement::Weekly)
    );
    assert!(zoom.sign_ins("owner.one@example.test").len() > 40);
}
