//! `roster usage`: meetings hosted per user in one month, and paid seats that hosted none.

use clap::Args;

use super::output::{print_json, table, Format};
use crate::app::App;
use crate::usage::{usage_report, UsageReport};

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Connection to report on.
    name: String,
    /// Month to show, as YYYY-MM. Defaults to the newest stored month.
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// Hosts to list in the table, most meetings first. JSON and CSV list every host.
    #[arg(long, default_value_t = 20)]
    top: usize,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

fn write_csv(report: &UsageReport) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    writer.write_record(["month", "email", "license", "meetings", "meeting_minutes", "participants"])?;
    for user in &report.users {
        writer.write_record([
            report.month.clone(),
            user.email.clone(),
            user.license.map(|license| license.to_string()).unwrap_or_default(),
            user.meetings.to_string(),
            user.meeting_minutes.to_string(),
            user.participants.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

pub async fn run(app: &App, args: UsageArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let report = usage_report(&app.db, connection.id, &args.name, args.month.as_deref()).await?;
    match args.format {
        Format::Json => return print_json(&report),
        Format::Csv => return write_csv(&report),
        Format::Table => {}
    }

    let state = if report.complete { "complete month" } else { "month so far" };
    println!("{}: meetings hosted in {} ({state})", args.name, report.month);
    println!("  hosts:         {}", report.hosts);
    println!("  meetings:      {}, {} minutes, {} participants", report.meetings, report.meeting_minutes, report.participants);
    println!("  paid seats that hosted no meeting: {} of {} licensed users", report.licensed_without_meetings, report.licensed_users);
    if report.users.is_empty() {
        return Ok(());
    }

    let mut out = table(&["EMAIL", "LICENSE", "MEETINGS", "MINUTES", "PARTICIPANTS"]);
    for user in report.users.iter().take(args.top) {
        out.add_row(vec![
            user.email.clone(),
            user.license.map(|license| license.to_string()).unwrap_or_else(|| "removed".to_string()),
            user.meetings.to_string(),
            user.meeting_minutes.to_string(),
            user.participants.to_string(),
        ]);
    }
    println!();
    println!("{out}");
    if report.users.len() > args.top {
        println!("  {} more hosts; use --top N, or --format csv for all", report.users.len() - args.top);
    }
    println!("  Months stored: {}", report.months_stored.join(", "));
    Ok(())
}
