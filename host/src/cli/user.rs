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
        #[arg(value_parser = parse_email)]
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

/// Checks the shape of a new user's email locally, so a typo gets a clear message instead of
/// Zoom's generic code 300.
fn parse_email(text: &str) -> Result<String, String> {
    let valid = match text.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@'),
        None => false,
    };
    if valid && !text.contains(char::is_whitespace) {
        Ok(text.to_string())
    } else {
        Err(format!("{text:?} is not an email address"))
    }
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

/// Returns the confirmation question of a destructive change, naming its effect.
fn question(operation: &Operation, connection: &str) -> String {
    match operation {
        Operation::SetLicense { email, license } => format!("change the licence of {email} in `{connection}` to {license}?"),
        Operation::Deactivate { email } => format!("deactivate {email} in `{connection}`, which also removes the paid licence?"),
        Operation::Remove { email, delete: false, .. } => format!("remove {email} from `{connection}` (disassociate the account)?"),
        Operation::Remove { email, delete: true, .. } => format!("delete {email} and the account's data in `{connection}`?"),
        other => format!("{} {} in `{connection}`?", other.name(), other.email()),
    }
}

pub async fn run(app: &App, args: UserArgs) -> anyhow::Result<()> {
    let operation = operation(args.command);
    if operation.is_destructive() && !args.dry_run {
        confirm(&question(&operation, &args.name), args.yes)?;
    }
    let result = app.provision(&args.name, &operation, args.dry_run, &cli_actor()).await?;
    if args.json {
        return print_json(&result);
    }

    let note = result.note.as_deref().map(|note| format!(" ({note})")).unwrap_or_default();
    if result.dry_run && result.requests.is_empty() {
        println!("dry run: {} {}: no request is needed{note}", result.operation, result.target);
        return Ok(());
    }
    if result.dry_run {
        println!("dry run: {} {} would send {} request(s), and nothing was sent:", result.operation, result.target, result.requests.len());
        print_requests(&result);
        return Ok(());
    }
    if result.already_done {
        println!("{} {}: already in effect{note}", result.operation, result.target);
        return Ok(());
    }
    println!("{} {}: done", result.operation, result.target);
    if let Some(user) = &result.user {
        if user.removed {
            println!("  now removed from the account; Roster keeps the record marked removed");
        } else {
            let role = user.role.as_deref().or(user.role_id.as_deref()).unwrap_or("unknown");
            println!("  now {}, licence {}, role {role}", user.status, user.license);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_user_emails() {
        assert!(parse_email("new.hire@example.test").is_ok());
        for bad in ["not-an-email", "a@b", "@example.test", "a b@example.test", "a@example.test."] {
            assert_eq!(parse_email(bad).unwrap_err(), format!("{bad:?} is not an email address"), "{bad}");
        }
    }
}
