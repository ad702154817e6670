//! `roster seats`: seats bought and assigned, idle paid seats and their cost, renewal.

use clap::Args;

use super::output::{print_json, TableOrJson};
use crate::app::App;
use crate::seats::{seats_report, RenewalState, Source};

#[derive(Debug, Args)]
pub struct SeatsArgs {
    /// Connection to report on.
    name: String,
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

pub async fn run(app: &App, args: SeatsArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let report = seats_report(&app.db, connection.id).await?;
    if args.format == TableOrJson::Json {
        return print_json(&report);
    }

    let source = match report.seats_bought_source {
        Source::Manual => " (manual)",
        Source::Upstream => " (from the plan usage)",
        Source::Unknown => "",
    };
    let bought = report.seats_bought.map_or_else(|| format!("unknown; set it with `roster app set {} --seats N`", args.name), |seats| seats.to_string());
    println!("{}: seats", args.name);
    println!("  bought:       {bought}{source}");
    let pending = if report.seats_pending > 0 { format!(", plus {} pending invitation{}", report.seats_pending, if report.seats_pending == 1 { "" } else { "s" }) } else { String::new() };
    match report.upstream_assigned {
        Some(upstream) if upstream as u64 != report.seats_assigned => {
            println!("  assigned:     {}{pending} (the plan usage reports {upstream})", report.seats_assigned)
        }
        _ => println!("  assigned:     {}{pending}", report.seats_assigned),
    }
    if let Some(percent) = report.utilisation_percent {
        match report.seats_bought {
            Some(bought) if report.seats_assigned > u64::from(bought) => println!(
                "  utilisation:  {percent:.1}%, {} more seats assigned than bought; check the seat count with `roster app set {} --seats N`",
                report.seats_assigned - u64::from(bought),
                args.name
            ),
            _ => println!("  utilisation:  {percent:.1}%"),
        }
    }

    let idle = &report.idle_licensed;
    let cost = match (&idle.yearly_cost, &idle.currency) {
        (Some(cost), Some(currency)) => format!(", {cost} {currency} a year"),
        _ => format!(", set a price with `roster app set {} --price-per-seat AMOUNT --currency CODE` to see the cost", args.name),
    };
    println!("  idle paid:    {} ({} unused, {} never active){cost}", idle.total, idle.unused, idle.never);

    let renewal = &report.renewal;
    let renewal_text = match (&renewal.date, renewal.days_left, &renewal.state) {
        (Some(date), Some(days), RenewalState::Overdue) => format!("{date}, overdue by {} days", -days),
        (Some(date), Some(days), RenewalState::DueSoon) => format!("{date}, due in {days} days"),
        (Some(date), Some(days), _) => format!("{date}, in {days} days"),
        _ => format!("unknown; set it with `roster app set {} --renewal YYYY-MM-DD`", args.name),
    };
    println!("  renewal:      {renewal_text}");

    let rooms = &report.rooms;
    match (rooms.count, rooms.purchased, rooms.assigned) {
        (None, None, None) => println!("  Zoom Rooms:   unknown"),
        (count, purchased, assigned) => {
            let text = |value: Option<u32>| value.map_or_else(|| "unknown".to_string(), |value| value.to_string());
            println!("  Zoom Rooms:   {} rooms, {} room licences bought, {} assigned (not counted as people)", text(count), text(purchased), text(assigned));
        }
    }
    if let Some(dashboard) = &report.dashboard {
        println!(
            "  meetings:     {} in the last 30 days, {} participants, {} minutes (Zoom dashboard)",
            dashboard.meetings, dashboard.participants, dashboard.minutes
        );
    }
    for note in &report.unavailable {
        println!("  not available: {}: {}", note.feature, note.reason);
    }
    Ok(())
}
