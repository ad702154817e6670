//! `roster users`: lists a connection's synced users as a table, JSON or CSV.

use clap::Args;
use serde::Serialize;

use super::output::{print_json, rfc3339, short_time, table, Format};
use crate::app::App;
use crate::store::{License, StoredUser, UserFilter, UserStatus};

#[derive(Debug, Args)]
pub struct UsersArgs {
    /// Connection whose users to list.
    name: String,
    /// Only users with this status.
    #[arg(long, value_parser = parse_status)]
    status: Option<UserStatus>,
    /// Only users with this licence.
    #[arg(long, value_parser = parse_license)]
    license: Option<License>,
    /// Also list users that the last complete sync no longer found upstream.
    #[arg(long)]
    include_removed: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

fn parse_status(text: &str) -> Result<UserStatus, String> {
    text.parse()
}

fn parse_license(text: &str) -> Result<License, String> {
    match text.parse::<License>()? {
        license @ (License::Basic | License::Licensed) => Ok(license),
        _ => Err("expected basic or licensed".to_string()),
    }
}

/// One user in JSON and CSV output. Field names are part of the CLI's contract.
#[derive(Serialize)]
struct UserView<'a> {
    email: &'a str,
    status: UserStatus,
    license: License,
    role: Option<&'a str>,
    last_login_at: Option<String>,
    removed: bool,
    key: &'a str,
    remote_id: Option<&'a str>,
    display_name: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    license_code: Option<&'a str>,
    role_id: Option<&'a str>,
    department: Option<&'a str>,
    group_ids: &'a [String],
    login_types: &'a [String],
    created_at: Option<String>,
    last_client_version: Option<&'a str>,
    removed_at: Option<String>,
}

impl<'a> UserView<'a> {
    fn new(user: &'a StoredUser) -> UserView<'a> {
        let record = &user.record;
        UserView {
            email: &record.email,
            status: record.status,
            license: record.license,
            role: record.role.as_deref(),
            last_login_at: rfc3339(record.last_login_at),
            removed: user.removed,
            key: &record.key,
            remote_id: record.remote_id.as_deref(),
            display_name: record.display_name.as_deref(),
            first_name: record.first_name.as_deref(),
            last_name: record.last_name.as_deref(),
            license_code: record.license_code.as_deref(),
            role_id: record.role_id.as_deref(),
            department: record.department.as_deref(),
            group_ids: &record.group_ids,
            login_types: &record.login_types,
            created_at: rfc3339(record.created_at),
            last_client_version: record.last_client_version.as_deref(),
            removed_at: rfc3339(user.removed_at),
        }
    }
}

fn display_name(user: &StoredUser) -> String {
    let record = &user.record;
    if let Some(name) = &record.display_name {
        return name.clone();
    }
    [record.first_name.as_deref(), record.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

pub async fn run(app: &App, args: UsersArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let filter = UserFilter { status: args.status, license: args.license, include_removed: args.include_removed };
    let users = app.db.users(connection.id, &filter).await?;

    match args.format {
        Format::Json => print_json(&users.iter().map(UserView::new).collect::<Vec<_>>()),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
            writer.write_record([
                "email", "status", "license", "role", "last_login_at", "removed", "key", "remote_id", "display_name",
                "department", "license_code", "role_id", "group_ids", "login_types", "created_at", "last_client_version",
            ])?;
            for user in &users {
                let view = UserView::new(user);
                writer.write_record([
                    view.email,
                    view.status.as_str(),
                    view.license.as_str(),
                    view.role.unwrap_or_default(),
                    view.last_login_at.as_deref().unwrap_or_default(),
                    if view.removed { "true" } else { "false" },
                    view.key,
                    view.remote_id.unwrap_or_default(),
                    view.display_name.unwrap_or_default(),
                    view.department.unwrap_or_default(),
                    view.license_code.unwrap_or_default(),
                    view.role_id.unwrap_or_default(),
                    &view.group_ids.join(";"),
                    &view.login_types.join(";"),
                    view.created_at.as_deref().unwrap_or_default(),
                    view.last_client_version.unwrap_or_default(),
                ])?;
            }
            writer.flush()?;
            Ok(())
        }
        Format::Table => {
            if users.is_empty() {
                println!("no users match; run `roster sync {}` if it has never synced", args.name);
                return Ok(());
            }
            let mut header = vec!["EMAIL", "NAME", "STATUS", "LICENSE", "ROLE", "LAST LOGIN (UTC)"];
            if args.include_removed {
                header.push("REMOVED");
            }
            let mut out = table(&header);
            for user in &users {
                let record = &user.record;
                let mut row = vec![
                    record.email.clone(),
                    display_name(user),
                    record.status.to_string(),
                    record.license.to_string(),
                    record.role.clone().or_else(|| record.role_id.clone()).unwrap_or_default(),
                    short_time(record.last_login_at),
                ];
                if args.include_removed {
                    row.push(if user.removed { "removed".into() } else { String::new() });
                }
                out.add_row(row);
            }
            println!("{out}");
            println!("{} users", users.len());
            Ok(())
        }
    }
}
