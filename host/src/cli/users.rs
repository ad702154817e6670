//! `roster users`: lists a connection's synced users as a table, JSON or CSV.

use clap::Args;

use super::output::{print_json, short_time, table, Format};
use crate::app::App;
use crate::engagement::Bucket;
use crate::store::{License, UserFilter, UserStatus};
use crate::views::{users, UserView};

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
    /// Only users in this engagement bucket: never, unused, low, medium or high.
    #[arg(long, value_parser = parse_bucket)]
    engagement: Option<Bucket>,
    /// Also list users that the last complete sync no longer found upstream.
    #[arg(long)]
    include_removed: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

fn parse_status(text: &str) -> Result<UserStatus, String> {
    text.parse()
}

fn parse_bucket(text: &str) -> Result<Bucket, String> {
    text.parse()
}

fn parse_license(text: &str) -> Result<License, String> {
    match text.parse::<License>()? {
        license @ (License::Basic | License::Licensed) => Ok(license),
        _ => Err("expected basic or licensed".to_string()),
    }
}

fn write_csv(users: &[UserView]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    writer.write_record([
        "email", "status", "license", "role", "last_login_at", "removed", "engagement", "key", "remote_id", "display_name",
        "department", "license_code", "role_id", "group_ids", "login_types", "created_at", "last_client_version",
    ])?;
    for user in users {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        writer.write_record([
            user.email.clone(),
            user.status.to_string(),
            user.license.to_string(),
            text(&user.role),
            text(&user.last_login_at),
            user.removed.to_string(),
            user.engagement.map(|bucket| bucket.to_string()).unwrap_or_default(),
            user.key.clone(),
            text(&user.remote_id),
            text(&user.display_name),
            text(&user.department),
            text(&user.license_code),
            text(&user.role_id),
            user.group_ids.join(";"),
            user.login_types.join(";"),
            text(&user.created_at),
            text(&user.last_client_version),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

pub async fn run(app: &App, args: UsersArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let filter = UserFilter { status: args.status, license: args.license, include_removed: args.include_removed };
    let users = users(&app.db, connection.id, &filter, args.engagement).await?;

    match args.format {
        Format::Json => print_json(&users),
        Format::Csv => write_csv(&users),
        Format::Table => {
            if users.is_empty() {
                println!("no users match; run `roster sync {}` if it has never synced", args.name);
                return Ok(());
            }
            let mut header = vec!["EMAIL", "NAME", "STATUS", "LICENSE", "ROLE", "LAST LOGIN (UTC)", "ENGAGEMENT"];
            if args.include_removed {
                header.push("REMOVED");
            }
            let mut out = table(&header);
            for user in &users {
                let last_login = user.last_login_at.as_deref().and_then(|at| at.parse::<jiff::Timestamp>().ok()).map(|at| at.as_second());
                let mut row = vec![
                    user.email.clone(),
                    user.name(),
                    user.status.to_string(),
                    user.license.to_string(),
                    user.role.clone().or_else(|| user.role_id.clone()).unwrap_or_default(),
                    short_time(last_login),
                    user.engagement.map(|bucket| bucket.to_string()).unwrap_or_default(),
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
