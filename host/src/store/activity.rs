//! Sign-in history, monthly usage, activity runs and their checkpoints.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{unix_now, Database, Result, StoreError};

/// Rows per INSERT statement for sign-ins (4 values a row).
const SIGN_INS_PER_STATEMENT: usize = 2000;

/// One sign-in to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub email: String,
    pub at: i64,
    pub client_type: Option<String>,
}

/// Meetings hosted by one user in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    pub email: String,
    pub meetings: u32,
    pub meeting_minutes: u32,
    pub participants: u32,
}

/// A feature the upstream refused, as the last activity run saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableNote {
    pub feature: String,
    pub reason: String,
    pub upstream_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityState {
    pub sessions_from: Option<String>,
    pub sessions_through: Option<String>,
    pub final_months: Vec<String>,
    pub unavailable: Vec<UnavailableNote>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivityRunStatus {
    Running,
    Succeeded,
    Partial,
    Failed,
    Interrupted,
}

impl ActivityRunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityRunStatus::Running => "running",
            ActivityRunStatus::Succeeded => "succeeded",
            ActivityRunStatus::Partial => "partial",
            ActivityRunStatus::Failed => "failed",
            ActivityRunStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "running" => ActivityRunStatus::Running,
            "succeeded" => ActivityRunStatus::Succeeded,
            "partial" => ActivityRunStatus::Partial,
            "failed" => ActivityRunStatus::Failed,
            "interrupted" => ActivityRunStatus::Interrupted,
            other => return Err(StoreError::Corrupt(format!("unknown activity run status {other:?}"))),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ActivityRun {
    pub id: i64,
    pub connection_id: i64,
    pub status: ActivityRunStatus,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub checkpoint: Option<String>,
    pub pages: i64,
    pub sign_ins_added: i64,
    pub usage_rows: i64,
    pub resume_after: Option<i64>,
    pub error_kind: Option<String>,
    pub error: Option<String>,
}

fn run_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ActivityRun> {
    let status: String = row.try_get("status")?;
    Ok(ActivityRun {
        id: row.try_get("id")?,
        connection_id: row.try_get("connection_id")?,
        status: ActivityRunStatus::parse(&status)?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        checkpoint: row.try_get("checkpoint")?,
        pages: row.try_get("pages")?,
        sign_ins_added: row.try_get("sign_ins_added")?,
        usage_rows: row.try_get("usage_rows")?,
        resume_after: row.try_get("resume_after")?,
        error_kind: row.try_get("error_kind")?,
        error: row.try_get("error")?,
    })
}

fn corrupt_json(column: &str, error: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("activity_state.{column}: {error}"))
}

impl Database {
    pub async fn activity_state(&self, connection_id: i64) -> Result<ActivityState> {
        let row = sqlx::query("SELECT * FROM activity_state WHERE connection_id = ?")
            .bind(connection_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(ActivityState::default()) };
        let final_months: String = row.try_get("final_months")?;
        let unavailable: String = row.try_get("unavailable_json")?;
        Ok(ActivityState {
            sessions_from: row.try_get("sessions_from")?,
            sessions_through: row.try_get("sessions_through")?,
            final_months: serde_json::from_str(&final_months).map_err(|error| corrupt_json("final_months", error))?,
            unavailable: serde_json::from_str(&unavailable).map_err(|error| corrupt_json("unavailable_json", error))?,
        })
    }

