//! `list-users`: pages through Zoom's active, inactive and pending users by `next_page_token`.

use serde::{Deserialize, Deserializer, Serialize};

use crate::api::{self, encode_query_value};
use crate::bindings::roster::connector::log::{self, Level};
use crate::bindings::roster::connector::types::{
    AccountIdentity, AppUser, ConnectorError, LicenseKind, PageProgress, UserPage, UserStatus,
};
use crate::roles::{self, RoleNames};
use crate::time::parse_rfc3339;

/// The largest page Zoom's pagination guide allows for Light and Medium endpoints.
pub const PAGE_SIZE: u64 = 300;

/// Zoom lists one status per query, so a full listing walks these in order.
const LISTINGS: [Listing; 3] = [Listing::Active, Listing::Inactive, Listing::Pending];

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Listing {
    Active,
    Inactive,
    Pending,
}

impl Listing {
    fn as_str(self) -> &'static str {
        match self {
            Listing::Active => "active",
            Listing::Inactive => "inactive",
            Listing::Pending => "pending",
        }
    }

    fn next(self) -> Option<Listing> {
        let index = LISTINGS.iter().position(|listing| *listing == self)?;
        LISTINGS.get(index + 1).copied()
    }

    fn status(self) -> UserStatus {
        match self {
            Listing::Active => UserStatus::Active,
            Listing::Inactive => UserStatus::Inactive,
            Listing::Pending => UserStatus::Pending,
        }
    }
}

/// Position in a listing. The host stores it as an opaque string between calls.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct UsersCursor {
    pub status: Listing,
    /// Zoom's `next_page_token` for the next page of `status`; none for its first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
    /// Pages already read for `status`.
    pub pages: u64,
    /// Users already read for `status`.
    pub listed: u64,
    /// Users read in the statuses before `status`.
    pub listed_before: u64,
    /// The largest `total_records` Zoom reported for `status`.
    pub max_total: u64,
}

impl UsersCursor {
    pub fn start() -> UsersCursor {
        UsersCursor {
            status: Listing::Active,
            page_token: None,
            pages: 0,
            listed: 0,
            listed_before: 0,
            max_total: 0,
        }
    }

    pub fn decode(text: &str) -> Result<UsersCursor, ConnectorError> {
        serde_json::from_str(text).map_err(|error| {
            ConnectorError::InvalidCursor(format!("cannot parse users cursor {text:?}: {error}"))
        })
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a cursor of plain fields always serialises")
    }

    /// Returns the `GET /v2/users` path and query for the next page.
    pub fn query(&self) -> String {
        // Zoom requires the same query with every page token, so only the token varies.
        let mut query =
            format!("/v2/users?status={}&page_size={PAGE_SIZE}", self.status.as_str());
        if let Some(token) = &self.page_token {
            query.push_str("&next_page_token=");
            query.push_str(&encode_query_value(token));
        }
        query
    }

    /// Moves past `page`, refusing to continue when Zoom's tokens would loop.
    pub fn advance(&self, page: &ParsedPage) -> Result<Option<UsersCursor>, ConnectorError> {
        let pages = self.pages + 1;
        let listed = self.listed + page.users.len() as u64;
        let max_total = self.max_total.max(page.total_records);

        let Some(token) = page.next_page_token.clone() else {
            return Ok(self.status.next().map(|status| UsersCursor {
                status,
                page_token: None,
                pages: 0,
                listed: 0,
                listed_before: self.listed_before + listed,
                max_total: 0,
            }));
        };

        if self.page_token.as_deref() == Some(token.as_str()) {
            return Err(ConnectorError::InvalidResponse(format!(
                "Zoom returned the same next_page_token twice while listing {} users after {pages} \
                 pages; stopping instead of looping",
                self.status.as_str()
            )));
        }

        // Totals are hints: users may join during a listing, so allow one page beyond them.
        let page_size = if page.page_size == 0 { PAGE_SIZE } else { page.page_size };
        let allowed = max_total.div_ceil(page_size) + 1;
        if pages >= allowed {
            return Err(ConnectorError::InvalidResponse(format!(
                "Zoom kept returning next_page_token while listing {} users: {pages} pages of \
                 {page_size} exceed the {max_total} users it reported; stopping instead of looping",
                self.status.as_str()
            )));
        }

        Ok(Some(UsersCursor {
            status: self.status,
            page_token: Some(token),
            pages,
            listed,
            listed_before: self.listed_before,
            max_total,
        }))
    }
}

