//! OAuth scopes: what each endpoint accepts and what default tokens are granted.
//!
//! Classic and granular scope lists come from the `x-macro-scopes` and `x-granular-scopes`
//! extensions of Zoom's Users, Accounts, Billing and Rooms OpenAPI documents (2026 copies), and
//! for reports from Zoom's 2022 Meetings spec. A token passes when
//! it has any one of the classic or granular scopes of the endpoint.

/// Every granular account-level scope the mock defines, all granted by `MockConfig::default`.
/// It includes scopes of endpoints the mock does not serve yet, so tokens look like those of
/// a Zoom app configured for all of Roster's features.
pub const KNOWN_SCOPES: &[&str] = &[
    "user:read:list_users:admin",
    "user:read:user:admin",
    "user:read:summary:admin",
    "user:write:user:admin",
    "user:update:user:admin",
    "user:update:status:admin",
    "user:delete:user:admin",
    "role:read:list_roles:admin",
    "role:read:list_members:admin",
    "role:write:member:admin",
    "role:delete:member:admin",
    "group:read:list_groups:admin",
    "group:read:list_members:admin",
    "group:write:member:admin",
    "group:delete:member:admin",
    "account:read:settings:admin",
    "billing:read:plan_usage:admin",
    "zoom_rooms:read:list_rooms:admin",
    "dashboard:read:list_meetings:admin",
    "report:read:list_users:admin",
    "report:read:user_activities:admin",
    "report:read:daily_usage:admin",
];

/// How Zoom words the error for a token without the endpoint's scopes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum MissingScope {
    /// Code 4711, "Invalid access token, does not contain scopes:[<scope>]." (users endpoints).
    Code4711 { scope: &'static str },
    /// Code 4700, "Invalid access token, does not contain <scope> scope." (`GET /roles`).
    Code4700 { scope: &'static str },
}

impl MissingScope {
    /// Returns the Zoom error code and message for this case.
    pub fn code_and_message(self) -> (i64, String) {
        match self {
            MissingScope::Code4711 { scope } => (
                4711,
                format!("Invalid access token, does not contain scopes:[{scope}]."),
            ),
            MissingScope::Code4700 { scope } => (
                4700,
                format!("Invalid access token, does not contain {scope} scope."),
            ),
        }
    }
}

/// The scopes one endpoint accepts.
#[derive(Debug)]
pub(crate) struct ScopeRequirement {
    pub classic: &'static [&'static str],
    pub granular: &'static [&'static str],
    pub missing: MissingScope,
}

impl ScopeRequirement {
    /// Returns whether a token holding `granted` may call the endpoint.
    pub fn is_met_by(&self, granted: &[String]) -> bool {
        granted.iter().any(|scope| {
            self.classic.contains(&scope.as_str()) || self.granular.contains(&scope.as_str())
        })
    }
}

/// `GET /v2/users`.
pub(crate) const LIST_USERS: ScopeRequirement = ScopeRequirement {
    classic: &[
        "user:read",
        "user:write",
        "user:read:admin",
        "user:write:admin",
    ],
    granular: &["user:read:list_users:admin"],
    missing: MissingScope::Code4711 {
        scope: "user:read:list_users:admin",
    },
};

/// `GET /v2/users/{userId}`.
pub(crate) const GET_USER: ScopeRequirement = ScopeRequirement {
    classic: &[
        "user:read",
        "user:write",
        "user:read:admin",
        "user:write:admin",
        "user_profile",
        "user_info:read",
    ],
    granular: &["user:read:user", "user:read:user:admin"],
    missing: MissingScope::Code4711 {
        scope: "user:read:user:admin",
    },
};

/// `GET /v2/roles`.
pub(crate) const LIST_ROLES: ScopeRequirement = ScopeRequirement {
    classic: &["role:read:admin", "role:write:admin"],
    granular: &["role:read:list_roles", "role:read:list_roles:admin"],
    missing: MissingScope::Code4700 {
        scope: "role:read:admin",
    },
};

