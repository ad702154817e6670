//! Engagement buckets: how regularly each user is active, from sign-ins and last login.
//!
//! An active day is a UTC day with a sign-in in the activity log, or the day of the user's
//! last login (`last_login_time`, which Zoom updates at most every 3 days). Each user falls in
//! exactly one bucket, checked in this order:
//! - **never**: no sign-in and no last login on record;
//! - **unused**: no active day within the unused period (default 90 days);
//! - **low**, **medium**, **high**: active on 0 to 4, 5 to 14, or 15 or more of the last
//!   30 days (the limits are settings).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::store::{AppSettings, Database, Result};

/// Days counted for low, medium and high.
pub const WINDOW_DAYS: u32 = 30;
pub const DEFAULT_UNUSED_DAYS: u32 = 90;
pub const DEFAULT_LOW_MAX_DAYS: u32 = 4;
pub const DEFAULT_MEDIUM_MAX_DAYS: u32 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Never,
    Unused,
    Low,
    Medium,
    High,
}

impl Bucket {
    pub const ALL: [Bucket; 5] = [Bucket::Never, Bucket::Unused, Bucket::Low, Bucket::Medium, Bucket::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Never => "never",
            Bucket::Unused => "unused",
            Bucket::Low => "low",
            Bucket::Medium => "medium",
            Bucket::High => "high",
        }
    }

    /// True for the buckets whose paid seats are candidates to reclaim.
    pub fn is_idle(self) -> bool {
        matches!(self, Bucket::Never | Bucket::Unused)
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Bucket {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Bucket, String> {
        Bucket::ALL
            .into_iter()
            .find(|bucket| bucket.as_str() == text)
            .ok_or_else(|| format!("invalid engagement bucket {text:?}; expected one of: never, unused, low, medium, high"))
    }
}

/// Bucket limits of one app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub unused_days: u32,
    pub window_days: u32,
    pub low_max_days: u32,
    pub medium_max_days: u32,
}

impl Thresholds {
    pub fn from_settings(settings: &AppSettings) -> Thresholds {
        Thresholds {
            unused_days: settings.unused_days.unwrap_or(DEFAULT_UNUSED_DAYS),
            window_days: WINDOW_DAYS,
            low_max_days: settings.low_max_days.unwrap_or(DEFAULT_LOW_MAX_DAYS),
            medium_max_days: settings.medium_max_days.unwrap_or(DEFAULT_MEDIUM_MAX_DAYS),
        }
    }

    /// The formula in words, as the CLI and the web UI show it.
    pub fn describe(&self) -> Vec<String> {
        vec![
            "An active day is a UTC day with a sign-in in the activity log, or the day of the last login.".to_string(),
            "never: no sign-in or login on record".to_string(),
            format!("unused: no active day in the last {} days", self.unused_days),
            format!("low: active on 0 to {} of the last {} days", self.low_max_days, self.window_days),
            format!("medium: active on {} to {} of the last {} days", self.low_max_days + 1, self.medium_max_days, self.window_days),
            format!("high: active on {} or more of the last {} days", self.medium_max_days + 1, self.window_days),
        ]
    }

    /// Puts a user in a bucket from their active days in the window and their newest active
    /// day (days since the Unix epoch).
    pub fn bucket(&self, today: i64, active_days: u32, last_active_day: Option<i64>) -> Bucket {
        let Some(last) = last_active_day else { return Bucket::Never };
        if today - last >= i64::from(self.unused_days) {
            return Bucket::Unused;
        }
        if active_days <= self.low_max_days {
            Bucket::Low
        } else if active_days <= self.medium_max_days {
            Bucket::Medium
        } else {
            Bucket::High
        }
    }
}

/// One user's engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserEngagement {
    pub bucket: Bucket,
    /// Active days within the window.
    pub active_days: u32,
    /// The newest sign-in or last login, Unix seconds.
    pub last_active_at: Option<i64>,
}

/// Days since the Unix epoch of a Unix time, in UTC.
pub fn day_of(unix: i64) -> i64 {
    unix.div_euclid(86_400)
}

/// Computes every current user's engagement, keyed by user key.
pub async fn engagement(db: &Database, connection_id: i64, thresholds: &Thresholds, now: i64) -> Result<BTreeMap<String, UserEngagement>> {
    let today = day_of(now);
    let window_start = today - i64::from(thresholds.window_days) + 1;
    let rows = db.activity_per_user(connection_id, window_start).await?;
    Ok(rows
        .into_iter()
        .map(|(key, active_days, last_active_at)| {
            let bucket = thresholds.bucket(today, active_days, last_active_at.map(day_of));
            (key, UserEngagement { bucket, active_days, last_active_at })
        })
        .collect())
}

/// Counts users per bucket, with every bucket present.
pub fn bucket_counts(users: &BTreeMap<String, UserEngagement>) -> BTreeMap<Bucket, u64> {
    let mut counts: BTreeMap<Bucket, u64> = Bucket::ALL.into_iter().map(|bucket| (bucket, 0)).collect();
    for user in users.values() {
        *counts.entry(user.bucket).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: Thresholds = Thresholds { unused_days: 90, window_days: 30, low_max_days: 4, medium_max_days: 14 };

    #[test]
    fn buckets_follow_the_formula() {
        let today = 20_000;
        assert_eq!(DEFAULTS.bucket(today, 0, None), Bucket::Never);
        assert_eq!(DEFAULTS.bucket(today, 0, Some(today - 90)), Bucket::Unused);
        assert_eq!(DEFAULTS.bucket(today, 0, Some(today - 89)), Bucket::Low);
        assert_eq!(DEFAULTS.bucket(today, 4, Some(today)), Bucket::Low);
        assert_eq!(DEFAULTS.bucket(today, 5, Some(today)), Bucket::Medium);
        assert_eq!(DEFAULTS.bucket(today, 14, Some(today)), Bucket::Medium);
        assert_eq!(DEFAULTS.bucket(today, 15, Some(today)), Bucket::High);
        assert_eq!(DEFAULTS.bucket(today, 30, Some(today)), Bucket::High);
    }

    #[test]
    fn custom_unused_period() {
        let thresholds = Thresholds { unused_days: 30, ..DEFAULTS };
        assert_eq!(thresholds.bucket(100, 0, Some(70)), Bucket::Unused);
        assert_eq!(thresholds.bucket(100, 1, Some(71)), Bucket::Low);
    }

    #[test]
    fn bucket_names_parse() {
        assert_eq!("unused".parse::<Bucket>(), Ok(Bucket::Unused));
        assert_eq!("idle".parse::<Bucket>(), Err("invalid engagement bucket \"idle\"; expected one of: never, unused, low, medium, high".into()));
    }

    #[test]
    fn days_round_down_before_the_epoch() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(86_399), 0);
        assert_eq!(day_of(-1), -1);
    }
}
