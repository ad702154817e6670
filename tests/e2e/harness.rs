//! Shared setup: a temporary data directory, a mock Zoom server, and helpers to run the
//! `roster` binary or use the library in-process.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use mock_zoom::{MockConfig, MockZoom};
use roster::app::App;
use roster::runtime::CallLimits;

pub const ACCOUNT_ID: &str = "fakeAcct0000000000000A";
pub const CLIENT_ID: &str = "mock-client-id";
pub const CLIENT_SECRET: &str = "mock-client-secret";
/// The secret of the webhook test vector Zoom's documentation style fixtures use.
pub const WEBHOOK_SECRET: &str = "fake_webhook_secret_token_for_tests";
/// Lets the OAuth callback listener pick a free port.
pub const TEST_REDIRECT_URI: &str = "http://127.0.0.1:0/oauth/callback";

/// An HTTP client for tests that follows redirects, as a browser would.
pub fn browser() -> reqwest::Client {
    roster::app::install_tls_provider();
    reqwest::Client::builder().build().unwrap()
}

/// Extracts the authorization URL from `connect --oauth`'s first line.
pub fn authorize_url(first_line: &str) -> String {
    first_line
        .strip_prefix("open this URL to authorize Roster: ")
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_string()
}

/// The output of one `roster` run.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert!(self.status.success(), "roster failed: {}\nstdout:\n{}", self.stderr, self.stdout);
        &self.stdout
    }

    /// Asserts failure and returns the last stderr line, which carries the error.
    #[track_caller]
    pub fn error(&self) -> &str {
        assert!(!self.status.success(), "roster succeeded unexpectedly:\n{}", self.stdout);
        self.stderr.lines().last().unwrap_or_default()
    }
}

/// A `roster` process started with [`Env::spawn`].
pub struct Spawned {
    pub child: tokio::process::Child,
    pub stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

impl Spawned {
    /// Waits for the process to exit and returns its output after the first line.
    pub async fn finish(mut self) -> Run {
        use tokio::io::AsyncReadExt;

        let mut stdout = String::new();
        while let Ok(Some(line)) = self.stdout.next_line().await {
            stdout.push_str(&line);
            stdout.push('\n');
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).await.unwrap();
        }
        let status = tokio::time::timeout(std::time::Duration::from_secs(60), self.child.wait()).await.expect("roster did not exit").unwrap();
        Run { status, stdout, stderr }
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("the process is running").to_string();
        let status = std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub zoom: MockZoom,
    /// `ROSTER_NOW` for every `roster` run, when the test pins the clock.
    pub now: std::sync::Mutex<Option<jiff::Timestamp>>,
}

impl Env {
    pub async fn start(config: MockConfig) -> Env {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let db = dir.path().join("roster.db");
        let zoom = MockZoom::start(config).await.expect("start the mock Zoom server");
        Env { dir, db, zoom, now: std::sync::Mutex::new(None) }
    }

    /// Starts with the mock's clock and every `roster` run's clock at `now`.
    pub async fn pinned(config: MockConfig, now: jiff::Timestamp) -> Env {
        let env = Env::start(MockConfig { now, ..config }).await;
        env.set_now(now);
        env
    }

    /// Moves the mock's clock and the clock of later `roster` runs to `now`.
    pub fn set_now(&self, now: jiff::Timestamp) {
        self.zoom.set_now(now);
        *self.now.lock().unwrap() = Some(now);
    }

    pub async fn with_users(users: usize) -> Env {
        Env::start(MockConfig { users, ..MockConfig::default() }).await
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `roster --db <db> <args>` with a clean environment for its settings.
    pub async fn roster(&self, args: &[&str]) -> Run {
        self.roster_with_env(args, &[]).await
    }

    /// A `roster --db <db> <args>` command with a clean environment for its settings.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        self.command_on(&self.db, args)
    }

    /// A `roster` command on another database file.
    pub fn command_on(&self, db: &Path, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"));
        command
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("ROSTER_DB")
            .env_remove("ROSTER_CLIENT_SECRET")
            .env_remove("ROSTER_WEBHOOK_SECRET")
            .env_remove("ROSTER_MASTER_KEY")
            .env_remove("BROWSER")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("ROSTER_LOG", "info");
        if let Some(now) = *self.now.lock().unwrap() {
            command.env("ROSTER_NOW", now.to_string());
        }
        command
    }

