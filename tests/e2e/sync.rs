//! Users sync against the mock: truth, idempotence, removals, retries, token expiry, loops,
//! crashes and secrets.

use std::collections::HashMap;
use std::time::Duration;

use mock_zoom::{Fault, FaultRule, MockConfig, MockUser, RetryAfter, UserStatus, CUSTOM_ROLE_ID};
use serde_json::Value;

use crate::harness::{users_json, Env, CLIENT_SECRET};

fn role_name(role_id: &str) -> Option<&'static str> {
    match role_id {
        "0" => Some("Owner"),
        "1" => Some("Admin"),
        "2" => Some("Member"),
        CUSTOM_ROLE_ID => Some("Seat Auditor"),
        _ => None,
    }
}

fn expected_license(user_type: i64) -> &'static str {
    match user_type {
        1 => "basic",
        2 => "licensed",
        4 | 99 => "none",
        _ => "other",
    }
}

fn rfc3339(at: Option<jiff::Timestamp>) -> Value {
    match at {
        Some(at) => Value::String(jiff::Timestamp::from_second(at.as_second()).unwrap().to_string()),
        None => Value::Null,
    }
}

/// Asserts that `roster users --format json` equals the mock's account field by field.
fn assert_matches_truth(stored: &[Value], truth: &[MockUser]) {
    let by_key: HashMap<&str, &Value> = stored.iter().map(|user| (user["key"].as_str().unwrap(), user)).collect();
    assert_eq!(stored.len(), truth.len(), "stored user count");
    for user in truth {
        let key = user.key();
        let stored = by_key.get(key.as_str()).unwrap_or_else(|| panic!("user {key} was not stored"));
        let status = match user.status {
            UserStatus::Active => "active",
            UserStatus::Inactive => "inactive",
            UserStatus::Pending => "pending",
        };
        assert_eq!(stored["email"], user.email.as_str(), "{key}");
        assert_eq!(stored["status"], status, "{key}");
        assert_eq!(stored["license"], expected_license(user.user_type), "{key}");
        assert_eq!(stored["license_code"], user.user_type.to_string(), "{key}");
        assert_eq!(stored["role_id"], user.role_id.as_str(), "{key}");
        assert_eq!(stored["role"], role_name(&user.role_id).map_or(Value::Null, |name| name.into()), "{key}");
        assert_eq!(stored["removed"], false, "{key}");
        assert_eq!(stored["display_name"], user.display_name.as_str(), "{key}");
        let department = if user.dept.is_empty() { Value::Null } else { user.dept.as_str().into() };
        assert_eq!(stored["department"], department, "{key}");
        assert_eq!(stored["created_at"], rfc3339(Some(user.created_at)), "{key}");
        match user.status {
            UserStatus::Pending => {
                assert_eq!(stored["remote_id"], Value::Null, "{key}");
                assert_eq!(stored["last_login_at"], Value::Null, "{key}");
            }
            _ => {
                assert_eq!(stored["remote_id"], user.id.as_deref().unwrap(), "{key}");
                assert_eq!(stored["last_login_at"], rfc3339(user.last_login_time), "{key}");
                assert_eq!(stored["last_client_version"], user.last_client_version.as_deref().map_or(Value::Null, Value::from), "{key}");
            }
        }
        if user.status == UserStatus::Active {
            assert_eq!(stored["group_ids"], serde_json::json!(user.group_ids), "{key}");
        }
    }
}

