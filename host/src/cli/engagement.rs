//! `roster engagement`: users per engagement bucket, with a text bar chart.

use std::collections::BTreeMap;

use clap::Args;

use super::output::{print_json, TableOrJson};
use crate::app::App;
use crate::engagement::{bucket_counts, engagement, Thresholds};
use crate::store::unix_now;

#[derive(Debug, Args)]
pub struct EngagementArgs {
    /// Connection to report on.
    name: String,
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

const BAR_WIDTH: u64 = 40;

pub async fn run(app: &App, args: EngagementArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let thresholds = Thresholds::from_settings(&app.db.app_settings(connection.id).await?);
    let users = engagement(&app.db, connection.id, &thresholds, unix_now()).await?;
    let counts = bucket_counts(&users);

    if args.format == TableOrJson::Json {
        let object: BTreeMap<&str, u64> = counts.iter().map(|(bucket, count)| (bucket.as_str(), *count)).collect();
        return print_json(&object);
    }

    let max = counts.values().copied().max().unwrap_or(0);
    println!("{}: engagement of {} users", args.name, users.len());
    for (bucket, count) in &counts {
        let width = if max == 0 { 0 } else { (count * BAR_WIDTH).div_ceil(max) };
        println!("  {:<7} {count:>7}  {}", bucket.as_str(), "█".repeat(width as usize));
    }
    println!();
    for line in thresholds.describe() {
        println!("  {line}");
    }
    let state = app.db.activity_state(connection.id).await?;
    match (&state.sessions_from, &state.sessions_through) {
        (Some(from), Some(through)) => println!("  Sign-in history stored from {from} through {through}."),
        _ => println!("  No sign-in history yet: only last logins count; run `roster sync {}`.", args.name),
    }
    for note in &state.unavailable {
        println!("  not available: {}: {}", note.feature, note.reason);
    }
    Ok(())
}
