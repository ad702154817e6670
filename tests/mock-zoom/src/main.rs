//! `mock-zoom`: runs the mock Zoom server until SIGINT or SIGTERM, for scripts and manual tests.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use mock_zoom::{MockConfig, MockZoom};
use tracing_subscriber::EnvFilter;

/// Serves Zoom's OAuth and REST API from a generated account on a loopback address.
///
/// The first line on stdout is `mock-zoom listening on http://ADDR`. Request logs go to
/// stderr, filtered by RUST_LOG (default `info`).
#[derive(Debug, Parser)]
#[command(name = "mock-zoom", version)]
struct Args {
    /// Address to listen on, which must be a loopback address. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Total users to generate: active, inactive and pending [default: 50].
    #[arg(long)]
    users: Option<usize>,
    /// Seed of the account generator [default: 7].
    #[arg(long)]
    seed: Option<u64>,
    /// Zoom account id that the token endpoint accepts [default: fakeAcct0000000000000A].
    #[arg(long)]
    account_id: Option<String>,
    /// OAuth client id [default: mock-client-id].
    #[arg(long)]
    client_id: Option<String>,
    /// OAuth client secret [default: mock-client-secret].
    #[arg(long)]
    client_secret: Option<String>,
}

impl Args {
    fn into_config(self) -> MockConfig {
        let defaults = MockConfig::default();
        MockConfig {
            users: self.users.unwrap_or(defaults.users),
            seed: self.seed.unwrap_or(defaults.seed),
            account_id: self.account_id.unwrap_or(defaults.account_id.clone()),
            client_id: self.client_id.unwrap_or(defaults.client_id.clone()),
            client_secret: self.client_secret.unwrap_or(defaults.client_secret.clone()),
            ..defaults
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let args = Args::parse();
    let listen = args.listen;
    let zoom = MockZoom::start_on(args.into_config(), listen).await?;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "mock-zoom listening on {}", zoom.url())
        .context("writing the address to stdout failed")?;
    stdout.flush().context("flushing stdout failed")?;
    drop(stdout);

    let signal = wait_for_stop_signal().await?;
    tracing::info!(signal, "stopping mock-zoom");
    zoom.shutdown().await;
    Ok(())
}

/// Waits for SIGINT or SIGTERM and returns the signal's name.
#[cfg(unix)]
async fn wait_for_stop_signal() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};

    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler failed")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            result.context("waiting for SIGINT failed")?;
            Ok("SIGINT")
        }
        _ = terminate.recv() => Ok("SIGTERM"),
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal() -> anyhow::Result<&'static str> {
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C failed")?;
    Ok("Ctrl-C")
}
