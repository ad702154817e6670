//! Provisioning through the connector: every operation, every refusal, dry runs, the audit
//! log and reclaiming seats.

use std::time::Duration;

use mock_zoom::{Fault, FaultRule, MockConfig, UserStatus};
use serde_json::Value;

use crate::harness::{users_json, Env};

const NEW_USER: &str = "new.hire@example.test";

async fn synced(config: MockConfig) -> Env {
    let env = Env::pinned(config, "2026-11-20T12:00:00Z".parse().unwrap()).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    env
}

async fn small() -> Env {
    synced(MockConfig { users: 30, ..MockConfig::default() }).await
}

async fn stored(env: &Env, email: &str) -> Value {
    users_json(env.roster(&["users", "acme", "--format", "json", "--include-removed"]).await.ok())
        .into_iter()
        .find(|user| user["email"].as_str().unwrap().eq_ignore_ascii_case(email))
        .unwrap_or_else(|| panic!("{email} is not stored"))
}

fn mutations(env: &Env) -> Vec<String> {
    env.zoom
        .requests()
        .into_iter()
        .filter(|request| request.method != "GET" && request.path.starts_with("/v2/"))
        .map(|request| format!("{} {} {}", request.method, request.path, request.status))
        .collect()
}

async fn audit(env: &Env) -> Vec<Value> {
    let out = env.roster(&["audit-log", "--connection", "acme", "--format", "json"]).await;
    serde_json::from_str::<Value>(out.ok()).unwrap().as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn create_user_appears_pending() {
    let env = small().await;
    let out = env.roster(&["user", "acme", "create", NEW_USER, "--first-name", "New", "--last-name", "Hire", "--license", "licensed"]).await;
    assert_eq!(out.ok(), "create new.hire@example.test: done\n  now pending, licence licensed, role Member\n");

    let zoom = env.zoom.user(NEW_USER).expect("the mock has the user");
    assert_eq!(zoom.status, UserStatus::Pending);
    assert_eq!(zoom.user_type, 2);
    let local = stored(&env, NEW_USER).await;
    assert_eq!((local["status"].as_str(), local["license"].as_str(), local["key"].as_str()), (Some("pending"), Some("licensed"), Some(NEW_USER)));

    let entries = audit(&env).await;
    let last = entries.last().unwrap();
    assert_eq!((last["operation"].as_str(), last["target"].as_str(), last["outcome"].as_str()), (Some("create"), Some(NEW_USER), Some("ok")));
    assert!(last["actor"].as_str().unwrap().starts_with("cli:"));
    assert_eq!(last["before"], Value::Null);
    assert_eq!(last["after"]["status"], "pending");

    // A sync agrees with what the change stored.
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("(0 added, 0 changed, 0 removed)"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn existing_email_is_a_conflict() {
    let env = small().await;
    let mut twin = env.zoom.users().into_iter().find(|user| user.status == UserStatus::Active).unwrap();
    twin.email = "twin@example.test".into();
    twin.id = Some("fakeUserTwin0000000001".into());
    env.zoom.add_user(twin);

    let out = env.roster(&["user", "acme", "create", "twin@example.test", "--first-name", "T", "--last-name", "Win"]).await;
    assert_eq!(
        out.error(),
        "error: Zoom answered code 1005, HTTP 409: Email \"twin@example.test\" has already been used; the user already exists in Zoom; adopt the existing account instead of creating it; run `roster sync acme` to bring the existing account into Roster"
    );
    let last = audit(&env).await.pop().unwrap();
    assert_eq!((last["outcome"].as_str(), last["upstream_code"].as_str()), (Some("error"), Some("1005")));

    let local = env.roster(&["user", "acme", "create", "owner.one@example.test", "--first-name", "O", "--last-name", "One"]).await;
    assert_eq!(local.error(), "error: owner.one@example.test is already a user of `acme`; change it instead of creating it");
}

#[tokio::test(flavor = "multi_thread")]
async fn sso_create_needs_preprovisioning() {
    let env = small().await;
    let before = mutations(&env).len();
    let out = env.roster(&["user", "acme", "create", NEW_USER, "--first-name", "New", "--last-name", "Hire", "--action", "ssoCreate"]).await;
    assert_eq!(
        out.error(),
        "error: Zoom answered code 2032, HTTP 400: The ssoCreate option is only available for SSO Partners that have enabled the pre-provision option. Contact the Zoom Support team to learn more; ssoCreate needs the \"Pre-provisioning SSO User\" option, which Zoom support enables; use another create action instead"
    );
    let sent = mutations(&env);
    assert_eq!(sent.len(), before + 1, "one request, never retried with another action: {sent:?}");
    let body = env.zoom.requests().into_iter().rev().find(|request| request.method == "POST").unwrap().body;
    assert!(String::from_utf8_lossy(&body).contains("\"action\":\"ssoCreate\""));
    assert!(env.zoom.user(NEW_USER).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn licence_beyond_paid_seats_names_usage() {
    let env = synced(MockConfig { users: 30, ..MockConfig::default() }).await;
    let licensed = env.zoom.users().iter().filter(|user| user.user_type == 2 && user.status != UserStatus::Pending).count() as u32;
    env.zoom.set_paid_seats(licensed);
    let basic = env.zoom.users().into_iter().find(|user| user.user_type == 1 && user.status == UserStatus::Active).unwrap();

    let out = env.roster(&["user", "acme", "license", &basic.email, "licensed"]).await;
    let error = out.error();
    assert!(error.starts_with("error: Zoom answered code 2034, HTTP 400: Your request to convert this user's plan type to \"Licensed\" wasn't approved"), "{error}");
    assert!(error.ends_with(&format!("; the account has no free seats of this type; buy more licences in Zoom or free a seat first ({licensed} of {licensed} paid seats are assigned)")), "{error}");
    assert_eq!(stored(&env, &basic.email).await["license"], "basic", "nothing changed locally");
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_is_demoted_before_removal() {
    let env = small().await;
    let out = env.roster(&["user", "acme", "remove", "admin.two@example.test", "--yes"]).await;
    assert_eq!(
        out.error(),
        "error: Zoom answered code 1117, HTTP 400: You can not disassociate an Admin user; Zoom does not disassociate admins; change the user's role to Member first; the command is `roster user acme role admin.two@example.test Member`"
    );
    assert!(env.zoom.user("admin.two@example.test").is_some());

    let out = env.roster(&["user", "acme", "role", "admin.two@example.test", "Member"]).await;
    assert_eq!(out.ok(), "role admin.two@example.test: done\n  now active, licence licensed, role Member\n");
    assert_eq!(env.zoom.user("admin.two@example.test").unwrap().role_id, "2");
    env.roster(&["user", "acme", "remove", "admin.two@example.test", "--yes"]).await.ok();
    assert!(env.zoom.user("admin.two@example.test").is_none());
    assert_eq!(stored(&env, "admin.two@example.test").await["removed"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_edit_permission_names_scope() {
    let scopes = ["user:read:list_users:admin", "user:read:user:admin", "role:read:list_roles:admin"].map(String::from).to_vec();
    let env = synced(MockConfig { users: 20, scopes, ..MockConfig::default() }).await;
    let out = env.roster(&["user", "acme", "license", "member.three@example.test", "licensed"]).await;
    assert_eq!(
        out.error(),
        "error: Zoom refused the request: the grant lacks user:update:user:admin (admin role permission needed: Users: EDIT) [Zoom answered code 4711, HTTP 400: Invalid access token, does not contain scopes:[user:update:user:admin]; add the missing scopes to the Zoom app and have an admin with the listed role permissions authorize it again]"
    );
    let last = audit(&env).await.pop().unwrap();
    assert_eq!(last["upstream_code"], "4711");
}

#[tokio::test(flavor = "multi_thread")]
async fn remove_is_idempotent() {
    let env = small().await;
    let out = env.roster(&["user", "acme", "remove", "member.four@example.test", "--yes"]).await;
    assert_eq!(out.ok(), "remove member.four@example.test: done\n  now removed from the account; Roster keeps the record marked removed\n");
    let out = env.roster(&["user", "acme", "remove", "member.four@example.test", "--yes"]).await;
    assert_eq!(out.ok(), "remove member.four@example.test: already in effect (User does not exist: fakeUser0000000000004D.)\n");
    let deletes: Vec<String> = mutations(&env).into_iter().filter(|request| request.starts_with("DELETE")).collect();
    assert_eq!(deletes, vec!["DELETE /v2/users/fakeUser0000000000004D 204", "DELETE /v2/users/fakeUser0000000000004D 404"]);
    let entries = audit(&env).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["detail"], "User does not exist: fakeUser0000000000004D.");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_user_change_says_what_to_check() {
    let env = small().await;
    let out = env.roster(&["user", "acme", "license", "nobody@example.test", "basic", "--yes"]).await;
    assert_eq!(
        out.error(),
        "error: Zoom answered code 1001, HTTP 404: User does not exist: nobody@example.test; check the email, or run `roster sync acme` if the user was created or renamed in Zoom"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_nothing() {
    let env = small().await;
    let url = env.zoom.url();
    let requests_before = env.zoom.requests().len();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["create", NEW_USER, "--first-name", "New", "--last-name", "Hire", "--license", "licensed"],
            format!("  POST {url}/v2/users\n  {{\"action\":\"create\",\"user_info\":{{\"email\":\"new.hire@example.test\",\"first_name\":\"New\",\"last_name\":\"Hire\",\"type\":2}}}}\n"),
        ),
        (vec!["license", "member.three@example.test", "licensed"], format!("  PATCH {url}/v2/users/fakeUser0000000000003C\n  {{\"type\":2}}\n")),
        (vec!["deactivate", "member.three@example.test"], format!("  PUT {url}/v2/users/fakeUser0000000000003C/status\n  {{\"action\":\"deactivate\"}}\n")),
        (vec!["activate", "member.three@example.test"], format!("  PUT {url}/v2/users/fakeUser0000000000003C/status\n  {{\"action\":\"activate\"}}\n")),
        (vec!["remove", "member.three@example.test"], format!("  DELETE {url}/v2/users/fakeUser0000000000003C?action=disassociate\n")),
        (
            vec!["remove", "member.three@example.test", "--delete", "--transfer-to", "owner.one@example.test"],
            format!("  DELETE {url}/v2/users/fakeUser0000000000003C?action=delete&transfer_email=owner.one%40example.test&transfer_meeting=true&transfer_webinar=true&transfer_recording=true\n"),
        ),
        (vec!["role", "member.three@example.test", "Admin"], format!("  POST {url}/v2/roles/1/members\n  {{\"members\":[{{\"id\":\"fakeUser0000000000003C\"}}]}}\n")),
        (vec!["group-add", "member.three@example.test", "fakeGroup000000000002B"], format!("  POST {url}/v2/groups/fakeGroup000000000002B/members\n  {{\"members\":[{{\"id\":\"fakeUser0000000000003C\"}}]}}\n")),
        (vec!["group-remove", "owner.one@example.test", "fakeGroup000000000001A"], format!("  DELETE {url}/v2/groups/fakeGroup000000000001A/members/fakeUser0000000000001A\n")),
    ];
    for (args, requests) in cases {
        let mut full = vec!["user", "acme"];
        full.extend(&args);
        full.push("--dry-run");
        let out = env.roster(&full).await;
        let stdout = out.ok();
        assert!(stdout.starts_with("dry run: "), "{stdout}");
        assert!(stdout.ends_with(&requests), "{args:?}:\n{stdout}");
    }
    assert_eq!(env.zoom.requests().len(), requests_before, "a dry run sends nothing, not even a token request");
    assert!(audit(&env).await.is_empty(), "a dry run changes nothing, so it is not audited");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_changes_need_confirmation() {
    let env = small().await;
    let out = env.roster(&["user", "acme", "deactivate", "member.three@example.test"]).await;
    assert_eq!(out.error(), "error: this change needs confirmation; run it again with --yes to confirm");
    assert_eq!(env.zoom.user("member.three@example.test").unwrap().status, UserStatus::Active);
    let out = env.roster(&["user", "acme", "license", "owner.one@example.test", "basic"]).await;
    assert_eq!(out.error(), "error: this change needs confirmation; run it again with --yes to confirm", "a downgrade asks too");

    let out = env.roster(&["user", "acme", "deactivate", "member.three@example.test", "--yes"]).await;
    assert_eq!(out.ok(), "deactivate member.three@example.test: done\n  now inactive, licence basic, role Member\n");
    let out = env.roster(&["user", "acme", "activate", "member.three@example.test"]).await;
    assert_eq!(out.ok(), "activate member.three@example.test: done\n  now active, licence basic, role Member\n");
    let entries = audit(&env).await;
    assert_eq!(entries[0]["before"]["status"], "active");
    assert_eq!(entries[0]["after"]["status"], "inactive");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_transfers_content() {
    let env = small().await;
    env.roster(&["user", "acme", "remove", "member.four@example.test", "--delete", "--transfer-to", "owner.one@example.test", "--yes"]).await.ok();
    let transfers = env.zoom.transfers();
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0].to, "owner.one@example.test");
    assert!(transfers[0].meetings);
    assert!(transfers[0].webinars);
    assert!(transfers[0].recordings);
    assert!(env.zoom.user("member.four@example.test").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_user_is_disassociated_by_email() {
    let env = small().await;
    let out = env.roster(&["user", "acme", "remove", "pending.five@example.test", "--delete", "--yes"]).await;
    assert_eq!(out.error(), "error: pending.five@example.test is a pending invitation, which Zoom can only disassociate; remove it without --delete");
    env.roster(&["user", "acme", "remove", "pending.five@example.test", "--yes"]).await.ok();
    assert!(mutations(&env).contains(&"DELETE /v2/users/pending.five%40example.test 204".to_string()) || mutations(&env).contains(&"DELETE /v2/users/pending.five@example.test 204".to_string()), "{:?}", mutations(&env));
    assert!(env.zoom.user("pending.five@example.test").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_by_name() {
    let env = small().await;
    env.roster(&["user", "acme", "group-add", "member.three@example.test", "Sales"]).await.ok();
    assert!(env.zoom.user("member.three@example.test").unwrap().group_ids.contains(&"fakeGroup000000000002B".to_string()));
    assert_eq!(stored(&env, "member.three@example.test").await["group_ids"], serde_json::json!(["fakeGroup000000000002B"]));
    env.roster(&["user", "acme", "group-remove", "member.three@example.test", "Sales"]).await.ok();
    assert!(env.zoom.user("member.three@example.test").unwrap().group_ids.is_empty());
    let out = env.roster(&["user", "acme", "group-add", "member.three@example.test", "Nowhere"]).await;
    assert!(out.error().starts_with("error: group \"Nowhere\" is not a group of this account; known groups: "), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_log_lists_changes() {
    let env = small().await;
    env.roster(&["user", "acme", "license", "member.three@example.test", "licensed"]).await.ok();
    env.roster(&["user", "acme", "remove", "admin.two@example.test", "--yes"]).await;
    let entries = audit(&env).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["operation"], "license");
    assert_eq!(entries[0]["before"]["license"], "basic");
    assert_eq!(entries[0]["after"]["license"], "licensed");
    assert_eq!(entries[1]["outcome"], "error");
    assert_eq!(entries[1]["upstream_code"], "1117");
    assert!(entries[0]["at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok(), "times are RFC 3339: {}", entries[0]["at"]);

    let table = env.roster(&["audit-log", "--since", "2026-11-20"]).await;
    assert!(table.ok().contains("error (code 1117)"), "{}", table.stdout);
    let later = env.roster(&["audit-log", "--since", "2026-11-21", "--format", "json"]).await;
    assert_eq!(later.ok().trim(), "[]");

    let unknown = env.roster(&["audit-log", "--connection", "nope"]).await;
    assert_eq!(unknown.error(), "error: no connection named `nope` and no audit entries for it; run `roster status` to list connections");
    let typo = env.roster(&["reclaim", "acme", "--protect", "nobody@example.test", "--dry-run"]).await;
    assert_eq!(typo.error(), "error: --protect nobody@example.test is not a user of `acme`; check the address, or run `roster sync acme` first");
    assert_eq!(typo.status.code(), Some(2));
    let bad = env.roster(&["user", "acme", "create", "not-an-email", "--first-name", "A", "--last-name", "B"]).await;
    assert_eq!(bad.error(), "error: invalid value 'not-an-email' for '<EMAIL>': \"not-an-email\" is not an email address; run with --help for usage");
    let bad = env.roster(&["audit-log", "--since", "yesterday"]).await;
    assert_eq!(bad.error(), "error: --since \"yesterday\" is not a date (YYYY-MM-DD) or an RFC 3339 time such as 2026-12-01T09:00:00Z");
}

/// Licensed users in the unused or never buckets, as the CLI reports them.
async fn idle_licensed(env: &Env) -> Vec<Value> {
    let mut idle = Vec::new();
    for bucket in ["unused", "never"] {
        idle.extend(users_json(env.roster(&["users", "acme", "--license", "licensed", "--engagement", bucket, "--format", "json"]).await.ok()));
    }
    idle
}

#[tokio::test(flavor = "multi_thread")]
async fn reclaim_frees_idle_seats() {
    let env = synced(MockConfig { users: 200, ..MockConfig::default() }).await;
    env.roster(&["app", "set", "acme", "--price-per-seat", "100", "--currency", "USD"]).await.ok();
    let idle = idle_licensed(&env).await;
    let admins: Vec<&Value> = idle.iter().filter(|user| user["role_id"] == "0" || user["role_id"] == "1").collect();
    let protected = idle.iter().find(|user| user["role_id"] == "2" && user["status"] == "active").unwrap()["email"].as_str().unwrap().to_string();
    let expected: Vec<String> = idle
        .iter()
        .filter(|user| user["role_id"] != "0" && user["role_id"] != "1" && user["email"] != protected.as_str())
        .map(|user| user["email"].as_str().unwrap().to_string())
        .collect();
    assert!(expected.len() >= 3, "the account has idle seats to reclaim");

    let requests_before = env.zoom.requests().len();
    let dry = env.roster(&["reclaim", "acme", "--protect", &protected, "--dry-run"]).await;
    let stdout = dry.ok();
    assert!(stdout.contains(&format!("skipped {protected}: protected with --protect")), "{stdout}");
    assert!(stdout.contains(&format!("seats freed: {} by downgrade; saving: {}.00 USD a year", expected.len(), expected.len() * 100)), "{stdout}");
    for email in &expected {
        assert!(stdout.contains(email.as_str()), "{email} is planned");
    }
    for admin in &admins {
        assert!(stdout.contains(&format!("skipped {}:", admin["email"].as_str().unwrap())), "{stdout}");
    }
    assert_eq!(env.zoom.requests().len(), requests_before, "a dry run sends nothing");

    let seats_before = env.zoom.users().iter().filter(|user| user.user_type == 2 && user.status != UserStatus::Pending).count();
    let out = env.roster(&["reclaim", "acme", "--protect", &protected, "--yes"]).await;
    let stdout = out.ok();
    assert!(stdout.contains(&format!("reclaimed {} seats, 0 failed", expected.len())), "{stdout}");
    let pending = idle.iter().filter(|user| user["status"] == "pending" && expected.contains(&user["email"].as_str().unwrap().to_string())).count();
    let seats_after = seats_before - (expected.len() - pending);
    assert!(stdout.contains(&format!("seat check: the upstream reports {seats_after} assigned paid seats, down from {seats_before}, as planned")), "{stdout}");

    for email in &expected {
        assert_eq!(env.zoom.user(email).unwrap().user_type, 1, "{email} was downgraded");
    }
    assert_eq!(env.zoom.user(&protected).unwrap().user_type, 2, "the protected user kept the seat");
    for admin in &admins {
        assert_eq!(env.zoom.user(admin["email"].as_str().unwrap()).unwrap().user_type, 2, "admins keep their seats");
    }
    let report_path = stdout.lines().find_map(|line| line.split("report written to ").nth(1)).unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(report_path).unwrap()).unwrap();
    assert_eq!(report["reclaimed"], expected.len());
    assert_eq!(report["seats_match"], true);
    assert_eq!(audit(&env).await.iter().filter(|entry| entry["operation"] == "license").count(), expected.len());
    assert!(idle_licensed(&env).await.iter().all(|user| user["role_id"] == "0" || user["role_id"] == "1" || user["email"] == protected.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn interrupted_reclaim_resumes() {
    let env = synced(MockConfig { users: 200, ..MockConfig::default() }).await;
    let planned = idle_licensed(&env).await.iter().filter(|user| user["role_id"] != "0" && user["role_id"] != "1").count();
    assert!(planned >= 4);
    env.zoom.inject(FaultRule::new("/v2/users/", Fault::Delay(Duration::from_secs(30))).skip(6).times(u32::MAX));

    let mut child = env.command(&["reclaim", "acme", "--yes"]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while env.count("SELECT COUNT(*) FROM reclaim_items WHERE state = 'done'").await < 2 {
        assert!(std::time::Instant::now() < deadline, "the reclaim never got going");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().await.unwrap();
    env.zoom.clear_faults();
    let done = env.count("SELECT COUNT(*) FROM reclaim_items WHERE state = 'done'").await as usize;
    assert!(done < planned, "the kill landed mid-run");

    let out = env.roster(&["reclaim", "acme", "--yes"]).await;
    let stdout = out.ok();
    assert!(stdout.starts_with(&format!("reclaim run 1 (downgrade) was interrupted; {} of {planned} users are left", planned - done)), "{stdout}");
    assert!(stdout.contains(&format!("reclaimed {planned} seats, 0 failed")), "{stdout}");
    assert_eq!(env.query_text("SELECT status FROM reclaim_runs").await, vec!["finished"]);
    assert!(idle_licensed(&env).await.iter().all(|user| user["role_id"] == "0" || user["role_id"] == "1"));
}
