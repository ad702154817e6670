//! `roster connect`: creates a connection after proving its credentials work.

use std::collections::BTreeMap;

use anyhow::{bail, Context as _};
use clap::Args;

use crate::app::{stored_info, App};
use crate::auth::{credential, Secret};
use crate::broker::{parse_origin, ConnectionContext};
use crate::runtime::wit::{AuthScheme, GrantType};
use crate::store::{AuthGrant, Connection, ConnectionState, NewConnection};

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
    /// Origin of any other upstream the connector declares, as NAME=ORIGIN; repeatable.
    #[arg(long = "upstream", value_name = "NAME=ORIGIN")]
    upstreams: Vec<String>,
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !valid {
        bail!("connection name {name:?} is invalid; use 1 to 64 letters, digits, dots, dashes or underscores");
    }
    Ok(())
}

fn upstream_overrides(args: &ConnectArgs) -> anyhow::Result<BTreeMap<String, String>> {
    let mut overrides = BTreeMap::new();
    let named = [("api", &args.api_base), ("oauth", &args.oauth_base)];
    for (name, origin) in named {
        if let Some(origin) = origin {
            overrides.insert(name.to_string(), origin.clone());
        }
    }
    for pair in &args.upstreams {
        let Some((name, origin)) = pair.split_once('=') else {
            bail!("--upstream {pair:?} is invalid; write it as NAME=ORIGIN, such as api=https://api.example.com");
        };
        overrides.insert(name.to_string(), origin.to_string());
    }
    for (name, origin) in &mut overrides {
        // Normalise now so the stored value is the one the broker uses.
        *origin = parse_origin(name, origin)?.as_str().trim_end_matches('/').to_string();
    }
    Ok(overrides)
}

pub async fn run(app: &App, args: ConnectArgs) -> anyhow::Result<()> {
    check_name(&args.name)?;
    if args.client_secret.trim().is_empty() {
        bail!("the client secret is empty; pass --client-secret or set ROSTER_CLIENT_SECRET");
    }
    let version = app.db.active_connector_version(&args.connector).await?.with_context(|| {
        format!("connector `{}` is not installed; run `roster connector add PATH.wasm` first", args.connector)
    })?;
    let info = stored_info(&version)?;
    let AuthScheme::Oauth2(oauth) = &info.auth else {
        bail!("connector `{}` declares no OAuth endpoints, so Roster cannot connect it with client credentials", args.connector);
    };
    if !oauth.grants.contains(&GrantType::AccountCredentials) {
        bail!("connector `{}` does not support the server-to-server account_credentials grant", args.connector);
    }
    if app.db.connection(&args.name).await.is_ok() {
        bail!("a connection named `{}` already exists; choose another --name", args.name);
    }

    let upstreams = upstream_overrides(&args)?;
    // Resolve with a draft connection to validate the upstreams and build the token URL.
    let draft = Connection {
        id: 0,
        name: args.name.clone(),
        connector_id: args.connector.clone(),
        auth_grant: AuthGrant::AccountCredentials,
        account_id: Some(args.account_id.clone()),
        client_id: args.client_id.clone(),
        upstreams: upstreams.clone(),
        state: ConnectionState::Connected,
        state_detail: None,
        granted_scopes: None,
        created_at: 0,
        updated_at: 0,
    };
    let context = ConnectionContext::resolve(draft, &info)?;
    let endpoints = context.oauth.as_ref().context("the connector's OAuth endpoints did not resolve")?;

    let client_secret = Secret::new(args.client_secret.clone());
    let token = app
        .services
        .tokens
        .probe_account_credentials(endpoints, &args.account_id, &args.client_id, &client_secret)
        .await
        .context("the credentials were not saved")?;

    let tokens = &app.services.tokens;
    let sealed = vec![tokens.seal(&args.name, credential::CLIENT_SECRET, &client_secret, None)];
    let connection = app
        .db
        .create_connection(
            &NewConnection {
                name: &args.name,
                connector_id: &args.connector,
                auth_grant: AuthGrant::AccountCredentials,
                account_id: Some(&args.account_id),
                client_id: &args.client_id,
                upstreams: &upstreams,
                granted_scopes: token.scope.as_deref(),
            },
            &sealed,
        )
        .await?;
    tokens.store_response(&connection, &token).await?;
    tracing::info!(connection = %connection.name, connector = %connection.connector_id, "created connection");

    println!("connected {} to {} {} (account {})", connection.name, info.name, version.version, args.account_id);
    if let Some(scope) = &token.scope {
        println!("  granted scopes: {scope}");
    }
    println!("next: roster sync {}", connection.name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_names() {
        assert!(check_name("acme").is_ok());
        assert!(check_name("acme-zoom_2.eu").is_ok());
        for bad in ["", "a b", "acme/zoom", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
