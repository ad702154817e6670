//! Reclaiming paid seats from users who do not use them: plan from the engagement buckets,
//! apply through provisioning, resume after an interruption, and check the seat count the
//! upstream reports afterwards.

use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use crate::app::{data_dir, App};
use crate::engagement::{engagement, Bucket, Thresholds};
use crate::provision::Operation;
use crate::seats::{seats_report, Money};
use crate::store::{unix_now, License, ReclaimItem, ReclaimRun, UserFilter, UserStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReclaimAction {
    /// Change the licence to basic.
    Downgrade,
    /// Deactivate the user, which removes the licence.
    Deactivate,
    /// Disassociate the user from the account.
    Remove,
}

impl ReclaimAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ReclaimAction::Downgrade => "downgrade",
            ReclaimAction::Deactivate => "deactivate",
            ReclaimAction::Remove => "remove",
        }
    }

    fn parse(text: &str) -> anyhow::Result<ReclaimAction> {
        Ok(match text {
            "downgrade" => ReclaimAction::Downgrade,
            "deactivate" => ReclaimAction::Deactivate,
            "remove" => ReclaimAction::Remove,
            other => anyhow::bail!("stored reclaim action {other:?} is unknown"),
        })
    }

    pub fn operation(self, email: &str) -> Operation {
        let email = email.to_string();
        match self {
            ReclaimAction::Downgrade => Operation::SetLicense { email, license: License::Basic },
            ReclaimAction::Deactivate => Operation::Deactivate { email },
            ReclaimAction::Remove => Operation::Remove { email, delete: false, transfer_to: None },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub email: String,
    pub key: String,
    pub bucket: Bucket,
    pub status: UserStatus,
    pub last_active_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub email: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReclaimPlan {
    pub action: ReclaimAction,
    pub unused_days: u32,
    pub candidates: Vec<Candidate>,
    pub skipped: Vec<Skipped>,
    pub seats_freed: u64,
    pub yearly_saving: Option<Money>,
    pub currency: Option<String>,
}

/// Role ids and names Roster never reclaims from: account owners and admins.
fn is_admin(role_id: Option<&str>, role: Option<&str>) -> bool {
    matches!(role_id, Some("0" | "1")) || matches!(role.map(str::to_ascii_lowercase).as_deref(), Some("owner" | "admin"))
}

/// Plans a reclaim: licensed users in the unused or never buckets, minus protected users and
/// admins, each skip with its reason.
pub async fn plan_reclaim(app: &App, connection_name: &str, action: ReclaimAction, unused_days: Option<u32>, protect: &[String]) -> anyhow::Result<ReclaimPlan> {
    let connection = app.db.connection(connection_name).await?;
    let settings = app.db.app_settings(connection.id).await?;
    let mut thresholds = Thresholds::from_settings(&settings);
    if let Some(days) = unused_days {
        if days == 0 {
            return Err(crate::cli::invalid_argument("--unused-days must be at least 1".to_string()));
        }
        thresholds.unused_days = days;
    }
    let protect: Vec<String> = protect.iter().map(|email| email.trim().to_lowercase()).collect();
    // A mistyped address would otherwise leave the intended user unprotected without a word.
    for email in &protect {
        if app.db.user_by_email(connection.id, email).await?.is_none_or(|user| user.removed) {
            return Err(crate::cli::invalid_argument(format!(
                "--protect {email} is not a user of `{connection_name}`; check the address, or run `roster sync {connection_name}` first"
            )));
        }
    }
    let engagements = engagement(&app.db, connection.id, &thresholds, unix_now()).await?;
    let licensed = app.db.users(connection.id, &UserFilter { license: Some(License::Licensed), ..UserFilter::default() }).await?;

    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for user in licensed {
        let Some(engagement) = engagements.get(&user.record.key) else { continue };
        if !engagement.bucket.is_idle() {
            continue;
        }
        let email = user.record.email.clone();
        let reason = if protect.contains(&email.to_lowercase()) {
            Some("protected with --protect".to_string())
        } else if is_admin(user.record.role_id.as_deref(), user.record.role.as_deref()) {
            Some(format!("{}; Roster does not reclaim seats from owners and admins", user.record.role.as_deref().unwrap_or("admin")))
        } else if user.record.status == UserStatus::Pending && action == ReclaimAction::Deactivate {
            Some("pending invitation, which Zoom cannot deactivate; use --action downgrade or remove".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => skipped.push(Skipped { email, reason }),
            None => candidates.push(Candidate {
                email,
                key: user.record.key.clone(),
                bucket: engagement.bucket,
                status: user.record.status,
                last_active_at: crate::views::rfc3339(engagement.last_active_at),
            }),
        }
    }
    candidates.sort_by_key(|left| left.email.to_lowercase());

    let seats_freed = candidates.len() as u64;
    let price = settings.price_per_seat.as_deref().and_then(|price| Money::parse(price).ok());
    Ok(ReclaimPlan {
        action,
        unused_days: thresholds.unused_days,
        candidates,
        skipped,
        seats_freed,
        yearly_saving: price.map(|price| price.times(seats_freed)),
        currency: settings.currency,
    })
}

/// The outcome of applying a reclaim, as written to its report.
#[derive(Debug, Clone, Serialize)]
pub struct ReclaimReport {
    pub run_id: i64,
    pub connection: String,
    pub action: ReclaimAction,
    pub items: Vec<ReclaimItem>,
    pub reclaimed: u64,
    pub failed: u64,
    /// Assigned paid seats the upstream reported before and after, and what the plan expects.
    pub seats_before: Option<i64>,
    pub seats_after: Option<i64>,
    pub seats_expected: Option<i64>,
    pub seats_match: Option<bool>,
    pub report_path: String,
}

/// Assigned paid seats as the upstream reports them now.
async fn upstream_seats(app: &App, connection_name: &str) -> Option<i64> {
    let connection = app.db.connection(connection_name).await.ok()?;
    let prepared = app.prepare(connection).await.ok()?;
    if let Err(error) = crate::sync::refresh_account_report(app, &prepared).await {
        tracing::warn!(error, "cannot read the seat count from the upstream");
        return None;
    }
    let report = seats_report(&app.db, prepared.context.connection.id).await.ok()?;
    report.upstream_assigned.map(i64::from)
}

/// Starts applying a plan: records it so an interruption can resume.
pub async fn start_reclaim(app: &App, connection_name: &str, plan: &ReclaimPlan) -> anyhow::Result<ReclaimRun> {
    let connection = app.db.connection(connection_name).await?;
    let seats_before = upstream_seats(app, connection_name).await;
    let items: Vec<ReclaimItem> = plan
        .candidates
        .iter()
        .enumerate()
        .map(|(position, candidate)| ReclaimItem {
            position: position as i64,
            email: candidate.email.clone(),
            user_key: candidate.key.clone(),
            bucket: candidate.bucket.to_string(),
            state: "planned".to_string(),
            upstream_code: None,
            detail: None,
        })
        .collect();
    Ok(app.db.start_reclaim(connection.id, plan.action.as_str(), plan.unused_days, seats_before, &items).await?)
}

/// Applies the items of a run that are still planned, then checks the seat count and writes
/// the report. `each` is called after every item.
pub async fn apply_reclaim(app: &App, connection_name: &str, run: &ReclaimRun, actor: &str, mut each: impl FnMut(&ReclaimItem)) -> anyhow::Result<ReclaimReport> {
    let action = ReclaimAction::parse(&run.action)?;
    for item in app.db.reclaim_items(run.id).await? {
        if item.state != "planned" {
            continue;
        }
        let operation = action.operation(&item.email);
        let (state, code, detail) = match app.provision(connection_name, &operation, false, actor).await {
            Ok(result) => ("done", None, result.already_done.then(|| "already in effect".to_string())),
            Err(error) => match error.downcast_ref::<crate::provision::ProvisionError>() {
                Some(refusal) => ("failed", refusal.upstream_code.clone(), Some(refusal.message.clone())),
                None => ("failed", None, Some(format!("{error:#}"))),
            },
        };
        app.db.set_reclaim_item(run.id, item.position, state, code.as_deref(), detail.as_deref()).await?;
        each(&ReclaimItem { state: state.to_string(), upstream_code: code, detail, ..item });
    }

    let items = app.db.reclaim_items(run.id).await?;
    let reclaimed = items.iter().filter(|item| item.state == "done").count() as u64;
    let failed = items.iter().filter(|item| item.state == "failed").count() as u64;
    let seats_after = upstream_seats(app, connection_name).await;
    // Pending invitations are not counted as assigned by Zoom, so they free no assigned seat.
    let pending_done = {
        let connection = app.db.connection(connection_name).await?;
        let mut count = 0;
        for item in items.iter().filter(|item| item.state == "done") {
            let user = app.db.user_by_email(connection.id, &item.email).await?;
            if user.is_some_and(|user| user.record.status == UserStatus::Pending) {
                count += 1;
            }
        }
        count
    };
    let seats_expected = run.seats_before.map(|before| before - (reclaimed - pending_done) as i64);
    let seats_match = match (seats_after, seats_expected) {
        (Some(after), Some(expected)) => Some(after == expected),
        _ => None,
    };

    let directory: PathBuf = data_dir(app.db.path()).join("reports");
    std::fs::create_dir_all(&directory).with_context(|| format!("cannot create {}", directory.display()))?;
    let path = directory.join(format!("reclaim-{connection_name}-{}.json", run.id));
    let report = ReclaimReport {
        run_id: run.id,
        connection: connection_name.to_string(),
        action,
        items,
        reclaimed,
        failed,
        seats_before: run.seats_before,
        seats_after,
        seats_expected,
        seats_match,
        report_path: path.display().to_string(),
    };
    std::fs::write(&path, serde_json::to_vec_pretty(&report)?).with_context(|| format!("cannot write {}", path.display()))?;
    app.db.finish_reclaim(run.id, seats_after, &report.report_path).await?;
    tracing::info!(connection = connection_name, run = run.id, reclaimed, failed, ?seats_match, "reclaim finished");
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_admins_are_recognised() {
        assert!(is_admin(Some("0"), None));
        assert!(is_admin(Some("1"), Some("Admin")));
        assert!(is_admin(Some("custom"), Some("Owner")));
        assert!(!is_admin(Some("2"), Some("Member")));
        assert!(!is_admin(None, None));
    }
}
