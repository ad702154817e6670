//! `POST /v2/users`: adds a user with the `create`, `autoCreate`, `custCreate` or `ssoCreate`
//! action.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::accounts::user_id;
use crate::api::{ApiError, Authorized, json_object, json_response};
use crate::mock_user::{MockUser, UserStatus};
use crate::plans::require_free_seat;
use crate::scopes;
use crate::state::{AppState, lock};

/// Maximum length of an email that Zoom accepts, in characters.
const MAX_EMAIL_CHARS: usize = 128;
/// Maximum length of a first or last name, in characters.
const MAX_NAME_CHARS: usize = 64;
/// Maximum length of a display name, in characters.
const MAX_DISPLAY_NAME_CHARS: usize = 128;

/// How the user is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CreateAction {
    /// Invites the user, who stays pending until accepting.
    Create,
    /// Creates an active user of a managed domain.
    AutoCreate,
    /// Creates an active user who cannot sign in.
    CustCreate,
    /// Creates an active SSO user, when SSO pre-provisioning is enabled.
    SsoCreate,
}

impl CreateAction {
    fn parse(value: &str) -> Option<CreateAction> {
        match value {
            "create" => Some(CreateAction::Create),
            "autoCreate" => Some(CreateAction::AutoCreate),
            "custCreate" => Some(CreateAction::CustCreate),
            "ssoCreate" => Some(CreateAction::SsoCreate),
            _ => None,
        }
    }
}

/// A validated `POST /v2/users` body.
#[derive(Debug)]
struct CreateRequest {
    action: CreateAction,
    email: String,
    user_type: i64,
    first_name: String,
    last_name: String,
    display_name: Option<String>,
}

impl CreateRequest {
    /// Reads the body and collects every invalid field into one code 300 error. Invalid are a
    /// missing or unknown `action`, a missing or malformed `user_info.email`, a name that is
    /// too long, and a `user_info.type` other than 1, 2 or 4 (99 only with `ssoCreate`).
    fn parse(body: &Map<String, Value>) -> Result<CreateRequest, ApiError> {
        let mut invalid = Vec::new();
        let action = body
            .get("action")
            .and_then(Value::as_str)
            .and_then(CreateAction::parse);
        if action.is_none() {
            invalid.push("action");
        }
        let empty = Map::new();
        let info = match body.get("user_info") {
            Some(Value::Object(info)) => info,
            _ => {
                invalid.push("user_info");
                &empty
            }
        };

        let email = info.get("email").and_then(Value::as_str).unwrap_or("");
        if !is_valid_email(email) {
            invalid.push("user_info.email");
        }
        let user_type = info.get("type").and_then(Value::as_i64);
        let type_allowed = match user_type {
            Some(1 | 2 | 4) => true,
            Some(99) => action == Some(CreateAction::SsoCreate),
            _ => false,
        };
        if !type_allowed {
            invalid.push("user_info.type");
        }
        let text = |name: &str| info.get(name).and_then(Value::as_str).map(str::to_owned);
        let first_name = text("first_name").unwrap_or_default();
        let last_name = text("last_name").unwrap_or_default();
        let display_name = text("display_name");
        if first_name.chars().count() > MAX_NAME_CHARS {
            invalid.push("user_info.first_name");
        }
        if last_name.chars().count() > MAX_NAME_CHARS {
            invalid.push("user_info.last_name");
        }
        if display_name
            .as_ref()
            .is_some_and(|name| name.chars().count() > MAX_DISPLAY_NAME_CHARS)
        {
            invalid.push("user_info.display_name");
        }

        match (action, user_type) {
            (Some(action), Some(user_type)) if invalid.is_empty() => Ok(CreateRequest {
                action,
                email: email.to_owned(),
                user_type,
                first_name,
                last_name,
                display_name,
            }),
            _ => Err(ApiError::invalid_fields(&invalid)),
        }
    }
}

/// Accepts `local@domain` with a dot in the domain and no spaces, up to 128 characters.
fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// Body of the 201 response.
#[derive(Serialize)]
struct CreatedUser<'a> {
    id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    #[serde(rename = "type")]
    user_type: i64,
}

