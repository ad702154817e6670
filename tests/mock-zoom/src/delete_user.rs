//! `DELETE /v2/users/{userId}`: disassociates or deletes a user, optionally transferring the
//! user's content, and the [`Transfer`] records tests read back.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::api::{ApiError, Authorized, param, parse_pairs};
use crate::members::find_addressed;
use crate::mock_user::UserStatus;
use crate::scopes;
use crate::state::{AppState, lock};

/// Content that `DELETE /v2/users/{userId}` moved from a removed user to another user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Email of the removed user.
    pub from: String,
    /// `transfer_email`: the user who received the content.
    pub to: String,
    /// `transfer_meeting`: upcoming meetings.
    pub meetings: bool,
    /// `transfer_webinar`: upcoming webinars.
    pub webinars: bool,
    /// `transfer_recording`: cloud recordings.
    pub recordings: bool,
}

/// `action` of a removal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RemoveAction {
    /// Unlinks the user from the account, leaving a free account of their own. The default.
    Disassociate,
    /// Deletes the user and their data.
    Delete,
}

/// Reads a `transfer_*` flag: absent means false.
fn flag(params: &[(String, String)], name: &str) -> Result<bool, ApiError> {
    match param(params, name) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::invalid_field(name)),
    }
}

/// Removes a user. The owner and admins cannot be removed: disassociating them gets 400 code
/// 1117, deleting an admin too, and deleting the owner 400 code 200. Pending users accept only
/// `disassociate` (code 300 otherwise). `transfer_email` must name another active licensed
/// user (code 300 otherwise). An unknown user gets 404 code 1001.
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    auth: Authorized,
    Path(user_id): Path<String>,
    RawQuery(raw_query): RawQuery,
) -> Result<StatusCode, ApiError> {
    auth.require(&scopes::DELETE_USER)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let action = match param(&params, "action") {
        None | Some("") | Some("disassociate") => RemoveAction::Disassociate,
        Some("delete") => RemoveAction::Delete,
        Some(_) => return Err(ApiError::invalid_field("action")),
    };
    let meetings = flag(&params, "transfer_meeting")?;
    let webinars = flag(&params, "transfer_webinar")?;
    let recordings = flag(&params, "transfer_recording")?;
    let transfer_email = param(&params, "transfer_email").filter(|email| !email.is_empty());

    let removed = {
        let mut users = lock(&state.users);
        let index =
            find_addressed(&users, &user_id).ok_or_else(|| ApiError::user_not_found(&user_id))?;
        let user = &users[index];
        match (user.role_id.as_str(), action) {
            ("0", RemoveAction::Delete) => {
                return Err(ApiError::bad_request(
                    200,
                    "Cannot delete a user out of your account.",
                ));
            }
            ("0" | "1", _) => {
                return Err(ApiError::bad_request(
                    1117,
                    "You can not disassociate an Admin user.",
                ));
            }
            _ => {}
        }
        if user.status == UserStatus::Pending && action == RemoveAction::Delete {
            return Err(ApiError::bad_request(
                300,
                "Pending users can only be disassociated: remove them with action=disassociate.",
            ));
        }
        if let Some(email) = transfer_email {
            let receives = users.iter().enumerate().any(|(other, candidate)| {
                other != index
                    && candidate.email.eq_ignore_ascii_case(email)
                    && candidate.status == UserStatus::Active
                    && candidate.user_type == 2
            });
            if !receives {
                return Err(ApiError::bad_request(
                    300,
                    format!(
                        "transfer_email must be the email of another active licensed user of \
                         the account, not \"{email}\"."
                    ),
                ));
            }
        }
        users.remove(index)
    };
    state.touch();

    if let Some(email) = transfer_email {
        lock(&state.transfers).push(Transfer {
            from: removed.email.clone(),
            to: email.to_owned(),
            meetings,
            webinars,
            recordings,
        });
    }
    tracing::info!(email = %removed.email, ?action, "removed user");
    Ok(StatusCode::NO_CONTENT)
}