/// Builds the requirement of an endpoint whose missing-scope error is code 4711 naming
/// `granular_named`.
const fn code_4711(
    classic: &'static [&'static str],
    granular: &'static [&'static str],
    granular_named: &'static str,
) -> ScopeRequirement {
    ScopeRequirement {
        classic,
        granular,
        missing: MissingScope::Code4711 {
            scope: granular_named,
        },
    }
}

/// Classic scopes of the user-writing endpoints (`PATCH`, `PUT .../status`, `DELETE`).
const USER_WRITE_CLASSIC: &[&str] = &["user:write:admin", "user:write"];

/// `POST /v2/users`.
pub(crate) const CREATE_USER: ScopeRequirement = code_4711(
    &["user:write", "user:write:admin"],
    &["user:write:user:admin"],
    "user:write:user:admin",
);

/// `PATCH /v2/users/{userId}`.
pub(crate) const UPDATE_USER: ScopeRequirement = code_4711(
    USER_WRITE_CLASSIC,
    &["user:update:user", "user:update:user:admin"],
    "user:update:user:admin",
);

/// `PUT /v2/users/{userId}/status`.
pub(crate) const UPDATE_STATUS: ScopeRequirement = code_4711(
    USER_WRITE_CLASSIC,
    &["user:update:status", "user:update:status:admin"],
    "user:update:status:admin",
);

/// `DELETE /v2/users/{userId}`.
pub(crate) const DELETE_USER: ScopeRequirement = code_4711(
    USER_WRITE_CLASSIC,
    &["user:delete:user", "user:delete:user:admin"],
    "user:delete:user:admin",
);

/// `GET /v2/users/summary`.
pub(crate) const USERS_SUMMARY: ScopeRequirement = code_4711(
    &[
        "user:read",
        "user:write",
        "user:read:admin",
        "user:write:admin",
    ],
    &["user:read:summary:admin"],
    "user:read:summary:admin",
);

/// `GET /v2/roles/{roleId}/members`.
pub(crate) const LIST_ROLE_MEMBERS: ScopeRequirement = code_4711(
    &["role:read:admin", "role:write:admin"],
    &["role:read:list_members", "role:read:list_members:admin"],
    "role:read:list_members:admin",
);

/// `POST /v2/roles/{roleId}/members`.
pub(crate) const ASSIGN_ROLE: ScopeRequirement = code_4711(
    &["role:write:admin"],
    &["role:write:member", "role:write:member:admin"],
    "role:write:member:admin",
);

/// `DELETE /v2/roles/{roleId}/members/{memberId}`.
pub(crate) const UNASSIGN_ROLE: ScopeRequirement = code_4711(
    &["role:write:admin"],
    &["role:delete:member", "role:delete:member:admin"],
    "role:delete:member:admin",
);

/// `GET /v2/groups`.
pub(crate) const LIST_GROUPS: ScopeRequirement = code_4711(
    &["group:read:admin", "group:write:admin"],
    &["group:read:list_groups:admin"],
    "group:read:list_groups:admin",
);

/// `GET /v2/groups/{groupId}/members`.
pub(crate) const LIST_GROUP_MEMBERS: ScopeRequirement = code_4711(
    &["group:read:admin", "group:write:admin"],
    &["group:read:list_members:admin"],
    "group:read:list_members:admin",
);

/// `POST /v2/groups/{groupId}/members`.
pub(crate) const ADD_GROUP_MEMBERS: ScopeRequirement = code_4711(
    &["group:write:admin"],
    &["group:write:member:admin"],
    "group:write:member:admin",
);

/// `DELETE /v2/groups/{groupId}/members/{memberId}`.
pub(crate) const REMOVE_GROUP_MEMBER: ScopeRequirement = code_4711(
    &["group:write:admin"],
    &["group:delete:member:admin"],
    "group:delete:member:admin",
);

