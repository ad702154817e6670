//! The web UI in a real headless Chromium, driven through chromedriver.

use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use mock_zoom::MockConfig;
use serde_json::json;

use crate::harness::{users_json, Env, Spawned};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process on a free loopback port.
struct Driver {
    /// Killed on drop.
    _process: tokio::process::Child,
    url: String,
}

impl Driver {
    async fn start() -> Driver {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "browser tests need Debian's chromium and chromium-driver; install them with `apt-get install chromium chromium-driver`"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Driver { _process: process, url };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not listen on port {port}");
    }

    async fn browser(&self, profile: &std::path::Path) -> fantoccini::Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1366,900", format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("start a Chromium session")
    }
}

/// Opens the app page of `name` in a new headless Chromium and waits until it has loaded.
async fn open_app(base: &str, name: &str) -> (Driver, tempfile::TempDir, fantoccini::Client) {
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&format!("{base}/apps/{name}")).await.unwrap();
    wait_for(&client, "body[data-loaded='true']").await;
    (driver, profile, client)
}

/// Returns an environment whose connection `acme` has synced `users` users.
async fn synced(users: usize) -> Env {
    let env = Env::start(MockConfig { users, ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    env
}

async fn serve(env: &Env) -> (Spawned, String) {
    let (spawned, first) = env.spawn(&["serve", "--listen", "127.0.0.1:0"]).await;
    (spawned, first.strip_prefix("roster serving on ").unwrap().to_string())
}

async fn wait_for(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await.unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
}

/// Returns the emails of the rows the users table shows.
async fn shown_emails(client: &fantoccini::Client) -> Vec<String> {
    let mut emails = Vec::new();
    for row in client.find_all(Locator::Css("#users-table tbody tr")).await.unwrap() {
        emails.push(row.attr("data-email").await.unwrap().unwrap());
    }
    emails.sort();
    emails
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_bar_filters_users() {
    let env = Env::start(MockConfig { users: 150, ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;
    env.roster(&["sync", "acme"]).await.ok();
    env.roster(&["app", "set", "acme", "--seats", "200", "--renewal", "2027-01-15", "--price-per-seat", "149.90", "--currency", "USD"]).await.ok();
    let (server, base) = serve(&env).await;

    let counts: serde_json::Value = serde_json::from_str(env.roster(&["engagement", "acme", "--format", "json"]).await.ok()).unwrap();
    let bucket = ["unused", "low", "medium", "high", "never"].into_iter().find(|bucket| counts[bucket].as_u64().unwrap() > 0).unwrap();
    let mut expected: Vec<String> = users_json(env.roster(&["users", "acme", "--engagement", bucket, "--format", "json"]).await.ok())
        .iter()
        .map(|user| user["email"].as_str().unwrap().to_string())
        .collect();
    expected.sort();

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    client.goto(&format!("{base}/")).await.unwrap();
    let row = wait_for(&client, "#apps-table tr[data-app='acme']").await;
    assert!(row.text().await.unwrap().contains("✓ synced"));

    client.goto(&format!("{base}/apps/acme")).await.unwrap();
    wait_for(&client, "body[data-loaded='true']").await;
    assert_eq!(shown_emails(&client).await.len(), 150, "every user is listed before filtering");

    let bar = wait_for(&client, &format!("#chart button[data-bucket='{bucket}']")).await;
    assert!(bar.text().await.unwrap().contains(&expected.len().to_string()));
    bar.click().await.unwrap();
    assert_eq!(shown_emails(&client).await, expected, "the table lists exactly the {bucket} bucket's users");
    assert_eq!(bar.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
    for tag in client.find_all(Locator::Css("#users-table tbody tr")).await.unwrap() {
        assert_eq!(tag.attr("data-engagement").await.unwrap().as_deref(), Some(bucket));
    }
    let seats = wait_for(&client, "#seats").await.text().await.unwrap();
    assert!(seats.contains("200 (manual)"), "{seats}");
    assert!(seats.contains("2027-01-15"), "{seats}");
    let newest: serde_json::Value = serde_json::from_str(env.roster(&["usage", "acme", "--format", "json"]).await.ok()).unwrap();
    let month = newest["months_stored"][1].as_str().unwrap();
    let usage: serde_json::Value = serde_json::from_str(env.roster(&["usage", "acme", "--month", month, "--format", "json"]).await.ok()).unwrap();
    let hosts = format!(
        "Meeting hosts, {month}\n{} hosts; {} of {} paid seats hosted none",
        usage["hosts"], usage["licensed_without_meetings"], usage["licensed_users"]
    );
    assert!(seats.contains(&hosts), "the panel shows the last complete month's hosts: {seats}");

    let screenshot = client.screenshot().await.unwrap();
    let directory = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join(format!("app-page-{bucket}.png"));
    std::fs::write(&path, screenshot).unwrap();
    println!("screenshot saved to {}", path.display());

    // The bar works from the keyboard too: Enter on the focused bar clears the filter.
    bar.send_keys("\u{E007}").await.unwrap();
    assert_eq!(shown_emails(&client).await.len(), 150);

    client.close().await.unwrap();
    drop(driver);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_now_runs_in_background() {
    let env = Env::start(MockConfig { users: 40, ..MockConfig::default() }).await;
    env.connect_zoom("acme").await;
    let (server, base) = serve(&env).await;
    let (driver, _profile, client) = open_app(&base, "acme").await;
    assert_eq!(shown_emails(&client).await.len(), 0);
    client.find(Locator::Id("sync-now")).await.unwrap().click().await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::XPath("//span[@id='sync-status' and starts-with(., 'Sync finished')]"))
        .await
        .unwrap();
    wait_for(&client, "#users-table tbody tr").await;
    assert_eq!(shown_emails(&client).await.len(), 40);

    client.close().await.unwrap();
    drop(driver);
    drop(server);
}

/// Returns the text of a users-table row.
async fn row_text(client: &fantoccini::Client, email: &str) -> String {
    let row = client.find(Locator::Css(&format!("#users-table tr[data-email='{email}']"))).await.unwrap();
    row.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn row_actions_change_users() {
    let env = synced(30).await;
    let (server, base) = serve(&env).await;
    let (driver, _profile, client) = open_app(&base, "acme").await;

    // Licence a basic user through the confirmation dialog.
    assert!(row_text(&client, "member.three@example.test").await.contains("basic"));
    wait_for(&client, "tr[data-email='member.three@example.test'] button[data-action='license']").await.click().await.unwrap();
    let dialog = wait_for(&client, "dialog#confirm[open]").await;
    assert!(dialog.text().await.unwrap().contains("Change the licence of member.three@example.test, now basic."));
    client.find(Locator::Id("confirm-ok")).await.unwrap().click().await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//tr[@data-email='member.three@example.test']/td[4][.='licensed']"))
        .await
        .unwrap();
    assert_eq!(env.zoom.user("member.three@example.test").unwrap().user_type, 2);

    // A refusal stays in the dialog with the same advice as the CLI.
    wait_for(&client, "tr[data-email='admin.two@example.test'] button[data-action='remove']").await.click().await.unwrap();
    wait_for(&client, "dialog#confirm[open]").await;
    client.find(Locator::Id("confirm-ok")).await.unwrap().click().await.unwrap();
    let error = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//p[@id='confirm-error' and string-length(.) > 0]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("Zoom answered code 1117"), "{error}");
    assert!(error.contains("the command is `roster user acme role admin.two@example.test Member`"), "{error}");
    assert!(env.zoom.user("admin.two@example.test").is_some());

    client.find(Locator::Id("confirm-cancel")).await.unwrap().click().await.unwrap();
    let entries: serde_json::Value = serde_json::from_str(env.roster(&["audit-log", "--format", "json"]).await.ok()).unwrap();
    assert_eq!(entries[0]["actor"], "web");
    assert_eq!(entries[0]["operation"], "license");
    assert_eq!(entries[1]["upstream_code"], "1117");

    client.close().await.unwrap();
    drop(driver);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnected_app_offers_no_changes() {
    let env = synced(30).await;
    env.roster(&["disconnect", "acme"]).await.ok();
    let (server, base) = serve(&env).await;

    let (driver, _profile, client) = open_app(&base, "acme").await;
    let banner = wait_for(&client, "#app-state").await;
    let text = banner.text().await.unwrap();
    assert!(text.starts_with("acme is disconnected (disconnected by cli:"), "{text}");
    assert!(banner.is_displayed().await.unwrap());
    let sync = wait_for(&client, "#sync-now").await;
    assert_eq!(sync.prop("disabled").await.unwrap().as_deref(), Some("true"));
    assert_eq!(shown_emails(&client).await.len(), 30, "synced data stays visible");
    assert!(client.find_all(Locator::Css("#users-table button.row-action")).await.unwrap().is_empty(), "no user changes are offered");

    client.goto(&format!("{base}/apps/nope")).await.unwrap();
    let banner = wait_for(&client, "#app-state a").await;
    assert_eq!(banner.text().await.unwrap(), "List the apps");
    let text = wait_for(&client, "#app-state").await.text().await.unwrap();
    assert_eq!(text, "No app is named nope. List the apps");

    client.close().await.unwrap();
    drop(driver);
    drop(server);
}
