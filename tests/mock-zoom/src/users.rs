//! The users endpoints: `GET /v2/users` (paged by `next_page_token`) and `GET /v2/users/{userId}`.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::api::{ApiError, Authorized, json_response, param, parse_pairs, zoom_time};
use crate::faults::PagingFault;
use crate::mock_user::{MockUser, UserStatus};
use crate::paging::{self, PageRequest};
use crate::roles::role_name;
use crate::scopes;
use crate::state::{AppState, lock};

/// Maximum page size the mock returns. Zoom's spec allows 2000, but its pagination guide
/// states that list APIs return at most 300 items, so larger requests are clamped to 300.
pub const MAX_PAGE_SIZE: usize = paging::MAX_PAGE_SIZE;

/// Account number reported by `GET /v2/users/{userId}`. Zoom has one per account.
const ACCOUNT_NUMBER: i64 = 10_000_001;

/// The filters of one `GET /v2/users` request, after defaults and clamping.
#[derive(Debug)]
struct ListUsersQuery<'a> {
    status: UserStatus,
    page_size: usize,
    role_id: Option<&'a str>,
}

impl<'a> ListUsersQuery<'a> {
    /// Reads the filters, rejecting values Zoom rejects with code 300. `page_number` is
    /// accepted and ignored, as Zoom is phasing it out in favour of `next_page_token`.
    fn parse(params: &'a [(String, String)]) -> Result<Self, ApiError> {
        let status = match param(params, "status") {
            None | Some("") => UserStatus::Active,
            Some(value) => {
                UserStatus::parse(value).ok_or_else(|| ApiError::invalid_field("status"))?
            }
        };
        let page_size = paging::page_size(params)?;
        let role_id = param(params, "role_id").filter(|role_id| !role_id.is_empty());
        Ok(ListUsersQuery {
            status,
            page_size,
            role_id,
        })
    }

    /// Canonical text of the query that a page token is bound to.
    fn cursor_key(&self) -> String {
        format!(
            "GET /v2/users?status={}&page_size={}&role_id={}",
            self.status.as_str(),
            self.page_size,
            self.role_id.unwrap_or("")
        )
    }

    fn matches(&self, user: &MockUser) -> bool {
        user.status == self.status && self.role_id.is_none_or(|role_id| user.role_id == role_id)
    }
}

/// A user as `GET /v2/users` lists it. Zoom leaves out the id of pending users, the login
/// fields of users who never logged in, and the group fields of users who are not active.
#[derive(Serialize)]
struct ListedUser<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    first_name: &'a str,
    last_name: &'a str,
    display_name: &'a str,
    email: &'a str,
    #[serde(rename = "type")]
    user_type: i64,
    pmi: i64,
    timezone: &'a str,
    verified: i64,
    dept: &'a str,
    created_at: String,
    user_created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_client_version: Option<&'a str>,
    language: &'a str,
    phone_number: &'a str,
    status: &'static str,
    login_types: &'a [i64],
    role_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    im_group_ids: Option<[&'a str; 0]>,
}

impl<'a> From<&'a MockUser> for ListedUser<'a> {
    fn from(user: &'a MockUser) -> Self {
        let is_active = user.status == UserStatus::Active;
        ListedUser {
            id: listed_id(user),
            first_name: &user.first_name,
            last_name: &user.last_name,
            display_name: &user.display_name,
            email: &user.email,
            user_type: user.user_type,
            pmi: user.pmi,
            timezone: &user.timezone,
            verified: 1,
            dept: &user.dept,
            created_at: zoom_time(user.created_at),
            user_created_at: zoom_time(user.created_at),
            last_login_time: user.last_login_time.map(zoom_time),
            last_client_version: user.last_client_version.as_deref(),
            language: &user.language,
            phone_number: "",
            status: user.status.as_str(),
            login_types: &user.login_types,
            role_id: &user.role_id,
            group_ids: is_active.then_some(user.group_ids.as_slice()),
            im_group_ids: is_active.then_some([]),
        }
    }
}

/// Returns the id the API shows: none for pending users, even when the truth has one.
pub(crate) fn listed_id(user: &MockUser) -> Option<&str> {
    match user.status {
        UserStatus::Pending => None,
        UserStatus::Active | UserStatus::Inactive => user.id.as_deref(),
    }
}

/// Body of `GET /v2/users`.
#[derive(Serialize)]
struct UsersPage<'a> {
    page_count: usize,
    /// Always 1, because Zoom's recorded responses show 1 when paging by token.
    page_number: usize,
    page_size: usize,
    total_records: usize,
    /// "" on the last page.
    next_page_token: String,
    users: Vec<ListedUser<'a>>,
}

