//! Reclaim runs and their items.

use serde::Serialize;
use sqlx::Row;

use super::{unix_now, Database, Result};

#[derive(Debug, Clone, Serialize)]
pub struct ReclaimRun {
    pub id: i64,
    pub connection_id: i64,
    pub action: String,
    pub unused_days: i64,
    pub status: String,
    pub created_at: i64,
    pub seats_before: Option<i64>,
    pub seats_after: Option<i64>,
    pub report_path: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReclaimItem {
    pub position: i64,
    pub email: String,
    pub user_key: String,
    pub bucket: String,
    /// planned, done or failed.
    pub state: String,
    pub upstream_code: Option<String>,
    pub detail: Option<String>,
}

fn run_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ReclaimRun> {
    Ok(ReclaimRun {
        id: row.try_get("id")?,
        connection_id: row.try_get("connection_id")?,
        action: row.try_get("action")?,
        unused_days: row.try_get("unused_days")?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
        seats_before: row.try_get("seats_before")?,
        seats_after: row.try_get("seats_after")?,
        report_path: row.try_get("report_path")?,
    })
}

impl Database {
    /// Stores an approved plan as a run in the "applying" state.
    pub async fn start_reclaim(&self, connection_id: i64, action: &str, unused_days: u32, seats_before: Option<i64>, items: &[ReclaimItem]) -> Result<ReclaimRun> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO reclaim_runs (connection_id, action, unused_days, status, created_at, seats_before)
             VALUES (?, ?, ?, 'applying', ?, ?) RETURNING *",
        )
        .bind(connection_id)
        .bind(action)
        .bind(i64::from(unused_days))
        .bind(unix_now())
        .bind(seats_before)
        .fetch_one(&mut *tx)
        .await?;
        let run = run_from_row(&row)?;
        for item in items {
            sqlx::query(
                "INSERT INTO reclaim_items (run_id, position, email, user_key, bucket, state) VALUES (?, ?, ?, ?, ?, 'planned')",
            )
            .bind(run.id)
            .bind(item.position)
            .bind(&item.email)
            .bind(&item.user_key)
            .bind(&item.bucket)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(run)
    }

    /// Returns the reclaim of a connection that was interrupted while applying.
    pub async fn unfinished_reclaim(&self, connection_id: i64) -> Result<Option<ReclaimRun>> {
        let row = sqlx::query("SELECT * FROM reclaim_runs WHERE connection_id = ? AND status = 'applying' ORDER BY id DESC LIMIT 1")
            .bind(connection_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    pub async fn reclaim_items(&self, run_id: i64) -> Result<Vec<ReclaimItem>> {
        let rows = sqlx::query("SELECT * FROM reclaim_items WHERE run_id = ? ORDER BY position")
            .bind(run_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(ReclaimItem {
                    position: row.try_get("position")?,
                    email: row.try_get("email")?,
                    user_key: row.try_get("user_key")?,
                    bucket: row.try_get("bucket")?,
                    state: row.try_get("state")?,
                    upstream_code: row.try_get("upstream_code")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    pub async fn set_reclaim_item(&self, run_id: i64, position: i64, state: &str, upstream_code: Option<&str>, detail: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE reclaim_items SET state = ?, upstream_code = ?, detail = ? WHERE run_id = ? AND position = ?")
            .bind(state)
            .bind(upstream_code)
            .bind(detail)
            .bind(run_id)
            .bind(position)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn finish_reclaim(&self, run_id: i64, seats_after: Option<i64>, report_path: &str) -> Result<()> {
        sqlx::query("UPDATE reclaim_runs SET status = 'finished', finished_at = ?, seats_after = ?, report_path = ? WHERE id = ?")
            .bind(unix_now())
            .bind(seats_after)
            .bind(report_path)
            .bind(run_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
