//! `roster serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;

use crate::app::App;
use crate::server::{serve, shutdown_signal, AllowedHosts};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Webhooks from the internet need a reverse proxy with TLS in front.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Host name the web UI and API serve, such as the name of a reverse proxy. Repeatable.
    /// IP addresses and `localhost` are always served. Other names are rejected so that a
    /// rebinding DNS name cannot reach the API from a web page.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
}

pub async fn run(app: App, args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}; pass another --listen address", args.listen))?;
    let address = listener.local_addr()?;
    println!("roster serving on http://{address}");
    serve(Arc::new(app), listener, AllowedHosts::new(args.allow_hosts), shutdown_signal()).await
}
