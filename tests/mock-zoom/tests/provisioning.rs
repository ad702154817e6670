//! Provisioning over HTTP: `POST /v2/users`, `PATCH /v2/users/{userId}`,
//! `PUT /v2/users/{userId}/status` and `DELETE /v2/users/{userId}`, their errors, and the
//! request log of mutations.

mod common;

use common::{TextResponse, client, fixture, fixture_config, get, send, start, token};
use mock_zoom::{MockConfig, MockZoom, Transfer, UserStatus};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn call(zoom: &MockZoom, method: Method, path: &str, body: Option<&Value>) -> TextResponse {
    let client = client();
    let token = token(&client, zoom).await;
    send(&client, zoom, &token, method, path, body).await
}

fn create_body(action: &str, email: &str, user_type: i64) -> Value {
    json!({
        "action": action,
        "user_info": {
            "email": email,
            "type": user_type,
            "first_name": "New",
            "last_name": "Hire",
        }
    })
}

fn assert_error(response: &TextResponse, status: StatusCode, code: i64) {
    assert_eq!(response.status, status, "{}", response.text);
    assert_eq!(response.json()["code"], code, "{}", response.text);
}

#[tokio::test]
async fn create_invites_pending_user() {
    let zoom = start(fixture_config(7)).await;
    let body = fixture(include_str!("../fixtures/create-user-request.json"));

    let response = call(&zoom, Method::POST, "/v2/users", Some(&body)).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/create-user-201.json"))
    );
    let user = zoom.user("new.hire@example.test").expect("the user exists");
    assert_eq!(user.status, UserStatus::Pending);
    assert_eq!(user.id.as_deref(), Some("fakeUser0000000000008H"));
    assert_eq!(user.created_at, zoom.now());

    let listed = call(&zoom, Method::GET, "/v2/users?status=pending", None)
        .await
        .json();
    let new_hire = listed["users"]
        .as_array()
        .expect("array")
        .iter()
        .find(|user| user["email"] == "new.hire@example.test")
        .cloned()
        .expect("the new user is listed as pending");
    assert!(new_hire.get("id").is_none(), "{new_hire}");
}

#[tokio::test]
async fn auto_and_cust_create_add_active_users() {
    let zoom = start(fixture_config(7)).await;

    for (action, email) in [
        ("autoCreate", "auto@example.test"),
        ("custCreate", "cust@example.test"),
    ] {
        let body = create_body(action, email, 1);
        let response = call(&zoom, Method::POST, "/v2/users", Some(&body)).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{action}: {}",
            response.text
        );
        let user = zoom.user(email).expect("the user exists");
        assert_eq!(user.status, UserStatus::Active, "{action}");
        assert_eq!(
            response.json()["id"],
            user.id.as_deref().unwrap_or_default()
        );
    }
    let ids: Vec<String> = zoom
        .users()
        .iter()
        .filter_map(|user| user.id.clone())
        .collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
}

#[tokio::test]
async fn sso_create_needs_preprovisioning() {
    let zoom = start(fixture_config(7)).await;
    let body = create_body("ssoCreate", "sso@example.test", 1);

    let response = call(&zoom, Method::POST, "/v2/users", Some(&body)).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        fixture(include_str!(
            "../fixtures/error-2032-ssocreate-not-enabled.json"
        ))
    );
    assert!(zoom.user("sso@example.test").is_none());

    let enabled = start(MockConfig {
        sso_preprovisioning: true,
        ..fixture_config(7)
    })
    .await;
    let response = call(&enabled, Method::POST, "/v2/users", Some(&body)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let user = enabled.user("sso@example.test").expect("created");
    assert_eq!(user.login_types, [101]);
}

#[tokio::test]
async fn create_rejects_used_email() {
    let zoom = start(fixture_config(7)).await;
    let body = create_body("create", "member.three@example.test", 1);

    let response = call(&zoom, Method::POST, "/v2/users", Some(&body)).await;

    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(
        response.json(),
        fixture(include_str!(
            "../fixtures/error-1005-email-already-used.json"
        ))
    );
    let other_case = create_body("autoCreate", "Pending.Five@Example.test", 1);
    let response = call(&zoom, Method::POST, "/v2/users", Some(&other_case)).await;
    assert_error(&response, StatusCode::CONFLICT, 1005);
}

