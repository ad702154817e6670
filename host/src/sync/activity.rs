//! Sign-in history and monthly usage: the first sync backfills six months month by month,
//! later syncs start from the last stored day with a small overlap. Report endpoints are
//! rate-limited per day, so a daily limit ends the run as "partial" and the next sync resumes
//! from its checkpoint.

use jiff::civil::Date;
use jiff::ToSpan as _;
use serde::{Deserialize, Serialize};

use crate::app::{App, Prepared};
use crate::explain::explain_connector_error;
use crate::sync::Progress;
use crate::runtime::wit::{self, ConnectorError, RateLimitScope, SessionEventKind, UnavailableFeature};
use crate::store::{ActivityRun, ActivityRunStatus, ActivityState, SignIn, UnavailableNote, UsageRow};

/// Months of history the upstream serves; Zoom's report endpoints reach six months back.
pub const HISTORY_MONTHS: i32 = 6;
/// Days fetched again before the last stored day, so events recorded late are not missed.
/// Re-fetched events are stored once.
pub const OVERLAP_DAYS: i32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Task {
    Sessions,
    Usage,
}

/// The position of an activity run: the task, its range and the connector's cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Checkpoint {
    task: Task,
    start: Date,
    end: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

impl Checkpoint {
    fn encode(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint of plain fields always serialises")
    }
}

/// The outcome of an activity sync.
#[derive(Debug, Clone)]
pub enum ActivityOutcome {
    Completed { run: ActivityRun, unavailable: Vec<UnavailableNote> },
    /// A rate limit stopped the run; the next sync resumes from its checkpoint.
    Partial { run: ActivityRun, message: String },
    Failed { run: ActivityRun, kind: String, message: String },
}

enum Stop {
    Partial { retry_after: Option<i64>, message: String },
    Failed { kind: String, message: String },
}

fn wit_date(date: Date) -> wit::Date {
    wit::Date { year: i32::from(date.year()), month: date.month() as u8, day: date.day() as u8 }
}

fn month_key(date: Date) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// Returns the first day of the history window: six months before today, plus one day, so
/// that the oldest month lies inside the upstream's limit.
pub fn window_start(today: Date) -> Date {
    today.checked_sub(HISTORY_MONTHS.months()).and_then(|date| date.checked_add(1.day())).unwrap_or(today)
}

/// Splits `[start, end]` at month boundaries, because report endpoints take at most a month.
fn month_ranges(start: Date, end: Date) -> Vec<(Date, Date)> {
    let mut ranges = Vec::new();
    let mut from = start;
    while from <= end {
        let month_end = from.last_of_month();
        let to = month_end.min(end);
        ranges.push((from, to));
        match month_end.checked_add(1.day()) {
            Ok(next) => from = next,
            Err(_) => break,
        }
    }
    ranges
}

/// The state of one activity sync, derived from what is already stored.
fn plan(state: &ActivityState, today: Date) -> Vec<Checkpoint> {
    let window = window_start(today);
    let sessions_start = state
        .sessions_through
        .as_deref()
        .and_then(|day| day.parse::<Date>().ok())
        .and_then(|day| day.checked_sub(OVERLAP_DAYS.days()).ok())
        .map_or(window, |day| day.max(window));

    let mut tasks: Vec<Checkpoint> = month_ranges(sessions_start, today)
        .into_iter()
        .map(|(start, end)| Checkpoint { task: Task::Sessions, start, end, cursor: None })
        .collect();
    for (start, end) in month_ranges(window, today) {
        if !state.final_months.contains(&month_key(start)) {
            tasks.push(Checkpoint { task: Task::Usage, start, end, cursor: None });
        }
    }
    tasks
}

fn note(feature: UnavailableFeature) -> UnavailableNote {
    UnavailableNote { feature: feature.feature, reason: feature.reason, upstream_code: feature.upstream_code }
}

struct ActivitySync<'a> {
    app: &'a App,
    prepared: &'a Prepared,
    run: ActivityRun,
    state: ActivityState,
    unavailable: Vec<UnavailableNote>,
    today: Date,
    progress: &'a dyn Progress,
}

