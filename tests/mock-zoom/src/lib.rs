//! A mock Zoom server for Roster's tests, benchmarks and demo, serving Zoom's OAuth and REST API.
//!
//! [`MockZoom::start`] binds `127.0.0.1` on a free port and serves both Zoom hosts from one
//! address: the OAuth host (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`) and the API
//! host (`/v2/...`). Its account is
//! generated from a seed, so tests can compare what Roster stored with [`MockZoom::users`].
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use mock_zoom::{Fault, FaultRule, MockConfig, MockZoom};
//!
//! let zoom = MockZoom::start(MockConfig { users: 1_000, ..MockConfig::default() }).await?;
//! zoom.inject(FaultRule::new("/v2/users", Fault::ServerError(502)).skip(2));
//! // Point the connector at zoom.url(), run a sync, then compare with zoom.users().
//! zoom.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! - `mock_user`: [`MockUser`] and [`UserStatus`].
//! - `accounts`: the seeded account generator, [`generate_users`].
//! - `fixture_users`: the users of the recorded Zoom fixtures, which every account starts with.
//! - `state`: the state shared by handlers, one lock per part.
//! - `tokens`: issued access and refresh tokens, their expiry, scopes and revocation, and the
//!   token requests counted per grant type ([`MockZoom::token_requests`],
//!   [`MockZoom::revoked_tokens`]).
//! - `codes`: authorization codes and their PKCE challenges (`S256` or `plain`).
//! - `scopes`: which scopes each endpoint accepts, and [`KNOWN_SCOPES`].
//! - `api`: JSON responses, Zoom's `{code, message}` errors and the bearer-token extractor.
//! - `authorize`: `GET /oauth/authorize` and [`AuthorizeOutcome`], set with
//!   [`MockZoom::set_authorize_outcome`].
//! - `oauth`: `POST /oauth/token` with the `account_credentials`, `authorization_code` and
//!   `refresh_token` grants.
//! - `revoke`: `POST /oauth/revoke`.
//! - `oauth_request`: parameters and Basic client credentials of the OAuth endpoints.
//! - `oauth_error`: the OAuth endpoints' `{reason, error}` error bodies.
//! - `users`: `GET /v2/users` and `GET /v2/users/{userId}`.
//! - `paging`: `next_page_token` values and the list positions they stand for.
//! - `roles`: `GET /v2/roles`.
//! - `faults`: [`FaultRule`], [`Fault`] and the responses faults produce.
//! - `log`: [`LoggedRequest`] and the middleware that applies faults and logs every response.
//! - `control`: `/_mock/` endpoints for other processes.
//! - [`webhook`]: signed webhook bodies and a sender for loopback URLs: [`webhook::sign`],
//!   [`webhook::url_validation_token`], [`webhook::deauthorization_event`],
//!   [`webhook::url_validation_event`], [`webhook::user_event`],
//!   [`webhook::user_event_for_account`] and [`webhook::send`].

mod accounts;
mod api;
mod authorize;
mod codes;
mod control;
mod faults;
mod fixture_users;
mod log;
mod mock_user;
mod oauth;
mod oauth_error;
mod oauth_request;
mod paging;
mod revoke;
mod roles;
mod scopes;
mod state;
mod tokens;
mod users;
pub mod webhook;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use accounts::{CUSTOM_ROLE_ID, EMAIL_DOMAIN, GROUP_IDS, generate_users};
pub use authorize::AuthorizeOutcome;
pub use faults::{Fault, FaultRule, RetryAfter};
pub use fixture_users::FIXTURE_NOW;
pub use log::LoggedRequest;
pub use mock_user::{MockUser, UserStatus};
pub use scopes::KNOWN_SCOPES;
pub use users::MAX_PAGE_SIZE;

use state::{AppState, Shared, lock};

/// How long `shutdown` waits for open requests (a `Fault::Delay`, say) before it aborts them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Settings of one mock server.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Seed of the account generator.
    pub seed: u64,
    /// Total generated users: active, inactive and pending.
    pub users: usize,
    /// The only `account_id` the token endpoint accepts.
    pub account_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// Access-token lifetime, reported in whole seconds as `expires_in`.
    pub token_ttl: Duration,
    /// How long a `next_page_token` stays valid. Zoom documents 15 minutes.
    pub page_token_ttl: Duration,
    /// Scopes granted to issued tokens.
    pub scopes: Vec<String>,
    /// HTTP status of code 124 responses: 400 in Zoom's OpenAPI spec, 401 in real traffic.
    pub expired_token_status: u16,
    /// Lifetime of authorization codes. Zoom documents 5 minutes.
    pub code_ttl: Duration,
    /// HTTP status of the token endpoint's response to an unknown, rotated or revoked refresh
    /// token: 400 with `invalid_grant` (the default, seen since 2024), or 401 with the older
    /// `invalid_request` body.
    pub invalid_refresh_status: u16,
    /// Anchor for generated dates, such as last logins. Token expiry uses the system clock.
    pub now: Timestamp,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            seed: 7,
            users: 50,
            account_id: "fakeAcct0000000000000A".to_owned(),
            client_id: "mock-client-id".to_owned(),
            client_secret: "mock-client-secret".to_owned(),
            token_ttl: Duration::from_secs(3599),
            page_token_ttl: Duration::from_secs(15 * 60),
            scopes: KNOWN_SCOPES
                .iter()
                .map(|scope| (*scope).to_owned())
                .collect(),
            expired_token_status: 401,
            code_ttl: Duration::from_secs(5 * 60),
            invalid_refresh_status: 400,
            now: Timestamp::now(),
        }
    }
}

