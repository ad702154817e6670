//! The request log and the middleware that applies faults and records every response.

use std::time::{Duration, Instant};

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
    let (body, served) = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            let request = Request::from_parts(parts, Body::from(bytes.clone()));
            (bytes.to_vec(), serve(&state, &path, request, next).await)
        }
        Err(error) => {
            let message =
                format!("reading the request body failed (limit {MAX_BODY_BYTES} bytes): {error}");
            let response = (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
            (Vec::new(), Served::now(response))
        }
    };
    let Served {
        mut response,
        stall,
    } = served;

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
        path: path.clone(),
        query,
        status,
        bearer_token: bearer,
        body,
        at,
    });

    // The log entry is written before the stall because a client that gives up closes the
    // connection, and the server may then drop this future before it finishes.
    if let Some(stall) = stall {
        tracing::info!(%path, stall_ms = stall.as_millis() as u64, "holding back the response");
        tokio::time::sleep(stall).await;
    }
    response
}

/// A handler's response and how long to hold it back before sending it.
struct Served {
    response: Response,
    stall: Option<Duration>,
}

impl Served {
    fn now(response: Response) -> Served {
        Served {
            response,
            stall: None,
        }
    }
}

async fn serve(state: &AppState, path: &str, mut request: Request, next: Next) -> Served {
    let fault = lock(&state.faults).select(path);
    let Some(fault) = fault else {
        return Served::now(next.run(request).await);
    };

    tracing::info!(%path, ?fault, "injecting fault");
    match action_for(fault, path, state) {
        FaultAction::Respond(response) => Served::now(response),
        FaultAction::DelayThenServe(duration) => {
            tokio::time::sleep(duration).await;
            Served::now(next.run(request).await)
        }
        FaultAction::ServeThenStall(duration) => Served {
            response: next.run(request).await,
            stall: Some(duration),
        },
        FaultAction::ServeWithPaging(paging) => {
            request.extensions_mut().insert(paging);
            Served::now(next.run(request).await)
        }
    }
}