#[tokio::test]
async fn create_rejects_licence_beyond_seats() {
    let zoom = start(MockConfig {
        paid_seats: Some(5),
        ..fixture_config(7)
    })
    .await;

    let first = create_body("create", "first@example.test", 2);
    let response = call(&zoom, Method::POST, "/v2/users", Some(&first)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);

    let second = create_body("create", "second@example.test", 2);
    let response = call(&zoom, Method::POST, "/v2/users", Some(&second)).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/error-2034-max-paid-users.json"))
    );
    assert!(zoom.user("second@example.test").is_none());

    let basic = create_body("create", "basic@example.test", 1);
    let response = call(&zoom, Method::POST, "/v2/users", Some(&basic)).await;
    assert_eq!(response.status, StatusCode::CREATED);

    zoom.set_paid_seats(6);
    let response = call(&zoom, Method::POST, "/v2/users", Some(&second)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn create_validates_input() {
    let zoom = start(fixture_config(7)).await;
    let missing_email_bad_type = json!({"action": "create", "user_info": {"type": 3}});

    let response = call(
        &zoom,
        Method::POST,
        "/v2/users",
        Some(&missing_email_bad_type),
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/error-300-validation.json"))
    );

    let cases = [
        (create_body("invite", "a@example.test", 1), "action"),
        (
            json!({"user_info": {"email": "a@example.test", "type": 1}}),
            "action",
        ),
        (create_body("create", "not-an-email", 1), "user_info.email"),
        (
            create_body("create", "a@example.test", 99),
            "user_info.type",
        ),
        (json!({"action": "create"}), "user_info"),
    ];
    for (body, field) in cases {
        let response = call(&zoom, Method::POST, "/v2/users", Some(&body)).await;
        assert_error(&response, StatusCode::BAD_REQUEST, 300);
        assert_eq!(response.json()["errors"][0]["field"], field, "{body}");
    }

    let response = call(
        &zoom,
        Method::POST,
        "/v2/users",
        Some(&json!(["not", "an", "object"])),
    )
    .await;
    assert_error(&response, StatusCode::BAD_REQUEST, 300);
    assert_eq!(zoom.users().len(), 7);
}

#[tokio::test]
async fn patch_changes_type_and_names() {
    let zoom = start(MockConfig {
        paid_seats: Some(10),
        ..fixture_config(7)
    })
    .await;
    let body = fixture(include_str!("../fixtures/update-user-type-request.json"));

    let response = call(
        &zoom,
        Method::PATCH,
        "/v2/users/fakeUser0000000000003C",
        Some(&body),
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(response.text, "");
    assert_eq!(
        zoom.user("member.three@example.test")
            .map(|user| user.user_type),
        Some(2)
    );

    let names = json!({"first_name": "Renamed", "display_name": "Renamed Three"});
    let response = call(
        &zoom,
        Method::PATCH,
        "/v2/users/MEMBER.three@example.test",
        Some(&names),
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let user = zoom.user("member.three@example.test").expect("exists");
    assert_eq!(user.first_name, "Renamed");
    assert_eq!(user.display_name, "Renamed Three");
    assert_eq!(user.last_name, "Three");
}

#[tokio::test]
async fn patch_rejects_licence_beyond_seats() {
    let zoom = start(MockConfig {
        paid_seats: Some(4),
        ..fixture_config(7)
    })
    .await;
    let licence = json!({"type": 2});

    let response = call(
        &zoom,
        Method::PATCH,
        "/v2/users/member.three@example.test",
        Some(&licence),
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/error-2034-max-paid-users.json"))
    );
    assert_eq!(
        zoom.user("member.three@example.test")
            .map(|user| user.user_type),
        Some(1)
    );

    let already_licensed = call(
        &zoom,
        Method::PATCH,
        "/v2/users/member.four@example.test",
        Some(&licence),
    )
    .await;
    assert_eq!(already_licensed.status, StatusCode::NO_CONTENT);

    let bad_type = call(
        &zoom,
        Method::PATCH,
        "/v2/users/member.four@example.test",
        Some(&json!({"type": 3})),
    )
    .await;
    assert_error(&bad_type, StatusCode::BAD_REQUEST, 300);
    assert_eq!(bad_type.json()["errors"][0]["field"], "type");
}

#[tokio::test]
async fn unknown_user_is_code_1001_everywhere() {
    let zoom = start(fixture_config(7)).await;
    let expected = fixture(include_str!("../fixtures/error-1001-user-not-exist.json"));
    let cases = [
        (
            Method::PATCH,
            "/v2/users/fakeUser0000000000099Z",
            Some(json!({"type": 1})),
        ),
        (
            Method::PUT,
            "/v2/users/fakeUser0000000000099Z/status",
            Some(json!({"action": "deactivate"})),
        ),
        (Method::DELETE, "/v2/users/fakeUser0000000000099Z", None),
    ];

    for (method, path, body) in cases {
        let response = call(&zoom, method.clone(), path, body.as_ref()).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(response.json(), expected, "{method} {path}");
    }
}

#[tokio::test]
async fn status_deactivates_and_activates() {
    let zoom = start(fixture_config(7)).await;
    let deactivate = fixture(include_str!("../fixtures/update-status-request.json"));

    let response = call(
        &zoom,
        Method::PUT,
        "/v2/users/member.four@example.test/status",
        Some(&deactivate),
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(response.text, "");
    let user = zoom.user("member.four@example.test").expect("exists");
    assert_eq!(user.status, UserStatus::Inactive);
    assert_eq!(user.user_type, 1, "deactivation removes the licence");

    let activate = json!({"action": "activate"});
    let response = call(
        &zoom,
        Method::PUT,
        "/v2/users/fakeUser0000000000004D/status",
        Some(&activate),
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let user = zoom.user("member.four@example.test").expect("exists");
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.user_type, 1);
}

#[tokio::test]
async fn status_rejects_admins_and_bad_actions() {
    let zoom = start(fixture_config(7)).await;
    let deactivate = json!({"action": "deactivate"});
    let expected = fixture(include_str!("../fixtures/error-200-room-user-status.json"));

    for admin in ["owner.one@example.test", "admin.two@example.test"] {
        let path = format!("/v2/users/{admin}/status");
        let response = call(&zoom, Method::PUT, &path, Some(&deactivate)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{admin}");
        assert_eq!(response.json(), expected, "{admin}");
        assert_eq!(
            zoom.user(admin).map(|user| user.status),
            Some(UserStatus::Active)
        );
    }

    let response = call(
        &zoom,
        Method::PUT,
        "/v2/users/member.three@example.test/status",
        Some(&json!({"action": "pause"})),
    )
    .await;
    assert_error(&response, StatusCode::BAD_REQUEST, 300);
    let response = call(
        &zoom,
        Method::PUT,
        "/v2/users/pending.five@example.test/status",
        Some(&deactivate),
    )
    .await;
    assert_error(&response, StatusCode::BAD_REQUEST, 300);
}

#[tokio::test]
async fn delete_disassociates_by_default() {
    let zoom = start(fixture_config(7)).await;

    let response = call(
        &zoom,
        Method::DELETE,
        "/v2/users/member.three@example.test",
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(response.text, "");
    assert!(zoom.user("member.three@example.test").is_none());

    let response = call(
        &zoom,
        Method::DELETE,
        "/v2/users/fakeUser0000000000004D?action=delete",
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert!(zoom.user("member.four@example.test").is_none());

    let again = call(
        &zoom,
        Method::DELETE,
        "/v2/users/fakeUser0000000000004D",
        None,
    )
    .await;
    assert_error(&again, StatusCode::NOT_FOUND, 1001);
    assert_eq!(
        again.json()["message"],
        "User does not exist: fakeUser0000000000004D."
    );
    assert!(zoom.transfers().is_empty());
}

#[tokio::test]
async fn delete_protects_admins_and_owner() {
    let zoom = start(fixture_config(7)).await;
    let cases = [
        ("admin.two@example.test", "", 1117),
        ("admin.two@example.test", "?action=delete", 1117),
        ("owner.one@example.test", "?action=disassociate", 1117),
        ("owner.one@example.test", "?action=delete", 200),
    ];

    for (email, query, code) in cases {
        let path = format!("/v2/users/{email}{query}");
        let response = call(&zoom, Method::DELETE, &path, None).await;
        assert_error(&response, StatusCode::BAD_REQUEST, code);
        assert!(zoom.user(email).is_some(), "{path}");
    }
    let response = call(
        &zoom,
        Method::DELETE,
        "/v2/users/admin.two@example.test",
        None,
    )
    .await;
    assert_eq!(
        response.json()["message"],
        "You can not disassociate an Admin user."
    );
}

#[tokio::test]
async fn delete_pending_user_needs_disassociate() {
    let zoom = start(fixture_config(7)).await;

    let delete = call(
        &zoom,
        Method::DELETE,
        "/v2/users/pending.five@example.test?action=delete",
        None,
    )
    .await;
    assert_error(&delete, StatusCode::BAD_REQUEST, 300);
    let message = delete.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("disassociate"), "{message}");

    let disassociate = call(
        &zoom,
        Method::DELETE,
        "/v2/users/pending.five@example.test?action=disassociate",
        None,
    )
    .await;
    assert_eq!(disassociate.status, StatusCode::NO_CONTENT);
    assert!(zoom.user("pending.five@example.test").is_none());

    let bad_action = call(
        &zoom,
        Method::DELETE,
        "/v2/users/member.three@example.test?action=purge",
        None,
    )
    .await;
    assert_error(&bad_action, StatusCode::BAD_REQUEST, 300);
}

#[tokio::test]
async fn delete_records_transfer() {
    let zoom = start(fixture_config(7)).await;
    let path = "/v2/users/member.three@example.test?action=delete&transfer_email=member.four@example.test&transfer_meeting=true&transfer_recording=true";

    let response = call(&zoom, Method::DELETE, path, None).await;

    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert_eq!(
        zoom.transfers(),
        [Transfer {
            from: "member.three@example.test".to_owned(),
            to: "member.four@example.test".to_owned(),
            meetings: true,
            webinars: false,
            recordings: true,
        }]
    );
}

#[tokio::test]
async fn delete_checks_transfer_target() {
    let zoom = start(fixture_config(7)).await;
    let targets = [
        "member.four@example.test",
        "member.three@example.test",
        "former.seven@example.test",
        "pending.five@example.test",
        "nobody@example.test",
    ];

    for target in targets {
        let path = format!("/v2/users/member.four@example.test?transfer_email={target}");
        let response = call(&zoom, Method::DELETE, &path, None).await;
        assert_error(&response, StatusCode::BAD_REQUEST, 300);
    }
    let bad_flag = call(&zoom, Method::DELETE, "/v2/users/member.three@example.test?transfer_email=member.four@example.test&transfer_meeting=yes", None).await;
    assert_error(&bad_flag, StatusCode::BAD_REQUEST, 300);
    assert!(zoom.user("member.four@example.test").is_some());
    assert!(zoom.transfers().is_empty());
}

#[tokio::test]
async fn request_log_records_mutations() {
    let zoom = start(fixture_config(7)).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let create = create_body("create", "logged@example.test", 1);
    zoom.clear_requests();

    send(
        &client,
        &zoom,
        &token,
        Method::POST,
        "/v2/users",
        Some(&create),
    )
    .await;
    send(
        &client,
        &zoom,
        &token,
        Method::PATCH,
        "/v2/users/member.three@example.test",
        Some(&json!({"type": 4})),
    )
    .await;
    send(
        &client,
        &zoom,
        &token,
        Method::PUT,
        "/v2/users/member.four@example.test/status",
        Some(&json!({"action": "deactivate"})),
    )
    .await;
    send(
        &client,
        &zoom,
        &token,
        Method::DELETE,
        "/v2/users/member.six@example.test?action=delete",
        None,
    )
    .await;
    get(&client, &zoom, Some(&token), "/v2/users").await;
    let log = zoom.requests();

    let mutations: Vec<(String, String, String, u16)> = log
        .iter()
        .filter(|entry| entry.method != "GET")
        .map(|entry| {
            (
                entry.method.clone(),
                entry.path.clone(),
                entry.query.clone(),
                entry.status,
            )
        })
        .collect();
    assert_eq!(
        mutations,
        [
            (
                "POST".to_owned(),
                "/v2/users".to_owned(),
                String::new(),
                201
            ),
            (
                "PATCH".to_owned(),
                "/v2/users/member.three@example.test".to_owned(),
                String::new(),
                204
            ),
            (
                "PUT".to_owned(),
                "/v2/users/member.four@example.test/status".to_owned(),
                String::new(),
                204
            ),
            (
                "DELETE".to_owned(),
                "/v2/users/member.six@example.test".to_owned(),
                "action=delete".to_owned(),
                204
            ),
        ]
    );
    let body: Value = serde_json::from_slice(&log[0].body).expect("the logged body is JSON");
    assert_eq!(body, create);
    assert_eq!(log.len(), 5);
}

#[tokio::test]
async fn write_endpoints_check_scopes() {
    let zoom = start(MockConfig {
        scopes: vec!["user:read:list_users:admin".to_owned()],
        ..fixture_config(7)
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let cases = [
        (Method::POST, "/v2/users", "user:write:user:admin"),
        (
            Method::PATCH,
            "/v2/users/member.three@example.test",
            "user:update:user:admin",
        ),
        (
            Method::PUT,
            "/v2/users/member.three@example.test/status",
            "user:update:status:admin",
        ),
        (
            Method::DELETE,
            "/v2/users/member.three@example.test",
            "user:delete:user:admin",
        ),
        (Method::GET, "/v2/users/summary", "user:read:summary:admin"),
        (
            Method::GET,
            "/v2/roles/1/members",
            "role:read:list_members:admin",
        ),
        (
            Method::POST,
            "/v2/roles/1/members",
            "role:write:member:admin",
        ),
        (
            Method::DELETE,
            "/v2/roles/1/members/admin.two@example.test",
            "role:delete:member:admin",
        ),
        (Method::GET, "/v2/groups", "group:read:list_groups:admin"),
        (
            Method::GET,
            "/v2/groups/fakeGroup000000000001A/members",
            "group:read:list_members:admin",
        ),
        (
            Method::POST,
            "/v2/groups/fakeGroup000000000001A/members",
            "group:write:member:admin",
        ),
        (
            Method::DELETE,
            "/v2/groups/fakeGroup000000000001A/members/x",
            "group:delete:member:admin",
        ),
        (
            Method::GET,
            "/v2/accounts/me/plans/usage",
            "billing:read:plan_usage:admin",
        ),
        (Method::GET, "/v2/rooms", "zoom_rooms:read:list_rooms:admin"),
        (
            Method::GET,
            "/v2/metrics/meetings",
            "dashboard:read:list_meetings:admin",
        ),
        (
            Method::GET,
            "/v2/report/users",
            "report:read:list_users:admin",
        ),
        (
            Method::GET,
            "/v2/report/activities",
            "report:read:user_activities:admin",
        ),
    ];

    for (method, path, scope) in cases {
        let body = json!({"action": "create", "members": [{"id": "x"}]});
        let response = send(&client, &zoom, &token, method.clone(), path, Some(&body)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{method} {path}");
        assert_eq!(
            response.json(),
            json!({
                "code": 4711,
                "message": format!("Invalid access token, does not contain scopes:[{scope}]."),
            }),
            "{method} {path}"
        );
    }
    assert_eq!(zoom.users().len(), 7);
    assert_eq!(zoom.heavy_requests(), 0);
}
