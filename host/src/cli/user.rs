//! `roster user NAME ...`: creates and changes users through the connector.

use clap::{Args, Subcommand};

use super::output::{confirm, print_json};
use crate::app::App;
use crate::disconnect::cli_actor;
use crate::provision::{Operation, ProvisionResult};
use crate::store::License;

#[derive(Debug, Args)]
pub struct UserArgs {
    /// Connection of the user.
    name: String,
    #[command(subcommand)]
    command: UserCommand,
    /// Print the exact requests the change would send, and send nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Do not ask before deactivating, removing or downgrading.
    #[arg(long, global = true)]
    yes: bool,
    /// Print the result as JSON.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LicenseArg {
    Basic,
    Licensed,
}

impl From<LicenseArg> for License {
    fn from(license: LicenseArg) -> Self {
        match license {
            LicenseArg::Basic => License::Basic,
            LicenseArg::Licensed => License::Licensed,
        }
    }
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user. With the default action `create` Zoom emails an invitation and lists the
    /// user as pending until it is accepted.
    Create {
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        #[arg(long, value_enum, default_value = "basic")]
        license: LicenseArg,
        /// Zoom's creation action: create, autoCreate, custCreate or ssoCreate.
        #[arg(long, value_parser = ["create", "autoCreate", "custCreate", "ssoCreate"])]
        action: Option<String>,
    },
    /// Change a user's licence.
    License {
        email: String,
        #[arg(value_enum)]
        license: LicenseArg,
    },
    /// Deactivate a user, which also removes the licence.
    Deactivate { email: String },
    /// Activate a deactivated user.
    Activate { email: String },
    /// Remove a user from the account: disassociate by default, or delete with --delete.
    Remove {
        email: String,
        /// Delete the user and their data instead of disassociating.
        #[arg(long)]
        delete: bool,
        /// With --delete, give the user's meetings, webinars and recordings to this licensed user.
        #[arg(long, value_name = "EMAIL", requires = "delete")]
        transfer_to: Option<String>,
    },
    /// Give a user a role, by name or id.
    Role { email: String, role: String },
    /// Add a user to a group, by name or id.
    GroupAdd { email: String, group: String },
    /// Remove a user from a group, by name or id.
    GroupRemove { email: String, group: String },
}

fn operation(command: UserCommand) -> Operation {
    match command {
        UserCommand::Create { email, first_name, last_name, license, action } => {
            Operation::Create { email, first_name: Some(first_name), last_name: Some(last_name), license: license.into(), action }
        }
        UserCommand::License { email, license } => Operation::SetLicense { email, license: license.into() },
        UserCommand::Deactivate { email } => Operation::Deactivate { email },
        UserCommand::Activate { email } => Operation::Activate { email },
        UserCommand::Remove { email, delete, transfer_to } => Operation::Remove { email, delete, transfer_to },
        UserCommand::Role { email, role } => Operation::SetRole { email, role },
        UserCommand::GroupAdd { email, group } => Operation::AddToGroup { email, group },
        UserCommand::GroupRemove { email, group } => Operation::RemoveFromGroup { email, group },
    }
}

/// Prints the requests of a result, one method and URL a line with the JSON body under it.
pub fn print_requests(result: &ProvisionResult) {
    for request in &result.requests {
        println!("  {} {}", request.method, request.url);
        if let Some(body) = &request.body {
            println!("  {body}");
        }
    }
}

pub async fn run(app: &App, args: UserArgs) -> anyhow::Result<()> {
    let operation = operation(args.command);
    if operation.is_destructive() && !args.dry_run {
        confirm(&format!("{} {} in `{}`?", operation.name(), operation.email(), args.name), args.yes)?;
    }
    let result = app.provision(&args.name, &operation, args.dry_run, &cli_actor()).await?;
    if args.json {
        return print_json(&result);
    }

    if result.dry_run {
        println!("dry run: {} {} would send {} request(s), and nothing was sent:", result.operation, result.target, result.requests.len());
        print_requests(&result);
        return Ok(());
    }
    if result.already_done {
        let note = result.note.as_deref().map(|note| format!(" ({note})")).unwrap_or_default();
        println!("{} {}: already in effect{note}", result.operation, result.target);
        return Ok(());
    }
    println!("{} {}: done", result.operation, result.target);
    if let Some(user) = &result.user {
        let removed = if user.removed { ", removed" } else { "" };
        println!("  now {} and {}, role {}{removed}", user.status, user.license, user.role.as_deref().or(user.role_id.as_deref()).unwrap_or("unknown"));
    }
    Ok(())
}
