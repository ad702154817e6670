//! `roster connect`: creates a connection with server-to-server credentials or through an
//! admin's consent (`--oauth`), then shows which features the grant allows.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Duration;

use anyhow::bail;
use clap::Args;

use super::check::print_access;
use crate::access::check_access;
use crate::app::App;
use crate::auth::Secret;
use crate::connect::{AccountCredentials, AuthorizationCode, Connected, DEFAULT_REDIRECT_URI};

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Id of the installed connector, such as `zoom`.
    connector: String,
    /// Name for the connection, used by every other command. With --oauth, an existing
    /// connection of this name is authorized again and keeps its data.
    #[arg(long)]
    name: String,
    /// Connect through the admin's consent in a browser (OAuth authorization code with PKCE)
    /// instead of server-to-server credentials.
    #[arg(long)]
    oauth: bool,
    /// The upstream account id, for server-to-server OAuth (Zoom's Account ID).
    #[arg(long, required_unless_present = "oauth", conflicts_with = "oauth")]
    account_id: Option<String>,
    /// OAuth client id of the app.
    #[arg(long)]
    client_id: String,
    /// OAuth client secret of the app. Prefer `ROSTER_CLIENT_SECRET` to keep it out of shell
    /// history.
    #[arg(long, env = "ROSTER_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// Where the provider sends the admin after consent; Roster listens there itself. It must
    /// be registered in the app.
    #[arg(long, default_value = DEFAULT_REDIRECT_URI, requires = "oauth")]
    redirect_uri: String,
    /// Seconds to wait for the consent to finish.
    #[arg(long, default_value_t = 300, requires = "oauth", value_name = "SECONDS")]
    wait: u64,
    /// The app's webhook secret token, which verifies webhook requests such as Zoom's
    /// deauthorization notice.
    #[arg(long, env = "ROSTER_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
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

/// Opens `url` in a browser when this session has one, and never fails: the URL is printed.
fn open_browser(url: &str) {
    let program = match std::env::var("BROWSER") {
        Ok(browser) if !browser.is_empty() => browser,
        _ if cfg!(target_os = "macos") => "open".to_string(),
        _ if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() => "xdg-open".to_string(),
        _ => return,
    };
    let spawned = std::process::Command::new(&program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(error) = spawned {
        tracing::debug!(program, error = %error, "cannot open a browser; the URL is printed instead");
    }
}

pub async fn run(app: &App, args: ConnectArgs) -> anyhow::Result<()> {
    let upstreams = upstream_overrides(&args)?;
    let client_secret = Secret::new(args.client_secret.clone());
    let webhook_secret = args.webhook_secret.clone().filter(|secret| !secret.is_empty()).map(Secret::new);

    let connected: Connected = if args.oauth {
        let request = AuthorizationCode {
            connector: &args.connector,
            name: &args.name,
            client_id: &args.client_id,
            client_secret,
            upstreams,
            webhook_secret,
            redirect_uri: &args.redirect_uri,
            wait: Duration::from_secs(args.wait),
        };
        app.connect_oauth(request, |url| {
            println!("open this URL to authorize Roster: {url}");
            let _ = std::io::stdout().flush();
            open_browser(url);
        })
        .await?
    } else {
        let account_id = args.account_id.as_deref().expect("clap requires --account-id without --oauth");
        app.connect_account_credentials(AccountCredentials {
            connector: &args.connector,
            name: &args.name,
            account_id,
            client_id: &args.client_id,
            client_secret,
            upstreams,
            webhook_secret,
        })
        .await?
    };

    let connection = &connected.connection;
    let verb = if connected.reauthorized { "authorized again" } else { "connected" };
    let account = connection.account_id.as_deref().unwrap_or("unknown");
    println!("{verb} {} through connector {} (account {account})", connection.name, connection.connector_id);
    if let Some(warning) = &connected.identify_warning {
        println!("  warning: cannot identify the account, so deauthorization webhooks match it by client id only: {warning}");
    }
    if let Some(scopes) = &connected.scopes {
        println!("  granted scopes: {scopes}");
    }

    let prepared = app.prepare(connection.clone()).await?;
    let features = check_access(app, &prepared).await?;
    println!();
    let unavailable = print_access(&features);
    if unavailable > 0 {
        println!("{unavailable} of {} features are unavailable; the connection still works for the others", features.len());
    }
    println!("next: roster sync {}", connection.name);
    Ok(())
}
