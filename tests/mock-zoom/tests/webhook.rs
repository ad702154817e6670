//! Webhook bodies and signatures against the recorded vectors, and `webhook::send` against a
//! small server that the test starts on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use jiff::Timestamp;
use mock_zoom::{MockUser, UserStatus, webhook};
use serde_json::{Value, json};
use tokio::net::TcpListener;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn vector() -> Value {
    fixture(include_str!("../fixtures/webhook-signature-vector.json"))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

#[test]
fn sign_matches_vector() {
    let vector = vector();
    let timestamp: i64 = text(&vector, "x-zm-request-timestamp")
        .parse()
        .expect("timestamp is an integer");

    let signature = webhook::sign(
        text(&vector, "secret_token"),
        timestamp,
        text(&vector, "raw_body").as_bytes(),
    );

    assert_eq!(signature, text(&vector, "x-zm-signature"));
}

#[test]
fn sign_depends_on_every_input() {
    let vector = vector();
    let secret = text(&vector, "secret_token");
    let body = text(&vector, "raw_body").as_bytes();
    let expected = text(&vector, "x-zm-signature");

    assert_ne!(webhook::sign("other", 1740439732, body), expected);
    assert_ne!(webhook::sign(secret, 1740439733, body), expected);
    assert_ne!(webhook::sign(secret, 1740439732, b"{}"), expected);
}

#[test]
fn url_validation_matches_fixtures() {
    let secret = text(&vector(), "secret_token").to_owned();
    let request = fixture(include_str!("../fixtures/url-validation-request.json"));
    let response = fixture(include_str!("../fixtures/url-validation-response.json"));
    let plain_token = text(&response, "plainToken");

    let body = webhook::url_validation_event(plain_token);
    let mut event: Value = serde_json::from_str(&body).expect("event is JSON");
    let event_ts = event["event_ts"].as_i64().expect("event_ts is an integer");
    event["event_ts"] = request["event_ts"].clone();

    assert_eq!(event, request);
    // Zoom sends the payload first. serde_json sorts parsed keys, so the raw text is checked.
    assert!(body.starts_with(r#"{"payload":{"plainToken":"#), "{body}");
    assert!(
        event_ts > 1_700_000_000_000,
        "event_ts {event_ts} is not in milliseconds"
    );
    assert_eq!(
        webhook::url_validation_token(&secret, plain_token),
        text(&response, "encryptedToken")
    );
}

#[test]
fn deauthorization_event_matches_vector() {
    let vector = vector();
    let at = Timestamp::from_millisecond(1740439732278).expect("valid timestamp");

    let body = webhook::deauthorization_event(
        "fakeAcct0000000000000A",
        "fakeUser0000000000001A",
        "fakeClientId000000000",
        at,
    );
    let event: Value = serde_json::from_str(&body).expect("event is JSON");
    let signature = text(&event["payload"], "signature");

    assert_eq!(signature.len(), 64, "{signature}");
    assert!(
        signature.chars().all(|c| c.is_ascii_hexdigit()),
        "{signature}"
    );
    assert_eq!(
        text(&event["payload"], "deauthorization_time"),
        "2025-02-24T23:28:52.278Z"
    );
    // The vector's deauthorization_time lies one year after its event_ts, which a single `at`
    // cannot produce, so the random signature and that time are swapped for the vector's.
    let fixture_signature = "fakeSignature0000000000000000000000000000000000000000000000000000";
    let comparable = body
        .replace(signature, fixture_signature)
        .replace("2025-02-24T23:28:52.278Z", "2026-02-24T23:28:52.278Z");
    assert_eq!(comparable, text(&vector, "raw_body"));
    let again = webhook::deauthorization_event("a", "u", "c", at);
    let again: Value = serde_json::from_str(&again).expect("event is JSON");
    assert_ne!(again["payload"]["signature"], event["payload"]["signature"]);
}

fn member_four() -> MockUser {
    let at = Timestamp::from_second(1_740_000_000).expect("valid timestamp");
    MockUser {
        id: Some("fakeUser0000000000004D".to_owned()),
        email: "member.four@example.test".to_owned(),
        first_name: "Member".to_owned(),
        last_name: "Four".to_owned(),
        display_name: "Member Four".to_owned(),
        status: UserStatus::Inactive,
        user_type: 1,
        role_id: "2".to_owned(),
        group_ids: Vec::new(),
        dept: String::new(),
        login_types: vec![100],
        created_at: at,
        last_login_time: None,
        last_client_version: None,
        timezone: "UTC".to_owned(),
        language: "en-US".to_owned(),
        pmi: 1_234_567_890,
    }
}

#[test]
fn user_event_matches_fixture_shape() {
    let expected = fixture(include_str!("../fixtures/webhook-user-deactivated.json"));

    let body = webhook::user_event("user.deactivated", &member_four());
    let mut event: Value = serde_json::from_str(&body).expect("event is JSON");
    assert!(
        event["event_ts"]
            .as_i64()
            .is_some_and(|ts| ts > 1_700_000_000_000)
    );
    event["event_ts"] = expected["event_ts"].clone();

    assert!(
        body.starts_with(r#"{"event":"user.deactivated","event_ts":"#),
        "{body}"
    );
    assert_eq!(event["event"], "user.deactivated");
    assert_eq!(event["payload"]["object"], expected["payload"]["object"]);
    assert_eq!(
        event["payload"]["account_id"],
        expected["payload"]["account_id"]
    );
    assert_eq!(event["payload"]["operator"], "owner.one@example.test");
    assert_eq!(event["payload"]["operator_id"], "fakeUser0000000000001A");
}

#[test]
fn user_event_for_account_sets_account() {
    let mut pending = member_four();
    pending.id = None;
    pending.status = UserStatus::Pending;

    let body = webhook::user_event_for_account("user.created", "otherAcct", &pending);
    let event: Value = serde_json::from_str(&body).expect("event is JSON");

    assert_eq!(event["payload"]["account_id"], "otherAcct");
    assert_eq!(event["payload"]["object"].get("id"), None);
}

/// One request received by the test server.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: String,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

/// Records the request. Returns the URL validation response of an endpoint whose secret is
/// `receiver-secret`, or 202 with `{"received": true}` for other events.
async fn receive(
    State(inbox): State<Inbox>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let body = String::from_utf8(body.to_vec()).expect("webhook bodies are UTF-8");
    let event: Value = serde_json::from_str(&body).expect("webhook bodies are JSON");
    inbox
        .lock()
        .expect("inbox lock")
        .push(Received { headers, body });

    if event["event"] == "endpoint.url_validation" {
        let plain_token = event["payload"]["plainToken"].as_str().unwrap_or_default();
        let validation = json!({
            "plainToken": plain_token,
            "encryptedToken": webhook::url_validation_token("receiver-secret", plain_token),
        });
        return (StatusCode::OK, validation.to_string());
    }
    (StatusCode::ACCEPTED, json!({"received": true}).to_string())
}

async fn start_receiver() -> (String, Inbox) {
    let inbox = Inbox::default();
    let app = Router::new()
        .route("/zoom/events", post(receive))
        .with_state(inbox.clone());
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("binding the test server");
    let addr = listener.local_addr().expect("reading the bound address");
    tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("serving the test server");
    });
    (format!("http://{addr}/zoom/events"), inbox)
}

fn header<'a>(received: &'a Received, name: &str) -> &'a str {
    received
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("missing header {name}"))
}

