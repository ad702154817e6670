//! Benchmark: sync 100,000 users from the loopback mock Zoom into a fresh SQLite file,
//! through the wasm connector and natively, and print both with their ratio.
//!
//! Run with `cargo bench --bench sync`; `BENCH_USERS` and `BENCH_ROUNDS` change the size.
//! The native path runs the connector's own parsing code compiled for the host, with the
//! same HTTP requests and the same page upserts, so the difference is the sandbox.

use std::path::Path;
use std::time::{Duration, Instant};

use mock_zoom::{MockConfig, MockZoom};
use roster::app::App;
use roster::auth::Secret;
use roster::connect::AccountCredentials;
use roster::runtime::CallLimits;
use roster::store::{License, PageWrite, UserRecord, UserStatus};
use roster::sync::{sync_users, LogProgress};
use roster_zoom::bindings::roster::connector::types::{AppUser, LicenseKind, UserStatus as GuestStatus};
use roster_zoom::{parse_roles, parse_users_page, UsersCursor};

const CLIENT_ID: &str = "mock-client-id";
const CLIENT_SECRET: &str = "mock-client-secret";

struct Measurement {
    elapsed: Duration,
    users: u64,
    peak_rss_kib: u64,
}

/// Peak resident set size of this process since the last reset, from /proc.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS counter so each measurement reports its own peak (Linux 4.0+).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn open_app(dir: &Path, name: &str) -> App {
    let db = dir.join(format!("{name}.db"));
    App::open(&db, CallLimits::default()).await.expect("open the benchmark database")
}

/// Opens a fresh database with the Zoom connector installed and connected to the mock.
async fn connected_app(zoom: &MockZoom, dir: &Path, name: &str) -> (App, roster::store::Connection) {
    let app = open_app(dir, name).await;
    app.install_connector(Path::new(roster_test_artifacts::ZOOM)).await.expect("install the zoom component");
    let connected = app
        .connect_account_credentials(AccountCredentials {
            connector: "zoom",
            name: "bench",
            account_id: &zoom.config().account_id,
            client_id: CLIENT_ID,
            client_secret: Secret::new(CLIENT_SECRET),
            upstreams: [("api".to_string(), zoom.url()), ("oauth".to_string(), zoom.url())].into(),
            webhook_secret: None,
        })
        .await
        .expect("connect to the mock");
    (app, connected.connection)
}

async fn sync_through_wasm(zoom: &MockZoom, dir: &Path, round: usize) -> Measurement {
    let (app, _) = connected_app(zoom, dir, &format!("wasm-{round}")).await;
    // Warm the component cache and the InstancePre outside the measurement.
    app.prepare(app.db.connection("bench").await.unwrap()).await.unwrap();

    reset_peak_rss();
    let started = Instant::now();
    let report = sync_users(&app, "bench", &LogProgress::new()).await.expect("wasm sync");
    Measurement { elapsed: started.elapsed(), users: report.run.users_seen as u64, peak_rss_kib: peak_rss_kib() }
}

fn to_record(user: AppUser) -> UserRecord {
    UserRecord {
        key: user.key,
        remote_id: user.remote_id,
        email: user.email,
        display_name: user.display_name,
        first_name: user.first_name,
        last_name: user.last_name,
        status: match user.status {
            GuestStatus::Active => UserStatus::Active,
            GuestStatus::Inactive => UserStatus::Inactive,
            GuestStatus::Pending => UserStatus::Pending,
        },
        license: match user.license {
            LicenseKind::Basic => License::Basic,
            LicenseKind::Licensed => License::Licensed,
            LicenseKind::None => License::None,
            LicenseKind::Other => License::Other,
        },
        license_code: user.license_code,
        role_id: user.role_id,
        role: user.role,
        group_ids: user.group_ids,
        department: user.department,
        login_types: user.login_types,
        created_at: user.created_at,
        last_login_at: user.last_login_at,
        last_client_version: user.last_client_version,
    }
}

