//! `roster serve` and Zoom's webhooks: the URL challenge, signatures, replays and
//! deauthorization.

use mock_zoom::webhook;

use crate::harness::{Env, Spawned, ACCOUNT_ID, CLIENT_ID, WEBHOOK_SECRET};

/// Starts `roster serve` on a free port and returns it with its base URL.
async fn serve(env: &Env) -> (Spawned, String) {
    let (spawned, first) = env.spawn(&["serve", "--listen", "127.0.0.1:0"]).await;
    let base = first.strip_prefix("roster serving on ").unwrap_or_else(|| panic!("unexpected first line: {first}")).to_string();
    (spawned, base)
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn oauth_env(users: usize) -> Env {
    let env = Env::with_users(users).await;
    env.install(roster_test_artifacts::ZOOM).await.ok();
    env.connect_oauth("acme").await.ok();
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn url_validation_is_answered() {
    let env = oauth_env(5).await;
    let (server, base) = serve(&env).await;
    let body = webhook::url_validation_event("fakePlainToken0000000A");
    let (status, answer) = webhook::send(&format!("{base}/webhooks/zoom"), WEBHOOK_SECRET, now(), &body).await.unwrap();
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let expected: serde_json::Value = serde_json::from_str(include_str!("../mock-zoom/fixtures/url-validation-response.json")).unwrap();
    assert_eq!(answer, expected);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_stale_and_replayed_requests_are_rejected() {
    let env = oauth_env(20).await;
    env.roster(&["sync", "acme"]).await.ok();
    let (server, base) = serve(&env).await;
    let url = format!("{base}/webhooks/zoom");
    let body = webhook::deauthorization_event(ACCOUNT_ID, "fakeUser0000000000001A", CLIENT_ID, jiff::Timestamp::now());

    let (status, answer) = webhook::send(&url, "not-the-secret", now(), &body).await.unwrap();
    assert_eq!((status, answer.as_str()), (401, r#"{"error":"webhook verification failed: x-zm-signature does not match the body"}"#));

    let stale = now() - 301;
    let (status, answer) = webhook::send(&url, WEBHOOK_SECRET, stale, &body).await.unwrap();
    assert_eq!(status, 401);
    assert!(answer.contains(&format!("x-zm-request-timestamp {stale} is more than 300 s from the time of receipt")), "{answer}");

    let unsigned = crate::harness::browser().post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(unsigned.text().await.unwrap(), r#"{"error":"webhook verification failed: the x-zm-request-timestamp header is missing"}"#);

    assert_eq!(env.count("SELECT COUNT(*) FROM app_users").await, 20, "nothing changed");
    assert_eq!(env.query_text("SELECT state FROM connections").await, vec!["connected"]);

    // A valid delivery is accepted once; the byte-identical replay is rejected.
    let timestamp = now();
    let challenge = webhook::url_validation_event("replayToken");
    assert_eq!(webhook::send(&url, WEBHOOK_SECRET, timestamp, &challenge).await.unwrap().0, 200);
    let (status, answer) = webhook::send(&url, WEBHOOK_SECRET, timestamp, &challenge).await.unwrap();
    assert_eq!((status, answer.as_str()), (401, r#"{"error":"this delivery was already accepted; replayed requests are rejected"}"#));
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn deauthorization_purges_and_is_idempotent() {
    let env = oauth_env(25).await;
    env.roster(&["sync", "acme"]).await.ok();
    let (server, base) = serve(&env).await;
    let url = format!("{base}/webhooks/zoom");

    let body = webhook::deauthorization_event(ACCOUNT_ID, "fakeUser0000000000001A", CLIENT_ID, jiff::Timestamp::now());
    let (status, answer) = webhook::send(&url, WEBHOOK_SECRET, now(), &body).await.unwrap();
    assert_eq!((status, answer.as_str()), (200, r#"{"connections":["acme"],"status":"deauthorized"}"#));
    assert_eq!(env.count("SELECT COUNT(*) FROM app_users").await, 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM sync_runs").await, 0);
    assert_eq!(env.query_text("SELECT name FROM credentials").await, vec!["webhook-secret"]);
    assert_eq!(env.query_text("SELECT state FROM connections").await, vec!["disconnected"]);

    // Zoom redelivers with a new timestamp: accepted, and nothing more to delete.
    let (status, _) = webhook::send(&url, WEBHOOK_SECRET, now() + 1, &body).await.unwrap();
    assert_eq!(status, 200);

    let audit: serde_json::Value = serde_json::from_str(env.roster(&["audit-log", "--format", "json"]).await.ok()).unwrap();
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["operation"], "deauthorize");
    assert_eq!(entries[0]["actor"], "webhook:zoom");
    assert_eq!(entries[0]["after"]["deleted"]["users"], 25);
    assert_eq!(entries[0]["after"]["deleted"]["credentials"], 3);
    assert_eq!(entries[0]["target"], ACCOUNT_ID);
    assert!(entries[1]["detail"].as_str().unwrap().ends_with("; nothing left to delete"), "{}", entries[1]);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_limits_body_and_stops_on_sigterm() {
    let env = oauth_env(5).await;
    let (server, base) = serve(&env).await;
    let client = crate::harness::browser();

    let health: serde_json::Value = client.get(format!("{base}/api/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let connections: serde_json::Value = client.get(format!("{base}/api/connections")).send().await.unwrap().json().await.unwrap();
    assert_eq!(connections[0]["name"], "acme");
    assert_eq!(connections[0]["account_id"], ACCOUNT_ID);

    let oversized = client.post(format!("{base}/webhooks/zoom")).body(vec![b'x'; 300 * 1024]).send().await.unwrap();
    assert_eq!(oversized.status(), 413);

    server.terminate();
    let out = server.finish().await;
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stderr.contains("received SIGTERM; shutting down"), "{}", out.stderr);
    assert!(out.stderr.contains("server stopped"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_rejects_foreign_sites() {
    let env = oauth_env(5).await;
    let (server, base) = {
        let (spawned, first) = env.spawn(&["serve", "--listen", "127.0.0.1:0", "--allow-host", "roster.example.com"]).await;
        (spawned, first.strip_prefix("roster serving on ").unwrap().to_string())
    };
    let client = crate::harness::browser();
    let error_of = |body: serde_json::Value| body["error"].as_str().unwrap_or_default().to_string();

    let missing = client.get(format!("{base}/api/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(error_of(missing.json().await.unwrap()), "no route for GET /api/nope; the routes are listed in docs/api.md");
    let wrong_method = client.put(format!("{base}/api/health")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(error_of(wrong_method.json().await.unwrap()), "/api/health does not accept PUT; the routes are listed in docs/api.md");

    // A rebinding DNS name reaches the loopback address with a foreign Host header.
    let rebound = client.get(format!("{base}/api/connections")).header("host", "evil.example:8080").send().await.unwrap();
    assert_eq!(rebound.status(), 421);
    assert_eq!(error_of(rebound.json().await.unwrap()), "host \"evil.example\" is not served here; add it with `roster serve --allow-host NAME`");
    let proxied = client.get(format!("{base}/api/health")).header("host", "roster.example.com:8443").send().await.unwrap();
    assert_eq!(proxied.status(), 200);

    // A page from another site may not start a sync or change users.
    let cross_site = client.post(format!("{base}/api/connections/acme/sync")).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_eq!(error_of(cross_site.json().await.unwrap()), "a page from http://evil.example may not change data on this server");
    let job: serde_json::Value = client.get(format!("{base}/api/connections/acme/sync")).send().await.unwrap().json().await.unwrap();
    assert_eq!(job["running"], false);
    assert_eq!(env.count("SELECT COUNT(*) FROM sync_runs").await, 0);

    // Webhooks come through proxies under other names and carry their own signature.
    let hook = client.post(format!("{base}/webhooks/zoom")).header("host", "hooks.example.com").body("{}").send().await.unwrap();
    assert_eq!(hook.status(), 401);

    // A user change on a disconnected connection is the caller's conflict, not a server error.
    env.roster(&["disconnect", "acme"]).await.ok();
    let change = client.post(format!("{base}/api/connections/acme/users/ada@example.test/deactivate")).send().await.unwrap();
    assert_eq!(change.status(), 409);
    let message = error_of(change.json().await.unwrap());
    assert!(message.starts_with("connection `acme` is disconnected; run `roster connect zoom --name acme --oauth"), "{message}");
    let sync = client.post(format!("{base}/api/connections/acme/sync")).send().await.unwrap();
    assert_eq!(sync.status(), 409);
    let message = error_of(sync.json().await.unwrap());
    assert!(message.ends_with("before syncing"), "{message}");
    let check = env.roster(&["check", "acme"]).await;
    assert!(check.error().starts_with("error: connection `acme` is disconnected; run `roster connect zoom"), "{}", check.stderr);

    server.terminate();
    server.finish().await;
}
