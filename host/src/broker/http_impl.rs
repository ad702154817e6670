//! Implementation of the `roster:connector/http` interface: requests to declared upstreams,
//! with credentials attached by the host, size limits and retries.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, RETRY_AFTER};

use super::retry::{backoff, is_retryable, parse_retry_after, MAX_ATTEMPTS, MAX_WAIT};
use super::{Broker, ConnectionContext};
use crate::auth::AccessToken;
use crate::runtime::bindings::roster::connector::http::{Host, HttpError, Method, Request, Response};
use crate::runtime::wit::CredentialKind;
use crate::store::{unix_now_ms, ConnectionState, HostCallRecord};

/// Request headers a connector may not set: credentials and hop-by-hop framing belong to the
/// host.
const DENIED_HEADERS: [&str; 7] =
    ["authorization", "cookie", "host", "content-length", "transfer-encoding", "connection", "upgrade"];
/// Response headers a connector never sees.
const HIDDEN_RESPONSE_HEADERS: [&str; 2] = ["set-cookie", "set-cookie2"];
const MAX_PATH_LEN: usize = 8192;
/// Fresh-credential requests honoured per call, so a confused connector cannot hammer the
/// token endpoint.
const MAX_FRESH_CREDENTIALS: u32 = 2;

/// A request that passed policy, ready to send.
struct Prepared {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    credential: CredentialKind,
    pacing: Option<(String, u32)>,
}

/// What happened to a request, for the audit record.
#[derive(Default)]
struct Delivery {
    status: Option<u16>,
    bytes: Option<u64>,
    attempts: u32,
}

fn method_of(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// The path without its query string: queries can hold emails or page tokens, which the
/// audit trail and logs leave out.
fn path_only(path_and_query: &str) -> String {
    path_and_query.split(['?', '#']).next().unwrap_or_default().chars().take(512).collect()
}

impl Broker {
    fn prepare(&mut self, request: &Request) -> Result<Prepared, String> {
        let Some(context) = self.connection.as_ref() else {
            return Err("this call runs without a connection, so no upstream is reachable".to_string());
        };
        if context.connection.state != ConnectionState::Connected {
            return Err(format!(
                "connection `{}` is {}; requests are blocked until it is connected again",
                context.connection.name, context.connection.state
            ));
        }
        let Some(upstream) = context.upstreams.get(&request.upstream) else {
            return Err(format!("upstream `{}` is not declared by the connector", request.upstream));
        };
        if upstream.credential == CredentialKind::HostOnly {
            return Err(format!("upstream `{}` is reserved for the host's own auth flows", request.upstream));
        }

        let path = &request.path_and_query;
        if !path.starts_with('/') || path.len() > MAX_PATH_LEN || path.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("path-and-query must start with `/` and contain no whitespace or control characters".to_string());
        }
        let base = upstream.base_url.as_str().trim_end_matches('/');
        let url = reqwest::Url::parse(&format!("{base}{path}")).map_err(|error| format!("invalid path-and-query: {error}"))?;
        if url.origin() != upstream.base_url.origin() {
            return Err(format!("path-and-query leaves the origin of upstream `{}`", request.upstream));
        }

        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let lower = name.to_ascii_lowercase();
            if DENIED_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-") {
                return Err(format!("header `{lower}` is set by the host, not the connector"));
            }
            let name = HeaderName::from_bytes(lower.as_bytes()).map_err(|_| format!("invalid header name `{lower}`"))?;
            let value = HeaderValue::from_str(value).map_err(|_| format!("invalid value for header `{name}`"))?;
            headers.append(name, value);
        }

        let pacing = match &request.rate_class {
            None => None,
            Some(class) => match context.rate_classes.get(class) {
                Some(per_minute) => Some((class.clone(), *per_minute)),
                None => return Err(format!("rate class `{class}` is not declared by the connector")),
            },
        };

        Ok(Prepared {
            method: method_of(request.method),
            url,
            headers,
            body: request.body.clone(),
            credential: upstream.credential,
            pacing,
        })
    }

    /// Gets the token to attach, replacing the current one when the connector reported it
    /// rejected.
    async fn token(&mut self, context: &ConnectionContext, fresh: bool) -> Result<AccessToken, String> {
        let tokens = self.services.tokens.clone();
        let Some(endpoints) = context.oauth.as_ref() else {
            return Err("the connector declares no OAuth endpoints, so the host has no token to attach".to_string());
        };
        let result = match tokens.access_token(&context.connection, endpoints).await {
            Ok(token) if fresh => tokens.replace_rejected(&context.connection, endpoints, &token.value).await,
            other => other,
        };
        result.map_err(|error| {
            let message = error.to_string();
            tracing::warn!(connection = %context.connection.name, error = %message, "no access token for a brokered request");
            self.audit.set_auth_failure(message.clone());
            format!("no access token: {message}")
        })
    }

    async fn deliver(&mut self, prepared: Prepared, request: &Request, delivery: &mut Delivery) -> Result<Response, HttpError> {
        let context = self.connection.clone().expect("prepare() checked the connection");
        let services = self.services.clone();
        let limits = &services.limits;

        let mut token = None;
        if prepared.credential == CredentialKind::AccessToken {
            let fresh = request.fresh_credentials && self.fresh_credentials_used < MAX_FRESH_CREDENTIALS;
            if fresh {
                self.fresh_credentials_used += 1;
            }
            token = Some(self.token(&context, fresh).await.map_err(HttpError::Denied)?);
        }
        let mut replayed_after_401 = false;

        loop {
            delivery.attempts += 1;
            if let Some((class, per_minute)) = &prepared.pacing {
                services.pacer.wait(context.connection.id, class, *per_minute).await;
            }

            let mut builder = services
                .http
                .request(prepared.method.clone(), prepared.url.clone())
                .headers(prepared.headers.clone())
                .timeout(limits.request_timeout);
            if let Some(token) = &token {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.value.expose()))
                    .map_err(|_| HttpError::Denied("the stored access token is not a valid header value".to_string()))?;
                value.set_sensitive(true);
                builder = builder.header(AUTHORIZATION, value);
            }
            if let Some(body) = &prepared.body {
                builder = builder.body(body.clone());
            }

            let response = match builder.send().await {
                Ok(response) => response,
                Err(error) => {
                    let retry = delivery.attempts < MAX_ATTEMPTS && prepared.method != reqwest::Method::POST;
                    let failure = if error.is_timeout() {
                        HttpError::Timeout
                    } else {
                        HttpError::ConnectionFailed(error.without_url().to_string())
                    };
                    if retry {
                        let delay = backoff(delivery.attempts);
                        tracing::warn!(upstream = %request.upstream, path = %path_only(&request.path_and_query), attempt = delivery.attempts, delay_ms = delay.as_millis() as u64, error = ?failure, "retrying upstream request after a network error");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(failure);
                }
            };
            let status = response.status().as_u16();
            delivery.status = Some(status);

            if status == 401
                && !replayed_after_401
                && let Some(rejected) = &token
            {
                replayed_after_401 = true;
                delivery.attempts -= 1;
                let endpoints = context.oauth.as_ref().expect("a token implies OAuth endpoints");
                let replaced = services.tokens.replace_rejected(&context.connection, endpoints, &rejected.value).await;
                match replaced {
                    Ok(new_token) => {
                        token = Some(new_token);
                        continue;
                    }
                    Err(error) => {
                        let message = error.to_string();
                        self.audit.set_auth_failure(message.clone());
                        return Err(HttpError::Denied(format!("no access token: {message}")));
                    }
                }
            }

            if is_retryable(status, &prepared.method) && delivery.attempts < MAX_ATTEMPTS {
                let requested = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| parse_retry_after(value, SystemTime::now()));
                let delay = requested.unwrap_or_else(|| backoff(delivery.attempts));
                if delay <= MAX_WAIT {
                    tracing::warn!(upstream = %request.upstream, path = %path_only(&request.path_and_query), status, attempt = delivery.attempts, delay_ms = delay.as_millis() as u64, "retrying upstream request");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                tracing::warn!(upstream = %request.upstream, status, wait_s = delay.as_secs(), "upstream asks for a longer wait than a call may spend; returning the answer to the connector");
            }

            return read_response(response, limits.response_bytes, delivery).await;
        }
    }
}