async fn stored_users(env: &Env, name: &str) -> Vec<Value> {
    users_json(env.roster(&["users", name, "--format", "json", "--include-removed"]).await.ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_matches_mock_truth() {
    let env = Env::with_users(1_500).await;
    env.connect_zoom("acme").await;

    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().starts_with("synced acme: 1500 users in 7 pages (1500 added, 0 changed, 0 removed)"), "{}", out.stdout);

    let truth = env.zoom.users();
    assert!(truth.iter().any(|user| user.status == UserStatus::Pending));
    assert!(truth.iter().any(|user| user.status == UserStatus::Inactive));
    assert!(truth.iter().any(|user| user.last_login_time.is_none() && user.status == UserStatus::Active));
    assert_matches_truth(&stored_users(&env, "acme").await, &truth);

    // Every listing asked for 300 users a page and repeated its query with each token.
    let listing: Vec<_> = env.zoom.requests().into_iter().filter(|request| request.path == "/v2/users").collect();
    assert!(listing.iter().all(|request| request.query.contains("page_size=300")));
    assert!(listing.iter().all(|request| request.status == 200));
}

#[tokio::test(flavor = "multi_thread")]
async fn fixture_account_maps_every_field() {
    let env = Env::with_users(6).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();

    let users = stored_users(&env, "acme").await;
    let by_email: HashMap<&str, &Value> = users.iter().map(|user| (user["email"].as_str().unwrap(), user)).collect();
    let owner = by_email["owner.one@example.test"];
    assert_eq!(owner["key"], "fakeUser0000000000001A");
    assert_eq!(owner["role"], "Owner");
    assert_eq!(owner["license"], "licensed");
    assert_eq!(owner["department"], "IT");
    assert_eq!(owner["login_types"], serde_json::json!(["work-email"]));
    assert_eq!(owner["group_ids"], serde_json::json!(["fakeGroup000000000001A"]));
    assert_eq!(owner["last_client_version"], "6.0.0.00000(mac)");

    let never = by_email["member.three@example.test"];
    assert_eq!(never["last_login_at"], Value::Null);
    assert_eq!(never["license"], "basic");

    let unassigned = by_email["member.six@example.test"];
    assert_eq!(unassigned["license"], "none");
    assert_eq!(unassigned["license_code"], "4");

    let pending = by_email["pending.five@example.test"];
    assert_eq!(pending["key"], "pending.five@example.test");
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["remote_id"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn resync_changes_nothing() {
    let env = Env::with_users(700).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    let before = env.user_rows().await;

    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("(0 added, 0 changed, 0 removed)"), "{}", out.stdout);
    assert_eq!(env.user_rows().await, before);
    assert_eq!(env.count("SELECT COUNT(*) FROM sync_seen").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn changed_user_is_updated_alone() {
    let env = Env::with_users(400).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    let before = env.user_rows().await;

    let target = env.zoom.users().into_iter().find(|user| user.status == UserStatus::Active && user.user_type == 1).unwrap();
    env.zoom.update_user(&target.email, |user| user.user_type = 2);
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("(0 added, 1 changed, 0 removed)"), "{}", out.stdout);

    let after = env.user_rows().await;
    let differing: Vec<_> = before.iter().zip(&after).filter(|(old, new)| old != new).collect();
    assert_eq!(differing.len(), 1);
    assert!(differing[0].1.contains(&target.email) && differing[0].1.contains("\"licensed\""), "{}", differing[0].1);
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_users_are_marked_and_return() {
    let env = Env::with_users(500).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();

    let truth = env.zoom.users();
    let gone: Vec<MockUser> = [UserStatus::Active, UserStatus::Inactive, UserStatus::Pending]
        .into_iter()
        .map(|status| truth.iter().rev().find(|user| user.status == status).unwrap().clone())
        .collect();
    for user in &gone {
        assert!(env.zoom.remove_user(&user.email));
    }
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("(0 added, 0 changed, 3 removed)"), "{}", out.stdout);

    let stored = stored_users(&env, "acme").await;
    assert_eq!(stored.len(), 500, "removed users stay stored");
    for user in &gone {
        let row = stored.iter().find(|row| row["key"] == user.key().as_str()).unwrap();
        assert_eq!(row["removed"], true, "{}", user.email);
        assert!(row["removed_at"].is_string());
    }
    let current = users_json(env.roster(&["users", "acme", "--format", "json"]).await.ok());
    assert_eq!(current.len(), 497);
    assert!(current.iter().all(|row| row["removed"] == false));

    env.zoom.add_user(gone[0].clone());
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("(0 added, 1 changed, 0 removed)"), "{}", out.stdout);
    let back = stored_users(&env, "acme").await;
    let row = back.iter().find(|row| row["key"] == gone[0].key().as_str()).unwrap();
    assert_eq!(row["removed"], false);
    assert_eq!(row["removed_at"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_retried() {
    let env = Env::with_users(1_000).await;
    env.connect_zoom("acme").await;
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
    env.zoom.inject(FaultRule::new("/v2/users", Fault::TooManyRequests { retry_after: Some(RetryAfter::Seconds(0)), daily: false }).skip(1));
    env.zoom.inject(FaultRule::new("/v2/users", Fault::TooManyRequests { retry_after: Some(RetryAfter::HttpDate(soon)), daily: false }).skip(1));
    env.zoom.inject(FaultRule::new("/v2/users", Fault::TooManyRequests { retry_after: Some(RetryAfter::Iso8601(soon)), daily: false }).skip(1));
    env.zoom.inject(FaultRule::new("/v2/users", Fault::TooManyRequests { retry_after: None, daily: false }).skip(1));

    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("synced acme: 1000 users"), "{}", out.stdout);
    let statuses: Vec<u16> = env.zoom.requests().iter().filter(|r| r.path == "/v2/users").map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|status| **status == 429).count(), 4, "{statuses:?}");
    assert!(out.stderr.contains("retrying upstream request"), "{}", out.stderr);
    assert_matches_truth(&stored_users(&env, "acme").await, &env.zoom.users());
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried() {
    let env = Env::with_users(700).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::ServerError(503)).skip(1).times(2));
    env.zoom.inject(FaultRule::new("/v2/users", Fault::ServerError(500)).skip(1));

    env.roster(&["sync", "acme"]).await.ok();
    let statuses: Vec<u16> = env.zoom.requests().iter().filter(|r| r.path == "/v2/users").map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|status| **status >= 500).count(), 3, "{statuses:?}");
    assert_matches_truth(&stored_users(&env, "acme").await, &env.zoom.users());
}