/// Creates a user. `create` adds a pending user, whom listings show without an id although
/// the 201 body has one, as in Zoom. The other actions add an active user. Errors: 400 code 300
/// for invalid fields, 400 code 2032 for `ssoCreate` without SSO pre-provisioning, 409 code
/// 1005 for an email already on the account (any status, any case), and 400 code 2034 when a
/// licensed user (type 2) needs a seat and none is free.
pub(crate) async fn create_user(
    State(state): State<AppState>,
    auth: Authorized,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth.require(&scopes::CREATE_USER)?;
    let request = CreateRequest::parse(&json_object(&body)?)?;
    if request.action == CreateAction::SsoCreate && !state.config.sso_preprovisioning {
        return Err(ApiError::bad_request(
            2032,
            "The ssoCreate option is only available for SSO Partners that have enabled the \
             pre-provision option. Contact the Zoom Support team to learn more.",
        ));
    }

    let paid_seats = *lock(&state.paid_seats);
    let created_at = state.now();
    let user = {
        let mut users = lock(&state.users);
        if users
            .iter()
            .any(|user| user.email.eq_ignore_ascii_case(&request.email))
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                1005,
                format!("Email \"{}\" has already been used.", request.email),
            ));
        }
        if request.user_type == 2 {
            require_free_seat(&users, paid_seats)?;
        }
        let id = unused_id(&state, &users);
        let user = new_user(&request, id, created_at);
        users.push(user.clone());
        user
    };
    state.touch();
    tracing::info!(email = %user.email, action = ?request.action, "created user");

    let body = CreatedUser {
        id: user.id.as_deref().unwrap_or_default(),
        first_name: &user.first_name,
        last_name: &user.last_name,
        email: &user.email,
        user_type: user.user_type,
    };
    Ok(json_response(StatusCode::CREATED, &body))
}

/// Returns a generated-style id that no user of `users` has.
fn unused_id(state: &AppState, users: &[MockUser]) -> String {
    loop {
        let id = user_id(state.take_user_number());
        if !users
            .iter()
            .any(|user| user.id.as_deref() == Some(id.as_str()))
        {
            return id;
        }
    }
}

fn new_user(request: &CreateRequest, id: String, created_at: jiff::Timestamp) -> MockUser {
    let status = match request.action {
        CreateAction::Create => UserStatus::Pending,
        CreateAction::AutoCreate | CreateAction::CustCreate | CreateAction::SsoCreate => {
            UserStatus::Active
        }
    };
    let login_type = match request.action {
        CreateAction::SsoCreate => 101,
        // Zoom's API user login type: custCreate users cannot sign in themselves.
        CreateAction::CustCreate => 99,
        CreateAction::Create | CreateAction::AutoCreate => 100,
    };
    let display_name = request.display_name.clone().unwrap_or_else(|| {
        format!("{} {}", request.first_name, request.last_name)
            .trim()
            .to_owned()
    });
    let pmi = 1_000_000_000
        + id.bytes().fold(0_i64, |hash, byte| {
            (hash * 131 + i64::from(byte)) % 9_000_000_000
        });
    MockUser {
        id: Some(id),
        email: request.email.clone(),
        first_name: request.first_name.clone(),
        last_name: request.last_name.clone(),
        display_name,
        status,
        user_type: request.user_type,
        role_id: "2".to_owned(),
        group_ids: Vec::new(),
        dept: String::new(),
        login_types: vec![login_type],
        created_at,
        last_login_time: None,
        last_client_version: None,
        timezone: "UTC".to_owned(),
        language: "en-US".to_owned(),
        pmi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<CreateRequest, ApiError> {
        let object = json_object(body.as_bytes())?;
        CreateRequest::parse(&object)
    }

    fn invalid_fields(body: &str) -> Vec<String> {
        let error = parse(body).expect_err(body);
        assert_eq!(error.code, 300, "{body}");
        error
            .errors
            .iter()
            .map(|error| error.field.clone())
            .collect()
    }

    #[test]
    fn fixture_request_parses() {
        let request =
            parse(include_str!("../fixtures/create-user-request.json")).expect("fixture is valid");

        assert_eq!(request.action, CreateAction::Create);
        assert_eq!(request.email, "new.hire@example.test");
        assert_eq!(request.user_type, 1);
    }

    #[test]
    fn invalid_fields_are_listed_together() {
        assert_eq!(
            invalid_fields(r#"{"action":"create","user_info":{"type":7}}"#),
            ["user_info.email", "user_info.type"]
        );
        assert_eq!(
            invalid_fields(r#"{"action":"invite","user_info":{"email":"a@b.test","type":1}}"#),
            ["action"]
        );
        assert_eq!(
            invalid_fields(r#"{"action":"create","user_info":{"email":"a@b.test","type":99}}"#),
            ["user_info.type"]
        );
        assert_eq!(invalid_fields(r#"{"action":"create"}"#)[0], "user_info");
    }

    #[test]
    fn emails_are_checked() {
        assert!(is_valid_email("new.hire@example.test"));
        for bad in [
            "",
            "no-at",
            "@example.test",
            "a@nodot",
            "a b@example.test",
            "a@@x.test",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
