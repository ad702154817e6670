//! The roles endpoint, `GET /v2/roles`, with member counts taken from the current users.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::accounts::CUSTOM_ROLE_ID;
use crate::api::{ApiError, Authorized, json_response, param, parse_pairs};
use crate::scopes;
use crate::state::{AppState, lock};

/// A role of the mock account.
struct Role {
    id: &'static str,
    name: &'static str,
    description: &'static str,
}

/// The account's roles: Zoom's built-in Owner ("0"), Admin ("1") and Member ("2"), and one
/// custom role.
// NOTE: "1" for Admin is an assumption. Only "0" Owner and "2" Member appear in Zoom's docs
// and recorded responses.
const ROLES: [Role; 4] = [
    Role {
        id: "0",
        name: "Owner",
        description: "Account owner",
    },
    Role {
        id: "1",
        name: "Admin",
        description: "Account admin",
    },
    Role {
        id: "2",
        name: "Member",
        description: "Account member",
    },
    Role {
        id: CUSTOM_ROLE_ID,
        name: "Seat Auditor",
        description: "Custom read-only role",
    },
];

/// Returns the name of `role_id`, or "" for a role the account does not define.
pub(crate) fn role_name(role_id: &str) -> &'static str {
    ROLES
        .iter()
        .find(|role| role.id == role_id)
        .map_or("", |role| role.name)
}

/// Returns whether the account defines `role_id`.
pub(crate) fn role_exists(role_id: &str) -> bool {
    ROLES.iter().any(|role| role.id == role_id)
}

#[derive(Serialize)]
struct RoleJson {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    #[serde(rename = "type")]
    role_type: &'static str,
    total_members: usize,
}

#[derive(Serialize)]
struct RolesPage {
    total_records: usize,
    roles: Vec<RoleJson>,
}

/// Lists the roles of `type=common` (the default). `type=iq` lists none, because the mock
/// account has no Zoom IQ roles.
pub(crate) async fn list_roles(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw_query): RawQuery,
) -> Result<Response, ApiError> {
    auth.require(&scopes::LIST_ROLES)?;
    let params = parse_pairs(raw_query.unwrap_or_default().as_bytes());
    let roles = match param(&params, "type") {
        None | Some("") | Some("common") => {
            // Members are counted across every status, pending and inactive users included.
            let users = lock(&state.users);
            ROLES
                .iter()
                .map(|role| RoleJson {
                    id: role.id,
                    name: role.name,
                    description: role.description,
                    role_type: "common",
                    total_members: users.iter().filter(|user| user.role_id == role.id).count(),
                })
                .collect()
        }
        Some("iq") => Vec::new(),
        Some(_) => return Err(ApiError::invalid_field("type")),
    };

    let body = RolesPage {
        total_records: roles.len(),
        roles,
    };
    Ok(json_response(StatusCode::OK, &body))
}
