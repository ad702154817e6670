//! `roster disconnect`.

use clap::Args;

use crate::app::App;
use crate::disconnect::cli_actor;

#[derive(Debug, Args)]
pub struct DisconnectArgs {
    /// Connection to disconnect.
    name: String,
    /// Also delete the connection's synced users, sync runs and connector storage, and the
    /// connection itself.
    #[arg(long)]
    purge: bool,
}

pub async fn run(app: &App, args: DisconnectArgs) -> anyhow::Result<()> {
    let report = app.disconnect(&args.name, args.purge, &cli_actor()).await?;
    for failure in &report.revoke_failures {
        println!("warning: {failure}; revoke the app in the provider's app settings to be sure");
    }
    match report.purged {
        Some(counts) => println!(
            "disconnected and deleted {}: {} credentials, {} users, {} sync runs, {} storage keys",
            args.name, report.credentials_deleted, counts.users, counts.sync_runs, counts.storage_keys
        ),
        None => println!(
            "disconnected {}: {} credentials deleted, synced data kept (use --purge to delete it)",
            args.name, report.credentials_deleted
        ),
    }
    Ok(())
}
