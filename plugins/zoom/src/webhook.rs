//! `handle-webhook`: verifies Zoom's signature with the connection's webhook secret, which
//! the host applies without revealing it, and parses the events Roster acts on.

use serde::Deserialize;

use crate::bindings::roster::connector::secrets::{self, SecretError};
use crate::bindings::roster::connector::types::{
    ConnectorError, Deauthorization, UpstreamError, WebhookEvent, WebhookOutcome, WebhookRequest,
};
use crate::errors::header;
use crate::time::parse_rfc3339;

/// Name of the connection secret that signs Zoom's webhooks (the app's "Secret Token").
const WEBHOOK_SECRET: &str = "webhook-secret";
/// Zoom does not set a replay window; requests older or newer than this are rejected.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

fn rejected(message: String) -> ConnectorError {
    ConnectorError::Unauthorized(UpstreamError {
        status: 401,
        code: None,
        message,
        hint: Some("check that the app's Secret Token matches the connection's --webhook-secret".to_string()),
    })
}

fn secret_error(error: SecretError) -> ConnectorError {
    match error {
        SecretError::NotFound(detail) => rejected(format!("cannot verify the webhook: {detail}")),
        SecretError::Denied(detail) => ConnectorError::Internal(format!("the host rejected the webhook secret request: {detail}")),
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Checks the timestamp window and the `x-zm-signature` HMAC over `v0:{timestamp}:{body}`.
/// Returns the signature, which is unique per delivery.
fn verify(request: &WebhookRequest) -> Result<String, ConnectorError> {
    let timestamp = header(&request.headers, "x-zm-request-timestamp")
        .ok_or_else(|| rejected("the x-zm-request-timestamp header is missing".to_string()))?;
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| rejected(format!("x-zm-request-timestamp {timestamp:?} is not a number of seconds")))?;
    if (request.received_at - seconds).abs() > MAX_CLOCK_SKEW_SECONDS {
        return Err(rejected(format!(
            "x-zm-request-timestamp {seconds} is more than {MAX_CLOCK_SKEW_SECONDS} s from the time of receipt {}",
            request.received_at
        )));
    }

    let signature = header(&request.headers, "x-zm-signature")
        .ok_or_else(|| rejected("the x-zm-signature header is missing".to_string()))?;
    let digest = signature
        .strip_prefix("v0=")
        .and_then(decode_hex)
        .ok_or_else(|| rejected("x-zm-signature is not of the form v0=<hex>".to_string()))?;

    let mut message = format!("v0:{seconds}:").into_bytes();
    message.extend_from_slice(&request.body);
    let valid = secrets::verify_hmac_sha256(WEBHOOK_SECRET, &message, &digest).map_err(secret_error)?;
    if !valid {
        return Err(rejected("x-zm-signature does not match the body".to_string()));
    }
    Ok(signature.to_string())
}

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    payload: serde_json::Value,
}

fn text(value: &serde_json::Value, field: &str) -> Option<String> {
    value.get(field).and_then(|field| field.as_str()).map(str::to_string).filter(|text| !text.is_empty())
}

/// Parses a verified body into what the host acts on.
pub fn parse_event(body: &[u8], hmac: impl Fn(&[u8]) -> Result<Vec<u8>, ConnectorError>) -> Result<WebhookOutcome, ConnectorError> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|error| ConnectorError::InvalidInput(format!("the webhook body is not a Zoom event: {error}")))?;
    let payload = &envelope.payload;

    match envelope.event.as_str() {
        "endpoint.url_validation" => {
            let plain_token = text(payload, "plainToken")
                .ok_or_else(|| ConnectorError::InvalidInput("endpoint.url_validation without payload.plainToken".to_string()))?;
            let encrypted_token = encode_hex(&hmac(plain_token.as_bytes())?);
            let answer = serde_json::json!({ "plainToken": plain_token, "encryptedToken": encrypted_token });
            Ok(WebhookOutcome::Challenge(answer.to_string()))
        }
        "app_deauthorized" => {
            let account_id = text(payload, "account_id")
                .ok_or_else(|| ConnectorError::InvalidInput("app_deauthorized without payload.account_id".to_string()))?;
            Ok(WebhookOutcome::Deauthorized(Deauthorization {
                account_id,
                user_id: text(payload, "user_id"),
                client_id: text(payload, "client_id"),
                at: text(payload, "deauthorization_time").and_then(|at| parse_rfc3339(&at)),
            }))
        }
        event if event.starts_with("user.") => {
            let object = payload.get("object").cloned().unwrap_or_default();
            let key = text(&object, "id").or_else(|| text(&object, "email").map(|email| email.to_lowercase()));
            match key {
                Some(key) => Ok(WebhookOutcome::UserChanged(key)),
                None => Ok(WebhookOutcome::Ignored(event.to_string())),
            }
        }
        other => Ok(WebhookOutcome::Ignored(other.to_string())),
    }
}

/// The `handle-webhook` export.
pub fn handle(request: WebhookRequest) -> Result<WebhookEvent, ConnectorError> {
    let delivery_id = verify(&request)?;
    let outcome = parse_event(&request.body, |message| {
        secrets::hmac_sha256(WEBHOOK_SECRET, message).map_err(secret_error)
    })?;
    Ok(WebhookEvent { delivery_id, outcome })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_hmac(message: &[u8]) -> Result<Vec<u8>, ConnectorError> {
        Ok(message.iter().rev().copied().collect())
    }

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(encode_hex(&[0, 255, 16]), "00ff10");
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
    }

    #[test]
    fn url_validation_answers_challenge() {
        let body = br#"{"payload":{"plainToken":"ab"},"event_ts":1740439732278,"event":"endpoint.url_validation"}"#;
        let WebhookOutcome::Challenge(answer) = parse_event(body, fake_hmac).unwrap() else { panic!() };
        assert_eq!(answer, r#"{"encryptedToken":"6261","plainToken":"ab"}"#);
    }

    #[test]
    fn deauthorization_fields() {
        let body = br#"{"event":"app_deauthorized","event_ts":1740439732278,"payload":{"account_id":"acct","user_id":"u1","signature":"s","deauthorization_time":"2026-02-24T23:28:52.278Z","client_id":"c1"}}"#;
        let WebhookOutcome::Deauthorized(event) = parse_event(body, fake_hmac).unwrap() else { panic!() };
        assert_eq!(event.account_id, "acct");
        assert_eq!(event.user_id.as_deref(), Some("u1"));
        assert_eq!(event.client_id.as_deref(), Some("c1"));
        assert_eq!(event.at, Some(1_771_975_732));
    }

    #[test]
    fn user_events_name_the_user() {
        let body = br#"{"event":"user.deactivated","payload":{"account_id":"a","object":{"id":"u9","email":"x@example.test"}}}"#;
        let WebhookOutcome::UserChanged(key) = parse_event(body, fake_hmac).unwrap() else { panic!() };
        assert_eq!(key, "u9");
        let body = br#"{"event":"meeting.started","payload":{}}"#;
        let WebhookOutcome::Ignored(event) = parse_event(body, fake_hmac).unwrap() else { panic!() };
        assert_eq!(event, "meeting.started");
    }

    #[test]
    fn malformed_bodies_are_invalid_input() {
        assert!(matches!(parse_event(b"nope", fake_hmac), Err(ConnectorError::InvalidInput(_))));
        let body = br#"{"event":"app_deauthorized","payload":{}}"#;
        let Err(ConnectorError::InvalidInput(message)) = parse_event(body, fake_hmac) else { panic!() };
        assert_eq!(message, "app_deauthorized without payload.account_id");
    }
}