/// Lists users of one status, a page at a time.
pub(crate) async fn list_users(
    State(state): State<AppState>,
    auth: Authorized,
    paging_fault: Option<Extension<PagingFault>>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::LIST_USERS)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let query = ListUsersQuery::parse(&params)?;
    let page = PageRequest::start(&state, &params, query.cursor_key(), query.page_size)?;

    // Offsets index the filtered list as it is now, so users added or removed between
    // pages shift later pages but never break them.
    let (total_records, page_users) = {
        let users = lock(&state.users);
        let mut total = 0;
        let mut page_users = Vec::new();
        for user in users.iter().filter(|user| query.matches(user)) {
            if total >= page.offset && page_users.len() < page.page_size {
                page_users.push(user.clone());
            }
            total += 1;
        }
        (total, page_users)
    };
    let paging_fault = paging_fault.map(|Extension(fault)| fault);
    let next_page_token = page.next_page_token(&state, total_records, paging_fault);

    let body = UsersPage {
        page_count: total_records.div_ceil(query.page_size),
        page_number: 1,
        page_size: query.page_size,
        total_records,
        next_page_token,
        users: page_users.iter().map(ListedUser::from).collect(),
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// A user as `GET /v2/users/{userId}` returns it: the list fields plus account details.
#[derive(Serialize)]
struct UserDetail<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    first_name: &'a str,
    last_name: &'a str,
    display_name: &'a str,
    email: &'a str,
    #[serde(rename = "type")]
    user_type: i64,
    role_name: &'a str,
    pmi: i64,
    use_pmi: bool,
    personal_meeting_url: String,
    timezone: &'a str,
    verified: i64,
    dept: &'a str,
    created_at: String,
    user_created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_client_version: Option<&'a str>,
    pic_url: &'a str,
    cms_user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    jid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    im_group_ids: Option<[&'a str; 0]>,
    account_id: &'a str,
    account_number: i64,
    language: &'a str,
    phone_country: &'a str,
    phone_number: &'a str,
    phone_numbers: [&'a str; 0],
    status: &'static str,
    job_title: &'a str,
    cost_center: &'a str,
    company: &'a str,
    location: &'a str,
    login_types: &'a [i64],
    role_id: &'a str,
    cluster: &'a str,
}

impl<'a> UserDetail<'a> {
    fn new(user: &'a MockUser, account_id: &'a str) -> Self {
        let listed = ListedUser::from(user);
        let id = listed.id;
        UserDetail {
            id,
            first_name: listed.first_name,
            last_name: listed.last_name,
            display_name: listed.display_name,
            email: listed.email,
            user_type: listed.user_type,
            role_name: role_name(&user.role_id),
            pmi: user.pmi,
            use_pmi: false,
            personal_meeting_url: format!("https://example.test/j/{}", user.pmi),
            timezone: listed.timezone,
            verified: listed.verified,
            dept: listed.dept,
            created_at: listed.created_at,
            user_created_at: listed.user_created_at,
            last_login_time: listed.last_login_time,
            last_client_version: listed.last_client_version,
            pic_url: "",
            cms_user_id: "",
            jid: id.map(|id| format!("{}@xmpp.example.test", id.to_lowercase())),
            group_ids: listed.group_ids,
            im_group_ids: listed.im_group_ids,
            account_id,
            account_number: ACCOUNT_NUMBER,
            language: listed.language,
            phone_country: "",
            phone_number: "",
            phone_numbers: [],
            status: listed.status,
            job_title: "",
            cost_center: "",
            company: "Example Corp",
            location: "",
            login_types: listed.login_types,
            role_id: listed.role_id,
            cluster: "us05",
        }
    }
}

/// Returns one user looked up by id, by email (case-insensitive) or as `me`, which for
/// Server-to-Server tokens is the account owner.
pub(crate) async fn get_user(
    State(state): State<AppState>,
    auth: Authorized,
    Path(user_id): Path<String>,
) -> Result<Response, ApiError> {
    auth.require(&scopes::GET_USER)?;
    let user = {
        let users = lock(&state.users);
        users
            .iter()
            .find(|user| is_addressed_by(user, &user_id))
            .cloned()
    };
    let user = user.ok_or_else(|| ApiError::user_not_found(&user_id))?;
    let body = UserDetail::new(&user, &state.config.account_id);
    Ok(json_response(StatusCode::OK, &body))
}

/// Returns whether the path segment `user_id` (an id, an email in any case, or `me`) names
/// `user`.
pub(crate) fn is_addressed_by(user: &MockUser, user_id: &str) -> bool {
    if user_id == "me" {
        return user.role_id == "0";
    }
    listed_id(user) == Some(user_id) || user.email.eq_ignore_ascii_case(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::generate_users;
    use crate::fixture_users::FIXTURE_NOW;

    fn fixture_users() -> Vec<MockUser> {
        let now = FIXTURE_NOW
            .parse()
            .expect("FIXTURE_NOW is a valid timestamp");
        generate_users(7, 7, now)
    }

    fn listed_json(user: &MockUser) -> serde_json::Value {
        serde_json::to_value(ListedUser::from(user)).expect("serializable")
    }

    #[test]
    fn listed_user_matches_fixture() {
        let users = fixture_users();
        let expected: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/list-users-page1.json"))
                .expect("valid fixture");

        for (index, user) in users.iter().take(3).enumerate() {
            assert_eq!(
                listed_json(user),
                expected["users"][index],
                "user {}",
                user.email
            );
        }
    }

    #[test]
    fn listed_pending_and_inactive_users_match_fixtures() {
        let users = fixture_users();
        let pending: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/list-users-pending.json"))
                .expect("valid fixture");
        let inactive: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/list-users-inactive.json"))
                .expect("valid fixture");

        assert_eq!(listed_json(&users[5]), pending["users"][0]);
        assert_eq!(listed_json(&users[6]), inactive["users"][0]);
    }

    #[test]
    fn page_size_is_clamped_and_validated() {
        let params = parse_pairs(b"page_size=1000");
        assert_eq!(
            ListUsersQuery::parse(&params)
                .map(|query| query.page_size)
                .ok(),
            Some(300)
        );

        for bad in ["page_size=0", "page_size=-3", "page_size=ten"] {
            let params = parse_pairs(bad.as_bytes());
            let error = ListUsersQuery::parse(&params).err();
            assert_eq!(error.map(|error| error.code), Some(300), "{bad}");
        }
    }

    #[test]
    fn me_addresses_the_owner() {
        let users = fixture_users();

        assert!(is_addressed_by(&users[0], "me"));
        assert!(!is_addressed_by(&users[1], "me"));
        assert!(is_addressed_by(&users[1], "ADMIN.two@example.test"));
        assert!(is_addressed_by(&users[1], "fakeUser0000000000002B"));
    }
}