/// A running mock Zoom server. Dropping it stops accepting connections without waiting for
/// open requests. [`MockZoom::shutdown`] waits for them.
pub struct MockZoom {
    state: AppState,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockZoom {
    /// Binds 127.0.0.1:0 and serves both the OAuth host (/oauth/...) and the API host (/v2/...).
    pub async fn start(config: MockConfig) -> anyhow::Result<MockZoom> {
        MockZoom::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts the server on `addr`, which must be a loopback address because the mock is a
    /// test tool. Port 0 picks a free port.
    pub async fn start_on(config: MockConfig, addr: SocketAddr) -> anyhow::Result<MockZoom> {
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "listen address {addr} is not a loopback address: mock-zoom is a test tool, \
             so use 127.0.0.1 or ::1"
        );
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding mock-zoom to {addr} failed"))?;
        let addr = listener
            .local_addr()
            .context("reading the bound address failed")?;

        let users = generate_users(config.seed, config.users, config.now);
        let state = Arc::new(Shared::new(config, format!("http://{addr}"), users));
        let app = router(state.clone());

        let (shutdown_sender, shutdown_receiver) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let stop = async {
                // A dropped sender also means stop.
                let _ = shutdown_receiver.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(%error, %addr, "mock-zoom server failed");
            }
        });
        let (users, seed) = (state.config.users, state.config.seed);
        tracing::info!(%addr, users, seed, "mock-zoom started");

        Ok(MockZoom {
            state,
            addr,
            shutdown: Some(shutdown_sender),
            task: Some(task),
        })
    }

    /// Returns the base URL, "http://127.0.0.1:PORT", with no trailing slash.
    pub fn url(&self) -> String {
        self.state.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn config(&self) -> &MockConfig {
        &self.state.config
    }

    /// Returns the current truth: every user of every status, in listing order.
    pub fn users(&self) -> Vec<MockUser> {
        lock(&self.state.users).clone()
    }

    /// Appends `user` to the account. Emails are not checked for uniqueness.
    pub fn add_user(&self, user: MockUser) {
        lock(&self.state.users).push(user);
    }

    /// Removes every user whose email equals `email`, ignoring case, and returns whether any
    /// matched.
    pub fn remove_user(&self, email: &str) -> bool {
        let mut users = lock(&self.state.users);
        let before = users.len();
        users.retain(|user| !user.email.eq_ignore_ascii_case(email));
        users.len() != before
    }

    /// Applies `f` to the first user whose email equals `email`, ignoring case, and returns
    /// whether one was found. The user keeps its place in the listing order.
    pub fn update_user(&self, email: &str, f: impl FnOnce(&mut MockUser)) -> bool {
        let mut users = lock(&self.state.users);
        match users
            .iter_mut()
            .find(|user| user.email.eq_ignore_ascii_case(email))
        {
            Some(user) => {
                f(user);
                true
            }
            None => false,
        }
    }

    /// Adds a fault rule after the existing ones.
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.state.faults).push(rule);
    }

    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Expires every access token issued so far. Later grants issue working tokens again.
    pub fn expire_tokens(&self) {
        lock(&self.state.tokens).expire_all();
    }

    /// Returns how many access tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> usize {
        lock(&self.state.tokens).issued_count()
    }

    /// Returns how many token requests carried `grant_type=grant`, e.g. "account_credentials",
    /// "authorization_code" or "refresh_token", whether they succeeded or not.
    pub fn token_requests(&self, grant: &str) -> usize {
        lock(&self.state.tokens).request_count(grant)
    }

    /// Returns every token that `POST /oauth/revoke` accepted, oldest first, including tokens
    /// the mock never issued.
    pub fn revoked_tokens(&self) -> Vec<String> {
        lock(&self.state.tokens).revoked()
    }

    /// Sets what `GET /oauth/authorize` does with later valid requests. The default,
    /// [`AuthorizeOutcome::Approve`], redirects with a code.
    pub fn set_authorize_outcome(&self, outcome: AuthorizeOutcome) {
        *lock(&self.state.authorize_outcome) = outcome;
    }

    /// Returns every served request, oldest first, except `/_mock/` control requests.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.state.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }

    /// Stops accepting connections and waits for open requests, for at most 5 seconds.
    pub async fn shutdown(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        let Some(mut task) = self.task.take() else {
            return;
        };
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
            Ok(Ok(())) => tracing::info!(addr = %self.addr, "mock-zoom stopped"),
            Ok(Err(error)) => {
                tracing::error!(%error, addr = %self.addr, "mock-zoom server task failed")
            }
            Err(_) => {
                tracing::warn!(
                    addr = %self.addr,
                    grace_secs = SHUTDOWN_GRACE.as_secs(),
                    "mock-zoom requests still open after the grace period, aborting them"
                );
                task.abort();
            }
        }
    }
}

impl Drop for MockZoom {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/oauth/authorize", get(authorize::authorize))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(revoke::revoke))
        .route("/v2/users", get(users::list_users))
        .route("/v2/users/{user_id}", get(users::get_user))
        .route("/v2/roles", get(roles::list_roles))
        .route("/_mock/users", get(control::users))
        .route("/_mock/requests", get(control::requests))
        .route("/_mock/expire-tokens", post(control::expire_tokens))
        .fallback(unknown_path)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log::observe,
        ))
        .with_state(state)
}

/// Rejects paths the mock does not serve: Zoom's code 2300 under `/v2/`, a bare 404 elsewhere.
async fn unknown_path(request: Request) -> Response {
    if request.uri().path().starts_with("/v2/") {
        api::ApiError::unknown_endpoint().into_response()
    } else {
        axum::http::StatusCode::NOT_FOUND.into_response()
    }
}
