//! Synced users: page upserts that only touch changed rows, removal marking and queries.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{unix_now, Database, Result, StoreError};

/// Rows per INSERT statement: 20 bound values a row stays well under SQLite's 32,766
/// parameter limit.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Inactive,
    Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum License {
    Basic,
    Licensed,
    None,
    Other,
}

/// Implements `as_str`, `Display` and `FromStr` over a fixed set of lowercase names.
macro_rules! named_enum {
    ($type:ident, $noun:literal { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            pub fn as_str(self) -> &'static str {
                match self { $($type::$variant => $name),+ }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $type {
            type Err = String;

            fn from_str(text: &str) -> std::result::Result<Self, String> {
                match text {
                    $($name => Ok($type::$variant),)+
                    other => Err(format!(
                        "invalid {} {other:?}; expected one of: {}",
                        $noun,
                        Self::NAMES.join(", ")
                    )),
                }
            }
        }
    };
}

named_enum!(UserStatus, "user status" { Active => "active", Inactive => "inactive", Pending => "pending" });
named_enum!(License, "licence" { Basic => "basic", Licensed => "licensed", None => "none", Other => "other" });

/// A user as a connector reported it, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub key: String,
    pub remote_id: Option<String>,
    pub email: String,
    pub display_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: UserStatus,
    pub license: License,
    pub license_code: Option<String>,
    pub role_id: Option<String>,
    pub role: Option<String>,
    pub group_ids: Vec<String>,
    pub department: Option<String>,
    pub login_types: Vec<String>,
    pub created_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub last_client_version: Option<String>,
}

/// A stored user with its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUser {
    pub record: UserRecord,
    pub removed: bool,
    pub removed_at: Option<i64>,
    pub updated_at: i64,
}

/// One page of a sync, written with its checkpoint in a single transaction.
pub struct PageWrite<'a> {
    pub connection_id: i64,
    pub run_id: i64,
    pub users: &'a [UserRecord],
    /// Cursor of the next page; `None` once the listing is complete.
    pub next_cursor: Option<&'a str>,
    pub total_hint: Option<u64>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageOutcome {
    pub added: u64,
    pub changed: u64,
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub status: Option<UserStatus>,
    pub license: Option<License>,
    pub include_removed: bool,
}

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct UserCounts {
    pub total: u64,
    pub active: u64,
    pub inactive: u64,
    pub pending: u64,
    pub licensed: u64,
    pub basic: u64,
    pub no_license: u64,
    pub other_license: u64,
    pub removed: u64,
}

/// How long ago active users last signed in.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct LoginSpread {
    pub within_7_days: u64,
    pub within_30_days: u64,
    pub within_90_days: u64,
    pub over_90_days: u64,
    pub never: u64,
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).expect("a string list always serialises")
}

fn parse_list(text: &str, column: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt(format!("app_users.{column}: {error}")))
}

