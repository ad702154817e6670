//! `roster serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;

use crate::app::App;
use crate::server::{serve, shutdown_signal};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Webhooks from the internet need a reverse proxy with TLS in front.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

pub async fn run(app: App, args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}; pass another --listen address", args.listen))?;
    let address = listener.local_addr()?;
    println!("roster serving on http://{address}");
    serve(Arc::new(app), listener, shutdown_signal()).await
}
