//! Injected faults: rate limits, server errors, delays, lost responses, token expiry and broken
//! paging.

use std::time::Duration;

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::json;

use crate::api::{ApiError, internal_error, json_response};
use crate::rate_limits::{DAILY_MESSAGE, PER_SECOND_MESSAGE, RateLabel};
use crate::state::{AppState, lock};

/// A fault to inject into requests whose path starts with `path_prefix`.
///
/// Rules are checked in the order they were injected. Each matching rule counts the request,
/// and the first rule whose count falls in its fault window (after `skip`, for `times`
/// requests) applies. A request that one rule faults is not counted by the rules after it, so
/// two rules of `times(1)` on the same path fault two successive requests.
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// Path prefix without the query, e.g. "/v2/users" or "/oauth/token".
    pub path_prefix: String,
    /// Number of matching requests to let through before faulting.
    pub skip: u32,
    /// Number of matching requests to fault after the skipped ones, or `u32::MAX` for all of them.
    pub times: u32,
    pub fault: Fault,
}

impl FaultRule {
    /// Creates a rule that faults the next matching request once.
    pub fn new(path_prefix: &str, fault: Fault) -> Self {
        FaultRule {
            path_prefix: path_prefix.to_owned(),
            skip: 0,
            times: 1,
            fault,
        }
    }

    /// Lets `n` matching requests through before the first fault.
    pub fn skip(self, n: u32) -> Self {
        FaultRule { skip: n, ..self }
    }

    /// Faults `n` matching requests, or every later one when `n` is `u32::MAX`.
    pub fn times(self, n: u32) -> Self {
        FaultRule { times: n, ..self }
    }
}

/// Form of the `Retry-After` header on a 429 response.
#[derive(Clone, Debug)]
pub enum RetryAfter {
    /// Delay in seconds, e.g. `Retry-After: 2`.
    Seconds(u64),
    /// RFC 9110 HTTP-date, e.g. `Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`.
    HttpDate(Timestamp),
    /// ISO 8601 date-time in UTC, e.g. `Retry-After: 2026-12-05T00:00:00Z`, the form
    /// that Zoom's older rate-limit guide showed on daily-limit responses.
    Iso8601(Timestamp),
}

impl RetryAfter {
    /// Formats the header value, dropping sub-second parts of timestamps.
    pub fn header_value(&self) -> String {
        match self {
            RetryAfter::Seconds(seconds) => seconds.to_string(),
            RetryAfter::HttpDate(at) => at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            RetryAfter::Iso8601(at) => at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }
}

/// What happens to a faulted request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 with Zoom's `{code: 429, message}` body: the per-second message, or the daily one
    /// when `daily`. Daily responses also carry `X-RateLimit-Category`, `X-RateLimit-Type`,
    /// `X-RateLimit-Limit` and `X-RateLimit-Remaining`. Per-second responses carry none of them,
    /// because reports of real Zoom 429s show these headers on some responses and not on others.
    TooManyRequests {
        retry_after: Option<RetryAfter>,
        daily: bool,
    },
    /// This status (e.g. 500, 502, 503) with a short HTML body, as a gateway would send.
    ServerError(u16),
    /// Waits this long, then serves the request normally.
    Delay(Duration),
    /// Serves the request normally, so its effects happen (a refresh token rotates, a code is
    /// issued), then waits this long before sending the response. A duration longer than the
    /// client's timeout makes the response get lost. The request log records the request
    /// before the wait.
    LoseResponse(Duration),
    /// Expires every access token issued so far, then rejects this request with code 124
    /// "Access token is expired.".
    ExpireToken,
    /// On a users page: the `next_page_token` of the response repeats the token the request
    /// carried. On a first page, the response has a fresh token, and every page fetched with that
    /// token names the same token again.
    RepeatPageToken,
    /// On a users page: the response carries a fresh `next_page_token` even past the last user,
    /// where pages are empty.
    EndlessPages,
}

/// Paging misbehaviour handed to list handlers as a request extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PagingFault {
    RepeatToken,
    Endless,
}

/// The injected rules with the number of requests each has counted.
#[derive(Default)]
pub(crate) struct FaultTable {
    rules: Vec<(FaultRule, u64)>,
}

