//! Groups: `GET /v2/groups`, `GET`, `POST /v2/groups/{groupId}/members` and
//! `DELETE /v2/groups/{groupId}/members/{memberId}`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::accounts::GROUP_IDS;
use crate::api::{ApiError, Authorized, json_response, parse_pairs, zoom_time};
use crate::members::{find_addressed, parse_members, reported_id, resolve_all};
use crate::mock_user::{MockUser, UserStatus};
use crate::paging::{PageRequest, page_size};
use crate::plans::require_paid;
use crate::scopes;
use crate::state::{AppState, lock};
use crate::users::listed_id;

/// Names of `GROUP_IDS`, in the same order. The first two are the groups of the recorded
/// fixture.
const GROUP_NAMES: [&str; 5] = [
    "IT Department",
    "Sales",
    "Marketing",
    "Support",
    "Engineering",
];

/// Zoom's message when a free account lists groups.
const PAID_ACCOUNT_ONLY: &str = "Only available for Paid account.";

/// Returns whether `user` is listed as a member of `group_id`. Pending users are not, because
/// they have not joined the account yet.
fn is_member(user: &MockUser, group_id: &str) -> bool {
    user.status != UserStatus::Pending && user.group_ids.iter().any(|id| id == group_id)
}

/// Rejects a group the account does not have with 404 code 4130.
fn require_group(group_id: &str) -> Result<(), ApiError> {
    if GROUP_IDS.contains(&group_id) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            4130,
            format!("Group does not exist: {group_id}."),
        ))
    }
}

#[derive(Serialize)]
struct GroupJson {
    id: &'static str,
    name: &'static str,
    total_members: usize,
}

#[derive(Serialize)]
struct GroupsPage<'a> {
    total_records: usize,
    next_page_token: String,
    groups: &'a [GroupJson],
}

/// Lists the account's groups with their member counts. Free accounts get code 200.
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::LIST_GROUPS)?;
    require_paid(&state, PAID_ACCOUNT_ONLY)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let page_size = page_size(&params)?;
    let cursor_key = format!("GET /v2/groups?page_size={page_size}");
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let groups: Vec<GroupJson> = {
        let users = lock(&state.users);
        GROUP_IDS
            .iter()
            .zip(GROUP_NAMES)
            .map(|(id, name)| GroupJson {
                id,
                name,
                total_members: users.iter().filter(|user| is_member(user, id)).count(),
            })
            .collect()
    };
    let body = GroupsPage {
        total_records: groups.len(),
        next_page_token: page.next_page_token(&state, groups.len(), None),
        groups: page.page(&groups),
    };
    Ok(json_response(StatusCode::OK, &body))
}

#[derive(Serialize)]
struct GroupMember<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    #[serde(rename = "type")]
    user_type: i64,
}

#[derive(Serialize)]
struct GroupMembersPage<'a> {
    page_count: usize,
    page_number: usize,
    page_size: usize,
    total_records: usize,
    next_page_token: String,
    members: Vec<GroupMember<'a>>,
}

/// Lists a group's active and inactive members in listing order.
pub(crate) async fn list_members(
    State(state): State<AppState>,
    auth: Authorized,
    Path(group_id): Path<String>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::LIST_GROUP_MEMBERS)?;
    require_group(&group_id)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let page_size = page_size(&params)?;
    let cursor_key = format!("GET /v2/groups/{group_id}/members?page_size={page_size}");
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let members: Vec<MockUser> = lock(&state.users)
        .iter()
        .filter(|user| is_member(user, &group_id))
        .cloned()
        .collect();
    let body = GroupMembersPage {
        page_count: members.len().div_ceil(page_size),
        page_number: 1,
        page_size,
        total_records: members.len(),
        next_page_token: page.next_page_token(&state, members.len(), None),
        members: page
            .page(&members)
            .iter()
            .map(|user| GroupMember {
                id: listed_id(user),
                email: &user.email,
                first_name: &user.first_name,
                last_name: &user.last_name,
                user_type: user.user_type,
            })
            .collect(),
    };
    Ok(json_response(StatusCode::OK, &body))
}

#[derive(Serialize)]
struct Added {
    ids: String,
    added_at: String,
}

/// Adds up to 30 users, named by id or email, to a group. Users already in it stay once. An
/// unknown user (404 code 1001) leaves the group unchanged.
pub(crate) async fn add_members(
    State(state): State<AppState>,
    auth: Authorized,
    Path(group_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth.require(&scopes::ADD_GROUP_MEMBERS)?;
    require_group(&group_id)?;
    let references = parse_members(&body)?;
    let ids = {
        let mut users = lock(&state.users);
        let indexes = resolve_all(&references, &users)?;
        let mut ids = Vec::with_capacity(indexes.len());
        for index in indexes {
            let user = &mut users[index];
            if !user.group_ids.contains(&group_id) {
                user.group_ids.push(group_id.clone());
            }
            ids.push(reported_id(user));
        }
        ids
    };
    state.touch();

    let body = Added {
        ids: ids.join(","),
        added_at: zoom_time(state.now()),
    };
    Ok(json_response(StatusCode::CREATED, &body))
}

/// Removes a user from a group. A user outside the group gets 404 code 4131, an unknown user
/// 404 code 1001.
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    auth: Authorized,
    Path((group_id, member_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    auth.require(&scopes::REMOVE_GROUP_MEMBER)?;
    require_group(&group_id)?;
    {
        let mut users = lock(&state.users);
        let index = find_addressed(&users, &member_id)
            .ok_or_else(|| ApiError::user_not_found(&member_id))?;
        let user = &mut users[index];
        if !user.group_ids.contains(&group_id) {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                4131,
                format!("Group member does not exist: {member_id}."),
            ));
        }
        user.group_ids.retain(|id| id != &group_id);
    }
    state.touch();
    Ok(StatusCode::NO_CONTENT)
}
