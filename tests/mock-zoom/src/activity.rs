//! The account's sign-in activity and hosted meetings: the public entry types and the store of
//! every user's history.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::history::{History, LogRow};

/// Kind of an entry of Zoom's sign-in activity report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActivityKind {
    SignIn,
    SignOut,
}

impl ActivityKind {
    /// Returns the `type` value of `GET /v2/report/activities`: "Sign in" or "Sign out".
    pub fn as_str(&self) -> &'static str {
        match self {
            ActivityKind::SignIn => "Sign in",
            ActivityKind::SignOut => "Sign out",
        }
    }
}

/// One sign-in or sign-out of a user, as `GET /v2/report/activities` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub email: String,
    pub time: Timestamp,
    pub kind: ActivityKind,
    /// "Mac", "Windows", "Linux", "iOS", "Android" or "Browser".
    pub client_type: String,
    /// Client version without the platform suffix, e.g. "6.3.11.60501".
    pub version: String,
    /// An address of the documentation ranges 192.0.2.0/24 (office) or 198.51.100.0/24 (home).
    pub ip_address: String,
}

/// A meeting a user hosted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MockMeeting {
    pub start: Timestamp,
    pub minutes: u32,
    /// Participants including the host, so at least 1.
    pub participants: u32,
}

impl MockMeeting {
    /// Returns when the meeting ended: `start` plus `minutes`.
    pub fn end(&self) -> Timestamp {
        self.start + jiff::SignedDuration::from_mins(i64::from(self.minutes))
    }
}

/// Every sign-in history, keyed by lowercased email. Histories outlive their users, because
/// Zoom's activity report keeps the sign-ins of users who left the account.
#[derive(Default)]
pub(crate) struct ActivityStore {
    histories: HashMap<String, History>,
}

impl ActivityStore {
    /// Stores `history` for its user, replacing an older one.
    pub fn insert(&mut self, history: History) {
        self.histories
            .insert(history.email().to_lowercase(), history);
    }

    pub fn get(&self, email: &str) -> Option<&History> {
        self.histories.get(&email.to_lowercase())
    }

    /// Returns the history of `email`, creating an empty one whose entries use `app_client`
    /// (e.g. "6.3.11.60501(mac)", or `None` for the web client) when the user has none.
    pub fn get_or_insert(&mut self, email: &str, app_client: Option<&str>) -> &mut History {
        self.histories
            .entry(email.to_lowercase())
            .or_insert_with(|| History::empty(email, app_client.map(str::to_owned)))
    }

    /// Returns every entry between `from` and `to` (inclusive) in compact form, unsorted.
    pub fn log_rows_between(&self, from: Timestamp, to: Timestamp) -> Vec<LogRow> {
        let mut rows = Vec::new();
        for history in self.histories.values() {
            history.log_rows_between(from, to, &mut rows);
        }
        rows
    }

    /// Returns every entry of every user, oldest first. Entries at the same second are ordered
    /// by email, then sign-ins before sign-outs.
    pub fn all_entries(&self) -> Vec<ActivityEntry> {
        let mut entries: Vec<ActivityEntry> = self
            .histories
            .values()
            .flat_map(History::all_entries)
            .collect();
        entries.sort_by(|a, b| {
            (a.time, &a.email, a.kind == ActivityKind::SignOut).cmp(&(
                b.time,
                &b.email,
                b.kind == ActivityKind::SignOut,
            ))
        });
        entries
    }
}