/// `GET /v2/accounts/me/plans/usage`. Zoom's Billing spec lists master-account scopes and
/// states that standard accounts call it with `account:read:admin`.
pub(crate) const PLAN_USAGE: ScopeRequirement = code_4711(
    &["billing:master", "account:master", "account:read:admin"],
    &[
        "billing:read:plan_usage:master",
        "billing:read:plan_usage:admin",
    ],
    "billing:read:plan_usage:admin",
);

/// `GET /v2/rooms`.
pub(crate) const LIST_ROOMS: ScopeRequirement = code_4711(
    &["room:read:admin"],
    &["zoom_rooms:read:list_rooms:admin"],
    "zoom_rooms:read:list_rooms:admin",
);

/// `GET /v2/metrics/meetings`.
pub(crate) const DASHBOARD_MEETINGS: ScopeRequirement = code_4711(
    &["dashboard_meetings:read:admin", "dashboard:read:admin"],
    &["dashboard:read:list_meetings:admin"],
    "dashboard:read:list_meetings:admin",
);

/// `GET /v2/report/users`. The granular scope is not in Zoom's 2022 Reports spec. Integrators'
/// code and READMEs name it.
pub(crate) const REPORT_USERS: ScopeRequirement = code_4711(
    &["report:read:admin"],
    &["report:read:list_users:admin"],
    "report:read:list_users:admin",
);

/// `GET /v2/report/activities`, with the granular scope named as for `REPORT_USERS`.
pub(crate) const REPORT_ACTIVITIES: ScopeRequirement = code_4711(
    &["report:read:admin"],
    &["report:read:user_activities:admin"],
    "report:read:user_activities:admin",
);

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(scopes: &[&str]) -> Vec<String> {
        scopes.iter().map(|scope| (*scope).to_owned()).collect()
    }

    #[test]
    fn classic_or_granular_scope_passes() {
        assert!(LIST_USERS.is_met_by(&granted(&["user:read:admin"])));
        assert!(LIST_USERS.is_met_by(&granted(&["user:read:list_users:admin"])));
        assert!(!LIST_USERS.is_met_by(&granted(&["user:read:user:admin"])));
        assert!(!LIST_ROLES.is_met_by(&granted(&[])));
    }

    #[test]
    fn known_scopes_cover_served_endpoints() {
        let all = granted(KNOWN_SCOPES);

        assert!(LIST_USERS.is_met_by(&all));
        assert!(GET_USER.is_met_by(&all));
        assert!(LIST_ROLES.is_met_by(&all));
        for requirement in [
            &CREATE_USER,
            &UPDATE_USER,
            &UPDATE_STATUS,
            &DELETE_USER,
            &USERS_SUMMARY,
            &LIST_ROLE_MEMBERS,
            &ASSIGN_ROLE,
            &UNASSIGN_ROLE,
            &LIST_GROUPS,
            &LIST_GROUP_MEMBERS,
            &ADD_GROUP_MEMBERS,
            &REMOVE_GROUP_MEMBER,
            &PLAN_USAGE,
            &LIST_ROOMS,
            &DASHBOARD_MEETINGS,
            &REPORT_USERS,
            &REPORT_ACTIVITIES,
        ] {
            assert!(requirement.is_met_by(&all), "{requirement:?}");
        }
    }

    #[test]
    fn missing_scope_messages_match_zoom() {
        let (code, message) = LIST_USERS.missing.code_and_message();
        assert_eq!(code, 4711);
        assert_eq!(
            message,
            "Invalid access token, does not contain scopes:[user:read:list_users:admin]."
        );

        let (code, message) = LIST_ROLES.missing.code_and_message();
        assert_eq!(code, 4700);
        assert_eq!(
            message,
            "Invalid access token, does not contain role:read:admin scope."
        );
    }
}
