//! All SQL lives here, behind typed functions on [`Database`]: SQLite through sqlx today, so a
//! Postgres backend is an addition rather than a rewrite.

mod activity;
mod audit;
mod audit_log;
mod connections;
mod connectors;
mod kv;
mod reclaim;
mod settings;
mod sync_runs;
mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use activity::{ActivityRun, ActivityRunStatus, ActivityState, SignIn, UnavailableNote, UsageRow};
pub use audit_log::{AuditEntry, AuditRecord};
pub use reclaim::{ReclaimItem, ReclaimRun};
pub use settings::AppSettings;
pub use audit::{ConnectorCallRecord, HostCallRecord, HostCallView};
pub use connections::{AuthGrant, Connection, ConnectionState, NewConnection, PurgeCounts, SealedCredential};
pub use connectors::{ConnectorVersion, NewConnectorVersion};
pub use kv::KvError;
pub use sync_runs::{RunStatus, SyncRun};
pub use users::{License, LoginSpread, PageOutcome, PageWrite, StoredUser, UserCounts, UserFilter, UserRecord, UserStatus};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}; check that --db or ROSTER_DB names a file in a writable directory")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot create directory {path} for the database: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot migrate database {path}: {source}; it may come from a newer Roster")]
    Migrate { path: PathBuf, source: sqlx::migrate::MigrateError },
    #[error("connection `{0}` not found; run `roster status` to list connections")]
    ConnectionNotFound(String),
    #[error("a connection named `{0}` already exists; choose another --name")]
    ConnectionExists(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Roster's database: one SQLite file, migrated on open.
#[derive(Clone)]
pub struct Database {
    pool: SqlitePool,
    path: PathBuf,
}

impl Database {
    /// Opens or creates the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Database> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }

        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?
            .filename(path)
            .create_if_missing(true)
            // WAL lets `roster status` read while a sync writes, and with NORMAL
            // synchronisation a committed page survives a killed process.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;

        sqlx::migrate!("../migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { path: path.to_path_buf(), source })?;

        Ok(Database { pool, path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Current time in Unix seconds, from [`crate::clock`].
pub fn unix_now() -> i64 {
    crate::clock::now().as_second()
}

/// Current time in Unix milliseconds, from [`crate::clock`].
pub fn unix_now_ms() -> i64 {
    crate::clock::now().as_millisecond()
}
