//! The request log and the middleware that applies faults and records every response.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;

use crate::api::bearer_token;
use crate::faults::{FaultAction, action_for};
use crate::state::{AppState, lock};
use crate::tokens::random_string;

/// Maximum request body the mock reads. Larger bodies get 413.
const MAX_BODY_BYTES: usize = 1 << 20;

/// One request the mock served, with the status of its response.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string, "" when none.
    pub query: String,
    pub status: u16,
    pub bearer_token: Option<String>,
    pub body: Vec<u8>,
    /// When the request arrived.
    pub at: Timestamp,
}

/// JSON form of a `LoggedRequest` for `GET /_mock/requests`, with the body as UTF-8 text
/// (invalid bytes replaced).
#[derive(Serialize)]
pub(crate) struct LoggedRequestJson<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    status: u16,
    bearer_token: Option<&'a str>,
    body: String,
    at: Timestamp,
}

impl<'a> From<&'a LoggedRequest> for LoggedRequestJson<'a> {
    fn from(request: &'a LoggedRequest) -> Self {
        LoggedRequestJson {
            method: &request.method,
            path: &request.path,
            query: &request.query,
            status: request.status,
            bearer_token: request.bearer_token.as_deref(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            at: request.at,
        }
    }
}

/// Applies any injected fault, runs the handler, tags API responses with `x-zm-trackingid`, and
/// records the request in the request log. Control requests under `/_mock/` bypass all of it,
/// so test plumbing never shows up in the log or trips a fault.
pub(crate) async fn observe(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_mock/") {
        return next.run(request).await;
    }

    let started = Instant::now();
    let at = Timestamp::now();
    let method = request.method().to_string();
    let query = request.uri().query().unwrap_or("").to_owned();
    let bearer = bearer_token(request.headers()).map(str::to_owned);

    // The body is buffered so the log can keep it and the handler can still read it.
    let (parts, body) = request.into_parts();
    let (body, mut response) = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            let request = Request::from_parts(parts, Body::from(bytes.clone()));
            (bytes.to_vec(), serve(&state, &path, request, next).await)
        }
        Err(error) => {
            let message =
                format!("reading the request body failed (limit {MAX_BODY_BYTES} bytes): {error}");
            (
                Vec::new(),
                (StatusCode::PAYLOAD_TOO_LARGE, message).into_response(),
            )
        }
    };

    if path.starts_with("/v2/") {
        let tracking_id = format!("v=2.0;clid=us05;rid=WEB_{}", random_string("", 32));
        if let Ok(value) = HeaderValue::from_str(&tracking_id) {
            response.headers_mut().insert("x-zm-trackingid", value);
        }
    }

    let status = response.status().as_u16();
    // Never log the query or body: they can carry client secrets and tokens.
    tracing::info!(
        %method,
        %path,
        status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "served request"
    );
    lock(&state.log).push(LoggedRequest {
        method,
        path,
        query,
        status,
        bearer_token: bearer,
        body,
        at,
    });
    response
}

async fn serve(state: &AppState, path: &str, mut request: Request, next: Next) -> Response {
    let fault = lock(&state.faults).select(path);
    let Some(fault) = fault else {
        return next.run(request).await;
    };

    tracing::info!(%path, ?fault, "injecting fault");
    match action_for(fault, path, state) {
        FaultAction::Respond(response) => response,
        FaultAction::DelayThenServe(duration) => {
            tokio::time::sleep(duration).await;
            next.run(request).await
        }
        FaultAction::ServeWithPaging(paging) => {
            request.extensions_mut().insert(paging);
            next.run(request).await
        }
    }
}
