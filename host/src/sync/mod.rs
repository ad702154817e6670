//! Drives a connector's `list-users` page by page: each page is upserted with its checkpoint
//! in one transaction, and a complete listing marks absent users removed.

mod activity;
mod lock;
mod progress;

use std::collections::HashSet;

use tracing::Instrument as _;

use crate::app::App;
use crate::auth::reconnect_command;
use crate::explain::explain_connector_error;
use crate::runtime::wit::{AppUser, ConnectorError, LicenseKind, UserStatus as WitStatus};
use crate::store::{ConnectionState, License, PageWrite, SyncRun, UserRecord, UserStatus};

pub use activity::{refresh_account_report, sync_activity, window_start, ActivityOutcome, HISTORY_MONTHS, OVERLAP_DAYS};
pub use lock::SyncLock;
pub use progress::{LogProgress, Progress, TerminalProgress};

/// Pages one run may read before the host stops it, whatever the connector returns. This
/// guards against a connector whose cursors never repeat but never end either.
pub const MAX_PAGES: i64 = 200_000;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("a sync of `{0}` is already running in another process; wait for it to finish")]
    AlreadyRunning(String),
    #[error("connection `{name}` {state_text}; run `{command}` to connect it again")]
    NotConnected { name: String, state_text: String, command: String },
    #[error("sync of `{name}` failed: {message}")]
    Failed { name: String, kind: String, message: String },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl SyncError {
    /// Returns a short machine-readable kind, as stored in the sync run.
    pub fn kind(&self) -> &str {
        match self {
            SyncError::AlreadyRunning(_) => "already-running",
            SyncError::NotConnected { .. } => "not-connected",
            SyncError::Failed { kind, .. } => kind,
            SyncError::Other(_) => "host",
        }
    }
}

impl From<crate::store::StoreError> for SyncError {
    fn from(error: crate::store::StoreError) -> Self {
        SyncError::Other(error.into())
    }
}

/// Outcome of a finished run.
#[derive(Debug, Clone)]
pub struct SyncReport {
    pub run: SyncRun,
    pub resumed_from: Option<i64>,
}

fn status_of(status: WitStatus) -> UserStatus {
    match status {
        WitStatus::Active => UserStatus::Active,
        WitStatus::Inactive => UserStatus::Inactive,
        WitStatus::Pending => UserStatus::Pending,
    }
}

fn license_of(license: LicenseKind) -> License {
    match license {
        LicenseKind::Basic => License::Basic,
        LicenseKind::Licensed => License::Licensed,
        LicenseKind::None => License::None,
        LicenseKind::Other => License::Other,
    }
}

/// Converts a connector's user to the stored form.
pub fn to_record(user: AppUser) -> UserRecord {
    UserRecord {
        key: user.key,
        remote_id: user.remote_id,
        email: user.email,
        display_name: user.display_name,
        first_name: user.first_name,
        last_name: user.last_name,
        status: status_of(user.status),
        license: license_of(user.license),
        license_code: user.license_code,
        role_id: user.role_id,
        role: user.role,
        group_ids: user.group_ids,
        department: user.department,
        login_types: user.login_types,
        created_at: user.created_at,
        last_login_at: user.last_login_at,
        last_client_version: user.last_client_version,
    }
}

/// Checks that a connection can sync, takes its sync lock and loads its connector.
async fn begin(app: &App, name: &str) -> Result<(SyncLock, crate::app::Prepared), SyncError> {
    let connection = app.db.connection(name).await.map_err(anyhow::Error::from)?;
    if connection.state != ConnectionState::Connected {
        let state = connection.state.predicate();
        let state_text = match &connection.state_detail {
            Some(detail) => format!("{state} ({detail})"),
            None => state.to_string(),
        };
        return Err(SyncError::NotConnected { name: name.to_string(), state_text, command: reconnect_command(&connection) });
    }
    let lock = SyncLock::acquire(app.db.path(), &connection)?;
    let prepared = app.prepare(connection).await?;
    Ok((lock, prepared))
}

/// Runs one users sync of the named connection, resuming an interrupted run if there is one.
pub async fn sync_users(app: &App, name: &str, progress: &dyn Progress) -> Result<SyncReport, SyncError> {
    let (_lock, prepared) = begin(app, name).await?;
    users_sync(app, name, &prepared, progress).await
}

/// Everything one `roster sync` did.
#[derive(Debug)]
pub struct ConnectionSync {
    pub users: SyncReport,
    pub activity: ActivityOutcome,
    /// The reason the account report was not refreshed, if it was not.
    pub account_report_error: Option<String>,
}

