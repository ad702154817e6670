//! Role names for Zoom's role ids, read from `/v2/roles` once per listing and kept in the
//! connection's storage for the calls that follow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api;
use crate::bindings::roster::connector::log::{self, Level};
use crate::bindings::roster::connector::storage;
use crate::bindings::roster::connector::types::ConnectorError;

const STORAGE_KEY: &str = "zoom/roles";

/// Role id to role name. Empty when the grant does not allow reading roles.
#[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
pub struct RoleNames {
    pub names: BTreeMap<String, String>,
}

impl RoleNames {
    pub fn name(&self, role_id: &str) -> Option<&str> {
        self.names.get(role_id).map(String::as_str)
    }
}

#[derive(Deserialize)]
struct RolesBody {
    #[serde(default)]
    roles: Vec<Role>,
}

#[derive(Deserialize)]
struct Role {
    id: String,
    name: String,
}

pub fn parse_roles(body: &[u8]) -> Result<RoleNames, ConnectorError> {
    let parsed: RolesBody = serde_json::from_slice(body).map_err(|error| {
        ConnectorError::InvalidResponse(format!("cannot parse Zoom's /v2/roles body: {error}"))
    })?;
    let names = parsed.roles.into_iter().map(|role| (role.id, role.name)).collect();
    Ok(RoleNames { names })
}

/// Returns the role names, fetching them from Zoom when `refresh` is set or none are stored.
///
/// Role names are optional: without `role:read:admin` users keep their role ids, and any
/// failure here is logged instead of failing the listing.
pub fn role_names(refresh: bool) -> RoleNames {
    if !refresh
        && let Ok(Some(stored)) = storage::get(STORAGE_KEY)
        && let Ok(names) = serde_json::from_slice(&stored)
    {
        return names;
    }

    let names = match api::get("/v2/roles?type=common", None).and_then(|body| parse_roles(&body)) {
        Ok(names) => names,
        Err(ConnectorError::MissingPermissions(error)) => {
            log::log(
                Level::Warn,
                "role names unavailable: the grant cannot read roles, so users keep role ids",
                &[("missing_scopes".to_string(), error.missing_scopes.join(" "))],
            );
            RoleNames::default()
        }
        Err(error) => {
            log::log(
                Level::Warn,
                "role names unavailable: reading /v2/roles failed, so users keep role ids",
                &[("error".to_string(), format!("{error:?}"))],
            );
            RoleNames::default()
        }
    };

    let encoded = serde_json::to_vec(&names).unwrap_or_default();
    if let Err(error) = storage::set(STORAGE_KEY, &encoded) {
        log::log(
            Level::Warn,
            "cannot store role names; later pages read them again",
            &[("error".to_string(), format!("{error:?}"))],
        );
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_roles_fixture_shape() {
        let body = br#"{"total_records":2,"roles":[
            {"id":"0","name":"Owner","description":"Account owner","type":"common","total_members":1},
            {"id":"fakeRole00000000000001A","name":"Seat Auditor","type":"common","total_members":0}]}"#;
        let roles = parse_roles(body).unwrap();
        assert_eq!(roles.name("0"), Some("Owner"));
        assert_eq!(roles.name("fakeRole00000000000001A"), Some("Seat Auditor"));
        assert_eq!(roles.name("2"), None);
    }

    #[test]
    fn parse_roles_rejects_garbage() {
        let Err(ConnectorError::InvalidResponse(message)) = parse_roles(b"<html>") else {
            panic!()
        };
        assert!(message.starts_with("cannot parse Zoom's /v2/roles body"), "{message}");
    }
}
