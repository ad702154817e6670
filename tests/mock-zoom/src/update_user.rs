//! `PATCH /v2/users/{userId}` (profile and licence type) and `PUT /v2/users/{userId}/status`
//! (activate or deactivate). Both return 204 with an empty body.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::api::{ApiError, Authorized, json_object};
use crate::members::find_addressed;
use crate::mock_user::UserStatus;
use crate::plans::require_free_seat;
use crate::scopes;
use crate::state::{AppState, lock};

/// Maximum length of a first or last name and of a department, in characters.
const MAX_NAME_CHARS: usize = 64;
/// Maximum length of a display name, in characters.
const MAX_DISPLAY_NAME_CHARS: usize = 128;

/// The fields of a `PATCH` body that the mock applies. Zoom accepts many more, which the mock
/// ignores.
#[derive(Debug, Default)]
struct UserUpdate {
    user_type: Option<i64>,
    first_name: Option<String>,
    last_name: Option<String>,
    display_name: Option<String>,
    dept: Option<String>,
}

impl UserUpdate {
    /// Reads the body, rejecting with code 300 a `type` other than 1, 2 or 4, a text field
    /// that is not a string, or a name that is too long.
    fn parse(body: &Map<String, Value>) -> Result<UserUpdate, ApiError> {
        let mut invalid = Vec::new();
        let mut update = UserUpdate::default();
        match body.get("type") {
            None => {}
            Some(value) => match value.as_i64() {
                Some(user_type @ (1 | 2 | 4)) => update.user_type = Some(user_type),
                _ => invalid.push("type"),
            },
        }
        let limits = [
            ("first_name", MAX_NAME_CHARS),
            ("last_name", MAX_NAME_CHARS),
            ("display_name", MAX_DISPLAY_NAME_CHARS),
            ("dept", MAX_NAME_CHARS),
        ];
        for (field, max_chars) in limits {
            let text = match body.get(field) {
                None => continue,
                Some(Value::String(text)) if text.chars().count() <= max_chars => text.clone(),
                Some(_) => {
                    invalid.push(field);
                    continue;
                }
            };
            match field {
                "first_name" => update.first_name = Some(text),
                "last_name" => update.last_name = Some(text),
                "display_name" => update.display_name = Some(text),
                _ => update.dept = Some(text),
            }
        }
        if invalid.is_empty() {
            Ok(update)
        } else {
            Err(ApiError::invalid_fields(&invalid))
        }
    }
}

/// Updates a user's type and names. Licensing a user (type 2) who is not licensed needs a free
/// paid seat, else 400 code 2034. An unknown user gets 404 code 1001.
pub(crate) async fn update_user(
    State(state): State<AppState>,
    auth: Authorized,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    auth.require(&scopes::UPDATE_USER)?;
    let update = UserUpdate::parse(&json_object(&body)?)?;
    let paid_seats = *lock(&state.paid_seats);
    {
        let mut users = lock(&state.users);
        let index =
            find_addressed(&users, &user_id).ok_or_else(|| ApiError::user_not_found(&user_id))?;
        let licenses = update.user_type == Some(2) && users[index].user_type != 2;
        if licenses && users[index].status == UserStatus::Inactive {
            // NOTE: Zoom does not document this case. The mock rejects it because
            // deactivation removes every licence.
            return Err(ApiError::bad_request(
                300,
                format!("User {user_id} is deactivated. Activate the user before licensing."),
            ));
        }
        if licenses {
            require_free_seat(&users, paid_seats)?;
        }

        let user = &mut users[index];
        if let Some(user_type) = update.user_type {
            user.user_type = user_type;
        }
        if let Some(first_name) = update.first_name {
            user.first_name = first_name;
        }
        if let Some(last_name) = update.last_name {
            user.last_name = last_name;
        }
        if let Some(display_name) = update.display_name {
            user.display_name = display_name;
        }
        if let Some(dept) = update.dept {
            user.dept = dept;
        }
    }
    state.touch();
    Ok(StatusCode::NO_CONTENT)
}

/// `action` of a status change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StatusAction {
    Activate,
    Deactivate,
    /// `clock_in` and `clock_out` concern Zoom Workforce Management, which the mock does not
    /// model, so they change nothing.
    Clock,
}

/// Activates or deactivates a user. Deactivation removes the licence (type 1). The owner and
/// admins get 400 code 200, pending users 400 code 300, and unknown users 404 code 1001.
pub(crate) async fn update_status(
    State(state): State<AppState>,
    auth: Authorized,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    auth.require(&scopes::UPDATE_STATUS)?;
    let body = json_object(&body)?;
    let action = match body.get("action").and_then(Value::as_str) {
        Some("activate") => StatusAction::Activate,
        Some("deactivate") => StatusAction::Deactivate,
        Some("clock_in" | "clock_out") => StatusAction::Clock,
        _ => return Err(ApiError::invalid_field("action")),
    };
    {
        let mut users = lock(&state.users);
        let index =
            find_addressed(&users, &user_id).ok_or_else(|| ApiError::user_not_found(&user_id))?;
        let user = &mut users[index];
        if action == StatusAction::Clock {
            return Ok(StatusCode::NO_CONTENT);
        }
        if user.role_id == "0" || user.role_id == "1" {
            return Err(ApiError::bad_request(
                200,
                "Zoom Room and Admin users' status cannot be activated or deactivated.",
            ));
        }
        if user.status == UserStatus::Pending {
            // NOTE: Zoom does not document this case. A pending user has not joined yet, so
            // the mock rejects the change.
            return Err(ApiError::bad_request(
                300,
                format!(
                    "User {user_id} is pending. Only users who accepted the invitation can be \
                     activated or deactivated."
                ),
            ));
        }
        match action {
            StatusAction::Activate => user.status = UserStatus::Active,
            StatusAction::Deactivate => {
                user.status = UserStatus::Inactive;
                user.user_type = 1;
            }
            StatusAction::Clock => {}
        }
    }
    state.touch();
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_update_parses() {
        let body = json_object(include_bytes!("../fixtures/update-user-type-request.json"))
            .expect("fixture is JSON");

        assert_eq!(UserUpdate::parse(&body).expect("valid").user_type, Some(2));
    }

    #[test]
    fn invalid_update_fields_are_rejected() {
        for body in [r#"{"type":99}"#, r#"{"type":"2"}"#, r#"{"first_name":5}"#] {
            let object = json_object(body.as_bytes()).expect("JSON");
            let error = UserUpdate::parse(&object).expect_err(body);
            assert_eq!(error.code, 300, "{body}");
        }
    }
}
