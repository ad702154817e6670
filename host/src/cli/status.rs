//! `roster status`: connections with their last sync, counts, token and health.

use clap::Args;
use serde::Serialize;

use super::output::{print_json, rfc3339, short_time, table, TableOrJson};
use crate::app::App;
use crate::auth::credential;
use crate::store::{unix_now, ConnectionState, RunStatus, SyncRun, UserCounts};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

#[derive(Serialize)]
struct LastSync {
    run_id: i64,
    status: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    users_seen: i64,
    error: Option<String>,
}

#[derive(Serialize)]
struct ConnectionStatus {
    name: String,
    connector: String,
    state: String,
    health: String,
    last_sync: Option<LastSync>,
    users: UserCounts,
    /// Whether an access token is stored, and when it expires; never the token.
    token_stored: bool,
    token_expires_at: Option<String>,
}

/// Describes a connection's health in a phrase an admin can act on.
fn health(state: ConnectionState, last: Option<&SyncRun>) -> String {
    match state {
        ConnectionState::NeedsReauthorization => return "needs re-authorization".into(),
        ConnectionState::Disconnected => return "disconnected".into(),
        ConnectionState::Connected => {}
    }
    match last {
        None => "never synced".into(),
        Some(run) => match run.status {
            RunStatus::Succeeded => "ok".into(),
            RunStatus::Running => "sync running or interrupted".into(),
            RunStatus::Failed | RunStatus::Interrupted => {
                format!("last sync failed ({})", run.error_kind.as_deref().unwrap_or("unknown"))
            }
        },
    }
}

pub async fn run(app: &App, args: StatusArgs) -> anyhow::Result<()> {
    let mut statuses = Vec::new();
    for connection in app.db.connections().await? {
        let last = app.db.sync_runs(connection.id, 1).await?.into_iter().next();
        let counts = app.db.user_counts(connection.id).await?;
        let token = app
            .db
            .credential_names(connection.id)
            .await?
            .into_iter()
            .find(|(name, _)| name == credential::ACCESS_TOKEN);
        statuses.push(ConnectionStatus {
            health: health(connection.state, last.as_ref()),
            last_sync: last.map(|run| LastSync {
                run_id: run.id,
                status: run.status.to_string(),
                started_at: rfc3339(Some(run.started_at)),
                finished_at: rfc3339(run.finished_at),
                users_seen: run.users_seen,
                error: run.error.clone(),
            }),
            name: connection.name,
            connector: connection.connector_id,
            state: connection.state.to_string(),
            users: counts,
            token_stored: token.is_some(),
            token_expires_at: token.and_then(|(_, expires)| rfc3339(expires)),
        });
    }

    match args.format {
        TableOrJson::Json => print_json(&statuses),
        TableOrJson::Table => {
            if statuses.is_empty() {
                println!("no connections yet; run `roster connect zoom --name NAME ...`");
                return Ok(());
            }
            let now = unix_now();
            let mut out = table(&["CONNECTION", "CONNECTOR", "LAST SYNC (UTC)", "USERS", "LICENSED", "TOKEN", "HEALTH"]);
            for status in &statuses {
                let last_sync = match &status.last_sync {
                    Some(run) => format!("{} {}", run.finished_at.as_deref().or(run.started_at.as_deref()).map(|at| short_time(at.parse::<jiff::Timestamp>().ok().map(|t| t.as_second()))).unwrap_or_default(), run.status),
                    None => "never".into(),
                };
                let token = match &status.token_expires_at {
                    Some(at) => {
                        let expires = at.parse::<jiff::Timestamp>().map(|t| t.as_second()).unwrap_or(0);
                        if expires > now { format!("valid until {}", short_time(Some(expires))) } else { "expired".into() }
                    }
                    None if status.token_stored => "stored".into(),
                    None => "none".into(),
                };
                out.add_row(vec![
                    status.name.clone(),
                    status.connector.clone(),
                    last_sync,
                    format!("{} ({} active, {} inactive, {} pending)", status.users.total, status.users.active, status.users.inactive, status.users.pending),
                    status.users.licensed.to_string(),
                    token,
                    status.health.clone(),
                ]);
            }
            println!("{out}");
            Ok(())
        }
    }
}