#[tokio::test]
async fn send_posts_signed_event() {
    let (url, inbox) = start_receiver().await;
    let body = webhook::deauthorization_event(
        "fakeAcct0000000000000A",
        "fakeUser0000000000001A",
        "mock-client-id",
        Timestamp::now(),
    );
    let timestamp = Timestamp::now().as_second();

    let (status, response_body) = webhook::send(&url, "receiver-secret", timestamp, &body)
        .await
        .expect("sending the webhook");

    assert_eq!(status, 202);
    assert_eq!(response_body, r#"{"received":true}"#);
    let received = inbox.lock().expect("inbox lock").clone();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.body, body);
    assert_eq!(
        header(request, "x-zm-signature"),
        webhook::sign("receiver-secret", timestamp, body.as_bytes())
    );
    assert_eq!(
        header(request, "x-zm-request-timestamp"),
        timestamp.to_string()
    );
    let expected = fixture(include_str!("../fixtures/webhook-request-headers.json"));
    for name in expected.as_object().expect("object").keys() {
        assert!(
            request.headers.contains_key(name.as_str()),
            "missing header {name}"
        );
    }
    assert_eq!(header(request, "user-agent"), "Zoom Marketplace/1.0a");
    assert!(header(request, "content-type").starts_with("application/json"));
    let request_id = header(request, "x-zm-request-id");
    let lengths: Vec<usize> = request_id.split('_').map(str::len).collect();
    assert_eq!(lengths, [8, 4, 4, 4, 12], "{request_id}");
}

#[tokio::test]
async fn send_returns_url_validation_response() {
    let (url, _inbox) = start_receiver().await;
    let body = webhook::url_validation_event("plain-token-1");

    let (status, response_body) =
        webhook::send(&url, "receiver-secret", Timestamp::now().as_second(), &body)
            .await
            .expect("sending the webhook");
    let validation: Value = serde_json::from_str(&response_body).expect("response is JSON");

    assert_eq!(status, 200);
    assert_eq!(validation["plainToken"], "plain-token-1");
    assert_eq!(
        validation["encryptedToken"],
        webhook::url_validation_token("receiver-secret", "plain-token-1")
    );
}