impl FaultTable {
    pub fn push(&mut self, rule: FaultRule) {
        self.rules.push((rule, 0));
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Counts a request to `path` against the rules and returns the fault to apply, if any.
    pub fn select(&mut self, path: &str) -> Option<Fault> {
        for (rule, seen) in &mut self.rules {
            if !path.starts_with(&rule.path_prefix) {
                continue;
            }
            *seen += 1;
            let first_faulted = u64::from(rule.skip) + 1;
            let last_faulted = u64::from(rule.skip) + u64::from(rule.times);
            let forever = rule.times == u32::MAX;
            if *seen >= first_faulted && (forever || *seen <= last_faulted) {
                return Some(rule.fault.clone());
            }
        }
        None
    }
}

/// What the middleware should do with a faulted request.
pub(crate) enum FaultAction {
    /// Send this response without calling the handler.
    Respond(Response),
    /// Call the handler after waiting this long.
    DelayThenServe(Duration),
    /// Call the handler, then wait this long before sending its response.
    ServeThenStall(Duration),
    /// Call the handler with this paging behaviour.
    ServeWithPaging(PagingFault),
}

/// Turns `fault` into an action for the request to `path`, applying its side effects.
pub(crate) fn action_for(fault: Fault, path: &str, state: &AppState) -> FaultAction {
    match fault {
        Fault::TooManyRequests { retry_after, daily } => {
            FaultAction::Respond(too_many_requests(retry_after.as_ref(), daily, path))
        }
        Fault::ServerError(status) => FaultAction::Respond(server_error(status)),
        Fault::Delay(duration) => FaultAction::DelayThenServe(duration),
        Fault::LoseResponse(duration) => FaultAction::ServeThenStall(duration),
        Fault::ExpireToken => {
            lock(&state.tokens).expire_all();
            let error = ApiError::expired_token(state.expired_token_status());
            FaultAction::Respond(error.into_response())
        }
        Fault::RepeatPageToken => FaultAction::ServeWithPaging(PagingFault::RepeatToken),
        Fault::EndlessPages => FaultAction::ServeWithPaging(PagingFault::Endless),
    }
}

/// Builds Zoom's 429 response for the endpoint at `path`.
fn too_many_requests(retry_after: Option<&RetryAfter>, daily: bool, path: &str) -> Response {
    let message = if daily {
        DAILY_MESSAGE
    } else {
        PER_SECOND_MESSAGE
    };
    let mut response = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({ "code": 429, "message": message }),
    );

    let mut headers = Vec::new();
    if let Some(retry_after) = retry_after {
        headers.push((RETRY_AFTER.as_str(), retry_after.header_value()));
    }
    if daily {
        let label = RateLabel::of_path(path);
        headers.push(("x-ratelimit-category", label.as_str().to_owned()));
        headers.push(("x-ratelimit-type", "Daily-limit".to_owned()));
        headers.push(("x-ratelimit-limit", label.free_daily_limit().to_string()));
        headers.push(("x-ratelimit-remaining", "0".to_owned()));
    }
    for (name, value) in headers {
        match HeaderValue::from_str(&value) {
            Ok(value) => {
                response.headers_mut().insert(name, value);
            }
            Err(error) => {
                return internal_error(&format!("invalid {name} header {value:?}: {error}"));
            }
        }
    }
    response
}

fn server_error(status: u16) -> Response {
    let Ok(status) = StatusCode::from_u16(status) else {
        return internal_error(&format!(
            "Fault::ServerError has an invalid HTTP status {status}"
        ));
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<html><body><h1>{} {reason}</h1></body></html>\n",
        status.as_u16()
    );
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rules: Vec<FaultRule>) -> FaultTable {
        let mut table = FaultTable::default();
        for rule in rules {
            table.push(rule);
        }
        table
    }

    fn faulted(table: &mut FaultTable, path: &str) -> Option<u16> {
        match table.select(path) {
            Some(Fault::ServerError(status)) => Some(status),
            Some(other) => panic!("unexpected fault {other:?}"),
            None => None,
        }
    }

    #[test]
    fn rule_skips_then_faults_times() {
        let mut table = table(vec![
            FaultRule::new("/v2/users", Fault::ServerError(500))
                .skip(1)
                .times(2),
        ]);
        let results: Vec<Option<u16>> = (0..4).map(|_| faulted(&mut table, "/v2/users")).collect();

        assert_eq!(results, [None, Some(500), Some(500), None]);
    }

    #[test]
    fn rule_ignores_other_paths() {
        let mut table = table(vec![FaultRule::new(
            "/oauth/token",
            Fault::ServerError(503),
        )]);

        assert_eq!(faulted(&mut table, "/v2/users"), None);
        assert_eq!(faulted(&mut table, "/oauth/token"), Some(503));
    }

    #[test]
    fn later_rule_sees_only_unfaulted_requests() {
        let mut table = table(vec![
            FaultRule::new("/v2", Fault::ServerError(500)),
            FaultRule::new("/v2", Fault::ServerError(502)),
        ]);
        let results: Vec<Option<u16>> = (0..3).map(|_| faulted(&mut table, "/v2/roles")).collect();

        assert_eq!(results, [Some(500), Some(502), None]);
    }

    #[test]
    fn times_max_faults_forever() {
        let mut table = table(vec![
            FaultRule::new("/", Fault::ServerError(500)).times(u32::MAX),
        ]);

        assert!((0..100).all(|_| faulted(&mut table, "/v2/users") == Some(500)));
    }

    #[test]
    fn retry_after_formats() {
        let at: Timestamp = "1994-11-06T08:49:37Z".parse().expect("valid timestamp");

        assert_eq!(RetryAfter::Seconds(3).header_value(), "3");
        assert_eq!(
            RetryAfter::HttpDate(at).header_value(),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            RetryAfter::Iso8601(at).header_value(),
            "1994-11-06T08:49:37Z"
        );
    }
}
