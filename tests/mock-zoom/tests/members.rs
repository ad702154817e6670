//! Role and group membership over HTTP: listing, assigning and withdrawing roles, and
//! listing, adding and removing group members.

mod common;

use common::{TextResponse, client, fixture, fixture_config, keys, send, start, token};
use mock_zoom::{CUSTOM_ROLE_ID, GROUP_IDS, MockZoom, UserStatus};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn call(zoom: &MockZoom, method: Method, path: &str, body: Option<&Value>) -> TextResponse {
    let client = client();
    let token = token(&client, zoom).await;
    send(&client, zoom, &token, method, path, body).await
}

fn assert_error(response: &TextResponse, status: StatusCode, code: i64) {
    assert_eq!(response.status, status, "{}", response.text);
    assert_eq!(response.json()["code"], code, "{}", response.text);
}

fn role_of(zoom: &MockZoom, email: &str) -> String {
    zoom.user(email).expect("the user exists").role_id
}

#[tokio::test]
async fn role_members_match_fixture() {
    let zoom = start(fixture_config(7)).await;

    let response = call(&zoom, Method::GET, "/v2/roles/1/members", None).await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/role-members.json"))
    );
}

#[tokio::test]
async fn role_members_page_by_token() {
    let zoom = start(fixture_config(2_000)).await;
    let members = zoom
        .users()
        .iter()
        .filter(|user| user.role_id == "2")
        .count();
    let client = client();
    let token = token(&client, &zoom).await;

    let mut listed = 0;
    let mut next = String::new();
    for _ in 0..100 {
        let path = format!("/v2/roles/2/members?page_size=300&next_page_token={next}");
        let page = send(&client, &zoom, &token, Method::GET, &path, None)
            .await
            .json();
        listed += page["members"].as_array().expect("array").len();
        assert_eq!(page["total_records"], members);
        next = page["next_page_token"].as_str().expect("string").to_owned();
        if next.is_empty() {
            break;
        }
    }
    assert_eq!(listed, members);
}

#[tokio::test]
async fn role_assignment_changes_roles() {
    let zoom = start(fixture_config(7)).await;
    let body = fixture(include_str!("../fixtures/role-assign-request.json"));
    let path = format!("/v2/roles/{CUSTOM_ROLE_ID}/members");

    let response = call(&zoom, Method::POST, &path, Some(&body)).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let expected = fixture(include_str!("../fixtures/role-assign-201.json"));
    assert_eq!(keys(&response.json()), keys(&expected));
    assert_eq!(response.json()["ids"], expected["ids"]);
    assert_eq!(response.json()["add_at"], "2026-03-12T00:00:00Z");
    assert_eq!(role_of(&zoom, "member.three@example.test"), CUSTOM_ROLE_ID);
    assert_eq!(role_of(&zoom, "member.four@example.test"), CUSTOM_ROLE_ID);

    let listed = call(&zoom, Method::GET, &path, None).await.json();
    assert_eq!(listed["total_records"], 2);
}

#[tokio::test]
async fn role_withdrawal_returns_member_role() {
    let zoom = start(fixture_config(7)).await;

    let response = call(
        &zoom,
        Method::DELETE,
        "/v2/roles/1/members/fakeUser0000000000002B",
        None,
    )
    .await;

    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert_eq!(response.text, "");
    assert_eq!(role_of(&zoom, "admin.two@example.test"), "2");

    let again = call(
        &zoom,
        Method::DELETE,
        "/v2/roles/1/members/admin.two@example.test",
        None,
    )
    .await;
    assert_error(&again, StatusCode::BAD_REQUEST, 300);
}

#[tokio::test]
async fn role_errors_use_zoom_codes() {
    let zoom = start(fixture_config(7)).await;
    let member = json!({"members": [{"email": "member.three@example.test"}]});

    for (method, path) in [
        (Method::GET, "/v2/roles/9/members"),
        (Method::POST, "/v2/roles/9/members"),
        (
            Method::DELETE,
            "/v2/roles/9/members/member.three@example.test",
        ),
    ] {
        let response = call(&zoom, method.clone(), path, Some(&member)).await;
        assert_error(&response, StatusCode::BAD_REQUEST, 1034);
    }
    for role in ["0", "2"] {
        let path = format!("/v2/roles/{role}/members");
        let response = call(&zoom, Method::POST, &path, Some(&member)).await;
        assert_error(&response, StatusCode::BAD_REQUEST, 300);
        assert_eq!(
            response.json()["message"],
            "Can't delete or add members for Normal/Owner roles."
        );
    }

    let unknown = json!({"members": [{"email": "member.three@example.test"}, {"id": "fakeUser0000000000099Z"}]});
    let response = call(&zoom, Method::POST, "/v2/roles/1/members", Some(&unknown)).await;
    assert_error(&response, StatusCode::NOT_FOUND, 1001);
    assert_eq!(
        role_of(&zoom, "member.three@example.test"),
        "2",
        "nothing changes"
    );

    let owner = json!({"members": [{"email": "owner.one@example.test"}]});
    let response = call(&zoom, Method::POST, "/v2/roles/1/members", Some(&owner)).await;
    assert_error(&response, StatusCode::BAD_REQUEST, 300);
    assert_eq!(role_of(&zoom, "owner.one@example.test"), "0");

    let empty = call(
        &zoom,
        Method::POST,
        "/v2/roles/1/members",
        Some(&json!({"members": []})),
    )
    .await;
    assert_error(&empty, StatusCode::BAD_REQUEST, 300);
}

