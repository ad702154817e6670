//! A user of the mock account: the truth that API responses are built from.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A user's state on the account, as Zoom's `status` field and query parameter name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Inactive,
    Pending,
}

impl UserStatus {
    /// Returns the value Zoom uses in JSON bodies and in the `status` query parameter.
    pub fn as_str(&self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Inactive => "inactive",
            UserStatus::Pending => "pending",
        }
    }

    /// Parses a `status` query value, returning `None` for values Zoom rejects.
    pub fn parse(value: &str) -> Option<UserStatus> {
        match value {
            "active" => Some(UserStatus::Active),
            "inactive" => Some(UserStatus::Inactive),
            "pending" => Some(UserStatus::Pending),
            _ => None,
        }
    }
}

/// One user of the mock account, as stored by the mock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MockUser {
    /// Zoom user id, or `None` for pending users, whom Zoom lists without an id.
    pub id: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub status: UserStatus,
    /// Zoom `type`: 1 basic, 2 licensed, 4 unassigned without Meetings Basic, 99 none.
    pub user_type: i64,
    /// "0" Owner, "1" Admin, "2" Member, or a custom role id.
    pub role_id: String,
    pub group_ids: Vec<String>,
    /// Department, "" when none.
    pub dept: String,
    /// Zoom login types, e.g. 100 (Zoom work email) or 101 (SSO).
    pub login_types: Vec<i64>,
    pub created_at: Timestamp,
    pub last_login_time: Option<Timestamp>,
    pub last_client_version: Option<String>,
    pub timezone: String,
    pub language: String,
    /// Personal meeting id.
    pub pmi: i64,
}

impl MockUser {
    /// Returns the key Roster must store for this user: the id, or the lowercased email for
    /// pending users (the API lists pending users without an id, even when this struct has one).
    pub fn key(&self) -> String {
        match (&self.id, self.status) {
            (Some(id), UserStatus::Active | UserStatus::Inactive) => id.clone(),
            _ => self.email.to_lowercase(),
        }
    }
}