/// One page of `GET /v2/users`, mapped to Roster's user records.
#[derive(Debug)]
pub struct ParsedPage {
    pub users: Vec<AppUser>,
    pub next_page_token: Option<String>,
    pub total_records: u64,
    pub page_size: u64,
    /// Fields that could not be parsed and were left empty, such as malformed timestamps.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct UsersBody {
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    page_size: u64,
    #[serde(default)]
    total_records: u64,
    #[serde(default)]
    users: Vec<ZoomUser>,
}

#[derive(Deserialize)]
pub(crate) struct ZoomUser {
    id: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    display_name: Option<String>,
    #[serde(rename = "type")]
    user_type: Option<i64>,
    status: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    role_id: Option<String>,
    #[serde(default)]
    group_ids: Vec<String>,
    dept: Option<String>,
    #[serde(default)]
    login_types: Vec<i64>,
    user_created_at: Option<String>,
    created_at: Option<String>,
    last_login_time: Option<String>,
    last_client_version: Option<String>,
    /// Only in `GET /v2/users/{userId}`.
    role_name: Option<String>,
}

/// Accepts `"2"` or `2`, because Zoom's specification types role ids as strings but ids like
/// "0" invite numeric encodings.
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(i64),
    }
    Ok(Option::<Raw>::deserialize(deserializer)?.map(|raw| match raw {
        Raw::Text(text) => text,
        Raw::Number(number) => number.to_string(),
    }))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

/// Maps Zoom's user `type` to a licence: 1 Basic, 2 Licensed, and 4 (unassigned without
/// Meetings Basic) or 99 (none, ssoCreate only) to no seat. Other values are kept as "other".
fn license(user_type: Option<i64>) -> LicenseKind {
    match user_type {
        Some(1) => LicenseKind::Basic,
        Some(2) => LicenseKind::Licensed,
        Some(4 | 99) => LicenseKind::None,
        _ => LicenseKind::Other,
    }
}

/// Names Zoom's `login_types` codes; unknown codes stay numeric.
fn login_type(code: i64) -> String {
    match code {
        0 => "facebook".into(),
        1 => "google".into(),
        11 | 21 | 23 => format!("china-{code}"),
        24 => "apple".into(),
        27 => "microsoft".into(),
        97 => "mobile".into(),
        98 => "ringcentral".into(),
        99 => "api".into(),
        100 => "work-email".into(),
        101 => "sso".into(),
        _ => code.to_string(),
    }
}

fn timestamp(field: &str, email: &str, value: Option<String>, warnings: &mut Vec<String>) -> Option<i64> {
    let text = non_empty(value)?;
    let parsed = parse_rfc3339(&text);
    if parsed.is_none() {
        warnings.push(format!("{field} of {email} is not an RFC 3339 date-time: {text:?}"));
    }
    parsed
}

