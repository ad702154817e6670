//! `provision`: creates, licenses, deactivates, removes users and changes their roles and
//! groups. A dry run builds the same requests and sends none.

use serde_json::json;

use crate::api::{self, encode_query_value};
use crate::bindings::roster::connector::http::Method;
use crate::bindings::roster::connector::types::{
    AppUser, ConnectorError, CreateUser, GroupMembership, LicenseKind, ProvisionOp, ProvisionOutcome, RemovalMode,
    RemoveUser, RequestSummary, SetLicense, SetRole, UserRef, UserStatus,
};
use crate::roles;
use crate::users::parse_user_detail;

/// Zoom's role ids for its built-in roles.
const OWNER_ROLE: &str = "0";
const MEMBER_ROLE: &str = "2";
const CREATE_ACTIONS: [&str; 4] = ["create", "autoCreate", "custCreate", "ssoCreate"];

/// A request to send, or to show in a dry run.
struct Planned {
    method: Method,
    path: String,
    body: Option<serde_json::Value>,
}

impl Planned {
    fn summary(&self) -> RequestSummary {
        let method = match self.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        };
        RequestSummary {
            method: method.to_string(),
            upstream: crate::describe::API.to_string(),
            path_and_query: self.path.clone(),
            body: self.body.as_ref().map(|body| body.to_string()),
        }
    }
}

/// Returns the id Zoom accepts for a user in paths: the user id, or the email without one.
fn user_path_id(user: &UserRef) -> String {
    encode_query_value(user.remote_id.as_deref().unwrap_or(&user.email))
}

fn zoom_type(license: LicenseKind) -> Result<u8, ConnectorError> {
    match license {
        LicenseKind::Basic => Ok(1),
        LicenseKind::Licensed => Ok(2),
        other => Err(ConnectorError::InvalidInput(format!("Zoom users can be made basic or licensed, not {other:?}"))),
    }
}

fn member(user: &UserRef) -> serde_json::Value {
    match &user.remote_id {
        Some(id) => json!({ "id": id }),
        None => json!({ "email": user.email }),
    }
}

/// Resolves a role given as an id or a name through the role names stored at the last sync.
fn resolve_role(role: &str) -> Result<String, ConnectorError> {
    let names = roles::role_names(false);
    if names.names.contains_key(role) {
        return Ok(role.to_string());
    }
    if let Some((id, _)) = names.names.iter().find(|(_, name)| name.eq_ignore_ascii_case(role)) {
        return Ok(id.clone());
    }
    let known: Vec<&str> = names.names.values().map(String::as_str).collect();
    Err(ConnectorError::InvalidInput(format!(
        "role {role:?} is not a role of this account; known roles: {}",
        if known.is_empty() { "none (the grant cannot read roles; pass a role id)".to_string() } else { known.join(", ") }
    )))
}

#[derive(serde::Deserialize)]
struct GroupsBody {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(serde::Deserialize)]
struct Group {
    id: String,
    name: String,
}