fn parse_enum<T: FromStr<Err = String>>(text: &str) -> Result<T> {
    text.parse().map_err(StoreError::Corrupt)
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredUser> {
    let status: String = row.try_get("status")?;
    let license: String = row.try_get("license")?;
    let group_ids: String = row.try_get("group_ids")?;
    let login_types: String = row.try_get("login_types")?;
    Ok(StoredUser {
        record: UserRecord {
            key: row.try_get("user_key")?,
            remote_id: row.try_get("remote_id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            status: parse_enum(&status)?,
            license: parse_enum(&license)?,
            license_code: row.try_get("license_code")?,
            role_id: row.try_get("role_id")?,
            role: row.try_get("role")?,
            group_ids: parse_list(&group_ids, "group_ids")?,
            department: row.try_get("department")?,
            login_types: parse_list(&login_types, "login_types")?,
            created_at: row.try_get("created_at")?,
            last_login_at: row.try_get("last_login_at")?,
            last_client_version: row.try_get("last_client_version")?,
        },
        removed: row.try_get("removed")?,
        removed_at: row.try_get("removed_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The synced columns, in the order they are bound.
const SYNCED_COLUMNS: &str = "remote_id, email, display_name, first_name, last_name, status, \
    license, license_code, role_id, role, group_ids, department, login_types, created_at, \
    last_login_at, last_client_version";

/// Starts an `INSERT INTO app_users` with one row per user, stamped with the run that first
/// saw them (0 outside a sync) and the update time.
fn insert_users(connection_id: i64, users: &[UserRecord], first_seen_run: i64, now: i64) -> QueryBuilder<Sqlite> {
    let mut insert = QueryBuilder::<Sqlite>::new(format!(
        "INSERT INTO app_users (connection_id, user_key, {SYNCED_COLUMNS}, first_seen_run, updated_at) "
    ));
    insert.push_values(users, |mut row, user| {
        row.push_bind(connection_id)
            .push_bind(&user.key)
            .push_bind(&user.remote_id)
            .push_bind(&user.email)
            .push_bind(&user.display_name)
            .push_bind(&user.first_name)
            .push_bind(&user.last_name)
            .push_bind(user.status.as_str())
            .push_bind(user.license.as_str())
            .push_bind(&user.license_code)
            .push_bind(&user.role_id)
            .push_bind(&user.role)
            .push_bind(json_list(&user.group_ids))
            .push_bind(&user.department)
            .push_bind(json_list(&user.login_types))
            .push_bind(user.created_at)
            .push_bind(user.last_login_at)
            .push_bind(&user.last_client_version)
            .push_bind(first_seen_run)
            .push_bind(now);
    });
    insert
}

impl Database {
    /// Upserts one page of users, records them as seen by the run and saves the run's
    /// checkpoint, all in one transaction. Unchanged users are not written.
    pub async fn apply_page(&self, page: &PageWrite<'_>) -> Result<PageOutcome> {
        let now = unix_now();
        let mut outcome = PageOutcome::default();
        let mut newly_seen = 0u64;
        let mut tx = self.pool().begin().await?;

        for chunk in page.users.chunks(ROWS_PER_STATEMENT) {
            let mut insert = insert_users(page.connection_id, chunk, page.run_id, now);
            // The WHERE clause turns an unchanged row into a no-op, so it is neither written
            // nor returned.
            insert.push(format!(
                " ON CONFLICT (connection_id, user_key) DO UPDATE SET
                     ({SYNCED_COLUMNS}, removed, removed_at, updated_at) =
                     (excluded.remote_id, excluded.email, excluded.display_name,
                      excluded.first_name, excluded.last_name, excluded.status,
                      excluded.license, excluded.license_code, excluded.role_id,
                      excluded.role, excluded.group_ids, excluded.department,
                      excluded.login_types, excluded.created_at, excluded.last_login_at,
                      excluded.last_client_version, 0, NULL, excluded.updated_at)
                 WHERE ({SYNCED_COLUMNS}, removed) IS NOT
                       (excluded.remote_id, excluded.email, excluded.display_name,
                        excluded.first_name, excluded.last_name, excluded.status,
                        excluded.license, excluded.license_code, excluded.role_id,
                        excluded.role, excluded.group_ids, excluded.department,
                        excluded.login_types, excluded.created_at, excluded.last_login_at,
                        excluded.last_client_version, 0)
                 RETURNING first_seen_run"
            ));
            let written = insert.build().fetch_all(&mut *tx).await?;
            for row in written {
                let first_seen_run: i64 = row.try_get(0)?;
                if first_seen_run == page.run_id {
                    outcome.added += 1;
                } else {
                    outcome.changed += 1;
                }
            }

            let mut seen = QueryBuilder::<Sqlite>::new("INSERT INTO sync_seen (run_id, user_key) ");
            seen.push_values(chunk, |mut row, user| {
                row.push_bind(page.run_id).push_bind(&user.key);
            });
            seen.push(" ON CONFLICT DO NOTHING");
            newly_seen += seen.build().execute(&mut *tx).await?.rows_affected();
        }

        sqlx::query(
            "UPDATE sync_runs
             SET cursor = ?, pages = pages + 1, users_seen = users_seen + ?,
                 users_added = users_added + ?, users_changed = users_changed + ?,
                 total_hint = ?
             WHERE id = ?",
        )
        .bind(page.next_cursor)
        .bind(newly_seen as i64)
        .bind(outcome.added as i64)
        .bind(outcome.changed as i64)
        .bind(page.total_hint.map(|total| total as i64))
        .bind(page.run_id)
        .execute(&mut *tx)
        .await?;

        tx.commit().await?;
        Ok(outcome)
    }

    /// Stores one user outside a sync, as after a provisioning change. Returns the stored row.
    pub async fn upsert_user(&self, connection_id: i64, user: &UserRecord) -> Result<StoredUser> {
        let now = unix_now();
        let mut tx = self.pool().begin().await?;
        // A provisioned user may have been stored under its email while pending; its id-keyed
        // row replaces that one.
        if user.remote_id.is_some() {
            sqlx::query("DELETE FROM app_users WHERE connection_id = ? AND user_key = lower(?) AND user_key != ?")
                .bind(connection_id)
                .bind(&user.email)
                .bind(&user.key)
                .execute(&mut *tx)
                .await?;
        }
        let mut insert = insert_users(connection_id, std::slice::from_ref(user), 0, now);
        insert.push(format!(
            " ON CONFLICT (connection_id, user_key) DO UPDATE SET
                 ({SYNCED_COLUMNS}, removed, removed_at, updated_at) =
                 (excluded.remote_id, excluded.email, excluded.display_name, excluded.first_name,
                  excluded.last_name, excluded.status, excluded.license, excluded.license_code,
                  excluded.role_id, excluded.role, excluded.group_ids, excluded.department,
                  excluded.login_types, excluded.created_at, excluded.last_login_at,
                  excluded.last_client_version, 0, NULL, excluded.updated_at)
             RETURNING *"
        ));
        let row = insert.build().fetch_one(&mut *tx).await?;
        tx.commit().await?;
        from_row(&row)
    }

    /// Marks a user removed after a provisioning removal. Returns false when no current user
    /// has that key.
    pub async fn mark_user_removed(&self, connection_id: i64, key: &str) -> Result<bool> {
        let now = unix_now();
        let changed = sqlx::query(
            "UPDATE app_users SET removed = 1, removed_at = ?1, updated_at = ?1
             WHERE connection_id = ?2 AND user_key = ?3 AND removed = 0",
        )
        .bind(now)
        .bind(connection_id)
        .bind(key)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Finds a stored user by email, ignoring case, preferring a current one.
    pub async fn user_by_email(&self, connection_id: i64, email: &str) -> Result<Option<StoredUser>> {
        let row = sqlx::query(
            "SELECT * FROM app_users WHERE connection_id = ? AND lower(email) = lower(?)
             ORDER BY removed, updated_at DESC LIMIT 1",
        )
        .bind(connection_id)
        .bind(email)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn users(&self, connection_id: i64, filter: &UserFilter) -> Result<Vec<StoredUser>> {
        let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM app_users WHERE connection_id = ");
        query.push_bind(connection_id);
        if !filter.include_removed {
            query.push(" AND removed = 0");
        }
        if let Some(status) = filter.status {
            query.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(license) = filter.license {
            query.push(" AND license = ").push_bind(license.as_str());
        }
        query.push(" ORDER BY lower(email), user_key");
        let rows = query.build().fetch_all(self.pool()).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn user_counts(&self, connection_id: i64) -> Result<UserCounts> {
        let row = sqlx::query(
            "SELECT
                 COALESCE(SUM(removed = 0), 0) AS total,
                 COALESCE(SUM(removed = 0 AND status = 'active'), 0) AS active,
                 COALESCE(SUM(removed = 0 AND status = 'inactive'), 0) AS inactive,
                 COALESCE(SUM(removed = 0 AND status = 'pending'), 0) AS pending,
                 COALESCE(SUM(removed = 0 AND license = 'licensed'), 0) AS licensed,
                 COALESCE(SUM(removed = 0 AND license = 'basic'), 0) AS basic,
                 COALESCE(SUM(removed = 0 AND license = 'none'), 0) AS no_license,
                 COALESCE(SUM(removed = 0 AND license = 'other'), 0) AS other_license,
                 COALESCE(SUM(removed = 1), 0) AS removed
             FROM app_users WHERE connection_id = ?",
        )
        .bind(connection_id)
        .fetch_one(self.pool())
        .await?;
        let count = |name: &str| -> Result<u64> { Ok(row.try_get::<i64, _>(name)? as u64) };
        Ok(UserCounts {
            total: count("total")?,
            active: count("active")?,
            inactive: count("inactive")?,
            pending: count("pending")?,
            licensed: count("licensed")?,
            basic: count("basic")?,
            no_license: count("no_license")?,
            other_license: count("other_license")?,
            removed: count("removed")?,
        })
    }

    /// Counts current users by status and licence.
    pub async fn status_license_counts(&self, connection_id: i64) -> Result<Vec<(UserStatus, License, u64)>> {
        let rows = sqlx::query(
            "SELECT status, license, COUNT(*) AS users FROM app_users
             WHERE connection_id = ? AND removed = 0
             GROUP BY status, license ORDER BY status, license",
        )
        .bind(connection_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                let license: String = row.try_get("license")?;
                let users: i64 = row.try_get("users")?;
                Ok((parse_enum(&status)?, parse_enum(&license)?, users as u64))
            })
            .collect()
    }

    /// Buckets active users by how long ago they last signed in, relative to `now`.
    pub async fn login_spread(&self, connection_id: i64, now: i64) -> Result<LoginSpread> {
        let day = 86_400;
        let row = sqlx::query(
            "SELECT
                 COALESCE(SUM(last_login_at IS NOT NULL AND last_login_at >= ?2), 0) AS d7,
                 COALESCE(SUM(last_login_at < ?2 AND last_login_at >= ?3), 0) AS d30,
                 COALESCE(SUM(last_login_at < ?3 AND last_login_at >= ?4), 0) AS d90,
                 COALESCE(SUM(last_login_at < ?4), 0) AS older,
                 COALESCE(SUM(last_login_at IS NULL), 0) AS never
             FROM app_users
             WHERE connection_id = ?1 AND removed = 0 AND status = 'active'",
        )
        .bind(connection_id)
        .bind(now - 7 * day)
        .bind(now - 30 * day)
        .bind(now - 90 * day)
        .fetch_one(self.pool())
        .await?;
        let count = |name: &str| -> Result<u64> { Ok(row.try_get::<i64, _>(name)? as u64) };
        Ok(LoginSpread {
            within_7_days: count("d7")?,
            within_30_days: count("d30")?,
            within_90_days: count("d90")?,
            over_90_days: count("older")?,
            never: count("never")?,
        })
    }
}