fn map_user(user: ZoomUser, listing: Listing, roles: &RoleNames, warnings: &mut Vec<String>) -> Result<AppUser, ConnectorError> {
    let email = non_empty(user.email).ok_or_else(|| {
        ConnectorError::InvalidResponse(format!(
            "Zoom listed a user without an email among {} users (id {:?})",
            listing.as_str(),
            user.id
        ))
    })?;
    let remote_id = non_empty(user.id);
    // Pending users have no id, so the lowercased email is their key until they accept.
    let key = remote_id.clone().unwrap_or_else(|| email.to_lowercase());

    let status = match user.status.as_deref() {
        Some("active") => UserStatus::Active,
        Some("inactive") => UserStatus::Inactive,
        Some("pending") => UserStatus::Pending,
        _ => listing.status(),
    };
    let role_id = non_empty(user.role_id);
    let role = role_id.as_deref().and_then(|id| roles.name(id)).map(str::to_string).or(non_empty(user.role_name));

    // `user_created_at` is the account's creation; the deprecated `created_at` tracks the latest
    // login type, so it is only a fallback.
    let created_at = timestamp("user_created_at", &email, user.user_created_at, warnings)
        .or_else(|| timestamp("created_at", &email, user.created_at, warnings));
    let last_login_at = timestamp("last_login_time", &email, user.last_login_time, warnings);

    Ok(AppUser {
        key,
        remote_id,
        display_name: non_empty(user.display_name),
        first_name: non_empty(user.first_name),
        last_name: non_empty(user.last_name),
        status,
        license: license(user.user_type),
        license_code: user.user_type.map(|code| code.to_string()),
        role_id,
        role,
        group_ids: user.group_ids,
        department: non_empty(user.dept),
        login_types: user.login_types.into_iter().map(login_type).collect(),
        created_at,
        last_login_at,
        last_client_version: non_empty(user.last_client_version),
        email,
    })
}

/// Parses `GET /v2/users/{userId}`.
pub fn parse_user_detail(body: &[u8], roles: &RoleNames) -> Result<AppUser, ConnectorError> {
    let user: ZoomUser = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/users/{{userId}} body: {error}")))?;
    let listing = match user.status.as_deref() {
        Some("inactive") => Listing::Inactive,
        Some("pending") => Listing::Pending,
        _ => Listing::Active,
    };
    map_user(user, listing, roles, &mut Vec::new())
}

/// Parses one `GET /v2/users` body for the given listing.
pub fn parse_users_page(body: &[u8], listing: Listing, roles: &RoleNames) -> Result<ParsedPage, ConnectorError> {
    let parsed: UsersBody = serde_json::from_slice(body).map_err(|error| {
        ConnectorError::InvalidResponse(format!(
            "cannot parse Zoom's /v2/users body for {} users: {error}",
            listing.as_str()
        ))
    })?;

    let mut warnings = Vec::new();
    let users = parsed
        .users
        .into_iter()
        .map(|user| map_user(user, listing, roles, &mut warnings))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(ParsedPage {
        users,
        next_page_token: non_empty(parsed.next_page_token),
        total_records: parsed.total_records,
        page_size: parsed.page_size,
        warnings,
    })
}

/// The `list-users` export: reads one page and returns the cursor for the next.
pub fn list_users(cursor: Option<&str>) -> Result<UserPage, ConnectorError> {
    let cursor = match cursor {
        None => UsersCursor::start(),
        Some(text) => UsersCursor::decode(text)?,
    };
    // A new listing reads role names afresh; later pages reuse the stored copy.
    let starting = cursor.status == Listing::Active && cursor.page_token.is_none();
    let roles = roles::role_names(starting);

    let body = api::get(&cursor.query(), None)?;
    let page = parse_users_page(&body, cursor.status, &roles)?;
    if !page.warnings.is_empty() {
        log::log(
            Level::Warn,
            "some user fields were malformed and left empty",
            &[
                ("count".to_string(), page.warnings.len().to_string()),
                ("first".to_string(), page.warnings[0].clone()),
            ],
        );
    }

    let next = cursor.advance(&page)?;
    let listed = cursor.listed + page.users.len() as u64;
    let progress = PageProgress {
        fetched: cursor.listed_before + listed,
        total_hint: Some(cursor.listed_before + listed.max(page.total_records)),
    };
    Ok(UserPage { users: page.users, next_cursor: next.map(|next| next.encode()), progress })
}

#[derive(Deserialize)]
struct Me {
    id: Option<String>,
    email: Option<String>,
    account_id: Option<String>,
}

/// Parses `GET /v2/users/me`, whose `account_id` names the authorizing user's account.
pub fn parse_me(body: &[u8]) -> Result<AccountIdentity, ConnectorError> {
    let me: Me = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/users/me body: {error}")))?;
    let account_id = non_empty(me.account_id)
        .ok_or_else(|| ConnectorError::InvalidResponse("Zoom's /v2/users/me has no account_id".to_string()))?;
    Ok(AccountIdentity { account_id, user_id: non_empty(me.id), email: non_empty(me.email) })
}

