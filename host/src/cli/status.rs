//! `roster status`: connections with their last sync, counts, token and health.

use clap::Args;

use super::output::{print_json, short_time, table, TableOrJson};
use crate::app::App;
use crate::store::unix_now;
use crate::views::connection_statuses;

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

fn parse_time(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|at| at.as_second())
}

pub async fn run(app: &App, args: StatusArgs) -> anyhow::Result<()> {
    let statuses = connection_statuses(&app.db).await?;
    match args.format {
        TableOrJson::Json => print_json(&statuses),
        TableOrJson::Table => {
            if statuses.is_empty() {
                // The path shows which database was read, because a mistyped --db creates an empty one.
                println!("no connections yet in {}; run `roster connect zoom --name NAME ...`", app.db.path().display());
                return Ok(());
            }
            let now = unix_now();
            let mut out = table(&["CONNECTION", "CONNECTOR", "LAST SYNC (UTC)", "USERS", "LICENSED", "TOKEN", "HEALTH"]);
            for status in &statuses {
                let last_sync = match &status.last_sync {
                    Some(run) => {
                        let at = run.finished_at.as_deref().or(run.started_at.as_deref()).and_then(parse_time);
                        format!("{} {}", short_time(at), run.status)
                    }
                    None => "never".into(),
                };
                let token = match status.token_expires_at.as_deref().and_then(parse_time) {
                    Some(expires) if expires > now => format!("valid until {}", short_time(Some(expires))),
                    Some(_) => "expired".into(),
                    None if status.token_stored => "stored".into(),
                    None => "none".into(),
                };
                let users = &status.users;
                out.add_row(vec![
                    status.name.clone(),
                    status.connector.clone(),
                    last_sync,
                    format!("{} ({} active, {} inactive, {} pending)", users.total, users.active, users.inactive, users.pending),
                    users.licensed.to_string(),
                    token,
                    status.health.clone(),
                ]);
            }
            println!("{out}");
            Ok(())
        }
    }
}
