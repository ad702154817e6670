//! `roster reclaim`: frees paid seats of users who do not use them.

use clap::Args;

use super::output::{confirm, short_time, table};
use super::user::print_requests;
use crate::app::App;
use crate::disconnect::cli_actor;
use crate::reclaim::{apply_reclaim, plan_reclaim, start_reclaim, ReclaimAction};

#[derive(Debug, Args)]
pub struct ReclaimArgs {
    /// Connection to reclaim seats in.
    name: String,
    /// Days without activity after which a licensed user's seat is reclaimed; defaults to the
    /// app's unused period (90 days unless set).
    #[arg(long, value_name = "DAYS")]
    unused_days: Option<u32>,
    /// Action taken on each idle paid seat.
    #[arg(long, value_enum, default_value = "downgrade")]
    action: ReclaimAction,
    /// Never touch this user; repeatable.
    #[arg(long, value_name = "EMAIL")]
    protect: Vec<String>,
    /// Show the plan and the requests it would send, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking.
    #[arg(long)]
    yes: bool,
}

pub async fn run(app: &App, args: ReclaimArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    let actor = cli_actor();

    if let Some(run) = app.db.unfinished_reclaim(connection.id).await? {
        let items = app.db.reclaim_items(run.id).await?;
        let left = items.iter().filter(|item| item.state == "planned").count();
        println!("reclaim run {} ({}) was interrupted; {left} of {} users are left", run.id, run.action, items.len());
        if args.dry_run {
            for item in items.iter().filter(|item| item.state == "planned") {
                println!("  would {} {}", run.action, item.email);
            }
            return Ok(());
        }
        confirm("Resume it?", args.yes)?;
        return finish(app, &args.name, &run, &actor).await;
    }

    let plan = plan_reclaim(app, &args.name, args.action, args.unused_days, &args.protect).await?;
    if plan.candidates.is_empty() {
        println!("nothing to reclaim: no licensed user of `{}` is unused for {} days or never active", args.name, plan.unused_days);
    } else {
        let mut out = table(&["EMAIL", "BUCKET", "STATUS", "LAST ACTIVE (UTC)"]);
        for candidate in &plan.candidates {
            let last = candidate.last_active_at.as_deref().and_then(|at| at.parse::<jiff::Timestamp>().ok()).map(|at| at.as_second());
            out.add_row(vec![candidate.email.clone(), candidate.bucket.to_string(), candidate.status.to_string(), short_time(last)]);
        }
        println!("{out}");
    }
    for skipped in &plan.skipped {
        println!("skipped {}: {}", skipped.email, skipped.reason);
    }
    let saving = match (&plan.yearly_saving, &plan.currency) {
        (Some(saving), Some(currency)) => format!("{saving} {currency} a year"),
        _ => format!("unknown; set a price with `roster app set {} --price-per-seat AMOUNT --currency CODE`", args.name),
    };
    println!("seats freed: {} by {}; saving: {saving}", plan.seats_freed, plan.action.as_str());
    if plan.candidates.is_empty() {
        return Ok(());
    }

    if args.dry_run {
        println!("dry run: these requests would be sent, and nothing was sent:");
        for candidate in &plan.candidates {
            let result = app.provision(&args.name, &plan.action.operation(&candidate.email), true, &actor).await?;
            print_requests(&result);
        }
        return Ok(());
    }

    confirm(&format!("Reclaim {} seats by {}?", plan.seats_freed, plan.action.as_str()), args.yes)?;
    let run = start_reclaim(app, &args.name, &plan).await?;
    finish(app, &args.name, &run, &actor).await
}

async fn finish(app: &App, name: &str, run: &crate::store::ReclaimRun, actor: &str) -> anyhow::Result<()> {
    let report = apply_reclaim(app, name, run, actor, |item| match item.state.as_str() {
        "done" => println!("  {} {}: done", run.action, item.email),
        _ => println!("  {} {}: failed: {}", run.action, item.email, item.detail.as_deref().unwrap_or("unknown error")),
    })
    .await?;

    println!("reclaimed {} seats, {} failed; report written to {}", report.reclaimed, report.failed, report.report_path);
    match (report.seats_before, report.seats_after, report.seats_expected, report.seats_match) {
        (Some(before), Some(after), Some(expected), Some(true)) => {
            println!("seat check: the upstream reports {after} assigned paid seats, down from {before}, as planned ({expected})")
        }
        (_, Some(after), Some(expected), Some(false)) => {
            println!("seat check: the upstream reports {after} assigned paid seats, but the plan expected {expected}; run `roster sync {name}` and compare")
        }
        _ => println!("seat check: the upstream's seat count is not available"),
    }
    if report.failed > 0 {
        anyhow::bail!("{} of {} changes failed; see the lines above and {}", report.failed, report.items.len(), report.report_path);
    }
    Ok(())
}