    /// Starts `roster` in the background with piped output, and returns it with the first
    /// line it prints to stdout.
    pub async fn spawn(&self, args: &[&str]) -> (Spawned, String) {
        use tokio::io::AsyncBufReadExt;

        let mut child = self
            .command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the roster binary");
        let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(std::time::Duration::from_secs(60), stdout.next_line())
            .await
            .expect("roster printed nothing within 60 s")
            .unwrap()
            .unwrap_or_default();
        (Spawned { child, stdout }, first)
    }

    /// Runs `roster` on another database file.
    pub async fn roster_on(&self, db: &Path, args: &[&str]) -> Run {
        let output = self.command_on(db, args).output().await.expect("run the roster binary");
        Run {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub async fn roster_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().await.expect("run the roster binary");
        Run {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub async fn install(&self, component: &str) -> Run {
        self.roster(&["connector", "add", component]).await
    }

    /// Installs the Zoom connector and connects it to the mock as `name`, with pacing as fast
    /// as the mock's Business-plan limits allow.
    pub async fn connect_zoom(&self, name: &str) {
        self.install(roster_test_artifacts::ZOOM).await.ok();
        self.connect(name, "zoom").await.ok();
        self.fast_pacing(name).await;
    }

    /// Lifts the connector's cautious pacing for report endpoints, as an admin on a Business
    /// plan would.
    pub async fn fast_pacing(&self, name: &str) {
        self.roster(&["app", "set", name, "--rate-limit", "heavy=1800", "--rate-limit", "resource-intensive=1800"]).await.ok();
    }

    pub async fn connect(&self, name: &str, connector: &str) -> Run {
        let url = self.zoom.url();
        self.roster(&[
            "connect", connector, "--name", name, "--account-id", ACCOUNT_ID, "--client-id", CLIENT_ID,
            "--client-secret", CLIENT_SECRET, "--api-base", &url, "--oauth-base", &url,
        ])
        .await
    }

    /// Arguments of `roster connect zoom --oauth` against the mock.
    pub fn oauth_args(&self, name: &str) -> Vec<String> {
        let url = self.zoom.url();
        [
            "connect", "zoom", "--name", name, "--oauth", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
            "--redirect-uri", TEST_REDIRECT_URI, "--api-base", &url, "--oauth-base", &url, "--webhook-secret", WEBHOOK_SECRET,
        ]
        .map(str::to_string)
        .to_vec()
    }

    /// Runs `roster connect zoom --oauth` and completes the consent with an HTTP client that
    /// follows the mock's redirect to the callback.
    pub async fn connect_oauth(&self, name: &str) -> Run {
        let args = self.oauth_args(name);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (spawned, first) = self.spawn(&args).await;
        let page = browser().get(authorize_url(&first)).send().await.unwrap();
        assert_eq!(page.status(), 200, "the callback page loads");
        let run = spawned.finish().await;
        if run.status.success() {
            self.fast_pacing(name).await;
        }
        run
    }

    /// Opens the same database in-process.
    pub async fn app(&self) -> App {
        self.app_with(CallLimits::default()).await
    }

    pub async fn app_with(&self, limits: CallLimits) -> App {
        App::open(&self.db, limits).await.expect("open the app in-process")
    }

    /// Returns every column of every stored user in a stable order, for exact comparisons.
    pub async fn user_rows(&self) -> Vec<String> {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db.display())).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT json_array(connection_id, user_key, remote_id, email, display_name, first_name, last_name,
                    status, license, license_code, role_id, role, group_ids, department, login_types,
                    created_at, last_login_at, last_client_version, removed, removed_at, first_seen_run,
                    updated_at)
             FROM app_users ORDER BY connection_id, user_key",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        rows.into_iter().map(|(row,)| row).collect()
    }

    /// Runs one SQL query returning a single integer.
    pub async fn count(&self, sql: &'static str) -> i64 {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db.display())).await.unwrap();
        let (value,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        value
    }

    /// Runs one SQL query returning rows of text.
    pub async fn query_text(&self, sql: &'static str) -> Vec<String> {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db.display())).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.into_iter().map(|(text,)| text).collect()
    }
}

/// Parses `roster users --format json` output.
pub fn users_json(stdout: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(stdout).unwrap_or_else(|error| panic!("users output is not JSON ({error}):\n{stdout}"))
}
