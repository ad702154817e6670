//! The permission check, and disconnecting.

use mock_zoom::MockConfig;
use serde_json::json;

use crate::harness::{users_json, Env, ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET};

const READ_ONLY: [&str; 2] = ["user:read:list_users:admin", "role:read:list_roles:admin"];

async fn read_only_env() -> Env {
    let env = Env::start(MockConfig { users: 50, scopes: READ_ONLY.map(str::to_string).to_vec(), ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn check_names_scope_and_permission() {
    let env = read_only_env().await;
    let out = env.roster(&["check", "acme", "--format", "json"]).await;
    assert_eq!(
        out.error(),
        "error: 7 of 8 features of `acme` are unavailable; grant the listed scopes in the app, have an admin with the listed role permissions authorize it again, then rerun `roster check acme`"
    );
    let features: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let by_id = |id: &str| features.as_array().unwrap().iter().find(|feature| feature["feature"] == id).unwrap().clone();

    assert_eq!(by_id("read-users")["available"], true);
    assert_eq!(
        by_id("read-roles-groups"),
        json!({
            "feature": "read-roles-groups",
            "title": "Read roles and groups",
            "available": false,
            "missing_scopes": [{"grant": "group:read:list_groups:admin", "alternatives": ["group:read:admin", "group:write:admin"]}],
            "admin_permissions": ["Role management: VIEW", "Groups: VIEW"],
        })
    );
    let provision = by_id("provision-users");
    assert_eq!(provision["missing_scopes"].as_array().unwrap().len(), 4);
    assert_eq!(provision["missing_scopes"][0]["grant"], "user:write:user:admin");
    assert_eq!(provision["admin_permissions"], json!(["Users: EDIT"]));
    assert_eq!(by_id("manage-roles-groups")["admin_permissions"], json!(["Role management: EDIT", "Groups: EDIT"]));
    assert_eq!(by_id("read-dashboard")["admin_permissions"], json!(["Dashboard Meetings: VIEW"]));

    let table = env.roster(&["check", "acme"]).await;
    assert_eq!(table.status.code(), Some(1));
    assert!(table.stdout.contains("user:write:user:admin (or user:write:admin)"), "{}", table.stdout);
    assert!(table.stdout.contains("Role management: EDIT"), "{}", table.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_grant_still_syncs() {
    let env = read_only_env().await;
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("synced acme: 50 users"), "{}", out.stdout);
    let users = users_json(env.roster(&["users", "acme", "--format", "json"]).await.ok());
    assert!(users.iter().any(|user| user["role"] == "Owner"), "role names still resolve");
}

#[tokio::test(flavor = "multi_thread")]
async fn full_grant_passes_check() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let connect = env.connect("acme", "zoom").await;
    assert!(connect.ok().contains("available"), "connect prints the feature table:\n{}", connect.stdout);
    let out = env.roster(&["check", "acme"]).await;
    assert!(!out.ok().contains("unavailable"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_revokes_and_keeps_data() {
    let env = Env::with_users(30).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    let token = env.zoom.requests().into_iter().rev().find_map(|request| request.bearer_token).unwrap();

    let out = env.roster(&["disconnect", "acme"]).await;
    assert_eq!(out.ok(), "disconnected acme: 2 credentials deleted, synced data kept (use --purge to delete it)\n");
    assert!(env.zoom.revoked_tokens().contains(&token), "the access token was revoked");
    assert_eq!(env.count("SELECT COUNT(*) FROM credentials").await, 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM app_users").await, 30);

    let status: serde_json::Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(status[0]["health"], "disconnected");
    assert_eq!(status[0]["token_stored"], false);
    let sync = env.roster(&["sync", "acme"]).await;
    assert!(sync.error().starts_with("error: connection `acme` is disconnected (disconnected by cli:"), "{}", sync.stderr);

    let audit = env.roster(&["audit-log", "--connection", "acme", "--format", "json"]).await;
    let entries: serde_json::Value = serde_json::from_str(audit.ok()).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 1);
    assert_eq!(entries[0]["operation"], "disconnect");
    assert_eq!(entries[0]["outcome"], "ok");
    assert_eq!(entries[0]["detail"], "tokens revoked");
    assert_eq!(entries[0]["before"]["users"], 30);

    // A second disconnect finds nothing to revoke and still succeeds.
    let again = env.roster(&["disconnect", "acme"]).await;
    assert_eq!(again.ok(), "disconnected acme: 0 credentials deleted, synced data kept (use --purge to delete it)\n");
    let entries: serde_json::Value = serde_json::from_str(env.roster(&["audit-log", "--connection", "acme", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(entries[1]["detail"], "no credentials were stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnected_connection_reconnects_in_place() {
    let env = Env::with_users(30).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    env.roster(&["disconnect", "acme"]).await.ok();

    let sync = env.roster(&["sync", "acme"]).await;
    let advice = format!("run `roster connect zoom --name acme --account-id {ACCOUNT_ID} --client-id {CLIENT_ID} --client-secret SECRET` to connect it again");
    assert!(sync.error().ends_with(&advice), "{}", sync.stderr);

    // Following the advice authorizes the same connection again and keeps its users.
    let out = env.connect("acme", "zoom").await;
    assert!(out.ok().contains("authorized again"), "{}", out.stdout);
    assert_eq!(env.count("SELECT COUNT(*) FROM connections").await, 1);
    env.roster(&["sync", "acme"]).await.ok();
    assert_eq!(env.count("SELECT COUNT(*) FROM app_users WHERE removed = 0").await, 30);

    let other = env
        .roster(&[
            "connect", "zoom", "--name", "acme", "--account-id", "otherAccount", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
            "--api-base", &env.zoom.url(), "--oauth-base", &env.zoom.url(),
        ])
        .await;
    assert_eq!(
        other.error(),
        format!("error: connection `acme` belongs to account {ACCOUNT_ID}, not otherAccount; choose another --name, or run `roster disconnect acme --purge` first")
    );

    env.roster(&["disconnect", "acme"]).await.ok();
    let purged = env.roster(&["disconnect", "acme", "--purge"]).await;
    assert_eq!(purged.ok(), "disconnected and deleted acme: 0 credentials, 30 users, 2 sync runs, 1 storage keys\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_purge_deletes_everything() {
    let env = Env::with_users(30).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();

    let out = env.roster(&["disconnect", "acme", "--purge"]).await;
    assert_eq!(out.ok(), "disconnected and deleted acme: 2 credentials, 30 users, 1 sync runs, 1 storage keys\n");
    for table in ["connections", "app_users", "sync_runs", "sync_seen", "credentials", "connector_storage"] {
        let sql: &'static str = Box::leak(format!("SELECT COUNT(*) FROM {table}").into_boxed_str());
        assert_eq!(env.count(sql).await, 0, "{table} is empty");
    }
    // The audit trail of what the connector did outlives the connection.
    assert!(env.count("SELECT COUNT(*) FROM connector_calls WHERE export = 'list-users' AND connection_id IS NULL").await >= 1);
    let audit: serde_json::Value = serde_json::from_str(env.roster(&["audit-log", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(audit[0]["operation"], "disconnect-purge");
    assert_eq!(audit[0]["after"]["purged"]["users"], 30);
    assert_eq!(env.roster(&["users", "acme"]).await.error(), "error: connection `acme` not found; run `roster status` to list connections");
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_log_is_append_only() {
    let env = Env::with_users(5).await;
    env.connect_zoom("acme").await;
    env.roster(&["disconnect", "acme"]).await.ok();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", env.db.display())).await.unwrap();
    let update = sqlx::query("UPDATE audit_log SET outcome = 'changed'").execute(&pool).await.unwrap_err();
    assert!(update.to_string().contains("audit_log is append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await.unwrap_err();
    assert!(delete.to_string().contains("audit_log is append-only"), "{delete}");
    pool.close().await;
}
