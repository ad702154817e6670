//! OAuth scopes: what each endpoint accepts and what default tokens are granted.
//!
//! Classic and granular scope lists come from the `x-macro-scopes` and `x-granular-scopes`
//! extensions of Zoom's Users and Accounts OpenAPI documents (2026 copies). A token passes when
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
