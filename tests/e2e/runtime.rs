//! The sandbox: what a component must be to load, and what a connector may not do.

use std::time::Duration;

use mock_zoom::{Fault, FaultRule};
use roster::runtime::CallLimits;
use roster::sync::{sync_users, LogProgress, SyncError};
use roster_test_artifacts as artifacts;

use crate::harness::Env;

#[tokio::test(flavor = "multi_thread")]
async fn rejects_file_that_is_not_wasm() {
    let env = Env::with_users(1).await;
    let path = env.path().join("notes.wasm");
    std::fs::write(&path, "just text").unwrap();
    let out = env.install(path.to_str().unwrap()).await;
    assert_eq!(
        out.error(),
        format!("error: cannot install {}: not a WebAssembly file: it does not start with the `\\0asm` header; pass the `.wasm` file built for wasm32-wasip2", path.display())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rejects_core_module() {
    let env = Env::with_users(1).await;
    let path = env.path().join("core.wasm");
    std::fs::write(&path, b"\0asm\x01\0\0\0").unwrap();
    let out = env.install(path.to_str().unwrap()).await;
    assert_eq!(
        out.error(),
        format!("error: cannot install {}: this is a core WebAssembly module, not a component; build the connector with `--target wasm32-wasip2`, which emits a component", path.display())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rejects_other_interface_version() {
    let env = Env::with_users(1).await;
    let out = env.install(artifacts::TESTKIT_WRONG_VERSION).await;
    assert_eq!(
        out.error(),
        format!("error: cannot install {}: the component targets `roster:connector/connector@0.2.0`, but this Roster implements `roster:connector/connector@0.1.0`; rebuild the connector against wit/ at version 0.1.0, or use a Roster release for that version", artifacts::TESTKIT_WRONG_VERSION)
    );
    assert_eq!(env.roster(&["connector", "list"]).await.ok(), "no connectors installed; run `roster connector add PATH.wasm`\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn rejects_other_world() {
    let env = Env::with_users(1).await;
    let out = env.install(artifacts::TESTKIT_OTHER_WORLD).await;
    assert_eq!(
        out.error(),
        format!("error: cannot install {}: the component does not export `roster:connector/connector@0.1.0`, so it is not a Roster connector; it exports: greet. Build it against world `roster:connector/connector-world@0.1.0` from wit/", artifacts::TESTKIT_OTHER_WORLD)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn install_records_identity_and_is_repeatable() {
    let env = Env::with_users(1).await;
    let first = env.install(artifacts::ZOOM).await;
    let sha = roster::runtime::sha256_hex(&std::fs::read(artifacts::ZOOM).unwrap());
    assert!(first.ok().starts_with(&format!("installed zoom 0.1.0 (Zoom), sha256 {sha}\n  world:     roster:connector/connector-world@0.1.0\n")), "{}", first.stdout);
    let again = env.install(artifacts::ZOOM).await;
    assert_eq!(again.ok(), format!("zoom 0.1.0 is already installed (sha256 {sha}); it is now the active version\n"));

    let list = crate::harness::users_json(env.roster(&["connector", "list", "--format", "json"]).await.ok());
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["sha256"], sha.as_str());
    assert_eq!(list[0]["active"], true);
    assert_eq!(list[0]["world"], "roster:connector/connector-world@0.1.0");
}

/// Installs a testkit component, connects it to the mock and syncs it in-process.
async fn sync_testkit(env: &Env, component: &str, limits: CallLimits) -> Result<roster::sync::SyncReport, SyncError> {
    let installed = env.install(component).await;
    installed.ok();
    let id = env.app().await.db.connector_versions().await.unwrap()[0].connector_id.clone();
    env.connect("kit", &id).await.ok();
    let app = env.app_with(limits).await;
    sync_users(&app, "kit", &LogProgress::new()).await
}

fn failure(result: Result<roster::sync::SyncReport, SyncError>) -> (String, String) {
    match result {
        Err(SyncError::Failed { kind, message, .. }) => (kind, message),
        other => panic!("expected a failed sync, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn well_behaved_testkit_syncs() {
    let env = Env::with_users(1).await;
    let report = sync_testkit(&env, artifacts::TESTKIT_FIXED_USERS, CallLimits::default()).await.unwrap();
    assert_eq!((report.run.pages, report.run.users_seen, report.run.users_added), (2, 3, 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn cpu_limit_stops_spinning_connector() {
    let env = Env::with_users(1).await;
    let limits = CallLimits { cpu_time: Duration::from_millis(300), ..CallLimits::default() };
    let started = std::time::Instant::now();
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_SPIN, limits).await);
    assert_eq!(kind, "cpu-limit");
    assert_eq!(message, "connector testkit-spin@0.1.0 `list-users` used more than its 300 ms CPU budget and was stopped; this is a connector bug");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_limit_stops_hungry_connector() {
    let env = Env::with_users(1).await;
    let limits = CallLimits { memory_bytes: 32 << 20, ..CallLimits::default() };
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_MEMORY_HOG, limits).await);
    assert_eq!(kind, "memory-limit");
    assert_eq!(message, "connector testkit-memory-hog@0.1.0 `list-users` needed more than its 32 MiB memory limit and was stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn panic_is_reported_as_crash() {
    let env = Env::with_users(1).await;
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_PANIC, CallLimits::default()).await);
    assert_eq!(kind, "trap");
    assert!(message.starts_with("connector testkit-panic@0.1.0 `list-users` crashed: "), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn undeclared_upstream_is_denied_not_trapped() {
    let env = Env::with_users(1).await;
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_UNDECLARED_UPSTREAM, CallLimits::default()).await);
    assert_eq!(kind, "transport");
    assert_eq!(message, "the host denied a request: upstream `elsewhere` is not declared by the connector");

    let app = env.app().await;
    let connection = app.db.connection("kit").await.unwrap();
    let calls = app.db.recent_host_calls(connection.id, 10).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].import.as_str(), calls[0].upstream.as_deref(), calls[0].decision.as_str()), ("http.send", Some("elsewhere"), "denied"));
    assert_eq!(calls[0].reason.as_deref(), Some("upstream `elsewhere` is not declared by the connector"));
    assert!(env.zoom.requests().iter().all(|request| request.path != "/v2/users"));
}

#[tokio::test(flavor = "multi_thread")]
async fn host_only_upstream_is_denied() {
    let env = Env::with_users(1).await;
    let requests_before = env.zoom.requests().len();
    let (_, message) = failure(sync_testkit(&env, artifacts::TESTKIT_HOST_ONLY_UPSTREAM, CallLimits::default()).await);
    assert_eq!(message, "the host denied a request: upstream `oauth` is reserved for the host's own auth flows");
    // Only the host's own token request (from connect) reached the OAuth endpoint.
    let token_requests = env.zoom.requests().iter().filter(|request| request.path == "/oauth/token").count();
    assert_eq!(token_requests, 1);
    assert!(env.zoom.requests().len() >= requests_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_authorization_header_is_denied() {
    let env = Env::with_users(1).await;
    let (_, message) = failure(sync_testkit(&env, artifacts::TESTKIT_FORGED_HEADER, CallLimits::default()).await);
    assert_eq!(message, "the host denied a request: header `authorization` is set by the host, not the connector");
    assert!(env.zoom.requests().iter().all(|request| request.path != "/v2/users"));
}

#[tokio::test(flavor = "multi_thread")]
async fn request_flood_traps() {
    let env = Env::with_users(1).await;
    let limits = CallLimits { http_requests: 5, ..CallLimits::default() };
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_REQUEST_FLOOD, limits).await);
    assert_eq!(kind, "trap");
    assert!(message.contains("connector made more than 5 HTTP requests in one call"), "{message}");
    assert_eq!(env.zoom.requests().iter().filter(|request| request.path == "/v2/users").count(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_upstream_hits_wall_clock_limit() {
    let env = Env::with_users(1).await;
    env.zoom.inject(FaultRule::new("/v2/users", Fault::Delay(Duration::from_secs(20))));
    let limits = CallLimits { wall_time: Duration::from_secs(1), ..CallLimits::default() };
    let started = std::time::Instant::now();
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_SLOW_UPSTREAM, limits).await);
    assert_eq!(kind, "timeout");
    assert_eq!(message, "connector testkit-slow-upstream@0.1.0 `list-users` did not finish within 1 s; the upstream may be slow, retry later");
    assert!(started.elapsed() < Duration::from_secs(15), "the timeout covers time spent in host calls");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_cursor_stops() {
    let env = Env::with_users(1).await;
    let (kind, message) = failure(sync_testkit(&env, artifacts::TESTKIT_REPEAT_CURSOR, CallLimits::default()).await);
    assert_eq!(kind, "cursor-repeated");
    assert_eq!(message, "the connector returned a cursor it had already returned (page 2); stopping instead of looping");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_response_is_refused() {
    let env = Env::with_users(50).await;
    env.connect_zoom("acme").await;
    let app = env.app_with(CallLimits { response_bytes: 2_000, ..CallLimits::default() }).await;
    let (kind, message) = failure(sync_users(&app, "acme", &LogProgress::new()).await);
    assert_eq!(kind, "transport");
    assert_eq!(message, "a Zoom response passed the 2000-byte limit");
    let calls = app.db.recent_host_calls(app.db.connection("acme").await.unwrap().id, 1).await.unwrap();
    assert_eq!(calls[0].decision, "failed");
    assert_eq!(calls[0].reason.as_deref(), Some("response larger than 2000 bytes"));
}
