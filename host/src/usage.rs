//! Meetings hosted per user and month, from the usage report the activity sync stores, set
//! against the licences: a paid seat whose holder hosts no meeting is a candidate to reclaim.

use std::collections::HashMap;

use serde::Serialize;

use crate::store::{Database, License, UserFilter};

/// One user's meetings in the month.
#[derive(Debug, Clone, Serialize)]
pub struct UserUsage {
    pub email: String,
    /// Null when the user is no longer listed by the last sync.
    pub license: Option<License>,
    pub meetings: u32,
    pub meeting_minutes: u32,
    pub participants: u32,
}

/// Meetings hosted in one month.
#[derive(Debug, Clone, Serialize)]
pub struct UsageReport {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// False while the month is still running or was fetched before it ended.
    pub complete: bool,
    /// Every month with stored usage, newest first.
    pub months_stored: Vec<String>,
    /// Users who hosted at least one meeting.
    pub hosts: u64,
    pub meetings: u64,
    pub meeting_minutes: u64,
    pub participants: u64,
    /// Current licensed users who hosted no meeting in the month.
    pub licensed_without_meetings: u64,
    pub licensed_users: u64,
    /// Hosts, most meetings first.
    pub users: Vec<UserUsage>,
}

/// An error that prevents building a usage report.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("month {0:?} is invalid; write it as YYYY-MM")]
    InvalidMonth(String),
    #[error("no usage is stored for `{0}` yet; run `roster sync {0}` first")]
    NothingStored(String),
    #[error("no usage is stored for {month}; stored months: {stored}")]
    MonthNotStored { month: String, stored: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

fn check_month(month: &str) -> Result<(), UsageError> {
    let valid = month.len() == 7 && format!("{month}-01").parse::<jiff::civil::Date>().is_ok();
    if valid { Ok(()) } else { Err(UsageError::InvalidMonth(month.to_string())) }
}

/// Builds the usage report of `month`, or of the newest stored month when `month` is `None`.
pub async fn usage_report(db: &Database, connection_id: i64, connection_name: &str, month: Option<&str>) -> Result<UsageReport, UsageError> {
    if let Some(month) = month {
        check_month(month)?;
    }
    let months_stored = db.usage_months(connection_id).await?;
    let month = match month {
        Some(month) if months_stored.iter().any(|stored| stored == month) => month.to_string(),
        Some(_) if months_stored.is_empty() => return Err(UsageError::NothingStored(connection_name.to_string())),
        Some(month) => return Err(UsageError::MonthNotStored { month: month.to_string(), stored: months_stored.join(", ") }),
        None => months_stored.first().cloned().ok_or_else(|| UsageError::NothingStored(connection_name.to_string()))?,
    };

    let rows = db.usage_of_month(connection_id, &month).await?;
    let current = db.users(connection_id, &UserFilter::default()).await?;
    let licenses: HashMap<String, License> = current.iter().map(|user| (user.record.email.to_lowercase(), user.record.license)).collect();
    let final_months = db.activity_state(connection_id).await?.final_months;

    let hosting: Vec<&crate::store::UsageRow> = rows.iter().filter(|row| row.meetings > 0).collect();
    let licensed_users = current.iter().filter(|user| user.record.license == License::Licensed).count() as u64;
    let licensed_hosts = hosting.iter().filter(|row| licenses.get(&row.email) == Some(&License::Licensed)).count() as u64;
    let users = hosting
        .iter()
        .map(|row| UserUsage {
            email: row.email.clone(),
            license: licenses.get(&row.email).copied(),
            meetings: row.meetings,
            meeting_minutes: row.meeting_minutes,
            participants: row.participants,
        })
        .collect();

    Ok(UsageReport {
        complete: final_months.contains(&month),
        hosts: hosting.len() as u64,
        meetings: hosting.iter().map(|row| u64::from(row.meetings)).sum(),
        meeting_minutes: hosting.iter().map(|row| u64::from(row.meeting_minutes)).sum(),
        participants: hosting.iter().map(|row| u64::from(row.participants)).sum(),
        licensed_without_meetings: licensed_users - licensed_hosts,
        licensed_users,
        users,
        month,
        months_stored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_checked() {
        assert!(check_month("2026-11").is_ok());
        for bad in ["2026-13", "2026-1", "November", "2026-11-01"] {
            assert_eq!(check_month(bad).unwrap_err().to_string(), format!("month {bad:?} is invalid; write it as YYYY-MM"));
        }
    }
}
