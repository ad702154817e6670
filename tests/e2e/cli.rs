//! The command line contract: outputs, errors and exit codes.

use crate::harness::{users_json, Env, ACCOUNT_ID, CLIENT_ID};

#[tokio::test(flavor = "multi_thread")]
async fn connect_with_wrong_secret_saves_nothing() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let url = env.zoom.url();
    let out = env
        .roster(&["connect", "zoom", "--name", "acme", "--account-id", ACCOUNT_ID, "--client-id", CLIENT_ID, "--client-secret", "wrong", "--api-base", &url, "--oauth-base", &url])
        .await;
    assert_eq!(
        out.error(),
        "error: the connection was not saved: Zoom rejected the account_credentials request with HTTP 400: invalid_client: Invalid client_id or client_secret; check --account-id, --client-id and the client secret of the server-to-server OAuth app"
    );
    assert_eq!(
        env.roster(&["status"]).await.ok(),
        format!("no connections yet in {}; run `roster connect zoom --name NAME ...`\n", env.db.display())
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM credentials").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_reads_secret_from_environment() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let url = env.zoom.url();
    let out = env
        .roster_with_env(
            &["connect", "zoom", "--name", "acme", "--account-id", ACCOUNT_ID, "--client-id", CLIENT_ID, "--api-base", &url, "--oauth-base", &url],
            &[("ROSTER_CLIENT_SECRET", crate::harness::CLIENT_SECRET)],
        )
        .await;
    assert!(out.ok().starts_with(&format!("connected acme through connector zoom (account {ACCOUNT_ID})\n")), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_rejects_bad_input() {
    let env = Env::with_users(5).await;
    let url = env.zoom.url();
    let base = ["connect", "zoom", "--account-id", ACCOUNT_ID, "--client-id", CLIENT_ID, "--client-secret", "x"];

    let out = env.roster(&[&base[..], &["--name", "acme"]].concat()).await;
    assert_eq!(out.error(), "error: connector `zoom` is not installed; run `roster connector add PATH.wasm` first");

    env.install(roster_test_artifacts::ZOOM).await.ok();
    let out = env.roster(&[&base[..], &["--name", "a b"]].concat()).await;
    assert_eq!(out.error(), "error: connection name \"a b\" is invalid; use 1 to 64 letters, digits, dots, dashes or underscores");

    let out = env.roster(&[&base[..], &["--name", "acme", "--api-base", "http://zoom.example.com"]].concat()).await;
    assert_eq!(out.error(), "error: upstream `api` has an invalid base URL \"http://zoom.example.com\": plain http is only allowed for loopback addresses; use https");

    env.connect("acme", "zoom").await.ok();
    let other = ["connect", "zoom", "--account-id", "otherAccount", "--client-id", CLIENT_ID, "--client-secret", "x"];
    let out = env.roster(&[&other[..], &["--name", "acme", "--api-base", &url]].concat()).await;
    assert_eq!(
        out.error(),
        format!("error: connection `acme` belongs to account {ACCOUNT_ID}, not otherAccount; choose another --name, or run `roster disconnect acme --purge` first")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn users_json_has_contract_fields() {
    let env = Env::with_users(60).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();

    let users = users_json(env.roster(&["users", "acme", "--format", "json"]).await.ok());
    assert_eq!(users.len(), 60);
    for user in &users {
        assert!(user["email"].is_string());
        assert!(["active", "inactive", "pending"].contains(&user["status"].as_str().unwrap()));
        assert!(["basic", "licensed", "none", "other"].contains(&user["license"].as_str().unwrap()));
        assert!(user["role"].is_string() || user["role"].is_null());
        assert!(user["removed"].is_boolean());
        match &user["last_login_at"] {
            serde_json::Value::Null => {}
            serde_json::Value::String(at) => {
                at.parse::<jiff::Timestamp>().unwrap_or_else(|_| panic!("{at} is not RFC 3339"));
            }
            other => panic!("last_login_at is {other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn users_filters_and_csv() {
    let env = Env::with_users(300).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    let all = users_json(env.roster(&["users", "acme", "--format", "json"]).await.ok());

    let pending = users_json(env.roster(&["users", "acme", "--status", "pending", "--format", "json"]).await.ok());
    assert_eq!(pending.len(), all.iter().filter(|user| user["status"] == "pending").count());
    assert!(pending.iter().all(|user| user["status"] == "pending"));

    let licensed = users_json(env.roster(&["users", "acme", "--license", "licensed", "--status", "active", "--format", "json"]).await.ok());
    assert_eq!(licensed.len(), all.iter().filter(|user| user["license"] == "licensed" && user["status"] == "active").count());

    let csv = env.roster(&["users", "acme", "--status", "inactive", "--format", "csv"]).await;
    let mut lines = csv.ok().lines();
    assert_eq!(lines.next().unwrap(), "email,status,license,role,last_login_at,removed,engagement,key,remote_id,display_name,department,license_code,role_id,group_ids,login_types,created_at,last_client_version");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), all.iter().filter(|user| user["status"] == "inactive").count());
    assert!(rows.iter().all(|row| row.split(',').nth(1) == Some("inactive")));

    let out = env.roster(&["users", "acme", "--license", "none"]).await;
    assert_eq!(out.status.code(), Some(2), "usage errors exit with 2");
    assert_eq!(out.error(), "error: invalid value 'none' for '--license <LICENSE>': expected basic or licensed; run with --help for usage");
    let out = env.roster(&["users", "acme", "--status", "gone"]).await;
    assert_eq!(
        out.error(),
        "error: invalid value 'gone' for '--status <STATUS>': invalid user status \"gone\"; expected one of: active, inactive, pending; run with --help for usage"
    );
    assert_eq!(out.stderr.lines().count(), 1, "usage errors are one line: {}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_sync_counts_and_token() {
    let env = Env::with_users(80).await;
    env.connect_zoom("acme").await;
    let before = env.roster(&["status", "--format", "json"]).await;
    let before: serde_json::Value = serde_json::from_str(before.ok()).unwrap();
    assert_eq!(before[0]["health"], "never synced");

    env.roster(&["sync", "acme"]).await.ok();
    let status: serde_json::Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
    let acme = &status[0];
    assert_eq!(acme["name"], "acme");
    assert_eq!(acme["health"], "ok");
    assert_eq!(acme["last_sync"]["status"], "succeeded");
    assert_eq!(acme["last_sync"]["users_seen"], 80);
    assert_eq!(acme["users"]["total"], 80);
    assert_eq!(acme["token_stored"], true);
    assert!(acme["token_expires_at"].is_string());

    let table = env.roster(&["status"]).await;
    let text = table.ok();
    assert!(text.contains("acme") && text.contains("succeeded") && text.contains(" ok"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_connection_fails_with_advice() {
    let env = Env::with_users(1).await;
    for args in [&["sync", "nope"][..], &["users", "nope"][..]] {
        let out = env.roster(args).await;
        assert_eq!(out.error(), "error: connection `nope` not found; run `roster status` to list connections");
        assert_eq!(out.status.code(), Some(1));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn database_path_comes_from_environment() {
    let env = Env::with_users(1).await;
    let db = env.path().join("elsewhere").join("roster.db");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["connector", "list"])
        .env("ROSTER_DB", &db)
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    assert!(db.exists(), "ROSTER_DB names the database file");
}
