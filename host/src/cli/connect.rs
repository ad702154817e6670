//! `roster connect`: creates a connection after proving its credentials work.

use std::collections::BTreeMap;

use anyhow::bail;
use clap::Args;

use crate::app::App;
use crate::auth::Secret;
use crate::connect::AccountCredentials;

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Id of the installed connector, such as `zoom`.
    connector: String,
    /// Name for the new connection, used by every other command.
    #[arg(long)]
    name: String,
    /// The upstream account id (Zoom server-to-server OAuth's Account ID).
    #[arg(long)]
    account_id: String,
    /// OAuth client id of the app.
    #[arg(long)]
    client_id: String,
    /// OAuth client secret of the app. Prefer `ROSTER_CLIENT_SECRET` to keep it out of shell
    /// history.
    #[arg(long, env = "ROSTER_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// Origin of the `api` upstream, replacing the connector's default (Zoom: https://api.zoom.us).
    #[arg(long, value_name = "ORIGIN")]
    api_base: Option<String>,
    /// Origin of the `oauth` upstream, replacing the connector's default (Zoom: https://zoom.us).
    #[arg(long, value_name = "ORIGIN")]
    oauth_base: Option<String>,
    /// Origin of another upstream the connector declares, as NAME=ORIGIN; repeatable.
    #[arg(long = "upstream", value_name = "NAME=ORIGIN")]
    upstreams: Vec<String>,
}

fn upstream_overrides(args: &ConnectArgs) -> anyhow::Result<BTreeMap<String, String>> {
    let mut overrides = BTreeMap::new();
    for pair in &args.upstreams {
        let Some((name, origin)) = pair.split_once('=') else {
            bail!("--upstream {pair:?} is invalid; write it as NAME=ORIGIN, such as api=https://api.example.com");
        };
        overrides.insert(name.to_string(), origin.to_string());
    }
    if let Some(origin) = &args.api_base {
        overrides.insert("api".to_string(), origin.clone());
    }
    if let Some(origin) = &args.oauth_base {
        overrides.insert("oauth".to_string(), origin.clone());
    }
    Ok(overrides)
}

pub async fn run(app: &App, args: ConnectArgs) -> anyhow::Result<()> {
    let upstreams = upstream_overrides(&args)?;
    let (connection, scopes) = app
        .connect_account_credentials(AccountCredentials {
            connector: &args.connector,
            name: &args.name,
            account_id: &args.account_id,
            client_id: &args.client_id,
            client_secret: Secret::new(args.client_secret.clone()),
            upstreams,
        })
        .await?;

    println!("connected {} through connector {} (account {})", connection.name, connection.connector_id, args.account_id);
    if let Some(scopes) = scopes {
        println!("  granted scopes: {scopes}");
    }
    println!("next: roster sync {}", connection.name);
    Ok(())
}