async fn read_response(mut response: reqwest::Response, limit: u64, delivery: &mut Delivery) -> Result<Response, HttpError> {
    if response.content_length().is_some_and(|length| length > limit) {
        return Err(HttpError::TooLarge(limit));
    }
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| !HIDDEN_RESPONSE_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();

    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > limit {
                    return Err(HttpError::TooLarge(limit));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(error) if error.is_timeout() => return Err(HttpError::Timeout),
            Err(error) => return Err(HttpError::ConnectionFailed(error.without_url().to_string())),
        }
    }
    delivery.bytes = Some(body.len() as u64);
    Ok(Response { status, headers, body })
}

impl Host for Broker {
    async fn send(&mut self, request: Request) -> wasmtime::Result<Result<Response, HttpError>> {
        self.http_requests += 1;
        let limit = self.services.limits.http_requests;
        if self.http_requests > limit {
            return Err(self.over_budget("HTTP requests", limit));
        }

        let started = Instant::now();
        let path = path_only(&request.path_and_query);
        let method = method_of(request.method).to_string();
        let mut delivery = Delivery::default();

        let result = match self.prepare(&request) {
            Err(reason) => {
                tracing::warn!(connector = %self.connector, upstream = %request.upstream, method, path, reason, "denied a brokered request");
                Err(HttpError::Denied(reason))
            }
            Ok(prepared) => self.deliver(prepared, &request, &mut delivery).await,
        };

        let (decision, reason) = match &result {
            Ok(_) => ("allowed", None),
            Err(HttpError::Denied(reason)) => ("denied", Some(reason.clone())),
            Err(HttpError::Timeout) => ("failed", Some("timed out".to_string())),
            Err(HttpError::TooLarge(limit)) => ("failed", Some(format!("response larger than {limit} bytes"))),
            Err(HttpError::ConnectionFailed(detail)) => ("failed", Some(format!("connection failed: {detail}"))),
            Err(HttpError::InvalidRequest(detail)) => ("failed", Some(format!("invalid request: {detail}"))),
        };
        let duration = started.elapsed();
        tracing::debug!(upstream = %request.upstream, method, path, status = delivery.status, attempts = delivery.attempts, duration_ms = duration.as_millis() as u64, decision, "brokered request");
        self.audit.push(HostCallRecord {
            at_ms: unix_now_ms(),
            import: "http.send",
            upstream: Some(request.upstream),
            method: Some(method),
            path: Some(path),
            status: delivery.status,
            bytes: delivery.bytes,
            attempts: Some(delivery.attempts),
            duration_ms: Some(duration_ms(duration)),
            decision,
            reason,
        });
        Ok(result)
    }
}

fn duration_ms(duration: Duration) -> i64 {
    duration.as_millis().min(i64::MAX as u128) as i64
}
