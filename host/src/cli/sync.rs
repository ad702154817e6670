//! `roster sync`.

use std::io::IsTerminal;
use std::time::Instant;

use clap::Args;

use crate::app::App;
use crate::sync::{sync_users, LogProgress, Progress, TerminalProgress};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Connection to sync.
    name: String,
}

pub async fn run(app: &App, args: SyncArgs) -> anyhow::Result<()> {
    let progress: Box<dyn Progress> =
        if std::io::stderr().is_terminal() { Box::new(TerminalProgress::new()) } else { Box::new(LogProgress::new()) };
    let started = Instant::now();
    let report = sync_users(app, &args.name, progress.as_ref()).await?;
    let run = &report.run;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(from) = report.resumed_from {
        println!("resumed interrupted run {from}");
    }
    println!(
        "synced {}: {} users in {} pages ({} added, {} changed, {} removed) in {seconds:.1} s",
        args.name, run.users_seen, run.pages, run.users_added, run.users_changed, run.users_removed
    );
    Ok(())
}
