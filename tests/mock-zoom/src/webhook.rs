//! Signed Zoom webhook requests: event bodies, the `x-zm-signature` value, and a sender that
//! posts them to a loopback URL.
//!
//! Zoom signs the message `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256, keyed by
//! the app's secret token, and sends `v0=` followed by the lowercase hex digest.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use mock_zoom::webhook;
//!
//! let body = webhook::deauthorization_event(
//!     "fakeAcct0000000000000A",
//!     "fakeUser0000000000001A",
//!     "mock-client-id",
//!     jiff::Timestamp::now(),
//! );
//! let timestamp = jiff::Timestamp::now().as_second();
//! let (status, _body) =
//!     webhook::send("http://127.0.0.1:8080/zoom/events", "secret", timestamp, &body).await?;
//! assert_eq!(status, 200);
//! # Ok(())
//! # }
//! ```

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use reqwest::Url;
use serde::Serialize;
use sha2::Sha256;

use crate::MockConfig;
use crate::mock_user::MockUser;
use crate::tokens::random_string;

/// Id of the account owner, the first fixture user, whom user events name as the operator.
const OWNER_ID: &str = "fakeUser0000000000001A";
/// Email of the account owner.
const OWNER_EMAIL: &str = "owner.one@example.test";

/// Maximum time `send` waits for the whole exchange.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Returns the `x-zm-signature` header value for `body` sent at `timestamp` (Unix seconds):
/// `v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed by `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = hmac_sha256(secret);
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Returns the `encryptedToken` that an endpoint must return for a URL validation event: the
/// hex HMAC-SHA256 of `plain_token` keyed by `secret`.
pub fn url_validation_token(secret: &str, plain_token: &str) -> String {
    let mut mac = hmac_sha256(secret);
    mac.update(plain_token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn hmac_sha256(secret: &str) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length")
}

/// Envelope of the events whose `event` field comes first.
#[derive(Serialize)]
struct Event<'a, P> {
    event: &'a str,
    /// Milliseconds since the Unix epoch.
    event_ts: i64,
    payload: P,
}

#[derive(Serialize)]
struct DeauthorizationPayload<'a> {
    account_id: &'a str,
    user_id: &'a str,
    signature: String,
    deauthorization_time: String,
    client_id: &'a str,
}

/// Returns the compact JSON body of an `app_deauthorized` event, sent when a user removes the
/// app. `at` gives both `event_ts` and `deauthorization_time`, and `payload.signature` is a
/// fresh random 64-digit hex string, as each deauthorization gets a unique one.
pub fn deauthorization_event(
    account_id: &str,
    user_id: &str,
    client_id: &str,
    at: Timestamp,
) -> String {
    let event = Event {
        event: "app_deauthorized",
        event_ts: at.as_millisecond(),
        payload: DeauthorizationPayload {
            account_id,
            user_id,
            signature: hex::encode(rand::random::<[u8; 32]>()),
            deauthorization_time: at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            client_id,
        },
    };
    to_json(&event)
}

/// The URL validation event, whose fields Zoom sends in this order.
#[derive(Serialize)]
struct UrlValidationEvent<'a> {
    payload: UrlValidationPayload<'a>,
    event_ts: i64,
    event: &'static str,
}

#[derive(Serialize)]
struct UrlValidationPayload<'a> {
    #[serde(rename = "plainToken")]
    plain_token: &'a str,
}

/// Returns the compact JSON body of an `endpoint.url_validation` event, which Zoom sends to
/// check that an endpoint has the secret token. The expected response is
/// `{"plainToken": plain_token, "encryptedToken": url_validation_token(secret, plain_token)}`.
pub fn url_validation_event(plain_token: &str) -> String {
    let event = UrlValidationEvent {
        payload: UrlValidationPayload { plain_token },
        event_ts: Timestamp::now().as_millisecond(),
        event: "endpoint.url_validation",
    };
    to_json(&event)
}

#[derive(Serialize)]
struct UserPayload<'a> {
    account_id: &'a str,
    operator: &'a str,
    operator_id: &'a str,
    object: UserObject<'a>,
}

#[derive(Serialize)]
struct UserObject<'a> {
    /// Absent for users without an id, such as pending users.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    #[serde(rename = "type")]
    user_type: i64,
}

/// Returns the compact JSON body of a user event such as `user.deactivated` or
/// `user.updated`, for `user` on the default account (`MockConfig::default().account_id`),
/// with the account owner as the operator and `event_ts` set to now.
pub fn user_event(event: &str, user: &MockUser) -> String {
    user_event_for_account(event, &MockConfig::default().account_id, user)
}

