//! Sync runs: their rows, checkpoints, resumption after a crash and completion.

use std::fmt;

use sqlx::Row;

use super::{unix_now, Database, Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    /// The process stopped mid-run; a later run resumed from its checkpoint.
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Result<RunStatus> {
        match text {
            "running" => Ok(RunStatus::Running),
            "succeeded" => Ok(RunStatus::Succeeded),
            "failed" => Ok(RunStatus::Failed),
            "interrupted" => Ok(RunStatus::Interrupted),
            other => Err(StoreError::Corrupt(format!("unknown sync run status {other:?}"))),
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct SyncRun {
    pub id: i64,
    pub connection_id: i64,
    pub connector_version: String,
    pub connector_sha256: String,
    pub status: RunStatus,
    pub resumed_from: Option<i64>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub cursor: Option<String>,
    pub pages: i64,
    pub users_seen: i64,
    pub users_added: i64,
    pub users_changed: i64,
    pub users_removed: i64,
    pub total_hint: Option<i64>,
    pub error_kind: Option<String>,
    pub error: Option<String>,
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<SyncRun> {
    let status: String = row.try_get("status")?;
    Ok(SyncRun {
        id: row.try_get("id")?,
        connection_id: row.try_get("connection_id")?,
        connector_version: row.try_get("connector_version")?,
        connector_sha256: row.try_get("connector_sha256")?,
        status: RunStatus::parse(&status)?,
        resumed_from: row.try_get("resumed_from")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        cursor: row.try_get("cursor")?,
        pages: row.try_get("pages")?,
        users_seen: row.try_get("users_seen")?,
        users_added: row.try_get("users_added")?,
        users_changed: row.try_get("users_changed")?,
        users_removed: row.try_get("users_removed")?,
        total_hint: row.try_get("total_hint")?,
        error_kind: row.try_get("error_kind")?,
        error: row.try_get("error")?,
    })
}

impl Database {
    /// Returns the run still marked running for a connection. Callers hold the connection's
    /// sync lock, so such a run belongs to a process that died.
    pub async fn unfinished_run(&self, connection_id: i64) -> Result<Option<SyncRun>> {
        let row = sqlx::query(
            "SELECT * FROM sync_runs WHERE connection_id = ? AND status = 'running'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(connection_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Starts a run. With `resume`, the new run takes over the interrupted run's checkpoint,
    /// counters and seen users, and the old run is marked interrupted.
    pub async fn start_run(
        &self,
        connection_id: i64,
        connector_version: &str,
        connector_sha256: &str,
        resume: Option<&SyncRun>,
    ) -> Result<SyncRun> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO sync_runs
                 (connection_id, connector_version, connector_sha256, status, resumed_from,
                  started_at, cursor, pages, users_seen, users_added, users_changed, total_hint)
             VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING *",
        )
        .bind(connection_id)
        .bind(connector_version)
        .bind(connector_sha256)
        .bind(resume.map(|run| run.id))
        .bind(unix_now())
        .bind(resume.and_then(|run| run.cursor.as_deref()))
        .bind(resume.map_or(0, |run| run.pages))
        .bind(resume.map_or(0, |run| run.users_seen))
        .bind(resume.map_or(0, |run| run.users_added))
        .bind(resume.map_or(0, |run| run.users_changed))
        .bind(resume.and_then(|run| run.total_hint))
        .fetch_one(&mut *tx)
        .await?;
        let run = from_row(&row)?;

        if let Some(old) = resume {
            sqlx::query("UPDATE sync_seen SET run_id = ? WHERE run_id = ?")
                .bind(run.id)
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE sync_runs SET status = 'interrupted', finished_at = ?,
                     error_kind = 'interrupted', error = ?
                 WHERE id = ?",
            )
            .bind(unix_now())
            .bind(format!("the process stopped mid-run; run {} resumed from its checkpoint", run.id))
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
        }

        tx.commit().await?;
        Ok(run)
    }

    /// Forgets a run's checkpoint and seen users so its listing starts over, as when the
    /// upstream no longer accepts the saved cursor.
    pub async fn restart_run(&self, run_id: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sync_seen WHERE run_id = ?").bind(run_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE sync_runs SET cursor = NULL, users_seen = 0 WHERE id = ?")
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a complete listing: marks users it did not see as removed and closes the run as
    /// succeeded, in one transaction. Returns the number of users marked removed.
    pub async fn complete_run(&self, connection_id: i64, run_id: i64) -> Result<u64> {
        let now = unix_now();
        let mut tx = self.pool().begin().await?;
        let removed = sqlx::query(
            "UPDATE app_users SET removed = 1, removed_at = ?1, updated_at = ?1
             WHERE connection_id = ?2 AND removed = 0
               AND user_key NOT IN (SELECT user_key FROM sync_seen WHERE run_id = ?3)",
        )
        .bind(now)
        .bind(connection_id)
        .bind(run_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM sync_seen WHERE run_id = ?").bind(run_id).execute(&mut *tx).await?;
        sqlx::query(
            "UPDATE sync_runs SET status = 'succeeded', finished_at = ?, users_removed = ?
             WHERE id = ?",
        )
        .bind(now)
        .bind(removed as i64)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Closes a run as failed. Its pages stay stored; removals wait for a complete run.
    pub async fn fail_run(&self, run_id: i64, error_kind: &str, error: &str) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sync_seen WHERE run_id = ?").bind(run_id).execute(&mut *tx).await?;
        sqlx::query(
            "UPDATE sync_runs SET status = 'failed', finished_at = ?, error_kind = ?, error = ?
             WHERE id = ?",
        )
        .bind(unix_now())
        .bind(error_kind)
        .bind(error)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sync_run(&self, run_id: i64) -> Result<SyncRun> {
        let row = sqlx::query("SELECT * FROM sync_runs WHERE id = ?")
            .bind(run_id)
            .fetch_one(self.pool())
            .await?;
        from_row(&row)
    }

    /// Returns the newest runs of a connection, newest first.
    pub async fn sync_runs(&self, connection_id: i64, limit: i64) -> Result<Vec<SyncRun>> {
        let rows = sqlx::query("SELECT * FROM sync_runs WHERE connection_id = ? ORDER BY id DESC LIMIT ?")
            .bind(connection_id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn last_successful_run(&self, connection_id: i64) -> Result<Option<SyncRun>> {
        let row = sqlx::query(
            "SELECT * FROM sync_runs WHERE connection_id = ? AND status = 'succeeded'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(connection_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }
}