/// Resolves a group given as an id or a name through `GET /v2/groups`.
fn resolve_group(group: &str, dry_run: bool) -> Result<String, ConnectorError> {
    // NOTE: a dry run sends nothing, so it cannot look names up; its path shows the group as given.
    if dry_run {
        return Ok(group.to_string());
    }
    let body = api::get("/v2/groups?page_size=300", None)?;
    let parsed: GroupsBody = serde_json::from_slice(&body)
        .map_err(|error| ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/groups body: {error}")))?;
    if let Some(found) = parsed.groups.iter().find(|found| found.id == group || found.name.eq_ignore_ascii_case(group)) {
        return Ok(found.id.clone());
    }
    let known: Vec<&str> = parsed.groups.iter().map(|found| found.name.as_str()).collect();
    Err(ConnectorError::InvalidInput(format!("group {group:?} is not a group of this account; known groups: {}", known.join(", "))))
}

fn plan(op: &ProvisionOp, dry_run: bool) -> Result<Vec<Planned>, ConnectorError> {
    Ok(match op {
        ProvisionOp::Create(CreateUser { email, first_name, last_name, license, action }) => {
            let action = action.clone().unwrap_or_else(|| "create".to_string());
            if !CREATE_ACTIONS.contains(&action.as_str()) {
                return Err(ConnectorError::InvalidInput(format!("create action {action:?} is invalid; use one of: {}", CREATE_ACTIONS.join(", "))));
            }
            let mut user_info = json!({ "email": email, "type": zoom_type(*license)? });
            if let Some(first) = first_name {
                user_info["first_name"] = json!(first);
            }
            if let Some(last) = last_name {
                user_info["last_name"] = json!(last);
            }
            vec![Planned { method: Method::Post, path: "/v2/users".into(), body: Some(json!({ "action": action, "user_info": user_info })) }]
        }
        ProvisionOp::SetLicense(SetLicense { user, license }) => vec![Planned {
            method: Method::Patch,
            path: format!("/v2/users/{}", user_path_id(user)),
            body: Some(json!({ "type": zoom_type(*license)? })),
        }],
        ProvisionOp::Deactivate(user) | ProvisionOp::Activate(user) => {
            let action = if matches!(op, ProvisionOp::Deactivate(_)) { "deactivate" } else { "activate" };
            if user.status == Some(UserStatus::Pending) {
                return Err(ConnectorError::InvalidInput(format!(
                    "{} is a pending invitation, which Zoom cannot {action}; remove it instead",
                    user.email
                )));
            }
            vec![Planned { method: Method::Put, path: format!("/v2/users/{}/status", user_path_id(user)), body: Some(json!({ "action": action })) }]
        }
        ProvisionOp::Remove(RemoveUser { user, mode, transfer_to }) => {
            let pending = user.status == Some(UserStatus::Pending);
            if pending && *mode == RemovalMode::Delete {
                return Err(ConnectorError::InvalidInput(format!(
                    "{} is a pending invitation, which Zoom can only disassociate; remove it without --delete",
                    user.email
                )));
            }
            let action = match mode {
                RemovalMode::Disassociate => "disassociate",
                RemovalMode::Delete => "delete",
            };
            let mut path = format!("/v2/users/{}?action={action}", user_path_id(user));
            if let Some(target) = transfer_to {
                if *mode != RemovalMode::Delete {
                    return Err(ConnectorError::InvalidInput("transferring meetings, webinars and recordings needs --delete".to_string()));
                }
                path.push_str(&format!(
                    "&transfer_email={}&transfer_meeting=true&transfer_webinar=true&transfer_recording=true",
                    encode_query_value(target)
                ));
            }
            vec![Planned { method: Method::Delete, path, body: None }]
        }
        ProvisionOp::SetRole(SetRole { user, role }) => {
            let role_id = resolve_role(role)?;
            if role_id == OWNER_ROLE {
                return Err(ConnectorError::InvalidInput("Zoom transfers account ownership only in its web portal".to_string()));
            }
            let user_id = user_path_id(user);
            if role_id == MEMBER_ROLE {
                // Zoom has no members list for the Member role: leaving the current role makes
                // the user a member.
                match user.role_id.as_deref() {
                    Some(MEMBER_ROLE) => Vec::new(),
                    Some(current) => vec![Planned { method: Method::Delete, path: format!("/v2/roles/{current}/members/{user_id}"), body: None }],
                    None => return Err(ConnectorError::InvalidInput(format!("the current role of {} is not known; sync first", user.email))),
                }
            } else if user.role_id.as_deref() == Some(role_id.as_str()) {
                Vec::new()
            } else {
                vec![Planned { method: Method::Post, path: format!("/v2/roles/{role_id}/members"), body: Some(json!({ "members": [member(user)] })) }]
            }
        }
        ProvisionOp::AddToGroup(GroupMembership { user, group }) => {
            let group_id = resolve_group(group, dry_run)?;
            vec![Planned { method: Method::Post, path: format!("/v2/groups/{group_id}/members"), body: Some(json!({ "members": [member(user)] })) }]
        }
        ProvisionOp::RemoveFromGroup(GroupMembership { user, group }) => {
            let group_id = resolve_group(group, dry_run)?;
            let member_id = user.remote_id.as_deref().ok_or_else(|| {
                ConnectorError::InvalidInput(format!("{} has no Zoom user id yet, so it is in no group", user.email))
            })?;
            vec![Planned { method: Method::Delete, path: format!("/v2/groups/{group_id}/members/{}", encode_query_value(member_id)), body: None }]
        }
    })
}

fn target(op: &ProvisionOp) -> Option<&UserRef> {
    match op {
        ProvisionOp::Create(_) => None,
        ProvisionOp::SetLicense(SetLicense { user, .. })
        | ProvisionOp::Deactivate(user)
        | ProvisionOp::Activate(user)
        | ProvisionOp::Remove(RemoveUser { user, .. })
        | ProvisionOp::SetRole(SetRole { user, .. })
        | ProvisionOp::AddToGroup(GroupMembership { user, .. })
        | ProvisionOp::RemoveFromGroup(GroupMembership { user, .. }) => Some(user),
    }
}

/// Reads a user back after a change, so the host can store the new state.
fn read_back(id: &str) -> Option<AppUser> {
    let body = api::get(&format!("/v2/users/{}", encode_query_value(id)), None).ok()?;
    parse_user_detail(&body, &roles::role_names(false)).ok()
}

/// Builds the pending user Zoom lists after `action=create`, keyed by email like the listing.
fn pending_user(create: &CreateUser) -> AppUser {
    AppUser {
        key: create.email.to_lowercase(),
        remote_id: None,
        email: create.email.clone(),
        display_name: None,
        first_name: create.first_name.clone(),
        last_name: create.last_name.clone(),
        status: UserStatus::Pending,
        license: create.license,
        license_code: zoom_type(create.license).ok().map(|code| code.to_string()),
        role_id: Some(MEMBER_ROLE.to_string()),
        role: Some("Member".to_string()),
        group_ids: Vec::new(),
        department: None,
        login_types: Vec::new(),
        created_at: None,
        last_login_at: None,
        last_client_version: None,
    }
}

/// Runs the `provision` export.
pub fn provision(op: ProvisionOp, dry_run: bool) -> Result<ProvisionOutcome, ConnectorError> {
    let planned = plan(&op, dry_run)?;
    let requests: Vec<RequestSummary> = planned.iter().map(Planned::summary).collect();
    if dry_run {
        return Ok(ProvisionOutcome { requests, user: None, already_done: false, note: None });
    }
    if planned.is_empty() {
        return Ok(ProvisionOutcome { requests, user: None, already_done: true, note: Some("the user already has this role".to_string()) });
    }

    let mut created_id = None;
    for request in &planned {
        match api::send(request.method, &request.path, request.body.as_ref(), None) {
            Ok((_, body)) => {
                if request.method == Method::Post && request.path == "/v2/users" {
                    created_id = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|value| value.get("id").and_then(|id| id.as_str()).map(str::to_string));
                }
            }
            // Removing a user Zoom no longer has is already done.
            Err(ConnectorError::NotFound(upstream)) if matches!(op, ProvisionOp::Remove(_)) && upstream.code.as_deref() == Some("1001") => {
                return Ok(ProvisionOutcome { requests, user: None, already_done: true, note: Some(upstream.message) });
            }
            Err(error) => return Err(error),
        }
    }

    let user = match &op {
        ProvisionOp::Remove(_) => None,
        // Zoom lists an invited user as pending, keyed by email like the listing does.
        ProvisionOp::Create(create) if create.action.as_deref().unwrap_or("create") == "create" => {
            read_back(&create.email).map(|mut user| {
                user.key = create.email.to_lowercase();
                user.remote_id = None;
                user
            })
            .or_else(|| Some(pending_user(create)))
        }
        ProvisionOp::Create(create) => created_id.as_deref().and_then(read_back).or_else(|| read_back(&create.email)),
        other => target(other).and_then(|user| read_back(user.remote_id.as_deref().unwrap_or(&user.email))),
    };
    Ok(ProvisionOutcome { requests, user, already_done: false, note: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: Option<&str>, status: Option<UserStatus>) -> UserRef {
        UserRef { email: "a.b@example.test".into(), remote_id: id.map(str::to_string), status, role_id: Some("2".into()) }
    }

    #[test]
    fn create_builds_zoom_body() {
        let op = ProvisionOp::Create(CreateUser {
            email: "new.hire@example.test".into(),
            first_name: Some("New".into()),
            last_name: Some("Hire".into()),
            license: LicenseKind::Licensed,
            action: Some("ssoCreate".into()),
        });
        let planned = plan(&op, true).unwrap();
        let summary = planned[0].summary();
        assert_eq!((summary.method.as_str(), summary.path_and_query.as_str()), ("POST", "/v2/users"));
        assert_eq!(
            summary.body.as_deref(),
            Some(r#"{"action":"ssoCreate","user_info":{"email":"new.hire@example.test","first_name":"New","last_name":"Hire","type":2}}"#)
        );
    }

    #[test]
    fn invalid_create_action_is_rejected() {
        let op = ProvisionOp::Create(CreateUser { email: "x@example.test".into(), first_name: None, last_name: None, license: LicenseKind::Basic, action: Some("magic".into()) });
        let Err(ConnectorError::InvalidInput(message)) = plan(&op, true) else { panic!() };
        assert_eq!(message, "create action \"magic\" is invalid; use one of: create, autoCreate, custCreate, ssoCreate");
    }

    #[test]
    fn remove_paths() {
        let op = ProvisionOp::Remove(RemoveUser { user: user(Some("u1"), None), mode: RemovalMode::Disassociate, transfer_to: None });
        assert_eq!(plan(&op, true).unwrap()[0].summary().path_and_query, "/v2/users/u1?action=disassociate");
        let op = ProvisionOp::Remove(RemoveUser {
            user: user(Some("u1"), None),
            mode: RemovalMode::Delete,
            transfer_to: Some("keep@example.test".into()),
        });
        assert_eq!(
            plan(&op, true).unwrap()[0].summary().path_and_query,
            "/v2/users/u1?action=delete&transfer_email=keep%40example.test&transfer_meeting=true&transfer_webinar=true&transfer_recording=true"
        );
        let op = ProvisionOp::Remove(RemoveUser { user: user(None, Some(UserStatus::Pending)), mode: RemovalMode::Delete, transfer_to: None });
        let Err(ConnectorError::InvalidInput(message)) = plan(&op, true) else { panic!() };
        assert_eq!(message, "a.b@example.test is a pending invitation, which Zoom can only disassociate; remove it without --delete");
    }

    #[test]
    fn pending_users_are_addressed_by_email() {
        let op = ProvisionOp::SetLicense(SetLicense { user: user(None, Some(UserStatus::Pending)), license: LicenseKind::Licensed });
        let summary = plan(&op, true).unwrap()[0].summary();
        assert_eq!(summary.path_and_query, "/v2/users/a.b%40example.test");
        assert_eq!(summary.body.as_deref(), Some(r#"{"type":2}"#));
        let op = ProvisionOp::Deactivate(user(None, Some(UserStatus::Pending)));
        assert!(plan(&op, true).is_err());
    }

    #[test]
    fn status_changes() {
        let op = ProvisionOp::Activate(user(Some("u1"), Some(UserStatus::Inactive)));
        let summary = plan(&op, true).unwrap()[0].summary();
        assert_eq!((summary.method.as_str(), summary.path_and_query.as_str()), ("PUT", "/v2/users/u1/status"));
        assert_eq!(summary.body.as_deref(), Some(r#"{"action":"activate"}"#));
    }
}
