//! The authorization-code flow with PKCE, and the token lifecycle after it: refresh under
//! rotation, single-flight, re-authorization.

use std::sync::Arc;
use std::time::Duration;

use mock_zoom::{AuthorizeOutcome, Fault, FaultRule, MockConfig};
use roster::runtime::CallLimits;

use crate::harness::{authorize_url, browser, users_json, Env, ACCOUNT_ID, CLIENT_ID};

#[tokio::test(flavor = "multi_thread")]
async fn consent_flow_connects_and_syncs() {
    let env = Env::with_users(120).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();

    let out = env.connect_oauth("acme").await;
    let stdout = out.ok();
    assert!(stdout.starts_with(&format!("connected acme through connector zoom (account {ACCOUNT_ID})\n")), "{stdout}");
    assert!(stdout.contains("Read users"), "{stdout}");
    assert!(stdout.contains("next: roster sync acme"), "{stdout}");

    let requests = env.zoom.requests();
    let authorize = requests.iter().find(|request| request.path == "/oauth/authorize").unwrap();
    assert!(authorize.query.contains("code_challenge_method=S256"), "{}", authorize.query);
    assert!(authorize.query.contains("state="), "{}", authorize.query);
    assert!(authorize.query.contains("code_challenge="), "{}", authorize.query);
    assert_eq!(env.zoom.token_requests("authorization_code"), 1);
    let exchange = requests.iter().find(|request| request.path == "/oauth/token").unwrap();
    let form = String::from_utf8_lossy(&exchange.body);
    assert!(form.contains("grant_type=authorization_code"), "{form}");
    assert!(form.contains("code_verifier="), "{form}");
    assert_eq!(exchange.status, 200);

    let sync = env.roster(&["sync", "acme"]).await;
    assert!(sync.ok().contains("synced acme: 120 users"), "{}", sync.stdout);
    let status: serde_json::Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(status[0]["health"], "ok");
    assert_eq!(status[0]["token_stored"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn declined_consent_saves_nothing() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.zoom.set_authorize_outcome(AuthorizeOutcome::Deny { error: "access_denied".into(), description: "The user denied the request".into() });

    let out = env.connect_oauth("acme").await;
    assert_eq!(out.error(), "error: Zoom declined the authorization (access_denied: The user denied the request); nothing was saved");
    assert_eq!(env.count("SELECT COUNT(*) FROM connections").await, 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM credentials").await, 0);
    assert_eq!(env.zoom.token_requests("authorization_code"), 0);
}

/// Starts `connect --oauth` and returns it with the callback URL for a given query.
async fn callback_url(env: &Env, query: impl Fn(&str) -> String) -> (crate::harness::Spawned, String) {
    let args = env.oauth_args("acme");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (spawned, first) = env.spawn(&args).await;
    let url = url::Url::parse(&authorize_url(&first)).unwrap();
    let pairs: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let callback = format!("{}?{}", pairs["redirect_uri"], query(&pairs["state"]));
    (spawned, callback)
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_state_saves_nothing() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let (spawned, callback) = callback_url(&env, |_| "code=stolen&state=forged".to_string()).await;
    browser().get(callback).send().await.unwrap();

    let out = spawned.finish().await;
    assert_eq!(out.error(), "error: the OAuth callback carried a state that does not match this request, so it may be forged; nothing was saved, run the command again");
    assert_eq!(env.count("SELECT COUNT(*) FROM connections").await, 0);
    assert_eq!(env.zoom.token_requests("authorization_code"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn callback_without_code_saves_nothing() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let (spawned, callback) = callback_url(&env, |state| format!("state={state}")).await;
    let page = browser().get(callback).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("did not receive an authorization code"), "{page}");

    let out = spawned.finish().await;
    assert_eq!(out.error(), "error: the OAuth callback carried no code; nothing was saved, run the command again");
    assert_eq!(env.count("SELECT COUNT(*) FROM connections").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn consent_wait_times_out() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let mut args = env.oauth_args("acme");
    args.extend(["--wait".to_string(), "1".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (spawned, _) = env.spawn(&args).await;
    let out = spawned.finish().await;
    assert_eq!(out.error(), "error: no authorization arrived within 1 s; run the command again and finish the consent in the browser");
    assert_eq!(env.count("SELECT COUNT(*) FROM connections").await, 0);
}

/// Marks the stored access token of `acme` as expired, so the next use refreshes it.
async fn expire_stored_token(env: &Env) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", env.db.display())).await.unwrap();
    sqlx::query("UPDATE credentials SET expires_at = 0 WHERE name = 'access-token'").execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_refresh_is_single_flight() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.connect_oauth("acme").await.ok();
    expire_stored_token(&env).await;

    // Two processes' worth of token services on one database, five callers in all.
    let first = Arc::new(env.app().await);
    let second = Arc::new(env.app().await);
    let mut callers = Vec::new();
    for index in 0..5 {
        let app = if index % 2 == 0 { first.clone() } else { second.clone() };
        callers.push(tokio::spawn(async move {
            let connection = app.db.connection("acme").await.unwrap();
            let prepared = app.prepare(connection.clone()).await.unwrap();
            let endpoints = prepared.context.oauth.clone().unwrap();
            app.services.tokens.access_token(&connection, &endpoints).await.unwrap().value
        }));
    }
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap());
    }
    assert_eq!(env.zoom.token_requests("refresh_token"), 1, "exactly one refresh");
    assert!(tokens.windows(2).all(|pair| pair[0] == pair[1]), "every caller got the new token");
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotation_persists_new_token() {
    let env = Env::with_users(40).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.connect_oauth("acme").await.ok();
    let before = env.query_text("SELECT hex(sealed) FROM credentials WHERE name = 'refresh-token'").await;
    expire_stored_token(&env).await;

    env.roster(&["sync", "acme"]).await.ok();
    assert_eq!(env.zoom.token_requests("refresh_token"), 1);
    let after = env.query_text("SELECT hex(sealed) FROM credentials WHERE name = 'refresh-token'").await;
    assert_ne!(before, after, "the rotated refresh token replaced the old one");

    // The next refresh uses the new refresh token and succeeds.
    expire_stored_token(&env).await;
    env.roster(&["sync", "acme"]).await.ok();
    assert_eq!(env.zoom.token_requests("refresh_token"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn reused_refresh_token_needs_reauthorization() {
    for status in [400u16, 401] {
        let env = Env::start(MockConfig { users: 30, invalid_refresh_status: status, ..MockConfig::default() }).await;
        env.install(roster_test_artifacts::ZOOM).await.ok();
        env.connect_oauth("acme").await.ok();
        env.roster(&["sync", "acme"]).await.ok();

        // Keep a copy of the refresh token, let it rotate, then put the stale copy back.
        let stale = env.query_text("SELECT hex(sealed) FROM credentials WHERE name = 'refresh-token'").await.remove(0);
        expire_stored_token(&env).await;
        env.roster(&["sync", "acme"]).await.ok();
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", env.db.display())).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE credentials SET sealed = X'{stale}' WHERE name = 'refresh-token'"))).execute(&pool).await.unwrap();
        pool.close().await;
        expire_stored_token(&env).await;

        let out = env.roster(&["sync", "acme"]).await;
        // The 401 variant seen in the wild also says `invalid_request`.
        let reason = if status == 400 { "HTTP 400 (invalid_grant: Invalid Token!)" } else { "HTTP 401 (invalid_request: Invalid Token!)" };
        assert_eq!(
            out.error(),
            format!("error: sync of `acme` failed: connection `acme` needs re-authorization: Zoom rejected the refresh token with {reason}; run `roster connect zoom --name acme --oauth --client-id {CLIENT_ID} --client-secret SECRET` to authorize again")
        );
        let status_json: serde_json::Value = serde_json::from_str(env.roster(&["status", "--format", "json"]).await.ok()).unwrap();
        assert_eq!(status_json[0]["health"], "needs re-authorization");
        assert_eq!(users_json(env.roster(&["users", "acme", "--format", "json"]).await.ok()).len(), 30, "synced data stays");

        // No retry loop: the next sync stops before asking the token endpoint again.
        let refreshes = env.zoom.token_requests("refresh_token");
        let again = env.roster(&["sync", "acme"]).await;
        assert_eq!(
            again.error(),
            format!("error: connection `acme` needs re-authorization (Zoom rejected the refresh token with {reason}); run `roster connect zoom --name acme --oauth --client-id {CLIENT_ID} --client-secret SECRET` to connect it again")
        );
        assert_eq!(env.zoom.token_requests("refresh_token"), refreshes);

        // Authorizing again restores the connection and keeps its users.
        let out = env.connect_oauth("acme").await;
        assert!(out.ok().starts_with("authorized again acme"), "{}", out.stdout);
        env.roster(&["sync", "acme"]).await.ok();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_refresh_response_needs_reauthorization() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.connect_oauth("acme").await.ok();
    expire_stored_token(&env).await;
    env.zoom.inject(FaultRule::new("/oauth/token", Fault::LoseResponse(Duration::from_secs(5))));

    let app = env.app_with(CallLimits { request_timeout: Duration::from_secs(1), ..CallLimits::default() }).await;
    let connection = app.db.connection("acme").await.unwrap();
    let prepared = app.prepare(connection.clone()).await.unwrap();
    let error = app.services.tokens.access_token(&connection, prepared.context.oauth.as_ref().unwrap()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("connection `acme` needs re-authorization: Zoom rejected the refresh token with HTTP 400 (invalid_grant: Invalid Token!); run `roster connect zoom --name acme --oauth --client-id {CLIENT_ID} --client-secret SECRET` to authorize again")
    );
    assert_eq!(env.query_text("SELECT state FROM connections").await, vec!["needs-reauthorization"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_server_errors_keep_tokens() {
    let env = Env::with_users(5).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.connect_oauth("acme").await.ok();
    expire_stored_token(&env).await;
    let app = env.app().await;
    let connection = app.db.connection("acme").await.unwrap();
    let endpoints = app.prepare(connection.clone()).await.unwrap().context.oauth.clone().unwrap();
    let stored = env.query_text("SELECT hex(sealed) FROM credentials WHERE name = 'refresh-token'").await;

    env.zoom.inject(FaultRule::new("/oauth/token", Fault::ServerError(503)).times(u32::MAX));
    let error = app.services.tokens.access_token(&connection, &endpoints).await.unwrap_err();
    assert!(error.to_string().starts_with("the token endpoint http://127.0.0.1:"), "{error}");
    assert!(error.to_string().ends_with("is unreachable after 3 attempts: HTTP 503; check the network or --oauth-base and retry"), "{error}");
    assert_eq!(env.query_text("SELECT hex(sealed) FROM credentials WHERE name = 'refresh-token'").await, stored);
    assert_eq!(env.query_text("SELECT state FROM connections").await, vec!["connected"]);

    env.zoom.clear_faults();
    env.zoom.inject(FaultRule::new("/oauth/token", Fault::ServerError(502)).times(2));
    app.services.tokens.access_token(&connection, &endpoints).await.unwrap();
    assert!(env.count("SELECT COUNT(*) FROM credentials WHERE name = 'access-token' AND expires_at > 0").await == 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_secrets_stay_sealed() {
    let env = Env::with_users(20).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    let args = env.oauth_args("acme");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = env.command(&args);
    command.env("ROSTER_LOG", "trace").stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    browser().get(authorize_url(&first)).send().await.unwrap();
    let output = child.wait_with_output().await.unwrap();
    assert!(output.status.success());
    expire_stored_token(&env).await;
    let sync = env.roster_with_env(&["sync", "acme"], &[("ROSTER_LOG", "trace")]).await;
    sync.ok();

    let mut secrets: Vec<String> = env.zoom.requests().into_iter().filter_map(|request| request.bearer_token).collect();
    secrets.extend([crate::harness::CLIENT_SECRET.to_string(), crate::harness::WEBHOOK_SECRET.to_string()]);
    let database = std::fs::read(&env.db).unwrap();
    let wal = std::fs::read(env.db.with_file_name("roster.db-wal")).unwrap_or_default();
    let logs = format!("{}{}{}", String::from_utf8_lossy(&output.stderr), sync.stderr, sync.stdout);
    for secret in &secrets {
        for bytes in [&database, &wal] {
            assert!(!bytes.windows(secret.len()).any(|window| window == secret.as_bytes()), "{secret} is in the database");
        }
        assert!(!logs.contains(secret.as_str()), "{secret} is in the logs");
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM credentials WHERE name IN ('refresh-token', 'webhook-secret')").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_token_mid_sync_refreshes() {
    let env = oauth_env_with(700).await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::ExpireToken).skip(1));
    let out = env.roster(&["sync", "acme"]).await;
    assert!(out.ok().contains("synced acme: 700 users"), "{}", out.stdout);
    assert_eq!(env.zoom.token_requests("refresh_token"), 1, "code 124 led to one refresh");
}

async fn oauth_env_with(users: usize) -> Env {
    let env = Env::with_users(users).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.connect_oauth("acme").await.ok();
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn copied_database_without_key_reveals_nothing() {
    let env = oauth_env_with(10).await;
    env.roster(&["sync", "acme"]).await.ok();

    let copy_dir = env.path().join("copy");
    std::fs::create_dir(&copy_dir).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let source = env.db.with_file_name(format!("roster.db{suffix}"));
        if source.exists() {
            std::fs::copy(&source, copy_dir.join(format!("roster.db{suffix}"))).unwrap();
        }
    }
    let copy = copy_dir.join("roster.db");
    let status = env.roster_on(&copy, &["status", "--format", "json"]).await;
    let status: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
    assert_eq!(status[0]["token_stored"], true, "status shows only that a token exists");

    let out = env.roster_on(&copy, &["sync", "acme"]).await;
    assert_eq!(
        out.error(),
        format!(
            "error: sync of `acme` failed: cannot decrypt the access-token of connection `acme`: the master key differs from the one that sealed it; set ROSTER_MASTER_KEY or restore the key file {}.key",
            copy.display()
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn master_key_from_environment() {
    let env = Env::with_users(10).await;
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    env.roster_with_env(&["connector", "add", roster_test_artifacts::ZOOM], &[("ROSTER_MASTER_KEY", key)]).await.ok();
    let url = env.zoom.url();
    let connect = [
        "connect", "zoom", "--name", "acme", "--account-id", ACCOUNT_ID, "--client-id", CLIENT_ID, "--client-secret",
        crate::harness::CLIENT_SECRET, "--api-base", &url, "--oauth-base", &url,
    ];
    env.roster_with_env(&connect, &[("ROSTER_MASTER_KEY", key)]).await.ok();
    assert!(!env.db.with_file_name("roster.db.key").exists(), "no key file when the key comes from the environment");
    env.roster_with_env(&["sync", "acme"], &[("ROSTER_MASTER_KEY", key)]).await.ok();

    let out = env.roster_with_env(&["sync", "acme"], &[("ROSTER_MASTER_KEY", "c2hvcnQ=")]).await;
    assert_eq!(out.error(), "error: master key: ROSTER_MASTER_KEY is invalid: expected 32 bytes, found 5");
}