/// The `identify` export.
pub fn identify() -> Result<AccountIdentity, ConnectorError> {
    parse_me(&api::get("/v2/users/me", None)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE1: &str = r#"{"page_count":2,"page_number":1,"page_size":3,"total_records":5,
      "next_page_token":"tok1","users":[
        {"id":"u1","first_name":"Owner","last_name":"One","display_name":"Owner One",
         "email":"owner.one@example.test","type":2,"dept":"IT","status":"active",
         "user_created_at":"2025-06-01T07:58:03Z","last_login_time":"2026-03-02T08:15:00Z",
         "last_client_version":"6.0.0.00000(mac)","login_types":[100],"role_id":"0",
         "group_ids":["g1"]},
        {"id":"u3","email":"member.three@example.test","type":1,"dept":"","status":"active",
         "created_at":"2025-06-01T07:58:03Z","login_types":[101],"role_id":"2"},
        {"id":"u6","email":"member.six@example.test","type":4,"status":"active","role_id":2}]}"#;

    fn roles() -> RoleNames {
        let mut roles = RoleNames::default();
        roles.names.insert("0".into(), "Owner".into());
        roles.names.insert("2".into(), "Member".into());
        roles
    }

    #[test]
    fn me_names_the_account() {
        let me = parse_me(br#"{"id":"u1","email":"owner@example.test","account_id":"acct"}"#).unwrap();
        assert_eq!((me.account_id.as_str(), me.user_id.as_deref()), ("acct", Some("u1")));
        let Err(ConnectorError::InvalidResponse(message)) = parse_me(br#"{"id":"u1"}"#) else { panic!() };
        assert_eq!(message, "Zoom's /v2/users/me has no account_id");
    }

    #[test]
    fn maps_active_page() {
        let page = parse_users_page(PAGE1.as_bytes(), Listing::Active, &roles()).unwrap();
        assert_eq!(page.next_page_token.as_deref(), Some("tok1"));
        assert_eq!(page.total_records, 5);
        let owner = &page.users[0];
        assert_eq!(owner.key, "u1");
        assert_eq!(owner.license, LicenseKind::Licensed);
        assert_eq!(owner.license_code.as_deref(), Some("2"));
        assert_eq!(owner.role.as_deref(), Some("Owner"));
        assert_eq!(owner.department.as_deref(), Some("IT"));
        assert_eq!(owner.login_types, vec!["work-email"]);
        assert_eq!(owner.created_at, Some(1_748_764_683));
        assert_eq!(owner.last_login_at, Some(1_772_439_300));
        assert_eq!(owner.group_ids, vec!["g1"]);

        let never_logged_in = &page.users[1];
        assert_eq!(never_logged_in.last_login_at, None);
        assert_eq!(never_logged_in.department, None);
        assert_eq!(never_logged_in.created_at, Some(1_748_764_683));
        assert_eq!(never_logged_in.license, LicenseKind::Basic);
        assert_eq!(never_logged_in.login_types, vec!["sso"]);

        let unassigned = &page.users[2];
        assert_eq!(unassigned.license, LicenseKind::None);
        assert_eq!(unassigned.role_id.as_deref(), Some("2"));
        assert_eq!(unassigned.role.as_deref(), Some("Member"));
    }

    #[test]
    fn pending_user_keyed_by_lowercased_email() {
        let body = r#"{"next_page_token":"","total_records":1,"users":[
            {"email":"Pending.Five@Example.test","type":2,"status":"pending","role_id":"2"}]}"#;
        let page = parse_users_page(body.as_bytes(), Listing::Pending, &roles()).unwrap();
        let user = &page.users[0];
        assert_eq!(user.key, "pending.five@example.test");
        assert_eq!(user.email, "Pending.Five@Example.test");
        assert_eq!(user.remote_id, None);
        assert_eq!(user.status, UserStatus::Pending);
        assert_eq!(page.next_page_token, None);
    }

    #[test]
    fn unknown_type_kept_as_other() {
        let body = r#"{"users":[{"id":"x","email":"a@example.test","type":3}]}"#;
        let page = parse_users_page(body.as_bytes(), Listing::Inactive, &roles()).unwrap();
        assert_eq!(page.users[0].license, LicenseKind::Other);
        assert_eq!(page.users[0].license_code.as_deref(), Some("3"));
        assert_eq!(page.users[0].status, UserStatus::Inactive);
    }

    #[test]
    fn malformed_timestamp_is_warned_and_empty() {
        let body = r#"{"users":[{"id":"x","email":"a@example.test","type":1,"last_login_time":"yesterday"}]}"#;
        let page = parse_users_page(body.as_bytes(), Listing::Active, &roles()).unwrap();
        assert_eq!(page.users[0].last_login_at, None);
        assert_eq!(page.warnings, vec![r#"last_login_time of a@example.test is not an RFC 3339 date-time: "yesterday""#]);
    }

    #[test]
    fn user_without_email_is_an_error() {
        let body = r#"{"users":[{"id":"x","type":1}]}"#;
        let Err(ConnectorError::InvalidResponse(message)) =
            parse_users_page(body.as_bytes(), Listing::Active, &roles())
        else {
            panic!()
        };
        assert_eq!(message, r#"Zoom listed a user without an email among active users (id Some("x"))"#);
    }

    fn page_with(token: Option<&str>, users: usize, total: u64) -> ParsedPage {
        let user = parse_users_page(
            br#"{"users":[{"id":"x","email":"a@example.test","type":1}]}"#,
            Listing::Active,
            &RoleNames::default(),
        )
        .unwrap()
        .users
        .remove(0);
        ParsedPage {
            users: vec![user; users],
            next_page_token: token.map(str::to_string),
            total_records: total,
            page_size: 300,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn cursor_walks_statuses_in_order() {
        let start = UsersCursor::start();
        let second = start.advance(&page_with(Some("t1"), 300, 301)).unwrap().unwrap();
        assert_eq!(second.status, Listing::Active);
        assert_eq!(second.page_token.as_deref(), Some("t1"));
        assert!(second.query().ends_with("status=active&page_size=300&next_page_token=t1"));

        let inactive = second.advance(&page_with(None, 1, 301)).unwrap().unwrap();
        assert_eq!(inactive.status, Listing::Inactive);
        assert_eq!(inactive.page_token, None);
        assert_eq!(inactive.listed_before, 301);

        let pending = inactive.advance(&page_with(None, 0, 0)).unwrap().unwrap();
        assert_eq!(pending.status, Listing::Pending);
        assert_eq!(pending.advance(&page_with(None, 2, 2)).unwrap(), None);
    }

    #[test]
    fn cursor_round_trips() {
        let cursor = UsersCursor::start().advance(&page_with(Some("t 1"), 300, 900)).unwrap().unwrap();
        assert_eq!(UsersCursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(cursor.query().ends_with("next_page_token=t%201"));
        assert!(matches!(UsersCursor::decode("{"), Err(ConnectorError::InvalidCursor(_))));
    }

    #[test]
    fn repeated_page_token_stops() {
        let second = UsersCursor::start().advance(&page_with(Some("t1"), 300, 900)).unwrap().unwrap();
        let Err(ConnectorError::InvalidResponse(message)) = second.advance(&page_with(Some("t1"), 300, 900)) else {
            panic!()
        };
        assert_eq!(
            message,
            "Zoom returned the same next_page_token twice while listing active users after 2 pages; stopping instead of looping"
        );
    }

    #[test]
    fn pages_beyond_total_stop() {
        // 600 users at 300 a page allow 2 pages plus 1 of slack.
        let mut cursor = UsersCursor::start();
        for token in ["a", "b"] {
            cursor = cursor.advance(&page_with(Some(token), 300, 600)).unwrap().unwrap();
        }
        let Err(ConnectorError::InvalidResponse(message)) = cursor.advance(&page_with(Some("c"), 300, 600)) else {
            panic!()
        };
        assert_eq!(
            message,
            "Zoom kept returning next_page_token while listing active users: 3 pages of 300 exceed the 600 users it reported; stopping instead of looping"
        );
    }
}
