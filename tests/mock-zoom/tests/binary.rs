//! The `mock-zoom` binary: its address line, its request logs and its shutdown on SIGTERM.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{client, read};
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_mock-zoom");

#[tokio::test]
async fn binary_serves_until_sigterm() {
    let mut child = Command::new(BINARY)
        .args(["--users", "20", "--seed", "3", "--client-secret", "s3cret"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting mock-zoom");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut stderr = child.stderr.take().expect("piped stderr");

    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(30), stdout.read_line(&mut line))
        .await
        .expect("address line within 30 s")
        .expect("reading stdout");
    let url = line
        .trim_end()
        .strip_prefix("mock-zoom listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = client();
    let response = client
        .post(format!(
            "{url}/oauth/token?grant_type=account_credentials&account_id=fakeAcct0000000000000A"
        ))
        .basic_auth("mock-client-id", Some("s3cret"))
        .send()
        .await
        .expect("sending the token request");
    let response = read(response).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let token = response.json()["access_token"]
        .as_str()
        .expect("string")
        .to_owned();
    let users = read(
        client
            .get(format!("{url}/_mock/users"))
            .send()
            .await
            .expect("sending"),
    )
    .await;
    assert_eq!(users.json().as_array().map(Vec::len), Some(20));

    let pid = child.id().expect("child is running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("running kill");
    assert!(kill.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exit within 10 s of SIGTERM")
        .expect("waiting for mock-zoom");
    let mut logs = String::new();
    stderr
        .read_to_string(&mut logs)
        .await
        .expect("reading stderr");
    let mut rest = String::new();
    stdout
        .read_to_string(&mut rest)
        .await
        .expect("reading stdout");

    assert!(status.success(), "exit status {status:?}, stderr:\n{logs}");
    assert!(logs.contains("/oauth/token"), "request not logged:\n{logs}");
    assert!(!logs.contains(&token), "access token leaked into logs");
    assert!(!logs.contains("s3cret"), "client secret leaked into logs");
    assert_eq!(rest, "", "stdout has more than the address line");
}

#[tokio::test]
async fn binary_rejects_non_loopback_listen() {
    let output = Command::new(BINARY)
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .await
        .expect("running mock-zoom");
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(!output.status.success());
    assert!(
        stderr.contains("not a loopback address"),
        "stderr:\n{stderr}"
    );
    assert!(output.stdout.is_empty());
}
