//! `GET /v2/users/summary`: user counts by type and status.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::api::{ApiError, Authorized, json_response};
use crate::mock_user::UserStatus;
use crate::scopes;
use crate::state::{AppState, lock};

#[derive(Debug, Default, Serialize)]
struct UsersSummary {
    licensed_users_count: usize,
    basic_users_count: usize,
    on_prem_users_count: usize,
    room_users_count: usize,
    pending_users_count: usize,
    join_only_users_count: usize,
    total_users_count: usize,
}

/// Counts the current users. Active and inactive users count by type: 2 as licensed, 1 as
/// basic, and 4 or 99 as join-only. Pending users count only as pending, and the total leaves
/// them out, as Zoom's total is licensed + basic + on-prem + join-only + room users. Zoom Rooms
/// count as room users on paid plans.
pub(crate) async fn users_summary(
    State(state): State<AppState>,
    auth: Authorized,
) -> Result<Response, ApiError> {
    auth.require(&scopes::USERS_SUMMARY)?;
    let mut summary = UsersSummary::default();
    {
        let users = lock(&state.users);
        for user in users.iter() {
            if user.status == UserStatus::Pending {
                summary.pending_users_count += 1;
                continue;
            }
            match user.user_type {
                2 => summary.licensed_users_count += 1,
                1 => summary.basic_users_count += 1,
                _ => summary.join_only_users_count += 1,
            }
        }
    }
    if state.config.plan.is_paid() {
        summary.room_users_count = state.config.rooms;
    }
    summary.total_users_count = summary.licensed_users_count
        + summary.basic_users_count
        + summary.on_prem_users_count
        + summary.join_only_users_count
        + summary.room_users_count;
    Ok(json_response(StatusCode::OK, &summary))
}
