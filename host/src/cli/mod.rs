//! The `roster` command line: argument parsing, logging setup and one file per command group.

mod app;
mod audit_log;
mod check;
mod connect;
mod connector;
mod disconnect;
mod engagement;
mod output;
mod reclaim;
mod seats;
mod serve;
mod status;
mod summary;
mod sync;
mod usage;
mod user;
mod users;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{default_database_path, App};
use crate::runtime::CallLimits;

#[derive(Debug, Parser)]
#[command(name = "roster", version, about = "See who uses each SaaS seat, through sandboxed connectors")]
pub struct Cli {
    /// SQLite database file; created on first use. Defaults to the user's data directory.
    #[arg(long, global = true, env = "ROSTER_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install and list connector components.
    #[command(subcommand)]
    Connector(connector::ConnectorCommand),
    /// Connect an account of a SaaS tool through an installed connector.
    Connect(connect::ConnectArgs),
    /// Show which features a connection's grant allows, and what to grant for the others.
    Check(check::CheckArgs),
    /// Revoke a connection's tokens and delete them; --purge also deletes its synced data.
    Disconnect(disconnect::DisconnectArgs),
    /// Run the HTTP server: the web UI, the REST API and the webhooks.
    Serve(serve::ServeArgs),
    /// List the audit log of changes.
    AuditLog(audit_log::AuditLogArgs),
    /// Sync a connection's users.
    Sync(sync::SyncArgs),
    /// List a connection's synced users.
    Users(users::UsersArgs),
    /// Show connections, their last sync, user counts and health.
    Status(status::StatusArgs),
    /// Summarise a connection's users by status, licence and last sign-in.
    Summary(summary::SummaryArgs),
    /// Show users per engagement bucket, with the formula.
    Engagement(engagement::EngagementArgs),
    /// Show seats bought and assigned, idle paid seats and the renewal.
    Seats(seats::SeatsArgs),
    /// Show meetings hosted per user in a month, and paid seats that hosted none.
    Usage(usage::UsageArgs),
    /// Create a user, or change one: licence, status, removal, role, groups.
    User(user::UserArgs),
    /// Free the paid seats of users who are unused or never active.
    Reclaim(reclaim::ReclaimArgs),
    /// Record an app's contract terms and engagement settings.
    #[command(subcommand)]
    App(app::AppCommand),
}

/// Logs go to stderr. On a terminal only warnings show by default, because the progress
/// bar reports progress; elsewhere info lines do. `ROSTER_LOG` takes a tracing filter.
fn init_logging() {
    let default = if std::io::stderr().is_terminal() { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROSTER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .compact()
        .init();
}

/// Parses arguments, runs the command and prints any error as one line on stderr.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    init_logging();

    // Rust ignores SIGPIPE, so `roster users NAME | head` would panic on the closed pipe. The
    // printing commands take the default action instead and end quietly, as Unix tools do.
    #[cfg(unix)]
    if !matches!(cli.command, Command::Serve(_)) {
        // SAFETY: no other thread exists yet, and SIG_DFL is a valid disposition for SIGPIPE.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", crate::explain::one_line(&error));
            let invalid = error.downcast_ref::<InvalidArgument>().is_some()
                || matches!(error.downcast_ref::<crate::usage::UsageError>(), Some(crate::usage::UsageError::InvalidMonth(_)));
            if invalid { ExitCode::from(2) } else { ExitCode::FAILURE }
        }
    }
}

/// An argument value that clap accepted but the command found invalid. It exits with 2, like
/// clap's own argument errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidArgument(pub String);

/// Wraps a message as an [`InvalidArgument`] error.
pub fn invalid_argument(message: String) -> anyhow::Error {
    InvalidArgument(message).into()
}

/// Prints help and version as clap does, and argument errors as one line on stderr.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;

    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
        let _ = error.print();
        return ExitCode::from(error.exit_code() as u8);
    }

    // clap's message spans several lines: the error, its hints, a usage block and a pointer to
    // --help. The usage block is dropped and the rest joined.
    let rendered = error.render().to_string();
    let lines: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .filter(|line| !line.is_empty())
        .collect();
    eprintln!("{}; run with --help for usage", lines.join(" "));
    ExitCode::from(error.exit_code() as u8)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db_path = match cli.db {
        Some(path) => path,
        None => default_database_path()?,
    };
    let app = App::open(&db_path, CallLimits::default()).await?;
    if let Command::Serve(args) = cli.command {
        return serve::run(app, args).await;
    }
    let result = match cli.command {
        Command::Connector(command) => connector::run(&app, command).await,
        Command::Connect(args) => connect::run(&app, args).await,
        Command::Sync(args) => sync::run(&app, args).await,
        Command::Users(args) => users::run(&app, args).await,
        Command::Status(args) => status::run(&app, args).await,
        Command::Summary(args) => summary::run(&app, args).await,
        Command::Engagement(args) => engagement::run(&app, args).await,
        Command::Seats(args) => seats::run(&app, args).await,
        Command::Usage(args) => usage::run(&app, args).await,
        Command::App(command) => app::run(&app, command).await,
        Command::User(args) => user::run(&app, args).await,
        Command::Reclaim(args) => reclaim::run(&app, args).await,
        Command::Check(args) => check::run(&app, args).await,
        Command::Disconnect(args) => disconnect::run(&app, args).await,
        Command::AuditLog(args) => audit_log::run(&app, args).await,
        Command::Serve(_) => unreachable!("handled above"),
    };
    app.db.close().await;
    result
}
