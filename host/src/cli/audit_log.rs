//! `roster audit-log`: the append-only record of changes.

use clap::Args;

use super::invalid_argument;
use super::output::{print_json, short_time, table, TableOrJson};
use crate::app::App;

#[derive(Debug, Args)]
pub struct AuditLogArgs {
    /// Only entries of this connection.
    #[arg(long)]
    connection: Option<String>,
    /// Only entries on or after this UTC date (YYYY-MM-DD) or RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

/// Parses `2026-12-01` as midnight UTC, or a full RFC 3339 time.
fn parse_since(text: &str) -> anyhow::Result<i64> {
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return Ok(jiff::tz::TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))?.as_second());
    }
    // jiff's parse error describes its own grammar rather than the expected input, so it is dropped.
    let at: jiff::Timestamp = text
        .parse()
        .map_err(|_| invalid_argument(format!("--since {text:?} is not a date (YYYY-MM-DD) or an RFC 3339 time such as 2026-12-01T09:00:00Z")))?;
    Ok(at.as_second())
}

pub async fn run(app: &App, args: AuditLogArgs) -> anyhow::Result<()> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let entries = app.db.audit_entries(args.connection.as_deref(), since).await?;

    // Entries outlive a purged connection, so an unknown name is only an error when it has none.
    if let Some(name) = &args.connection
        && entries.is_empty()
        && app.db.connection(name).await.is_err()
    {
        anyhow::bail!("no connection named `{name}` and no audit entries for it; run `roster status` to list connections");
    }
    match args.format {
        TableOrJson::Json => print_json(&entries),
        TableOrJson::Table => {
            if entries.is_empty() {
                println!("no audit entries match");
                return Ok(());
            }
            let mut out = table(&["TIME (UTC)", "ACTOR", "CONNECTION", "OPERATION", "TARGET", "OUTCOME", "DETAIL"]);
            for record in &entries {
                let entry = &record.entry;
                out.add_row(vec![
                    short_time(Some(record.at)),
                    entry.actor.clone(),
                    entry.connection.clone(),
                    entry.operation.clone(),
                    entry.target.clone().unwrap_or_default(),
                    match &entry.upstream_code {
                        Some(code) => format!("{} (code {code})", entry.outcome),
                        None => entry.outcome.clone(),
                    },
                    entry.detail.clone().unwrap_or_default(),
                ]);
            }
            println!("{out}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_dates_and_times() {
        assert_eq!(parse_since("2026-12-05").unwrap(), 1_796_428_800);
        assert_eq!(parse_since("2026-12-05T01:00:00Z").unwrap(), 1_796_432_400);
        assert_eq!(
            parse_since("yesterday").unwrap_err().to_string(),
            "--since \"yesterday\" is not a date (YYYY-MM-DD) or an RFC 3339 time such as 2026-12-01T09:00:00Z"
        );
    }
}
