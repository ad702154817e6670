//! `roster sync`.

use std::io::IsTerminal;
use std::time::Instant;

use clap::Args;

use crate::app::App;
use crate::sync::{sync_connection, ActivityOutcome, LogProgress, Progress, TerminalProgress};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Connection to sync.
    name: String,
}

pub async fn run(app: &App, args: SyncArgs) -> anyhow::Result<()> {
    let progress: Box<dyn Progress> =
        if std::io::stderr().is_terminal() { Box::new(TerminalProgress::new()) } else { Box::new(LogProgress::new()) };
    let started = Instant::now();
    let outcome = sync_connection(app, &args.name, progress.as_ref()).await?;
    let report = &outcome.users;
    let run = &report.run;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(from) = report.resumed_from {
        println!("resumed interrupted run {from}");
    }
    println!(
        "synced {}: {} users in {} pages ({} added, {} changed, {} removed) in {seconds:.1} s",
        args.name, run.users_seen, run.pages, run.users_added, run.users_changed, run.users_removed
    );

    let connection_id = report.run.connection_id;
    let state = app.db.activity_state(connection_id).await?;
    let history = match (&state.sessions_from, &state.sessions_through) {
        (Some(from), Some(through)) => format!("history from {from} through {through}"),
        _ => "no history stored".to_string(),
    };
    match &outcome.activity {
        ActivityOutcome::Completed { run, unavailable } => {
            println!("activity: {} new sign-ins, {history}", run.sign_ins_added);
            for note in unavailable {
                println!("  not available: {}: {}", note.feature, note.reason);
            }
        }
        ActivityOutcome::Partial { run, message } => {
            println!("activity: partial, {} new sign-ins, {history}; {message}", run.sign_ins_added);
        }
        ActivityOutcome::Failed { message, .. } => {
            anyhow::bail!("activity sync of `{}` failed: {message}; users were synced", args.name);
        }
    }
    if let Some(error) = &outcome.account_report_error {
        println!("account report not refreshed: {error}");
    }
    Ok(())
}