#[tokio::test]
async fn groups_list_names_and_counts() {
    let zoom = start(fixture_config(500)).await;
    let response = call(&zoom, Method::GET, "/v2/groups", None).await;
    let body = response.json();
    let expected = fixture(include_str!("../fixtures/groups.json"));

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(keys(&body), keys(&expected));
    assert_eq!(body["total_records"], GROUP_IDS.len());
    assert_eq!(body["groups"][0]["name"], expected["groups"][0]["name"]);
    assert_eq!(body["groups"][1]["name"], expected["groups"][1]["name"]);
    for (group, id) in body["groups"]
        .as_array()
        .expect("array")
        .iter()
        .zip(GROUP_IDS)
    {
        let members = zoom
            .users()
            .iter()
            .filter(|user| user.status != UserStatus::Pending)
            .filter(|user| user.group_ids.iter().any(|group_id| group_id == id))
            .count();
        assert_eq!(group["id"], id);
        assert_eq!(group["total_members"], members, "{id}");
        assert!(group["name"].as_str().is_some_and(|name| !name.is_empty()));
    }
}

#[tokio::test]
async fn group_members_match_fixture() {
    let zoom = start(fixture_config(7)).await;

    let response = call(
        &zoom,
        Method::GET,
        "/v2/groups/fakeGroup000000000001A/members",
        None,
    )
    .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.json(),
        fixture(include_str!("../fixtures/group-members.json"))
    );
}

#[tokio::test]
async fn group_members_are_added_and_removed() {
    let zoom = start(fixture_config(7)).await;
    let group = "fakeGroup000000000002B";
    let path = format!("/v2/groups/{group}/members");
    let body = json!({"members": [{"id": "fakeUser0000000000003C"}, {"email": "Member.Four@example.test"}]});

    let response = call(&zoom, Method::POST, &path, Some(&body)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(
        response.json()["ids"],
        "fakeUser0000000000003C,fakeUser0000000000004D"
    );
    assert_eq!(response.json()["added_at"], "2026-03-12T00:00:00Z");
    let again = call(&zoom, Method::POST, &path, Some(&body)).await;
    assert_eq!(again.status, StatusCode::CREATED);
    let three = zoom.user("member.three@example.test").expect("exists");
    assert_eq!(three.group_ids, [group]);

    let listed = call(&zoom, Method::GET, &path, None).await.json();
    assert_eq!(listed["total_records"], 2);

    let member_path = format!("{path}/member.three@example.test");
    let removed = call(&zoom, Method::DELETE, &member_path, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    assert!(
        zoom.user("member.three@example.test")
            .expect("exists")
            .group_ids
            .is_empty()
    );

    let not_member = call(&zoom, Method::DELETE, &member_path, None).await;
    assert_error(&not_member, StatusCode::NOT_FOUND, 4131);
    let unknown_user = call(
        &zoom,
        Method::DELETE,
        &format!("{path}/nobody@example.test"),
        None,
    )
    .await;
    assert_error(&unknown_user, StatusCode::NOT_FOUND, 1001);
}

#[tokio::test]
async fn unknown_group_is_code_4130() {
    let zoom = start(fixture_config(7)).await;
    let body = json!({"members": [{"id": "fakeUser0000000000003C"}]});

    for (method, path) in [
        (Method::GET, "/v2/groups/fakeGroup000000000099Z/members"),
        (Method::POST, "/v2/groups/fakeGroup000000000099Z/members"),
        (
            Method::DELETE,
            "/v2/groups/fakeGroup000000000099Z/members/fakeUser0000000000003C",
        ),
    ] {
        let response = call(&zoom, method.clone(), path, Some(&body)).await;
        assert_error(&response, StatusCode::NOT_FOUND, 4130);
        assert_eq!(
            response.json()["message"],
            "Group does not exist: fakeGroup000000000099Z.",
            "{method} {path}"
        );
    }
}
