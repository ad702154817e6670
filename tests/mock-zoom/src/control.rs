//! Control endpoints under `/_mock/` that let other processes read and steer the mock.
//! They need no token, and they are not faulted or logged.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::api::json_response;
use crate::log::LoggedRequestJson;
use crate::state::{AppState, lock};

/// `GET /_mock/users`: every user of the account, in listing order, as `MockUser` JSON.
pub(crate) async fn users(State(state): State<AppState>) -> Response {
    let users = lock(&state.users).clone();
    json_response(StatusCode::OK, &users)
}

/// `GET /_mock/requests`: the request log, oldest first.
pub(crate) async fn requests(State(state): State<AppState>) -> Response {
    let log = lock(&state.log).clone();
    let entries: Vec<LoggedRequestJson<'_>> = log.iter().map(LoggedRequestJson::from).collect();
    json_response(StatusCode::OK, &entries)
}

/// `POST /_mock/expire-tokens`: expires every access token issued so far.
pub(crate) async fn expire_tokens(State(state): State<AppState>) -> StatusCode {
    lock(&state.tokens).expire_all();
    StatusCode::NO_CONTENT
}
