//! `GET /v2/users`, `GET /v2/users/{userId}` and `GET /v2/roles`, over HTTP.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::{all_pages, client, get, start, token};
use mock_zoom::{FIXTURE_NOW, MockConfig, MockUser, MockZoom, UserStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn fixture_config(users: usize) -> MockConfig {
    MockConfig {
        users,
        now: FIXTURE_NOW.parse().expect("FIXTURE_NOW is a timestamp"),
        ..MockConfig::default()
    }
}

/// Returns the key Roster would store for a listed user: its id, or its lowercased email.
fn listed_key(user: &Value) -> String {
    match user["id"].as_str() {
        Some(id) => id.to_owned(),
        None => user["email"]
            .as_str()
            .expect("email is a string")
            .to_lowercase(),
    }
}

fn listed_users(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|page| page["users"].as_array().expect("users is an array").clone())
        .collect()
}

fn invalid_page_token_body() -> Value {
    fixture(include_str!(
        "../fixtures/error-300-invalid-next-page-token.json"
    ))
}

async fn first_page(zoom: &MockZoom, token: &str, query: &str) -> Value {
    let response = get(&client(), zoom, Some(token), &format!("/v2/users?{query}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.json()
}

#[tokio::test]
async fn paging_returns_each_user_once() {
    let zoom = start(MockConfig {
        users: 1_000,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let truth = zoom.users();

    for status in [
        UserStatus::Active,
        UserStatus::Inactive,
        UserStatus::Pending,
    ] {
        let query = format!("status={}&page_size=37", status.as_str());
        let pages = all_pages(&client, &zoom, &token, &query, 100).await;
        let listed: Vec<String> = listed_users(&pages).iter().map(listed_key).collect();
        let unique: HashSet<&String> = listed.iter().collect();
        let expected: Vec<String> = truth
            .iter()
            .filter(|user| user.status == status)
            .map(MockUser::key)
            .collect();

        assert_eq!(
            unique.len(),
            listed.len(),
            "{query}: a user was listed twice"
        );
        assert_eq!(listed, expected, "{query}: listing differs from the truth");
        assert_eq!(
            pages.len(),
            expected.len().div_ceil(37),
            "{query}: page count"
        );
        for page in &pages {
            assert_eq!(page["total_records"], expected.len(), "{query}");
            assert_eq!(page["page_count"], expected.len().div_ceil(37), "{query}");
            assert_eq!(page["page_number"], 1, "{query}");
            assert_eq!(page["page_size"], 37, "{query}");
        }
    }
}

#[tokio::test]
async fn default_listing_is_active_users() {
    let zoom = start(MockConfig::default()).await;
    let token = token(&client(), &zoom).await;

    let page = first_page(&zoom, &token, "").await;
    let active = zoom
        .users()
        .iter()
        .filter(|user| user.status == UserStatus::Active)
        .count();

    assert_eq!(page["page_size"], 30);
    assert_eq!(page["total_records"], active);
    assert!(
        page["users"]
            .as_array()
            .expect("array")
            .iter()
            .all(|user| user["status"] == "active")
    );
}

#[tokio::test]
async fn small_account_matches_fixture_pages() {
    let zoom = start(fixture_config(5)).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let pages = all_pages(&client, &zoom, &token, "page_size=3", 5).await;
    let mut expected_first = fixture(include_str!("../fixtures/list-users-page1.json"));
    let expected_last = fixture(include_str!("../fixtures/list-users-page2-last.json"));

    assert_eq!(pages.len(), 2);
    assert!(
        !pages[0]["next_page_token"]
            .as_str()
            .expect("string")
            .is_empty()
    );
    expected_first["next_page_token"] = pages[0]["next_page_token"].clone();
    assert_eq!(pages[0], expected_first);
    assert_eq!(pages[1], expected_last);
}

#[tokio::test]
async fn pending_users_lack_id() {
    let zoom = start(MockConfig {
        users: 1_000,
        ..fixture_config(0)
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let pages = all_pages(&client, &zoom, &token, "status=pending&page_size=300", 10).await;
    let pending = listed_users(&pages);
    let first = first_page(&zoom, &token, "status=pending").await;

    assert!(pending.len() > 20, "only {} pending users", pending.len());
    for user in &pending {
        assert!(user.get("id").is_none(), "pending user has an id: {user}");
        assert!(
            user.get("last_login_time").is_none(),
            "pending user has a last login: {user}"
        );
        assert!(
            user.get("group_ids").is_none(),
            "pending user has group_ids: {user}"
        );
    }
    assert_eq!(
        first["users"][0],
        fixture(include_str!("../fixtures/list-users-pending.json"))["users"][0]
    );
}

#[tokio::test]
async fn page_size_above_max_is_clamped() {
    let zoom = start(MockConfig {
        users: 1_000,
        ..MockConfig::default()
    })
    .await;
    let token = token(&client(), &zoom).await;

    let page = first_page(&zoom, &token, "page_size=1000").await;

    assert_eq!(page["page_size"], 300);
    assert_eq!(page["users"].as_array().expect("array").len(), 300);
}

#[tokio::test]
async fn invalid_page_size_is_code_300() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;

    for query in [
        "page_size=0",
        "page_size=abc",
        "page_size=-1",
        "status=deleted",
    ] {
        let response = get(&client, &zoom, Some(&token), &format!("/v2/users?{query}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.json()["code"], 300, "{query}");
        assert_eq!(response.json()["message"], "Validation Failed.", "{query}");
    }
}

#[tokio::test]
async fn page_token_with_other_query_is_rejected() {
    let zoom = start(MockConfig {
        users: 200,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let page = first_page(&zoom, &token, "status=active&page_size=10").await;
    let next = page["next_page_token"].as_str().expect("string").to_owned();

    for query in [
        "status=inactive&page_size=10",
        "status=active&page_size=20",
        "status=active&page_size=10&role_id=2",
    ] {
        let path = format!("/v2/users?{query}&next_page_token={next}");
        let response = get(&client, &zoom, Some(&token), &path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.json(), invalid_page_token_body(), "{query}");
    }
    let same_query = get(
        &client,
        &zoom,
        Some(&token),
        &format!("/v2/users?status=active&page_size=10&next_page_token={next}"),
    )
    .await;
    assert_eq!(same_query.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_page_token_is_rejected() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let response = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users?next_page_token=madeUpToken",
    )
    .await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json(), invalid_page_token_body());
}

#[tokio::test]
async fn expired_page_token_is_rejected() {
    let zoom = start(MockConfig {
        users: 100,
        page_token_ttl: Duration::from_millis(200),
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let page = first_page(&zoom, &token, "page_size=10").await;
    let next = page["next_page_token"].as_str().expect("string").to_owned();

    tokio::time::sleep(Duration::from_millis(400)).await;
    let response = get(
        &client,
        &zoom,
        Some(&token),
        &format!("/v2/users?page_size=10&next_page_token={next}"),
    )
    .await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json(), invalid_page_token_body());
}

#[tokio::test]
async fn page_token_can_be_retried() {
    let zoom = start(MockConfig {
        users: 100,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let page = first_page(&zoom, &token, "page_size=10").await;
    let path = format!(
        "/v2/users?page_size=10&next_page_token={}",
        page["next_page_token"].as_str().expect("string")
    );

    let first_try = get(&client, &zoom, Some(&token), &path).await.json();
    let second_try = get(&client, &zoom, Some(&token), &path).await.json();

    assert_eq!(first_try["users"], second_try["users"]);
}

#[tokio::test]
async fn role_filter_lists_matching_users() {
    let zoom = start(MockConfig {
        users: 2_000,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;

    let pages = all_pages(&client, &zoom, &token, "role_id=1&page_size=5", 50).await;
    let admins = listed_users(&pages);
    let expected = zoom
        .users()
        .iter()
        .filter(|user| user.status == UserStatus::Active && user.role_id == "1")
        .count();

    assert!(expected > 1, "only {expected} active admins");
    assert_eq!(admins.len(), expected);
    assert!(admins.iter().all(|user| user["role_id"] == "1"));
}

#[tokio::test]
async fn account_changes_between_pages_are_served() {
    let zoom = start(MockConfig {
        users: 100,
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let token = token(&client, &zoom).await;
    let page = first_page(&zoom, &token, "page_size=10").await;
    let next = page["next_page_token"].as_str().expect("string").to_owned();

    let mut added = zoom.users()[0].clone();
    added.id = Some("fakeUser9999999999999Z".to_owned());
    added.email = "new.user@example.test".to_owned();
    added.role_id = "2".to_owned();
    zoom.add_user(added);
    for user in zoom
        .users()
        .iter()
        .filter(|user| user.status == UserStatus::Active)
        .skip(1)
        .take(15)
    {
        assert!(zoom.remove_user(&user.email.to_uppercase()));
    }
    let response = get(
        &client,
        &zoom,
        Some(&token),
        &format!("/v2/users?page_size=10&next_page_token={next}"),
    )
    .await;
    let rest = all_pages(&client, &zoom, &token, "page_size=10", 50).await;

    assert_eq!(response.status, StatusCode::OK);
    assert!(
        listed_users(&rest)
            .iter()
            .any(|user| user["email"] == "new.user@example.test")
    );
    assert!(!zoom.remove_user("nobody@example.test"));
}

#[tokio::test]
async fn update_user_changes_listing() {
    let zoom = start(fixture_config(7)).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let updated = zoom.update_user("MEMBER.FOUR@example.test", |user| {
        user.status = UserStatus::Inactive;
        user.user_type = 1;
    });
    let inactive = first_page(&zoom, &token, "status=inactive").await;
    let emails: Vec<&str> = inactive["users"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|user| user["email"].as_str())
        .collect();

    assert!(updated);
    assert!(!zoom.update_user("nobody@example.test", |_| {}));
    assert_eq!(
        emails,
        ["member.four@example.test", "former.seven@example.test"]
    );
}

#[tokio::test]
async fn get_user_by_id_email_and_me() {
    let zoom = start(fixture_config(7)).await;
    let client = client();
    let token = token(&client, &zoom).await;
    let expected = fixture(include_str!("../fixtures/user.json"));

    let by_id = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users/fakeUser0000000000002B",
    )
    .await
    .json();
    let by_email = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users/Admin.Two@example.test",
    )
    .await
    .json();
    let me = get(&client, &zoom, Some(&token), "/v2/users/me")
        .await
        .json();
    let pending = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users/pending.five@example.test",
    )
    .await
    .json();

    assert_eq!(by_id, by_email);
    let keys: Vec<&String> = by_id.as_object().expect("object").keys().collect();
    let expected_keys: Vec<&String> = expected.as_object().expect("object").keys().collect();
    assert_eq!(keys, expected_keys);
    for field in [
        "id",
        "email",
        "role_name",
        "role_id",
        "account_id",
        "last_login_time",
        "group_ids",
        "status",
        "type",
    ] {
        assert_eq!(by_id[field], expected[field], "{field}");
    }
    assert_eq!(me["role_name"], "Owner");
    assert_eq!(pending["status"], "pending");
    assert!(pending.get("id").is_none());
}

#[tokio::test]
async fn unknown_user_is_code_1001() {
    let zoom = start(MockConfig::default()).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let response = get(
        &client,
        &zoom,
        Some(&token),
        "/v2/users/fakeUser0000000000099Z",
    )
    .await;

    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/error-1001-user-not-exist.json"))
    );
}

#[tokio::test]
async fn roles_count_current_members() {
    let zoom = start(fixture_config(6)).await;
    let client = client();
    let token = token(&client, &zoom).await;

    let fixture_roles = get(&client, &zoom, Some(&token), "/v2/roles").await.json();
    zoom.update_user("member.three@example.test", |user| {
        user.role_id = "1".to_owned()
    });
    let after_update = get(&client, &zoom, Some(&token), "/v2/roles?type=common")
        .await
        .json();
    let members: HashMap<&str, &Value> = after_update["roles"]
        .as_array()
        .expect("array")
        .iter()
        .map(|role| (role["id"].as_str().expect("id"), &role["total_members"]))
        .collect();
    let iq = get(&client, &zoom, Some(&token), "/v2/roles?type=iq")
        .await
        .json();

    assert_eq!(
        fixture_roles,
        fixture(include_str!("../fixtures/roles.json"))
    );
    assert_eq!(members["1"], &json!(2));
    assert_eq!(members["2"], &json!(3));
    assert_eq!(iq, json!({"total_records": 0, "roles": []}));
}

#[tokio::test]
async fn unknown_api_path_is_code_2300() {
    let zoom = start(MockConfig::default()).await;

    let response = get(&client(), &zoom, None, "/v2/no/such/endpoint").await;

    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.json()["code"], 2300);
}

#[tokio::test]
async fn empty_listing_matches_fixture() {
    let zoom = start(MockConfig::default()).await;
    let token = token(&client(), &zoom).await;

    let page = first_page(&zoom, &token, "status=inactive&role_id=0").await;

    assert_eq!(
        page,
        fixture(include_str!("../fixtures/list-users-empty.json"))
    );
}

#[tokio::test]
async fn me_reports_configured_account_id() {
    let zoom = start(MockConfig {
        account_id: "otherAcct0000000000000B".to_owned(),
        ..MockConfig::default()
    })
    .await;
    let query = "grant_type=account_credentials&account_id=otherAcct0000000000000B";
    let response = common::request_token(
        &client(),
        &zoom,
        "mock-client-id",
        "mock-client-secret",
        query,
    )
    .await;
    let token = response.json()["access_token"]
        .as_str()
        .expect("access_token is a string")
        .to_owned();

    let me = get(&client(), &zoom, Some(&token), "/v2/users/me").await;
    let body = me.json();
    let expected = fixture(include_str!("../fixtures/user-me-basic-owner.json"));

    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(body["account_id"], "otherAcct0000000000000B");
    assert_eq!(body["role_id"], "0");
    assert_eq!(body["role_name"], "Owner");
    assert_eq!(body["email"], expected["email"]);
    assert_eq!(body["id"], expected["id"]);
    for key in expected.as_object().expect("object").keys() {
        assert!(body.get(key).is_some(), "users/me lacks {key}");
    }
}