impl ActivitySync<'_> {
    fn stop_for(&self, error: ConnectorError, auth_failure: Option<&str>) -> Stop {
        if let ConnectorError::RateLimited(limit) = &error {
            let scope = match limit.scope {
                RateLimitScope::Daily => "daily",
                RateLimitScope::PerSecond => "per-second",
                RateLimitScope::Concurrent => "concurrent-request",
                RateLimitScope::Unknown => "request",
            };
            let when = limit
                .retry_after
                .and_then(|at| jiff::Timestamp::from_second(at).ok())
                .map_or_else(|| "later".to_string(), |at| format!("after {at}"));
            return Stop::Partial {
                retry_after: limit.retry_after,
                message: format!("{}'s {scope} limit for report requests was reached; the next sync resumes {when}", self.prepared.info.name),
            };
        }
        let explained = explain_connector_error(&error, &self.prepared.info.name, auth_failure);
        Stop::Failed { kind: explained.kind.to_string(), message: explained.message }
    }

    fn record_unavailable(&mut self, features: Vec<UnavailableFeature>) {
        for feature in features {
            if !self.unavailable.iter().any(|known| known.feature == feature.feature) {
                tracing::warn!(feature = %feature.feature, reason = %feature.reason, "feature not available; continuing without it");
                self.unavailable.push(note(feature));
            }
        }
    }

    async fn sessions(&mut self, mut checkpoint: Checkpoint) -> Result<(), Stop> {
        let range = wit::DateRange { start: wit_date(checkpoint.start), end: wit_date(checkpoint.end) };
        let mut restarted = false;
        let mut refused = false;
        loop {
            let broker = self.app.broker(Some(self.prepared.context.clone()), &self.prepared.version);
            let audit = broker.audit_sink();
            let outcome = self.app.runtime.list_activity(&self.prepared.connector, broker, range, checkpoint.cursor.clone()).await;
            let page = match outcome {
                Err(error) => return Err(Stop::Failed { kind: error.kind().to_string(), message: error.to_string() }),
                Ok(Err(ConnectorError::InvalidCursor(detail))) if checkpoint.cursor.is_some() && !restarted => {
                    tracing::warn!(detail, "the upstream no longer accepts the saved cursor; restarting the range");
                    checkpoint.cursor = None;
                    restarted = true;
                    continue;
                }
                Ok(Err(error)) => return Err(self.stop_for(error, audit.auth_failure().as_deref())),
                Ok(Ok(page)) => page,
            };
            refused |= !page.unavailable.is_empty();
            self.record_unavailable(page.unavailable);

            let sign_ins: Vec<SignIn> = page
                .sessions
                .into_iter()
                .filter(|event| event.kind == SessionEventKind::SignIn)
                .map(|event| SignIn { email: event.email.to_lowercase(), at: event.at, client_type: event.client_type })
                .collect();
            let next = page.next_cursor.map(|cursor| Checkpoint { cursor: Some(cursor), ..checkpoint.clone() });
            let added = self
                .app
                .db
                .apply_sign_ins(self.run.id, self.prepared.context.connection.id, &sign_ins, next.as_ref().map(Checkpoint::encode).as_deref())
                .await
                .map_err(|error| Stop::Failed { kind: "host".into(), message: format!("cannot store sign-ins: {error}") })?;
            tracing::debug!(start = %checkpoint.start, end = %checkpoint.end, events = sign_ins.len(), added, "stored sign-ins");
            match next {
                Some(next) => checkpoint = next,
                None => break,
            }
        }

        // A refused range is not history: leave it for the next sync to try again.
        if !refused {
            let end = checkpoint.end.to_string();
            if self.state.sessions_through.as_deref().is_none_or(|through| *through < *end) {
                self.state.sessions_through = Some(end);
            }
            let start = checkpoint.start.to_string();
            if self.state.sessions_from.as_deref().is_none_or(|from| *from > *start) {
                self.state.sessions_from = Some(start);
            }
            self.save_state().await?;
        }
        Ok(())
    }

    async fn usage(&mut self, checkpoint: Checkpoint) -> Result<(), Stop> {
        let range = wit::DateRange { start: wit_date(checkpoint.start), end: wit_date(checkpoint.end) };
        let month = month_key(checkpoint.start);
        let mut rows: Vec<UsageRow> = Vec::new();
        let mut cursor = None;
        let mut refused = false;
        self.app
            .db
            .set_activity_checkpoint(self.run.id, Some(&checkpoint.encode()))
            .await
            .map_err(|error| Stop::Failed { kind: "host".into(), message: error.to_string() })?;
        loop {
            let broker = self.app.broker(Some(self.prepared.context.clone()), &self.prepared.version);
            let audit = broker.audit_sink();
            let page = match self.app.runtime.list_usage(&self.prepared.connector, broker, range, cursor.clone()).await {
                Err(error) => return Err(Stop::Failed { kind: error.kind().to_string(), message: error.to_string() }),
                Ok(Err(error)) => return Err(self.stop_for(error, audit.auth_failure().as_deref())),
                Ok(Ok(page)) => page,
            };
            refused |= !page.unavailable.is_empty();
            self.record_unavailable(page.unavailable);
            rows.extend(page.usage.into_iter().map(|usage| UsageRow {
                email: usage.email.to_lowercase(),
                meetings: usage.meetings,
                meeting_minutes: usage.meeting_minutes,
                participants: usage.participants,
            }));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        if refused {
            return Ok(());
        }

        self.app
            .db
            .replace_usage_month(self.run.id, self.prepared.context.connection.id, &month, &rows, None)
            .await
            .map_err(|error| Stop::Failed { kind: "host".into(), message: format!("cannot store usage of {month}: {error}") })?;
        // A month fetched after it ended will not change again.
        if checkpoint.end == checkpoint.start.last_of_month() && self.today > checkpoint.end {
            self.state.final_months.push(month);
            self.save_state().await?;
        }
        Ok(())
    }

    async fn save_state(&self) -> Result<(), Stop> {
        self.app
            .db
            .save_activity_state(self.prepared.context.connection.id, &self.state)
            .await
            .map_err(|error| Stop::Failed { kind: "host".into(), message: format!("cannot store the activity state: {error}") })
    }

    async fn execute(&mut self, checkpoint: Checkpoint) -> Result<(), Stop> {
        tracing::info!(task = ?checkpoint.task, start = %checkpoint.start, end = %checkpoint.end, "fetching activity");
        match checkpoint.task {
            Task::Sessions => self.sessions(checkpoint).await,
            Task::Usage => self.usage(checkpoint).await,
        }
    }

    fn report_step(&self, done: usize, total: usize, checkpoint: &Checkpoint) {
        let task = match checkpoint.task {
            Task::Sessions => "sign-ins",
            Task::Usage => "usage",
        };
        self.progress.activity_step(done, total, &format!("{task} {}", checkpoint.start.strftime("%Y-%m")));
    }

    async fn run_all(&mut self, resumed: Option<Checkpoint>) -> Result<(), Stop> {
        let mut done = 0;
        if let Some(checkpoint) = resumed {
            // The plan is made after the resumed range is stored, so that it is not fetched
            // twice. Before that, the plan that still contains it is the best estimate.
            let estimate = plan(&self.state, self.today).len().max(1);
            self.report_step(done, estimate, &checkpoint);
            self.execute(checkpoint).await?;
            done += 1;
        }

        let steps = plan(&self.state, self.today);
        let total = done + steps.len();
        for checkpoint in steps {
            self.report_step(done, total, &checkpoint);
            self.execute(checkpoint).await?;
            done += 1;
        }
        Ok(())
    }
}

