//! The JSON API under `/api/`. Its numbers come from the same functions as the CLI's
//! `--format json` output.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::ServerState;
use crate::engagement::Bucket;
use crate::provision::{Operation, ProvisionError, NOT_CONNECTED};
use crate::sync::{SyncError, SyncLock};
use crate::store::{License, UserFilter, UserStatus};
use crate::usage::{usage_report, UsageError, UsageReport};
use crate::views;

/// An API error: a status and a one-line message, logged when it is a server fault.
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }

    fn bad_request(message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        match error.downcast::<crate::store::StoreError>() {
            Ok(store) => store.into(),
            Err(error) => {
                let message = crate::explain::one_line(&error);
                tracing::error!(error = %message, "API request failed");
                ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message }
            }
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        match error {
            crate::store::StoreError::ConnectionNotFound(_) => ApiError::new(StatusCode::NOT_FOUND, error.to_string()),
            other => {
                let message = other.to_string();
                tracing::error!(error = %message, "API request failed");
                ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn connections(State(state): State<Arc<ServerState>>) -> ApiResult<Vec<views::ConnectionStatus>> {
    Ok(Json(views::connection_statuses(&state.app.db).await?))
}

#[derive(Deserialize)]
struct UsersQuery {
    status: Option<String>,
    license: Option<String>,
    engagement: Option<String>,
    #[serde(default)]
    include_removed: bool,
}

async fn users(State(state): State<Arc<ServerState>>, Path(name): Path<String>, Query(query): Query<UsersQuery>) -> ApiResult<Vec<views::UserView>> {
    let connection = state.app.db.connection(&name).await?;
    let status = query.status.as_deref().map(str::parse::<UserStatus>).transpose().map_err(ApiError::bad_request)?;
    let license = query.license.as_deref().map(str::parse::<License>).transpose().map_err(ApiError::bad_request)?;
    let bucket = query.engagement.as_deref().map(str::parse::<Bucket>).transpose().map_err(ApiError::bad_request)?;
    let filter = UserFilter { status, license, include_removed: query.include_removed };
    Ok(Json(views::users(&state.app.db, connection.id, &filter, bucket).await?))
}

async fn engagement(State(state): State<Arc<ServerState>>, Path(name): Path<String>) -> ApiResult<views::EngagementView> {
    let connection = state.app.db.connection(&name).await?;
    Ok(Json(views::engagement_view(&state.app.db, connection.id).await?))
}

async fn seats(State(state): State<Arc<ServerState>>, Path(name): Path<String>) -> ApiResult<crate::seats::SeatsReport> {
    let connection = state.app.db.connection(&name).await?;
    Ok(Json(crate::seats::seats_report(&state.app.db, connection.id).await?))
}

#[derive(Deserialize)]
struct UsageQuery {
    month: Option<String>,
}

async fn usage(State(state): State<Arc<ServerState>>, Path(name): Path<String>, Query(query): Query<UsageQuery>) -> ApiResult<UsageReport> {
    let connection = state.app.db.connection(&name).await?;
    match usage_report(&state.app.db, connection.id, &name, query.month.as_deref()).await {
        Ok(report) => Ok(Json(report)),
        Err(error @ UsageError::InvalidMonth(_)) => Err(ApiError::bad_request(error.to_string())),
        Err(error @ (UsageError::NothingStored(_) | UsageError::MonthNotStored { .. })) => Err(ApiError::new(StatusCode::NOT_FOUND, error.to_string())),
        Err(UsageError::Store(error)) => Err(error.into()),
    }
}

async fn sync_state(State(state): State<Arc<ServerState>>, Path(name): Path<String>) -> ApiResult<super::jobs::JobState> {
    state.app.db.connection(&name).await?;
    Ok(Json(state.jobs.state(&name)))
}

async fn start_sync(State(state): State<Arc<ServerState>>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let connection = state.app.db.connection(&name).await?;
    if let Some(message) = crate::auth::not_connected(&connection, "syncing") {
        return Err(ApiError::new(StatusCode::CONFLICT, message));
    }
    let already_running = || ApiError::new(StatusCode::CONFLICT, format!("a sync of `{name}` is already running"));
    if state.jobs.state(&name).running {
        return Err(already_running());
    }

    // A `roster sync` in another process holds the connection's lock file. Probing it here
    // returns 409 at once instead of starting a job that fails on the lock.
    match SyncLock::acquire(state.app.db.path(), &connection) {
        Ok(probe) => drop(probe),
        Err(error @ SyncError::AlreadyRunning(_)) => {
            tracing::info!(connection = %name, "sync requested while another process syncs");
            return Err(ApiError::new(StatusCode::CONFLICT, error.to_string()));
        }
        Err(error) => return Err(anyhow::Error::from(error).into()),
    }

    if !state.jobs.start(state.app.clone(), name.clone()) {
        return Err(already_running());
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "started" }))).into_response())
}

#[derive(Deserialize)]
struct LicenseBody {
    license: String,
}

/// Runs a user change from the web UI and maps a refusal to 422 with its explanation.
async fn change_user(state: &ServerState, name: &str, operation: Operation) -> Result<Response, ApiError> {
    state.app.db.connection(name).await?;
    match state.app.provision(name, &operation, false, "web").await {
        Ok(result) => Ok(Json(result).into_response()),
        Err(error) => match error.downcast::<ProvisionError>() {
            Ok(refusal) if refusal.kind == NOT_CONNECTED => Err(ApiError::new(StatusCode::CONFLICT, refusal.message)),
            Ok(refusal) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, refusal.message)),
            Err(other) => Err(other.into()),
        },
    }
}

async fn set_license(
    State(state): State<Arc<ServerState>>,
    Path((name, email)): Path<(String, String)>,
    Json(body): Json<LicenseBody>,
) -> Result<Response, ApiError> {
    let license = match body.license.as_str() {
        "basic" => License::Basic,
        "licensed" => License::Licensed,
        other => return Err(ApiError::bad_request(format!("invalid licence {other:?}; expected basic or licensed"))),
    };
    change_user(&state, &name, Operation::SetLicense { email, license }).await
}

async fn deactivate(State(state): State<Arc<ServerState>>, Path((name, email)): Path<(String, String)>) -> Result<Response, ApiError> {
    change_user(&state, &name, Operation::Deactivate { email }).await
}

async fn remove(State(state): State<Arc<ServerState>>, Path((name, email)): Path<(String, String)>) -> Result<Response, ApiError> {
    change_user(&state, &name, Operation::Remove { email, delete: false, transfer_to: None }).await
}

pub fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/connections", get(connections))
        .route("/api/connections/{name}/users", get(users))
        .route("/api/connections/{name}/engagement", get(engagement))
        .route("/api/connections/{name}/seats", get(seats))
        .route("/api/connections/{name}/usage", get(usage))
        .route("/api/connections/{name}/sync", get(sync_state).post(start_sync))
        .route("/api/connections/{name}/users/{email}/license", post(set_license))
        .route("/api/connections/{name}/users/{email}/deactivate", post(deactivate))
        .route("/api/connections/{name}/users/{email}/remove", post(remove))
}
