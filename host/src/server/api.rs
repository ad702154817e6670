//! The JSON API under `/api/`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

use crate::app::App;

/// An API error: a status and a one-line message, logged when it is a server fault.
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        let message = format!("{error:#}");
        tracing::error!(error = %message, "API request failed");
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        match error {
            crate::store::StoreError::ConnectionNotFound(_) => ApiError::new(StatusCode::NOT_FOUND, error.to_string()),
            other => anyhow::Error::from(other).into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

#[derive(Serialize)]
struct ConnectionView {
    name: String,
    connector: String,
    state: String,
    state_detail: Option<String>,
    account_id: Option<String>,
    users: u64,
    last_sync_status: Option<String>,
    last_sync_at: Option<String>,
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn connections(State(app): State<Arc<App>>) -> Result<Json<Vec<ConnectionView>>, ApiError> {
    let mut views = Vec::new();
    for connection in app.db.connections().await? {
        let last = app.db.sync_runs(connection.id, 1).await?.into_iter().next();
        views.push(ConnectionView {
            users: app.db.user_counts(connection.id).await?.total,
            last_sync_status: last.as_ref().map(|run| run.status.to_string()),
            last_sync_at: last.and_then(|run| run.finished_at).and_then(|at| jiff::Timestamp::from_second(at).ok()).map(|at| at.to_string()),
            name: connection.name,
            connector: connection.connector_id,
            state: connection.state.to_string(),
            state_detail: connection.state_detail,
            account_id: connection.account_id,
        });
    }
    Ok(Json(views))
}

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/api/health", get(health)).route("/api/connections", get(connections))
}