/// Syncs users, then sign-in activity and usage, then the account report.
pub async fn sync_connection(app: &App, name: &str, progress: &dyn Progress) -> Result<ConnectionSync, SyncError> {
    let (_lock, prepared) = begin(app, name).await?;
    let users = users_sync(app, name, &prepared, progress).await?;
    let span = tracing::info_span!("activity", connection = name);
    let activity = sync_activity(app, &prepared, progress).instrument(span.clone()).await?;

    // A rate limit that stopped the activity sync would stop the report too.
    let account_report_error = match &activity {
        ActivityOutcome::Partial { .. } => Some("skipped: the upstream's rate limit was reached".to_string()),
        _ => match refresh_account_report(app, &prepared).instrument(span).await {
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(error, "cannot refresh the account report; keeping the previous one");
                Some(error)
            }
        },
    };
    Ok(ConnectionSync { users, activity, account_report_error })
}

async fn users_sync(app: &App, name: &str, prepared: &crate::app::Prepared, progress: &dyn Progress) -> Result<SyncReport, SyncError> {
    let connection_id = prepared.context.connection.id;
    let interrupted = app.db.unfinished_run(connection_id).await?;
    let run = app.db.start_run(connection_id, &prepared.version.version, &prepared.version.sha256, interrupted.as_ref()).await?;
    let resumed_from = interrupted.as_ref().map(|old| old.id);

    let span = tracing::info_span!("sync", connection = name, run = run.id);
    async {
        tracing::info!(connector = %prepared.version.connector_id, version = %prepared.version.version, resumed_from, "sync started");
        progress.started(name, resumed_from.is_some());
        let result = run_pages(app, prepared, &run, progress).await;
        match result {
            Ok(()) => {
                let removed = app.db.complete_run(connection_id, run.id).await?;
                let finished = app.db.sync_run(run.id).await?;
                tracing::info!(pages = finished.pages, seen = finished.users_seen, added = finished.users_added, changed = finished.users_changed, removed, "sync finished");
                progress.finished(&finished);
                Ok(SyncReport { run: finished, resumed_from })
            }
            Err((kind, message)) => {
                tracing::error!(kind, error = %message, "sync failed");
                if let Err(error) = app.db.fail_run(run.id, &kind, &message).await {
                    tracing::error!(error = %error, "cannot record the failed sync run");
                }
                progress.failed();
                Err(SyncError::Failed { name: name.to_string(), kind, message })
            }
        }
    }
    .instrument(span)
    .await
}

/// Reads pages until the listing ends. Errors come back as (kind, message) for the run row.
async fn run_pages(app: &App, prepared: &crate::app::Prepared, run: &SyncRun, progress: &dyn Progress) -> Result<(), (String, String)> {
    let provider = &prepared.info.name;
    let mut cursor = run.cursor.clone();
    let mut seen_cursors: HashSet<String> = cursor.iter().cloned().collect();
    let mut pages = run.pages;
    let mut restarted = false;

    loop {
        let broker = app.broker(Some(prepared.context.clone()), &prepared.version);
        let audit = broker.audit_sink();
        let outcome = app.runtime.list_users(&prepared.connector, broker, cursor.clone()).await;
        let page = match outcome {
            Err(error) => return Err((error.kind().to_string(), error.to_string())),
            // A saved cursor may have expired while the process was down; start the listing
            // over once instead of failing.
            Ok(Err(ConnectorError::InvalidCursor(detail))) if cursor.is_some() && !restarted => {
                tracing::warn!(detail, "the upstream no longer accepts the saved cursor; restarting the listing");
                app.db.restart_run(run.id).await.map_err(|error| ("host".to_string(), error.to_string()))?;
                cursor = None;
                seen_cursors.clear();
                restarted = true;
                continue;
            }
            Ok(Err(error)) => {
                let explained = explain_connector_error(&error, provider, audit.auth_failure().as_deref());
                return Err((explained.kind.to_string(), explained.message));
            }
            Ok(Ok(page)) => page,
        };

        pages += 1;
        if pages > MAX_PAGES {
            return Err(("too-many-pages".to_string(), format!("the connector kept paging past {MAX_PAGES} pages; stopping instead of looping")));
        }
        if let Some(next) = &page.next_cursor
            && !seen_cursors.insert(next.clone())
        {
            return Err((
                "cursor-repeated".to_string(),
                format!("the connector returned a cursor it had already returned (page {pages}); stopping instead of looping"),
            ));
        }

        let users: Vec<UserRecord> = page.users.into_iter().map(to_record).collect();
        let write = PageWrite {
            connection_id: prepared.context.connection.id,
            run_id: run.id,
            users: &users,
            next_cursor: page.next_cursor.as_deref(),
            total_hint: page.progress.total_hint,
        };
        app.db.apply_page(&write).await.map_err(|error| ("host".to_string(), format!("cannot store page {pages}: {error}")))?;
        progress.page(page.progress.fetched, page.progress.total_hint);
        tracing::debug!(page = pages, users = users.len(), fetched = page.progress.fetched, "stored page");

        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}