async fn sync_natively(zoom: &MockZoom, dir: &Path, round: usize) -> Measurement {
    let (app, connection) = connected_app(zoom, dir, &format!("native-{round}")).await;
    let http = roster::app::http_client(&CallLimits::default()).unwrap();
    let prepared = app.prepare(connection.clone()).await.unwrap();
    let endpoints = prepared.context.oauth.clone().unwrap();

    reset_peak_rss();
    let started = Instant::now();
    let token = app.services.tokens.access_token(&connection, &endpoints).await.unwrap();
    let bearer = format!("Bearer {}", token.value.expose());
    let get = |path: String| {
        let request = http.get(format!("{}{path}", zoom.url())).header("authorization", bearer.clone());
        async move { request.send().await.unwrap().bytes().await.unwrap() }
    };

    let roles = parse_roles(&get("/v2/roles?type=common".to_string()).await).unwrap();
    let run = app.db.start_run(connection.id, "native", "native", None).await.unwrap();
    let mut cursor = UsersCursor::start();
    loop {
        let body = get(cursor.query()).await;
        let page = parse_users_page(&body, cursor.status, &roles).unwrap();
        let next = cursor.advance(&page).unwrap();
        let total_hint = Some(page.total_records);
        let users: Vec<UserRecord> = page.users.into_iter().map(to_record).collect();
        let next_cursor = next.as_ref().map(UsersCursor::encode);
        app.db
            .apply_page(&PageWrite { connection_id: connection.id, run_id: run.id, users: &users, next_cursor: next_cursor.as_deref(), total_hint })
            .await
            .unwrap();
        match next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    app.db.complete_run(connection.id, run.id).await.unwrap();
    let users = app.db.sync_run(run.id).await.unwrap().users_seen as u64;
    Measurement { elapsed: started.elapsed(), users, peak_rss_kib: peak_rss_kib() }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let users: usize = std::env::var("BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    runtime.block_on(async {
        let zoom = MockZoom::start(MockConfig { users, ..MockConfig::default() }).await.expect("start the mock");
        let dir = tempfile::tempdir().unwrap();
        println!("sync benchmark: {users} users from the loopback mock into fresh SQLite files, {rounds} rounds each");

        let mut wasm = Vec::new();
        let mut native = Vec::new();
        for round in 0..rounds {
            // Alternate so that warm-up and machine noise hit both paths alike.
            let n = sync_natively(&zoom, dir.path(), round).await;
            let w = sync_through_wasm(&zoom, dir.path(), round).await;
            assert_eq!(n.users, users as u64, "native path synced every user");
            assert_eq!(w.users, users as u64, "wasm path synced every user");
            println!(
                "round {}: native {:>6.2} s ({:>7.0} users/s, peak RSS {:>4} MiB)   wasm {:>6.2} s ({:>7.0} users/s, peak RSS {:>4} MiB)",
                round + 1,
                n.elapsed.as_secs_f64(),
                users as f64 / n.elapsed.as_secs_f64(),
                n.peak_rss_kib / 1024,
                w.elapsed.as_secs_f64(),
                users as f64 / w.elapsed.as_secs_f64(),
                w.peak_rss_kib / 1024,
            );
            native.push(n);
            wasm.push(w);
        }

        let native_median = median(native.iter().map(|m| m.elapsed).collect());
        let wasm_median = median(wasm.iter().map(|m| m.elapsed).collect());
        println!();
        println!("native (median): {:.2} s, {:.0} users/s, peak RSS {} MiB", native_median.as_secs_f64(), users as f64 / native_median.as_secs_f64(), native.iter().map(|m| m.peak_rss_kib).max().unwrap() / 1024);
        println!("wasm   (median): {:.2} s, {:.0} users/s, peak RSS {} MiB", wasm_median.as_secs_f64(), users as f64 / wasm_median.as_secs_f64(), wasm.iter().map(|m| m.peak_rss_kib).max().unwrap() / 1024);
        println!("ratio wasm / native: {:.2}x", wasm_median.as_secs_f64() / native_median.as_secs_f64());
        zoom.shutdown().await;
    });
}