/// Syncs sign-ins and monthly usage of a prepared connection. The caller holds the
/// connection's sync lock.
pub async fn sync_activity(app: &App, prepared: &Prepared, progress: &dyn Progress) -> anyhow::Result<ActivityOutcome> {
    let connection_id = prepared.context.connection.id;
    let resumable = app.db.resumable_activity_run(connection_id).await?;
    let resumed: Option<Checkpoint> = resumable.as_ref().and_then(|run| run.checkpoint.as_deref()).and_then(|text| serde_json::from_str(text).ok());
    let run = app.db.start_activity_run(connection_id, resumed.as_ref().map(Checkpoint::encode).as_deref(), resumable.as_ref()).await?;
    if let Some(old) = &resumable {
        tracing::info!(run = run.id, resumed_from = old.id, "resuming activity sync");
    }

    let state = app.db.activity_state(connection_id).await?;
    let mut sync = ActivitySync { app, prepared, run, state, unavailable: Vec::new(), today: crate::clock::today(), progress };
    let result = sync.run_all(resumed).await;
    progress.activity_finished();
    let run_id = sync.run.id;

    Ok(match result {
        Ok(()) => {
            sync.state.unavailable = sync.unavailable.clone();
            sync.save_state().await.map_err(|_| anyhow::anyhow!("cannot store the activity state"))?;
            let run = app.db.finish_activity_run(run_id, ActivityRunStatus::Succeeded, None, None).await?;
            tracing::info!(pages = run.pages, sign_ins_added = run.sign_ins_added, "activity sync finished");
            ActivityOutcome::Completed { run, unavailable: sync.unavailable }
        }
        Err(Stop::Partial { retry_after, message }) => {
            let run = app.db.finish_activity_run(run_id, ActivityRunStatus::Partial, retry_after, Some(("rate-limited", &message))).await?;
            tracing::warn!(message, "activity sync stopped early; it resumes next time");
            ActivityOutcome::Partial { run, message }
        }
        Err(Stop::Failed { kind, message }) => {
            let run = app.db.finish_activity_run(run_id, ActivityRunStatus::Failed, None, Some((&kind, &message))).await?;
            tracing::error!(kind, error = %message, "activity sync failed");
            ActivityOutcome::Failed { run, kind, message }
        }
    })
}

