//! The JSON shapes shared by the CLI's `--format json` and the REST API, so both report the
//! same numbers.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::auth::credential;
use crate::engagement::{bucket_counts, engagement, Bucket, Thresholds, UserEngagement};
use crate::store::{
    unix_now, ConnectionState, Database, License, Result, RunStatus, StoredUser, SyncRun, UnavailableNote, UserCounts,
    UserFilter, UserStatus,
};

/// RFC 3339 in UTC, or `None`.
pub fn rfc3339(unix: Option<i64>) -> Option<String> {
    unix.and_then(|seconds| jiff::Timestamp::from_second(seconds).ok()).map(|at| at.to_string())
}

/// One user. The first six fields are part of the CLI's contract.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub email: String,
    pub status: UserStatus,
    pub license: License,
    pub role: Option<String>,
    pub last_login_at: Option<String>,
    pub removed: bool,
    /// Engagement bucket; removed users have none.
    pub engagement: Option<Bucket>,
    /// Active days within the last 30.
    pub active_days: Option<u32>,
    pub key: String,
    pub remote_id: Option<String>,
    pub display_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub license_code: Option<String>,
    pub role_id: Option<String>,
    pub department: Option<String>,
    pub group_ids: Vec<String>,
    pub login_types: Vec<String>,
    pub created_at: Option<String>,
    pub last_client_version: Option<String>,
    pub removed_at: Option<String>,
}

impl UserView {
    pub fn new(user: StoredUser, engagement: Option<&UserEngagement>) -> UserView {
        let record = user.record;
        UserView {
            email: record.email,
            status: record.status,
            license: record.license,
            role: record.role,
            last_login_at: rfc3339(record.last_login_at),
            removed: user.removed,
            engagement: engagement.map(|engagement| engagement.bucket),
            active_days: engagement.map(|engagement| engagement.active_days),
            key: record.key,
            remote_id: record.remote_id,
            display_name: record.display_name,
            first_name: record.first_name,
            last_name: record.last_name,
            license_code: record.license_code,
            role_id: record.role_id,
            department: record.department,
            group_ids: record.group_ids,
            login_types: record.login_types,
            created_at: rfc3339(record.created_at),
            last_client_version: record.last_client_version,
            removed_at: rfc3339(user.removed_at),
        }
    }

    /// The name to show: the display name, or first and last name.
    pub fn name(&self) -> String {
        if let Some(name) = &self.display_name {
            return name.clone();
        }
        [self.first_name.as_deref(), self.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

/// Lists users with their engagement, optionally only those in one bucket.
pub async fn users(db: &Database, connection_id: i64, filter: &UserFilter, bucket: Option<Bucket>) -> Result<Vec<UserView>> {
    let thresholds = Thresholds::from_settings(&db.app_settings(connection_id).await?);
    let engagements = engagement(db, connection_id, &thresholds, unix_now()).await?;
    let stored = db.users(connection_id, filter).await?;
    Ok(stored
        .into_iter()
        .filter_map(|user| {
            let engagement = engagements.get(&user.record.key);
            if bucket.is_some() && engagement.map(|engagement| engagement.bucket) != bucket {
                return None;
            }
            Some(UserView::new(user, engagement))
        })
        .collect())
}

/// Engagement of a connection's users, for the API and the web UI.
#[derive(Debug, Clone, Serialize)]
pub struct EngagementView {
    pub buckets: BTreeMap<Bucket, u64>,
    pub total: u64,
    pub thresholds: Thresholds,
    /// The formula in words.
    pub formula: Vec<String>,
    pub history_from: Option<String>,
    pub history_through: Option<String>,
    pub unavailable: Vec<UnavailableNote>,
}

pub async fn engagement_view(db: &Database, connection_id: i64) -> Result<EngagementView> {
    let thresholds = Thresholds::from_settings(&db.app_settings(connection_id).await?);
    let users = engagement(db, connection_id, &thresholds, unix_now()).await?;
    let state = db.activity_state(connection_id).await?;
    Ok(EngagementView {
        buckets: bucket_counts(&users),
        total: users.len() as u64,
        formula: thresholds.describe(),
        thresholds,
        history_from: state.sessions_from,
        history_through: state.sessions_through,
        unavailable: state.unavailable,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct LastSync {
    pub run_id: i64,
    pub status: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub users_seen: i64,
    pub error: Option<String>,
}

/// One connection in `roster status` and on the apps page.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionStatus {
    pub name: String,
    pub connector: String,
    pub state: String,
    pub state_detail: Option<String>,
    pub account_id: Option<String>,
    pub health: String,
    pub last_sync: Option<LastSync>,
    pub users: UserCounts,
    /// Seats bought, from `roster app set` or the upstream's plan usage.
    pub seats_bought: Option<u32>,
    /// Whether an access token is stored, and when it expires; never the token.
    pub token_stored: bool,
    pub token_expires_at: Option<String>,
}

/// Describes a connection's health in a phrase an admin can act on.
pub fn health(state: ConnectionState, last: Option<&SyncRun>) -> String {
    match state {
        ConnectionState::NeedsReauthorization => return "needs re-authorization".into(),
        ConnectionState::Disconnected => return "disconnected".into(),
        ConnectionState::Connected => {}
    }
    match last {
        None => "never synced".into(),
        Some(run) => match run.status {
            RunStatus::Succeeded => "ok".into(),
            RunStatus::Running => "sync running or interrupted".into(),
            RunStatus::Failed | RunStatus::Interrupted => {
                format!("last sync failed ({})", run.error_kind.as_deref().unwrap_or("unknown"))
            }
        },
    }
}

pub async fn connection_statuses(db: &Database) -> anyhow::Result<Vec<ConnectionStatus>> {
    let mut statuses = Vec::new();
    for connection in db.connections().await? {
        let last = db.sync_runs(connection.id, 1).await?.into_iter().next();
        let token = db.credential_names(connection.id).await?.into_iter().find(|(name, _)| name == credential::ACCESS_TOKEN);
        let seats = crate::seats::seats_report(db, connection.id).await?;
        statuses.push(ConnectionStatus {
            health: health(connection.state, last.as_ref()),
            last_sync: last.map(|run| LastSync {
                run_id: run.id,
                status: run.status.to_string(),
                started_at: rfc3339(Some(run.started_at)),
                finished_at: rfc3339(run.finished_at),
                users_seen: run.users_seen,
                error: run.error.clone(),
            }),
            users: db.user_counts(connection.id).await?,
            seats_bought: seats.seats_bought,
            token_stored: token.is_some(),
            token_expires_at: token.and_then(|(_, expires)| rfc3339(expires)),
            name: connection.name,
            connector: connection.connector_id,
            state: connection.state.to_string(),
            state_detail: connection.state_detail,
            account_id: connection.account_id,
        });
    }
    Ok(statuses)
}
