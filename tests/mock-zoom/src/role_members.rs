//! Role membership: `GET`, `POST /v2/roles/{roleId}/members` and
//! `DELETE /v2/roles/{roleId}/members/{memberId}`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::api::{ApiError, Authorized, json_response, parse_pairs, zoom_time};
use crate::members::{find_addressed, parse_members, reported_id, resolve_all};
use crate::mock_user::MockUser;
use crate::paging::{PageRequest, page_size};
use crate::roles::role_exists;
use crate::scopes;
use crate::state::{AppState, lock};
use crate::users::listed_id;

/// The Member role that users return to when a role is withdrawn.
const MEMBER_ROLE: &str = "2";

/// Rejects a role the account does not define with code 1034.
fn require_role(role_id: &str) -> Result<(), ApiError> {
    if role_exists(role_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            1034,
            format!("Role does not exist: {role_id}."),
        ))
    }
}

/// Rejects changes to the built-in Owner and Member roles, whose membership follows from the
/// other roles, with code 300.
fn require_assignable(role_id: &str) -> Result<(), ApiError> {
    if role_id == "0" || role_id == MEMBER_ROLE {
        return Err(ApiError::bad_request(
            300,
            "Can't delete or add members for Normal/Owner roles.",
        ));
    }
    Ok(())
}

/// A member as `GET /v2/roles/{roleId}/members` lists it.
#[derive(Serialize)]
struct RoleMember<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    #[serde(rename = "type")]
    user_type: i64,
    department: &'a str,
}

impl<'a> From<&'a MockUser> for RoleMember<'a> {
    fn from(user: &'a MockUser) -> Self {
        RoleMember {
            id: listed_id(user),
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
            user_type: user.user_type,
            department: &user.dept,
        }
    }
}

#[derive(Serialize)]
struct RoleMembersPage<'a> {
    page_count: usize,
    page_number: usize,
    page_size: usize,
    total_records: usize,
    next_page_token: String,
    members: Vec<RoleMember<'a>>,
}

/// Lists the users holding a role, of every status, in listing order.
pub(crate) async fn list_members(
    State(state): State<AppState>,
    auth: Authorized,
    Path(role_id): Path<String>,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::LIST_ROLE_MEMBERS)?;
    require_role(&role_id)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let page_size = page_size(&params)?;
    let cursor_key = format!("GET /v2/roles/{role_id}/members?page_size={page_size}");
    let page = PageRequest::start(&state, &params, cursor_key, page_size)?;

    let holders: Vec<MockUser> = lock(&state.users)
        .iter()
        .filter(|user| user.role_id == role_id)
        .cloned()
        .collect();
    let body = RoleMembersPage {
        page_count: holders.len().div_ceil(page_size),
        page_number: 1,
        page_size,
        total_records: holders.len(),
        next_page_token: page.next_page_token(&state, holders.len(), None),
        members: page.page(&holders).iter().map(RoleMember::from).collect(),
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// Body of the 201 response. Zoom names the time `add_at` here (and `added_at` for groups).
#[derive(Serialize)]
struct Assigned {
    ids: String,
    add_at: String,
}

/// Assigns a role to up to 30 users named by id or email. Any unknown user (404 code 1001) or
/// the account owner among them (400 code 300) leaves every role unchanged.
pub(crate) async fn assign(
    State(state): State<AppState>,
    auth: Authorized,
    Path(role_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth.require(&scopes::ASSIGN_ROLE)?;
    require_role(&role_id)?;
    require_assignable(&role_id)?;
    let references = parse_members(&body)?;
    let ids = {
        let mut users = lock(&state.users);
        let indexes = resolve_all(&references, &users)?;
        if let Some(&owner) = indexes.iter().find(|&&index| users[index].role_id == "0") {
            // NOTE: Zoom does not document this case. The mock keeps exactly one owner.
            return Err(ApiError::bad_request(
                300,
                format!(
                    "The account owner ({}) keeps the Owner role.",
                    users[owner].email
                ),
            ));
        }
        let mut ids = Vec::with_capacity(indexes.len());
        for index in indexes {
            users[index].role_id = role_id.clone();
            ids.push(reported_id(&users[index]));
        }
        ids
    };
    state.touch();

    let body = Assigned {
        ids: ids.join(","),
        add_at: zoom_time(state.now()),
    };
    Ok(json_response(StatusCode::CREATED, &body))
}

/// Withdraws a role from a user, who returns to the Member role. A user who does not hold the
/// role gets 400 code 300, an unknown user 404 code 1001.
pub(crate) async fn unassign(
    State(state): State<AppState>,
    auth: Authorized,
    Path((role_id, member_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    auth.require(&scopes::UNASSIGN_ROLE)?;
    require_role(&role_id)?;
    require_assignable(&role_id)?;
    {
        let mut users = lock(&state.users);
        let index = find_addressed(&users, &member_id)
            .ok_or_else(|| ApiError::user_not_found(&member_id))?;
        if users[index].role_id != role_id {
            return Err(ApiError::bad_request(
                300,
                format!("User {member_id} does not hold role {role_id}."),
            ));
        }
        users[index].role_id = MEMBER_ROLE.to_owned();
    }
    state.touch();
    Ok(StatusCode::NO_CONTENT)
}