/// Fetches the account report (seats per plan, rooms, dashboard) and stores it. A failure
/// keeps the previous report and returns the reason.
pub async fn refresh_account_report(app: &App, prepared: &Prepared) -> Result<Vec<UnavailableNote>, String> {
    let broker = app.broker(Some(prepared.context.clone()), &prepared.version);
    let audit = broker.audit_sink();
    let report = match app.runtime.account_summary(&prepared.connector, broker).await {
        Err(error) => return Err(error.to_string()),
        Ok(Err(error)) => return Err(explain_connector_error(&error, &prepared.info.name, audit.auth_failure().as_deref()).message),
        Ok(Ok(report)) => report,
    };
    let json = serde_json::to_string(&report).map_err(|error| error.to_string())?;
    app.db.save_account_report(prepared.context.connection.id, &json).await.map_err(|error| error.to_string())?;
    Ok(report.unavailable.into_iter().map(note).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn window_reaches_six_months_back() {
        assert_eq!(window_start(date("2026-12-04")), date("2026-06-05"));
        assert_eq!(window_start(date("2026-08-31")), date("2026-03-01"));
    }

    #[test]
    fn ranges_split_at_month_ends() {
        assert_eq!(
            month_ranges(date("2026-06-05"), date("2026-08-03")),
            vec![
                (date("2026-06-05"), date("2026-06-30")),
                (date("2026-07-01"), date("2026-07-31")),
                (date("2026-08-01"), date("2026-08-03")),
            ]
        );
        assert_eq!(month_ranges(date("2026-08-03"), date("2026-08-03")), vec![(date("2026-08-03"), date("2026-08-03"))]);
    }

    #[test]
    fn first_plan_backfills_six_months() {
        let tasks = plan(&ActivityState::default(), date("2026-12-04"));
        let sessions: Vec<_> = tasks.iter().filter(|task| task.task == Task::Sessions).collect();
        assert_eq!(sessions.len(), 7);
        assert_eq!((sessions[0].start, sessions[0].end), (date("2026-06-05"), date("2026-06-30")));
        assert_eq!(sessions[6].end, date("2026-12-04"));
        assert_eq!(tasks.iter().filter(|task| task.task == Task::Usage).count(), 7);
    }

    #[test]
    fn later_plan_overlaps_two_days() {
        let state = ActivityState {
            sessions_from: Some("2026-06-05".into()),
            sessions_through: Some("2026-12-01".into()),
            final_months: ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"].map(String::from).to_vec(),
            unavailable: Vec::new(),
        };
        let tasks = plan(&state, date("2026-12-04"));
        assert_eq!(
            tasks,
            vec![
                Checkpoint { task: Task::Sessions, start: date("2026-11-29"), end: date("2026-11-30"), cursor: None },
                Checkpoint { task: Task::Sessions, start: date("2026-12-01"), end: date("2026-12-04"), cursor: None },
                Checkpoint { task: Task::Usage, start: date("2026-12-01"), end: date("2026-12-04"), cursor: None },
            ]
        );
    }
}