    pub async fn save_activity_state(&self, connection_id: i64, state: &ActivityState) -> Result<()> {
        sqlx::query(
            "INSERT INTO activity_state (connection_id, sessions_from, sessions_through, final_months, unavailable_json, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (connection_id) DO UPDATE SET
                 sessions_from = excluded.sessions_from, sessions_through = excluded.sessions_through,
                 final_months = excluded.final_months, unavailable_json = excluded.unavailable_json,
                 updated_at = excluded.updated_at",
        )
        .bind(connection_id)
        .bind(&state.sessions_from)
        .bind(&state.sessions_through)
        .bind(serde_json::to_string(&state.final_months).expect("a string list always serialises"))
        .bind(serde_json::to_string(&state.unavailable).expect("plain records always serialise"))
        .bind(unix_now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Returns the newest activity run that did not finish (running or partial), which the
    /// next activity sync resumes.
    pub async fn resumable_activity_run(&self, connection_id: i64) -> Result<Option<ActivityRun>> {
        let row = sqlx::query(
            "SELECT * FROM activity_runs WHERE connection_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(connection_id)
        .fetch_optional(self.pool())
        .await?;
        let run = row.as_ref().map(run_from_row).transpose()?;
        Ok(run.filter(|run| matches!(run.status, ActivityRunStatus::Running | ActivityRunStatus::Partial)))
    }

    pub async fn start_activity_run(&self, connection_id: i64, checkpoint: Option<&str>, resumed: Option<&ActivityRun>) -> Result<ActivityRun> {
        let mut tx = self.pool().begin().await?;
        if let Some(old) = resumed {
            let status = if old.status == ActivityRunStatus::Running { "interrupted" } else { old.status.as_str() };
            sqlx::query("UPDATE activity_runs SET status = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ?")
                .bind(status)
                .bind(unix_now())
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(
            "INSERT INTO activity_runs (connection_id, status, started_at, checkpoint) VALUES (?, 'running', ?, ?) RETURNING *",
        )
        .bind(connection_id)
        .bind(unix_now())
        .bind(checkpoint)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        run_from_row(&row)
    }

    /// Stores sign-ins and the run's new checkpoint in one transaction. Returns how many
    /// sign-ins were new.
    pub async fn apply_sign_ins(&self, run_id: i64, connection_id: i64, sign_ins: &[SignIn], checkpoint: Option<&str>) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let mut added = 0;
        for chunk in sign_ins.chunks(SIGN_INS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO sign_ins (connection_id, email, at, client_type) ");
            insert.push_values(chunk, |mut row, sign_in| {
                row.push_bind(connection_id).push_bind(&sign_in.email).push_bind(sign_in.at).push_bind(&sign_in.client_type);
            });
            insert.push(" ON CONFLICT DO NOTHING");
            added += insert.build().execute(&mut *tx).await?.rows_affected();
        }
        sqlx::query("UPDATE activity_runs SET checkpoint = ?, pages = pages + 1, sign_ins_added = sign_ins_added + ? WHERE id = ?")
            .bind(checkpoint)
            .bind(added as i64)
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Replaces a month's usage with rows gathered over all its pages, and saves the checkpoint.
    pub async fn replace_usage_month(&self, run_id: i64, connection_id: i64, month: &str, rows: &[UsageRow], checkpoint: Option<&str>) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM usage_months WHERE connection_id = ? AND month = ?")
            .bind(connection_id)
            .bind(month)
            .execute(&mut *tx)
            .await?;
        for chunk in rows.chunks(SIGN_INS_PER_STATEMENT / 2) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO usage_months (connection_id, month, email, meetings, meeting_minutes, participants) ",
            );
            insert.push_values(chunk, |mut row, usage| {
                row.push_bind(connection_id)
                    .push_bind(month)
                    .push_bind(&usage.email)
                    .push_bind(usage.meetings)
                    .push_bind(usage.meeting_minutes)
                    .push_bind(usage.participants);
            });
            // A user listed twice in one month (page shifts) keeps the later numbers.
            insert.push(
                " ON CONFLICT (connection_id, month, email) DO UPDATE SET meetings = excluded.meetings,
                  meeting_minutes = excluded.meeting_minutes, participants = excluded.participants",
            );
            insert.build().execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE activity_runs SET checkpoint = ?, pages = pages + 1, usage_rows = usage_rows + ? WHERE id = ?")
            .bind(checkpoint)
            .bind(rows.len() as i64)
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns the months with stored usage, newest first, as `YYYY-MM`.
    pub async fn usage_months(&self, connection_id: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT DISTINCT month FROM usage_months WHERE connection_id = ? ORDER BY month DESC")
            .bind(connection_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Returns one month's usage per user, most meetings first.
    pub async fn usage_of_month(&self, connection_id: i64, month: &str) -> Result<Vec<UsageRow>> {
        let rows = sqlx::query(
            "SELECT email, meetings, meeting_minutes, participants FROM usage_months
             WHERE connection_id = ? AND month = ?
             ORDER BY meetings DESC, meeting_minutes DESC, email",
        )
        .bind(connection_id)
        .bind(month)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UsageRow {
                    email: row.try_get("email")?,
                    meetings: row.try_get::<i64, _>("meetings")? as u32,
                    meeting_minutes: row.try_get::<i64, _>("meeting_minutes")? as u32,
                    participants: row.try_get::<i64, _>("participants")? as u32,
                })
            })
            .collect()
    }

    pub async fn set_activity_checkpoint(&self, run_id: i64, checkpoint: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE activity_runs SET checkpoint = ? WHERE id = ?").bind(checkpoint).bind(run_id).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn finish_activity_run(
        &self,
        run_id: i64,
        status: ActivityRunStatus,
        resume_after: Option<i64>,
        error: Option<(&str, &str)>,
    ) -> Result<ActivityRun> {
        let row = sqlx::query(
            "UPDATE activity_runs SET status = ?, finished_at = ?, resume_after = ?, error_kind = ?, error = ?
             WHERE id = ? RETURNING *",
        )
        .bind(status.as_str())
        .bind(unix_now())
        .bind(resume_after)
        .bind(error.map(|(kind, _)| kind))
        .bind(error.map(|(_, message)| message))
        .bind(run_id)
        .fetch_one(self.pool())
        .await?;
        run_from_row(&row)
    }

    /// Returns, for each current user, the number of distinct UTC days in `[window_start_day,
    /// today]` with a sign-in or with the day of `last_login_at`, and the newest activity of
    /// either kind (Unix seconds). Days are counted from the Unix epoch.
    pub async fn activity_per_user(&self, connection_id: i64, window_start_day: i64) -> Result<Vec<(String, u32, Option<i64>)>> {
        let window_start = window_start_day * 86_400;
        let rows = sqlx::query(
            "WITH days AS (
                 SELECT email, at / 86400 AS day FROM sign_ins WHERE connection_id = ?1 AND at >= ?2
                 UNION
                 SELECT lower(email), last_login_at / 86400 FROM app_users
                 WHERE connection_id = ?1 AND removed = 0 AND last_login_at >= ?2
             ),
             window_days AS (SELECT email, COUNT(*) AS active_days FROM days GROUP BY email),
             newest AS (SELECT email, MAX(at) AS at FROM sign_ins WHERE connection_id = ?1 GROUP BY email)
             SELECT u.user_key, COALESCE(w.active_days, 0) AS active_days,
                    CASE WHEN n.at IS NULL THEN u.last_login_at
                         WHEN u.last_login_at IS NULL THEN n.at
                         ELSE MAX(n.at, u.last_login_at) END AS last_active
             FROM app_users u
             LEFT JOIN window_days w ON w.email = lower(u.email)
             LEFT JOIN newest n ON n.email = lower(u.email)
             WHERE u.connection_id = ?1 AND u.removed = 0",
        )
        .bind(connection_id)
        .bind(window_start)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let days: i64 = row.try_get("active_days")?;
                Ok((row.try_get("user_key")?, days as u32, row.try_get("last_active")?))
            })
            .collect()
    }

}
