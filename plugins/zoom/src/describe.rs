//! The Zoom connector's identity, upstreams, OAuth endpoints, features and their grants.

use crate::bindings::roster::connector::types::{
    AuthScheme, ConnectorInfo, CredentialKind, Feature, FeatureAccess, GrantType, Oauth2,
    RateClass, ScopeNeed, Upstream,
};

/// Upstream for the REST API under `/v2`.
pub const API: &str = "api";
/// Upstream for `/oauth/*`; only the host's auth flows call it.
pub const OAUTH: &str = "oauth";

/// Pacing class for Zoom's "Heavy" endpoints (reports, plan usage).
pub const HEAVY: &str = "heavy";
/// Pacing class for Zoom's "Resource-intensive" endpoints (dashboard).
pub const RESOURCE_INTENSIVE: &str = "resource-intensive";

pub const READ_USERS: &str = "read-users";
pub const READ_ROLES_GROUPS: &str = "read-roles-groups";

pub fn connector_info() -> ConnectorInfo {
    ConnectorInfo {
        id: "zoom".into(),
        name: "Zoom".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        upstreams: vec![
            Upstream {
                name: API.into(),
                default_base_url: "https://api.zoom.us".into(),
                credential: CredentialKind::AccessToken,
            },
            Upstream {
                name: OAUTH.into(),
                default_base_url: "https://zoom.us".into(),
                credential: CredentialKind::HostOnly,
            },
        ],
        auth: AuthScheme::Oauth2(Oauth2 {
            upstream: OAUTH.into(),
            authorize_path: "/oauth/authorize".into(),
            token_path: "/oauth/token".into(),
            revoke_path: Some("/oauth/revoke".into()),
            grants: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::AccountCredentials,
            ],
            // Zoom takes scopes from the app's registration; passing `scope=` has been seen to
            // fail with several granular scopes.
            scopes: Vec::new(),
        }),
        features: features(),
        // Zoom allows Heavy requests at 1 a second on Free plans and 10 on Pro, and
        // resource-intensive ones at 10 a minute on every plan. The Heavy pace is a compromise
        // until the host learns the account's plan.
        rate_classes: vec![
            RateClass { name: HEAVY.into(), requests_per_minute: 120 },
            RateClass { name: RESOURCE_INTENSIVE.into(), requests_per_minute: 10 },
        ],
    }
}

/// Builds a need met by any one of `scopes`. The first is the granular scope to grant to new
/// apps; the rest are classic scopes that older apps carry.
fn need(scopes: &[&str]) -> ScopeNeed {
    ScopeNeed { any_of: scopes.iter().map(|s| s.to_string()).collect() }
}

fn feature(id: &str, title: &str, scopes: Vec<ScopeNeed>, permissions: &[&str]) -> Feature {
    Feature {
        id: id.into(),
        title: title.into(),
        scopes,
        admin_permissions: permissions.iter().map(|p| p.to_string()).collect(),
    }
}

/// The features and what each needs, from the `x-macro-scopes`, `x-granular-scopes` and
/// `x-permissions` of Zoom's Users, Accounts, Rooms and Reports API specifications.
pub fn features() -> Vec<Feature> {
    vec![
        feature(
            READ_USERS,
            "Read users",
            vec![need(&["user:read:list_users:admin", "user:read:admin", "user:write:admin"])],
            &["Users: VIEW"],
        ),
        feature(
            READ_ROLES_GROUPS,
            "Read roles and groups",
            vec![
                need(&["role:read:list_roles:admin", "role:read:admin", "role:write:admin"]),
                need(&["group:read:list_groups:admin", "group:read:admin", "group:write:admin"]),
            ],
            &["Role management: VIEW", "Groups: VIEW"],
        ),
        feature(
            "read-account",
            "Read account summary and plan usage",
            vec![
                need(&["user:read:summary:admin", "user:read:admin", "user:write:admin"]),
                need(&["billing:read:plan_usage:admin", "account:read:admin"]),
            ],
            &["Account profile: VIEW", "Account settings: VIEW"],
        ),
        feature(
            "read-usage-reports",
            "Read sign-in activity and usage reports",
            vec![
                need(&["report:read:user_activities:admin", "report:read:admin"]),
                need(&["report:read:list_users:admin", "report:read:admin"]),
            ],
            &["Usage reports: VIEW"],
        ),
        feature(
            "read-rooms",
            "Read Zoom Rooms",
            vec![need(&["zoom_rooms:read:list_rooms:admin", "room:read:admin"])],
            &["Zoom Rooms: VIEW"],
        ),
        feature(
            "read-dashboard",
            "Read dashboard meetings",
            vec![need(&[
                "dashboard:read:list_meetings:admin",
                "dashboard:read:admin",
                "dashboard_meetings:read:admin",
            ])],
            &["Dashboard Meetings: VIEW"],
        ),
        feature(
            "provision-users",
            "Create, license, deactivate and remove users",
            vec![
                need(&["user:write:user:admin", "user:write:admin"]),
                need(&["user:update:user:admin", "user:write:admin"]),
                need(&["user:update:status:admin", "user:write:admin"]),
                need(&["user:delete:user:admin", "user:write:admin"]),
            ],
            &["Users: EDIT"],
        ),
        feature(
            "manage-roles-groups",
            "Assign roles and group membership",
            vec![
                need(&["role:write:member:admin", "role:write:admin"]),
                need(&["group:write:member:admin", "group:write:admin"]),
            ],
            &["Role management: EDIT", "Groups: EDIT"],
        ),
    ]
}

/// Compares the granted scopes with what each feature needs.
pub fn check(granted: &[String]) -> Vec<FeatureAccess> {
    features()
        .into_iter()
        .map(|feature| {
            let missing_scopes: Vec<ScopeNeed> = feature
                .scopes
                .into_iter()
                .filter(|need| !need.any_of.iter().any(|scope| granted.contains(scope)))
                .collect();
            FeatureAccess {
                feature: feature.id,
                available: missing_scopes.is_empty(),
                missing_scopes,
                admin_permissions: feature.admin_permissions,
            }
        })
        .collect()
}

/// Returns the admin permissions that go with a missing scope, for error messages.
pub fn permissions_for_scope(scope: &str) -> Vec<String> {
    features()
        .into_iter()
        .filter(|feature| feature.scopes.iter().any(|need| need.any_of.iter().any(|s| s == scope)))
        .flat_map(|feature| feature.admin_permissions)
        .fold(Vec::new(), |mut all, permission| {
            if !all.contains(&permission) {
                all.push(permission);
            }
            all
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_with_granular_read_scope() {
        let report = check(&["user:read:list_users:admin".to_string()]);
        let users = report.iter().find(|f| f.feature == READ_USERS).unwrap();
        assert!(users.available);
        let roles = report.iter().find(|f| f.feature == READ_ROLES_GROUPS).unwrap();
        assert!(!roles.available);
        assert_eq!(roles.missing_scopes.len(), 2);
    }

    #[test]
    fn check_with_classic_write_scope() {
        let report = check(&["user:write:admin".to_string()]);
        let provision = report.iter().find(|f| f.feature == "provision-users").unwrap();
        assert!(provision.available);
    }

    #[test]
    fn permissions_for_missing_scope() {
        assert_eq!(permissions_for_scope("role:read:admin"), vec![
            "Role management: VIEW".to_string(),
            "Groups: VIEW".to_string()
        ]);
        assert!(permissions_for_scope("no:such:scope").is_empty());
    }
}
