//! `POST /webhooks/{connector}`: upstream webhook deliveries. The connector verifies each
//! request with a connection's webhook secret; forged, stale and replayed requests get 401
//! and change nothing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use super::api::ApiError;
use super::ServerState;
use crate::app::App;
use crate::auth::credential;
use crate::runtime::wit::{ConnectorError, WebhookEvent, WebhookOutcome, WebhookRequest};
use crate::store::{unix_now, Connection};

/// Accepted deliveries are remembered this long; connectors reject older timestamps anyway.
const DELIVERY_MEMORY_SECONDS: i64 = 3600;
const ACTOR_PREFIX: &str = "webhook";

fn unauthorized(reason: String) -> ApiError {
    tracing::warn!(reason, "rejected a webhook request");
    ApiError::new(StatusCode::UNAUTHORIZED, reason)
}

/// Connections of the connector that can verify webhooks.
async fn candidates(app: &App, connector: &str) -> anyhow::Result<Vec<Connection>> {
    let mut candidates = Vec::new();
    for connection in app.db.connections_of_connector(connector).await? {
        let names = app.db.credential_names(connection.id).await?;
        if names.iter().any(|(name, _)| name == credential::WEBHOOK_SECRET) {
            candidates.push(connection);
        }
    }
    Ok(candidates)
}

/// Asks each candidate connection's connector to verify the request, and returns the first
/// that accepts it with its event.
async fn verify(app: &App, connector: &str, request: &WebhookRequest) -> Result<(Connection, WebhookEvent), ApiError> {
    let candidates = candidates(app, connector).await?;
    if candidates.is_empty() {
        return Err(unauthorized(format!(
            "no connection of connector `{connector}` has a webhook secret; connect one with --webhook-secret"
        )));
    }

    let mut last_reason = String::new();
    for connection in candidates {
        let prepared = match app.prepare(connection.clone()).await {
            Ok(prepared) => prepared,
            Err(error) => {
                tracing::warn!(connection = %connection.name, error = %format!("{error:#}"), "cannot load the connector to verify a webhook");
                continue;
            }
        };
        let broker = app.broker(Some(prepared.context.clone()), &prepared.version);
        match app.runtime.handle_webhook(&prepared.connector, broker, request.clone()).await {
            Ok(Ok(event)) => return Ok((connection, event)),
            Ok(Err(ConnectorError::Unauthorized(error))) => last_reason = error.message,
            Ok(Err(error)) => {
                let explained = crate::explain::explain_connector_error(&error, &prepared.info.name, None);
                tracing::warn!(connection = %connection.name, error = %explained.message, "webhook request verified but not understood");
                return Err(ApiError::new(StatusCode::BAD_REQUEST, explained.message));
            }
            Err(error) => return Err(anyhow::Error::from(error).into()),
        }
    }
    Err(unauthorized(format!("webhook verification failed: {last_reason}")))
}

async fn receive(
    State(state): State<Arc<ServerState>>,
    Path(connector): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let app = &state.app;
    let request = WebhookRequest {
        headers: headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
        received_at: unix_now(),
    };
    let (verified_by, event) = verify(app, &connector, &request).await?;

    if !app.db.record_webhook_delivery(&connector, &event.delivery_id).await? {
        return Err(unauthorized("this delivery was already accepted; replayed requests are rejected".to_string()));
    }
    if let Err(error) = app.db.prune_webhook_deliveries(DELIVERY_MEMORY_SECONDS).await {
        tracing::warn!(error = %error, "cannot prune old webhook deliveries");
    }

    let actor = format!("{ACTOR_PREFIX}:{connector}");
    match event.outcome {
        WebhookOutcome::Challenge(answer) => {
            tracing::info!(connector, connection = %verified_by.name, "responded to a webhook endpoint challenge");
            Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], answer).into_response())
        }
        WebhookOutcome::Deauthorized(deauthorization) => {
            let mut deauthorized = Vec::new();
            for connection in app.db.connections_of_connector(&connector).await? {
                let same_account = connection.account_id.as_deref() == Some(deauthorization.account_id.as_str());
                // A connection whose account was never identified matches on the app's client id.
                let same_app = connection.account_id.is_none() && deauthorization.client_id.as_deref() == Some(connection.client_id.as_str());
                if same_account || same_app {
                    app.deauthorize(&connection, &deauthorization, &event.delivery_id, &actor).await?;
                    deauthorized.push(connection.name);
                }
            }
            if deauthorized.is_empty() {
                tracing::info!(connector, account = %deauthorization.account_id, "deauthorization for an account without a connection");
            }
            Ok(Json(json!({ "status": "deauthorized", "connections": deauthorized })).into_response())
        }
        WebhookOutcome::UserChanged(key) => {
            tracing::info!(connector, connection = %verified_by.name, user = key, "upstream reported a user change");
            Ok(Json(json!({ "status": "noted" })).into_response())
        }
        WebhookOutcome::Ignored(kind) => {
            tracing::debug!(connector, event = kind, "ignored a webhook event");
            Ok(Json(json!({ "status": "ignored", "event": kind })).into_response())
        }
    }
}

pub fn routes() -> Router<Arc<ServerState>> {
    Router::new().route("/webhooks/{connector}", post(receive))
}