/// Returns the same body as [`user_event`] for the account `account_id`.
pub fn user_event_for_account(event: &str, account_id: &str, user: &MockUser) -> String {
    let event = Event {
        event,
        event_ts: Timestamp::now().as_millisecond(),
        payload: UserPayload {
            account_id,
            operator: OWNER_EMAIL,
            operator_id: OWNER_ID,
            object: UserObject {
                id: user.id.as_deref(),
                first_name: &user.first_name,
                last_name: &user.last_name,
                email: &user.email,
                user_type: user.user_type,
            },
        },
    };
    to_json(&event)
}

fn to_json(event: &impl Serialize) -> String {
    // The event types hold only strings and integers, which always serialize.
    serde_json::to_string(event).expect("webhook events serialize to JSON")
}

/// Posts `body` to `url` as Zoom sends a webhook, signed with `secret` at `timestamp` (Unix
/// seconds), and returns the response status and body. The request carries `content-type`,
/// `user-agent: Zoom Marketplace/1.0a`, `x-zm-request-timestamp`, `x-zm-signature`,
/// `x-zm-request-id` and `x-zm-trackingid`.
///
/// # Errors
///
/// Fails when `url` is not an `http` or `https` URL on a loopback address (`127.0.0.0/8`,
/// `::1` or `localhost`), when the request fails, or after 30 seconds without a full response.
/// Redirects are not followed and proxies are not used.
pub async fn send(
    url: &str,
    secret: &str,
    timestamp: i64,
    body: &str,
) -> anyhow::Result<(u16, String)> {
    let url = loopback_url(url)?;
    let client = http_client()?;
    let response = client
        .post(url.clone())
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Zoom Marketplace/1.0a")
        .header("x-zm-request-timestamp", timestamp.to_string())
        .header("x-zm-signature", sign(secret, timestamp, body.as_bytes()))
        .header("x-zm-request-id", request_id())
        .header(
            "x-zm-trackingid",
            format!("v=2.0;clid=us05;rid={}", random_string("WEB_", 32)),
        )
        .body(body.to_owned())
        .send()
        .await
        .with_context(|| format!("sending the webhook to {url} failed"))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .with_context(|| format!("reading the webhook response from {url} failed"))?;
    Ok((status, text))
}

/// Parses `url` and checks that it names a loopback host, because the mock only talks to
/// servers on this machine.
fn loopback_url(url: &str) -> anyhow::Result<Url> {
    let parsed = Url::parse(url).with_context(|| format!("invalid webhook URL {url:?}"))?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https"),
        "webhook URL {url:?} is not an http or https URL"
    );
    // The URL parser lowercases domains and puts IPv6 addresses in brackets.
    let host = parsed.host_str().unwrap_or_default();
    let is_loopback = match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host == "localhost",
    };
    anyhow::ensure!(
        is_loopback,
        "webhook URL {url:?} is not on a loopback address: mock-zoom only sends to 127.0.0.1, \
         ::1 or localhost"
    );
    Ok(parsed)
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a rustls crypto provider, and building a client needs one.
    // Installing fails only when a provider is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(SEND_TIMEOUT)
        .build()
        .context("building the webhook HTTP client failed")
}

/// Returns a random request id in the form Zoom uses, `8_4_4_4_12` hex digits.
fn request_id() -> String {
    let hex = hex::encode(rand::random::<[u8; 16]>());
    format!(
        "{}_{}_{}_{}_{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::generate_users;

    #[test]
    fn loopback_urls_are_accepted() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://127.1.2.3/hook",
            "https://[::1]:9000/hook",
            "http://LOCALHOST/hook",
        ] {
            assert!(loopback_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn other_urls_are_rejected() {
        for url in [
            "http://192.0.2.1/hook",
            "http://example.test/hook",
            "http://localhost.example.test/hook",
            "https://[2001:db8::1]/hook",
            "ftp://127.0.0.1/hook",
            "127.0.0.1:8080/hook",
            "",
        ] {
            assert!(loopback_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn request_id_has_zoom_shape() {
        let id = request_id();
        let lengths: Vec<usize> = id.split('_').map(str::len).collect();

        assert_eq!(lengths, [8, 4, 4, 4, 12]);
        assert!(id.chars().all(|c| c == '_' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn operator_is_the_account_owner() {
        let owner = &generate_users(7, 1, Timestamp::UNIX_EPOCH)[0];

        assert_eq!(owner.role_id, "0");
        assert_eq!(owner.id.as_deref(), Some(OWNER_ID));
        assert_eq!(owner.email, OWNER_EMAIL);
    }
}
