//! The `connector-world` test connectors; the enabled feature picks what `list-users` does.

wit_bindgen::generate!({
    world: "connector-world",
    path: "../../wit",
    generate_all,
});

use exports::roster::connector::connector::Guest;
use roster::connector::http::{self, Method, Request};
use roster::connector::types::*;

struct TestConnector;

fn behaviour() -> &'static str {
    if cfg!(feature = "fixed-users") {
        "fixed-users"
    } else if cfg!(feature = "spin") {
        "spin"
    } else if cfg!(feature = "memory-hog") {
        "memory-hog"
    } else if cfg!(feature = "panic") {
        "panic"
    } else if cfg!(feature = "undeclared-upstream") {
        "undeclared-upstream"
    } else if cfg!(feature = "host-only-upstream") {
        "host-only-upstream"
    } else if cfg!(feature = "forged-header") {
        "forged-header"
    } else if cfg!(feature = "request-flood") {
        "request-flood"
    } else if cfg!(feature = "repeat-cursor") {
        "repeat-cursor"
    } else if cfg!(feature = "slow-upstream") {
        "slow-upstream"
    } else {
        "none"
    }
}

fn user(n: u32) -> AppUser {
    AppUser {
        key: format!("user-{n}"),
        remote_id: Some(format!("user-{n}")),
        email: format!("user{n}@example.test"),
        display_name: None,
        first_name: None,
        last_name: None,
        status: UserStatus::Active,
        license: LicenseKind::Basic,
        license_code: None,
        role_id: None,
        role: None,
        group_ids: Vec::new(),
        department: None,
        login_types: Vec::new(),
        created_at: None,
        last_login_at: None,
        last_client_version: None,
    }
}

fn get(upstream: &str, path: &str, headers: Vec<(String, String)>) -> Result<http::Response, HttpError> {
    http::send(&Request {
        method: Method::Get,
        upstream: upstream.to_string(),
        path_and_query: path.to_string(),
        headers,
        body: None,
        rate_class: None,
        fresh_credentials: false,
    })
}

fn page(users: Vec<AppUser>, next_cursor: Option<String>) -> UserPage {
    let fetched = users.len() as u64;
    UserPage { users, next_cursor, progress: PageProgress { fetched, total_hint: None } }
}

impl Guest for TestConnector {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            id: format!("testkit-{}", behaviour()),
            name: "Testkit".to_string(),
            version: "0.1.0".to_string(),
            upstreams: vec![
                Upstream { name: "api".into(), default_base_url: "http://127.0.0.1:9".into(), credential: CredentialKind::AccessToken },
                Upstream { name: "oauth".into(), default_base_url: "http://127.0.0.1:9".into(), credential: CredentialKind::HostOnly },
            ],
            auth: AuthScheme::Oauth2(Oauth2 {
                upstream: "oauth".into(),
                authorize_path: "/oauth/authorize".into(),
                token_path: "/oauth/token".into(),
                revoke_path: None,
                grants: vec![GrantType::AccountCredentials],
                scopes: Vec::new(),
            }),
            features: Vec::new(),
            rate_classes: Vec::new(),
        }
    }

    fn identify() -> Result<AccountIdentity, ConnectorError> {
        Ok(AccountIdentity { account_id: "testkit-account".into(), user_id: None, email: None })
    }

    fn check(_granted_scopes: Vec<String>) -> Vec<FeatureAccess> {
        Vec::new()
    }

    fn list_users(cursor: Option<String>) -> Result<UserPage, ConnectorError> {
        match behaviour() {
            "fixed-users" => match cursor.as_deref() {
                None => Ok(page(vec![user(1), user(2)], Some("second".into()))),
                Some("second") => Ok(page(vec![user(3)], None)),
                Some(other) => Err(ConnectorError::InvalidCursor(format!("unknown cursor {other}"))),
            },
            "spin" => {
                let mut counter: u64 = 0;
                loop {
                    counter = std::hint::black_box(counter.wrapping_add(1));
                }
            }
            "memory-hog" => {
                let mut chunks: Vec<Vec<u8>> = Vec::new();
                loop {
                    chunks.push(vec![1u8; 8 << 20]);
                    std::hint::black_box(&chunks);
                }
            }
            "panic" => panic!("testkit connector panicked on purpose"),
            "undeclared-upstream" => {
                get("elsewhere", "/v2/users", Vec::new()).map_err(ConnectorError::Transport)?;
                Ok(page(Vec::new(), None))
            }
            "host-only-upstream" => {
                get("oauth", "/oauth/token", Vec::new()).map_err(ConnectorError::Transport)?;
                Ok(page(Vec::new(), None))
            }
            "forged-header" => {
                get("api", "/v2/users", vec![("Authorization".into(), "Bearer stolen".into())])
                    .map_err(ConnectorError::Transport)?;
                Ok(page(Vec::new(), None))
            }
            "request-flood" => loop {
                let _ = get("api", "/v2/users", Vec::new());
            },
            "repeat-cursor" => Ok(page(vec![user(1)], Some("same".into()))),
            "slow-upstream" => {
                get("api", "/v2/users?status=active", Vec::new()).map_err(ConnectorError::Transport)?;
                Ok(page(Vec::new(), None))
            }
            other => Err(ConnectorError::Unsupported(format!("testkit built without a behaviour ({other})"))),
        }
    }

    fn list_activity(_range: DateRange, _cursor: Option<String>) -> Result<ActivityPage, ConnectorError> {
        Err(ConnectorError::Unsupported("testkit".into()))
    }

    fn list_usage(_range: DateRange, _cursor: Option<String>) -> Result<UsagePage, ConnectorError> {
        Err(ConnectorError::Unsupported("testkit".into()))
    }

    fn account_summary() -> Result<AccountReport, ConnectorError> {
        Err(ConnectorError::Unsupported("testkit".into()))
    }

    fn provision(_op: ProvisionOp, _dry_run: bool) -> Result<ProvisionOutcome, ConnectorError> {
        Err(ConnectorError::Unsupported("testkit".into()))
    }

    fn handle_webhook(_request: WebhookRequest) -> Result<WebhookEvent, ConnectorError> {
        Err(ConnectorError::Unsupported("testkit".into()))
    }
}

export!(TestConnector);
