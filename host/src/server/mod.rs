//! `roster serve`: the HTTP server for the web UI, the REST API and webhooks.
//!
//! - `guard`: rejects foreign host names and cross-origin writes to the UI and API.
//! - `webhooks`: `POST /webhooks/{connector}`, verified by the connector with the
//!   connection's webhook secret.
//! - `api`: the JSON API under `/api/`.
//! - `jobs`: syncs started from the web UI, running in the background.
//! - `ui`: the web UI's pages and assets, built into the binary.

mod api;
mod guard;
mod jobs;
mod ui;
mod webhooks;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::app::App;

pub use guard::AllowedHosts;

/// Largest request body the server reads; webhook events are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// State shared by the handlers.
pub struct ServerState {
    pub app: Arc<App>,
    pub jobs: Arc<jobs::SyncJobs>,
    pub allowed_hosts: AllowedHosts,
}

/// Builds the server's routes with their limits, guard and request logging.
pub fn router(app: Arc<App>, allowed_hosts: AllowedHosts) -> Router {
    let state = Arc::new(ServerState { app, jobs: Arc::new(jobs::SyncJobs::default()), allowed_hosts });
    Router::new()
        .merge(webhooks::routes())
        .merge(api::routes())
        .merge(ui::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::same_origin))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Spans carry the method and path only: queries and headers can hold tokens.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> impl IntoResponse {
    let message = format!("no route for {method} {}; the routes are listed in docs/api.md", uri.path());
    (StatusCode::NOT_FOUND, Json(json!({ "error": message })))
}

async fn method_not_allowed(method: Method, uri: Uri) -> impl IntoResponse {
    let message = format!("{} does not accept {method}; the routes are listed in docs/api.md", uri.path());
    (StatusCode::METHOD_NOT_ALLOWED, Json(json!({ "error": message })))
}

/// Serves until `shutdown` completes, then finishes open requests.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    allowed_hosts: AllowedHosts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "server started");
    axum::serve(listener, router(app, allowed_hosts)).with_graceful_shutdown(shutdown).await?;
    tracing::info!(%address, "server stopped");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("received SIGINT; shutting down"),
        () = terminate => tracing::info!("received SIGTERM; shutting down"),
    }
}