#[tokio::test(flavor = "multi_thread")]
async fn persistent_server_error_fails_the_run() {
    let env = Env::with_users(700).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::ServerError(502)).skip(1).times(u32::MAX));

    let out = env.roster(&["sync", "acme"]).await;
    assert_eq!(
        out.error(),
        "error: sync of `acme` failed: Zoom answered HTTP 502: HTTP 502 with a body that is not Zoom's error format"
    );
    // Six attempts for the failing page, after the first page went through.
    let failing = env.zoom.requests().iter().filter(|r| r.path == "/v2/users" && r.status == 502).count();
    assert_eq!(failing, 6);
    assert_eq!(env.count("SELECT COUNT(*) FROM app_users").await, 300, "the first page stays stored");
    assert_eq!(env.query_text("SELECT status || ' ' || error_kind FROM sync_runs").await, vec!["failed upstream"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_expiry_mid_sync_recovers() {
    for status in [401, 400] {
        let env = Env::start(MockConfig { users: 1_000, expired_token_status: status, ..MockConfig::default() }).await;
        env.connect_zoom("acme").await;
        let issued = env.zoom.tokens_issued();
        env.zoom.inject(FaultRule::new("/v2/users", Fault::ExpireToken).skip(2));

        let out = env.roster(&["sync", "acme"]).await;
        assert!(out.ok().contains("synced acme: 1000 users"), "status {status}: {}", out.stdout);
        assert_eq!(env.zoom.tokens_issued(), issued + 1, "status {status}: one new token");
        let rejected: Vec<_> = env.zoom.requests().into_iter().filter(|r| r.status == status && r.path == "/v2/users").collect();
        assert_eq!(rejected.len(), 1, "status {status}");
        assert_matches_truth(&stored_users(&env, "acme").await, &env.zoom.users());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_page_token_stops() {
    let env = Env::with_users(1_000).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::RepeatPageToken).skip(1).times(u32::MAX));

    let out = env.roster(&["sync", "acme"]).await;
    assert_eq!(
        out.error(),
        "error: sync of `acme` failed: Zoom sent a response the connector cannot use: Zoom returned the same next_page_token twice while listing active users after 2 pages; stopping instead of looping"
    );
    assert!(env.zoom.requests().iter().filter(|r| r.path == "/v2/users").count() <= 3);
    assert_eq!(env.query_text("SELECT status || ' ' || error_kind FROM sync_runs").await, vec!["failed invalid-response"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_pages_stop() {
    let env = Env::with_users(700).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::EndlessPages).times(u32::MAX));

    let out = env.roster(&["sync", "acme"]).await;
    let error = out.error();
    assert!(error.starts_with("error: sync of `acme` failed: Zoom sent a response the connector cannot use: Zoom kept returning next_page_token while listing active users:"), "{error}");
    assert!(error.ends_with("; stopping instead of looping"), "{error}");
    // Users removed from Zoom are only marked after a complete listing, so none are here.
    assert_eq!(env.count("SELECT COUNT(*) FROM app_users WHERE removed = 1").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_limit_fails_with_retry_time() {
    let env = Env::with_users(700).await;
    env.connect_zoom("acme").await;
    let tomorrow = jiff::Timestamp::from_second((jiff::Timestamp::now().as_second() / 86_400 + 1) * 86_400).unwrap();
    env.zoom.inject(FaultRule::new("/v2/users", Fault::TooManyRequests { retry_after: Some(RetryAfter::Iso8601(tomorrow)), daily: true }).skip(1).times(u32::MAX));

    let started = std::time::Instant::now();
    let out = env.roster(&["sync", "acme"]).await;
    assert_eq!(
        out.error(),
        format!("error: sync of `acme` failed: Zoom daily rate limit reached; retry after {tomorrow} [Zoom answered code 429, HTTP 429: You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request]")
    );
    // The host does not sleep until tomorrow inside a call, and sends the request only once.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(env.zoom.requests().iter().filter(|r| r.status == 429).count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_scope_names_permission() {
    let scopes = mock_zoom::KNOWN_SCOPES.iter().filter(|scope| **scope != "user:read:list_users:admin").map(|s| s.to_string()).collect();
    let env = Env::start(MockConfig { users: 50, scopes, ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;

    let out = env.roster(&["sync", "acme"]).await;
    assert_eq!(
        out.error(),
        "error: sync of `acme` failed: Zoom refused the request: the grant lacks user:read:list_users:admin (admin role permission needed: Users: VIEW) [Zoom answered code 4711, HTTP 400: Invalid access token, does not contain scopes:[user:read:list_users:admin]; add the missing scopes to the Zoom app and have an admin with the listed role permissions authorize it again]"
    );
    assert_eq!(env.query_text("SELECT error_kind FROM sync_runs").await, vec!["missing-permissions"]);
    // A missing scope is not retried: one request, one 400.
    let listing: Vec<u16> = env.zoom.requests().iter().filter(|r| r.path == "/v2/users").map(|r| r.status).collect();
    assert_eq!(listing, vec![400]);
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_unavailable_keeps_role_ids() {
    let scopes = mock_zoom::KNOWN_SCOPES.iter().filter(|scope| !scope.starts_with("role:")).map(|s| s.to_string()).collect();
    let env = Env::start(MockConfig { users: 40, scopes, ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;

    let out = env.roster(&["sync", "acme"]).await;
    out.ok();
    assert!(out.stderr.contains("role names unavailable: the grant cannot read roles, so users keep role ids"), "{}", out.stderr);
    let users = stored_users(&env, "acme").await;
    assert!(users.iter().all(|user| user["role"] == Value::Null && user["role_id"].is_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_sync_resumes() {
    let env = Env::with_users(3_000).await;
    env.connect_zoom("acme").await;
    // Slow pages from the fourth on, so the kill lands mid-run. The resumed run carries the
    // counts of the run it continues, so it reports all 3,000 users as added.
    env.zoom.inject(FaultRule::new("/v2/users", Fault::Delay(Duration::from_secs(30))).skip(3).times(u32::MAX));

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--db")
        .arg(&env.db)
        .args(["sync", "acme"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while env.count("SELECT COALESCE(MAX(pages), 0) FROM sync_runs").await < 3 {
        assert!(std::time::Instant::now() < deadline, "the sync never reached its third page");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    child.kill().await.unwrap(); // SIGKILL

    // Consistent after the kill: three whole pages, a checkpoint, and the run still marked running.
    assert_eq!(env.count("SELECT COUNT(*) FROM app_users").await, 900);
    assert_eq!(env.count("SELECT users_seen FROM sync_runs").await, 900);
    assert_eq!(env.query_text("SELECT status FROM sync_runs").await, vec!["running"]);
    assert_eq!(env.count("SELECT COUNT(*) FROM sync_runs WHERE cursor IS NOT NULL").await, 1);

    env.zoom.clear_faults();
    env.zoom.clear_requests();
    let out = env.roster(&["sync", "acme"]).await;
    let stdout = out.ok();
    assert!(stdout.starts_with("resumed interrupted run 1\nsynced acme: 3000 users in 11 pages (3000 added, 0 changed, 0 removed)"), "{stdout}");
    assert_eq!(env.query_text("SELECT status FROM sync_runs ORDER BY id").await, vec!["interrupted", "succeeded"]);
    // The resumed run started from the checkpoint, not from the first page.
    let first = env.zoom.requests().into_iter().find(|r| r.path == "/v2/users").unwrap();
    assert!(first.query.contains("next_page_token="), "{}", first.query);
    assert_matches_truth(&stored_users(&env, "acme").await, &env.zoom.users());
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_checkpoint_restarts_listing() {
    let env = Env::start(MockConfig { users: 1_200, page_token_ttl: Duration::from_millis(300), ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::Delay(Duration::from_secs(30))).skip(2).times(u32::MAX));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--db")
        .arg(&env.db)
        .args(["sync", "acme"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while env.count("SELECT COALESCE(MAX(pages), 0) FROM sync_runs").await < 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().await.unwrap();
    env.zoom.clear_faults();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let out = env.roster(&["sync", "acme"]).await;
    out.ok();
    assert!(out.stderr.contains("the upstream no longer accepts the saved cursor; restarting the listing"), "{}", out.stderr);
    assert_matches_truth(&stored_users(&env, "acme").await, &env.zoom.users());
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sync_is_refused() {
    let env = Env::with_users(900).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::Delay(Duration::from_secs(3))).skip(1));

    let first = env.roster(&["sync", "acme"]);
    let second = async {
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        env.roster(&["sync", "acme"]).await
    };
    let (first, second) = tokio::join!(first, second);
    first.ok();
    assert_eq!(second.error(), "error: a sync of `acme` is already running in another process; wait for it to finish");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_sync_waits_for_cli_sync() {
    let env = Env::with_users(900).await;
    env.connect_zoom("acme").await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::Delay(Duration::from_secs(3))).skip(1));
    let (server, first) = env.spawn(&["serve", "--listen", "127.0.0.1:0"]).await;
    let base = first.strip_prefix("roster serving on ").unwrap().to_string();

    let cli = env.roster(&["sync", "acme"]);
    let api = async {
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        crate::harness::browser().post(format!("{base}/api/connections/acme/sync")).send().await.unwrap()
    };
    let (cli, api) = tokio::join!(cli, api);
    cli.ok();
    assert_eq!(api.status(), 409);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "a sync of `acme` is already running in another process; wait for it to finish");

    server.terminate();
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_in_database_or_logs() {
    let env = Env::with_users(400).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let url = env.zoom.url();
    let connect = env
        .roster_with_env(
            &["connect", "zoom", "--name", "acme", "--account-id", crate::harness::ACCOUNT_ID, "--client-id", crate::harness::CLIENT_ID, "--api-base", &url, "--oauth-base", &url],
            &[("ROSTER_CLIENT_SECRET", CLIENT_SECRET), ("ROSTER_LOG", "trace")],
        )
        .await;
    connect.ok();
    env.zoom.expire_tokens();
    let sync = env.roster_with_env(&["sync", "acme"], &[("ROSTER_LOG", "trace")]).await;
    sync.ok();
    let status = env.roster(&["status", "--format", "json"]).await;

    let tokens: Vec<String> = env.zoom.requests().into_iter().filter_map(|request| request.bearer_token).collect();
    assert!(tokens.len() >= 2, "the sync used the first token and a replacement");
    let mut secrets = tokens.clone();
    secrets.push(CLIENT_SECRET.to_string());

    let mut files = vec![env.db.clone()];
    for suffix in ["-wal", "-shm"] {
        let path = env.db.with_file_name(format!("roster.db{suffix}"));
        if path.exists() {
            files.push(path);
        }
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for secret in &secrets {
            assert!(!bytes.windows(secret.len()).any(|window| window == secret.as_bytes()), "{secret} found in {}", file.display());
        }
    }
    for output in [&connect.stdout, &connect.stderr, &sync.stdout, &sync.stderr, &status.stdout] {
        for secret in &secrets {
            assert!(!output.contains(secret.as_str()), "{secret} found in output");
        }
    }
    assert!(status.stdout.contains("\"token_stored\": true"), "{}", status.stdout);
}
