//! `roster summary`: users by status and licence, and how recently active users signed in.

use clap::Args;
use serde::Serialize;

use super::output::{print_json, short_time, table, TableOrJson};
use crate::app::App;
use crate::store::{unix_now, License, LoginSpread, UserStatus};

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Connection to summarise.
    name: String,
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

#[derive(Serialize)]
struct Summary {
    connection: String,
    last_sync_at: Option<String>,
    /// Current users by status, then by licence.
    users: Vec<StatusRow>,
    /// Active users by time since their last sign-in.
    last_login: LoginSpread,
}

#[derive(Serialize)]
struct StatusRow {
    status: UserStatus,
    licensed: u64,
    basic: u64,
    none: u64,
    other: u64,
    total: u64,
}

const BAR_WIDTH: u64 = 40;

fn bar(count: u64, max: u64) -> String {
    let width = if max == 0 { 0 } else { (count * BAR_WIDTH).div_ceil(max) };
    "█".repeat(width as usize)
}

pub async fn run(app: &App, args: SummaryArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let last_sync = app.db.last_successful_run(connection.id).await?;
    let counts = app.db.status_license_counts(connection.id).await?;
    let spread = app.db.login_spread(connection.id, unix_now()).await?;

    let mut rows = Vec::new();
    for status in [UserStatus::Active, UserStatus::Inactive, UserStatus::Pending] {
        let count = |license: License| {
            counts.iter().filter(|(s, l, _)| *s == status && *l == license).map(|(_, _, n)| n).sum::<u64>()
        };
        let row = StatusRow {
            status,
            licensed: count(License::Licensed),
            basic: count(License::Basic),
            none: count(License::None),
            other: count(License::Other),
            total: 0,
        };
        rows.push(StatusRow { total: row.licensed + row.basic + row.none + row.other, ..row });
    }
    let summary = Summary {
        connection: connection.name.clone(),
        last_sync_at: last_sync.as_ref().and_then(|run| super::output::rfc3339(run.finished_at)),
        users: rows,
        last_login: spread,
    };

    if args.format == TableOrJson::Json {
        return print_json(&summary);
    }

    match &last_sync {
        Some(run) => println!("{}: last complete sync {} UTC", summary.connection, short_time(run.finished_at)),
        None => println!("{}: no complete sync yet; run `roster sync {}`", summary.connection, summary.connection),
    }
    println!("\nUsers by status and licence");
    let mut out = table(&["STATUS", "LICENSED", "BASIC", "NONE", "OTHER", "TOTAL"]);
    for row in &summary.users {
        out.add_row(vec![
            row.status.to_string(),
            row.licensed.to_string(),
            row.basic.to_string(),
            row.none.to_string(),
            row.other.to_string(),
            row.total.to_string(),
        ]);
    }
    let total = |pick: fn(&StatusRow) -> u64| summary.users.iter().map(pick).sum::<u64>().to_string();
    out.add_row(vec![
        "total".to_string(),
        total(|row| row.licensed),
        total(|row| row.basic),
        total(|row| row.none),
        total(|row| row.other),
        total(|row| row.total),
    ]);
    println!("{out}");

    println!("\nLast sign-in of active users (Zoom buffers last_login_time by up to 3 days)");
    let spread = &summary.last_login;
    let buckets = [
        ("within 7 days", spread.within_7_days),
        ("8 to 30 days", spread.within_30_days),
        ("31 to 90 days", spread.within_90_days),
        ("over 90 days", spread.over_90_days),
        ("never", spread.never),
    ];
    let max = buckets.iter().map(|(_, count)| *count).max().unwrap_or(0);
    for (label, count) in buckets {
        println!("  {label:<14} {count:>7}  {}", bar(count, max));
    }
    Ok(())
}
