//! A mock Zoom server for Roster's tests, benchmarks and demo, serving Zoom's OAuth and REST API.
//!
//! [`MockZoom::start`] binds `127.0.0.1` on a free port and serves both Zoom hosts from one
//! address: the OAuth host (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`) and the API
//! host (`/v2/...`). Its account is
//! generated from a seed, so tests can compare what Roster stored with [`MockZoom::users`].
//! Each generated user also has a seeded sign-in history of the 12 months before
//! `MockConfig::now`, which the activity, host and Dashboard reports are built from.
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
//! - `accounts`: the seeded account generator, [`generate_users`], which also builds each
//!   user's sign-in history.
//! - `fixture_users`: the users of the recorded Zoom fixtures, which every account starts with.
//! - `engagement`: [`Engagement`], how often a generated user signs in.
//! - `history`: one user's sign-in history (sessions, sign-outs, hosted meetings), regenerated
//!   per day from a seed, and Zoom's three-day `last_login_time` buffer.
//! - `day_rng`: the cheap seeded random numbers behind histories.
//! - `activity`: [`ActivityEntry`], [`ActivityKind`], [`MockMeeting`] and the store of every
//!   history ([`MockZoom::sign_ins`], [`MockZoom::activity`], [`MockZoom::meetings`]).
//! - `state`: the state shared by handlers, one lock per part, and the mock clock
//!   ([`MockZoom::now`], [`MockZoom::set_now`]).
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
//! - `create_user`: `POST /v2/users`.
//! - `update_user`: `PATCH /v2/users/{userId}` and `PUT /v2/users/{userId}/status`.
//! - `delete_user`: `DELETE /v2/users/{userId}` and [`Transfer`] ([`MockZoom::transfers`]).
//! - `summary`: `GET /v2/users/summary`.
//! - `paging`: `next_page_token` values, the list positions they stand for, and `page_size`.
//! - `roles`: `GET /v2/roles`.
//! - `role_members`: `GET`, `POST /v2/roles/{roleId}/members` and
//!   `DELETE /v2/roles/{roleId}/members/{memberId}`.
//! - `groups`: `GET /v2/groups` and the group member endpoints.
//! - `members`: the `{"members": [...]}` bodies of the role and group endpoints.
//! - `plans`: [`Plan`], licensed seats ([`MockZoom::set_paid_seats`]) and
//!   `GET /v2/accounts/me/plans/usage`.
//! - `rooms`: `GET /v2/rooms`.
//! - `dashboard`: `GET /v2/metrics/meetings`.
//! - `reports`: `GET /v2/report/activities` and `GET /v2/report/users`.
//! - `report_range`: the `from`/`to` rules of reports and the Dashboard.
//! - `report_cache`: report lists computed once and reused while a client pages.
//! - `rate_limits`: per-second and daily limits of the Heavy and Resource-intensive endpoints
//!   ([`MockZoom::reset_daily_limits`], [`MockZoom::heavy_requests`]).
//! - `faults`: [`FaultRule`], [`Fault`] and the responses faults produce.
//! - `log`: [`LoggedRequest`] and the middleware that applies faults and logs every response.
//! - `control`: `/_mock/` endpoints for other processes.
//! - [`webhook`]: signed webhook bodies and a sender for loopback URLs: [`webhook::sign`],
//!   [`webhook::url_validation_token`], [`webhook::deauthorization_event`],
//!   [`webhook::url_validation_event`], [`webhook::user_event`],
//!   [`webhook::user_event_for_account`] and [`webhook::send`].

mod accounts;
mod activity;
mod api;
mod authorize;
mod codes;
mod control;
mod create_user;
mod dashboard;
mod day_rng;
mod delete_user;
mod engagement;
mod faults;
mod fixture_users;
mod groups;
mod history;
mod log;
mod members;
mod mock_user;
mod oauth;
mod oauth_error;
mod oauth_request;
mod paging;
mod plans;
mod rate_limits;
mod report_cache;
mod report_range;
mod reports;
mod revoke;
mod role_members;
mod roles;
mod rooms;
mod scopes;
mod state;
mod summary;
mod tokens;
mod update_user;
mod users;
pub mod webhook;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use jiff::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use accounts::{CUSTOM_ROLE_ID, EMAIL_DOMAIN, GROUP_IDS, generate_users};
pub use activity::{ActivityEntry, ActivityKind, MockMeeting};
pub use authorize::AuthorizeOutcome;
pub use delete_user::Transfer;
pub use engagement::Engagement;
pub use faults::{Fault, FaultRule, RetryAfter};
pub use fixture_users::FIXTURE_NOW;
pub use log::LoggedRequest;
pub use mock_user::{MockUser, UserStatus};
pub use plans::Plan;
pub use scopes::KNOWN_SCOPES;
pub use users::MAX_PAGE_SIZE;

use accounts::generate_account;
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
    /// Anchor for generated dates, such as last logins and sign-in histories, and the start
    /// value of the mock clock ([`MockZoom::now`]). Token expiry uses the system clock.
    pub now: Timestamp,
    /// The account's plan. Free accounts get code 200 from reports, rooms, groups and plan
    /// usage, and only Business accounts have the Dashboard.
    pub plan: Plan,
    /// Purchased licensed seats. `None` means the seats held at start (active and pending
    /// licensed users) plus 10%, rounded up.
    pub paid_seats: Option<u32>,
    /// Number of Zoom Rooms on paid plans.
    pub rooms: usize,
    /// Requests per second that the Heavy and Resource-intensive endpoints admit together.
    /// Zoom allows 40 on Business plans, 10 on Pro and 1 on Free.
    pub heavy_per_second: u32,
    /// Heavy and Resource-intensive requests admitted per UTC day of the mock clock, or
    /// `None` for no daily limit.
    pub heavy_daily_limit: Option<u32>,
    /// Whether `POST /v2/users` accepts `action=ssoCreate`, as Zoom's "Pre-provisioning SSO
    /// User" option allows.
    pub sso_preprovisioning: bool,
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
            plan: Plan::Business,
            paid_seats: None,
            rooms: 2,
            heavy_per_second: 40,
            heavy_daily_limit: None,
            sso_preprovisioning: false,
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

        let account = generate_account(config.seed, config.users, config.now);
        let state = Arc::new(Shared::new(config, format!("http://{addr}"), account));
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

    /// Returns the first user whose email equals `email`, ignoring case.
    pub fn user(&self, email: &str) -> Option<MockUser> {
        lock(&self.state.users)
            .iter()
            .find(|user| user.email.eq_ignore_ascii_case(email))
            .cloned()
    }

    /// Appends `user` to the account. Emails are not checked for uniqueness. The user has no
    /// sign-in history until [`MockZoom::add_sign_in`] gives one.
    pub fn add_user(&self, user: MockUser) {
        lock(&self.state.users).push(user);
        self.state.touch();
    }

    /// Removes every user whose email equals `email`, ignoring case, and returns whether any
    /// matched. The sign-in history stays, as Zoom's activity report keeps former users.
    pub fn remove_user(&self, email: &str) -> bool {
        let removed = {
            let mut users = lock(&self.state.users);
            let before = users.len();
            users.retain(|user| !user.email.eq_ignore_ascii_case(email));
            users.len() != before
        };
        self.state.touch();
        removed
    }

    /// Applies `f` to the first user whose email equals `email`, ignoring case, and returns
    /// whether one was found. The user keeps its place in the listing order. The sign-in
    /// history stays under the old email if `f` changes it.
    pub fn update_user(&self, email: &str, f: impl FnOnce(&mut MockUser)) -> bool {
        let found = {
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
        };
        self.state.touch();
        found
    }

    /// Returns the mock clock's time, which date-range rules and daily rate limits use. It
    /// starts at `MockConfig::now` and moves only through [`MockZoom::set_now`].
    pub fn now(&self) -> Timestamp {
        self.state.now()
    }

    /// Sets the mock clock. Moving it to another UTC day starts a new daily rate-limit quota.
    /// Histories still end at `MockConfig::now`, so moving forward adds no sign-ins.
    pub fn set_now(&self, now: Timestamp) {
        *lock(&self.state.clock) = now;
    }

    /// Returns every sign-in time of `email` (any case), oldest first.
    pub fn sign_ins(&self, email: &str) -> Vec<Timestamp> {
        lock(&self.state.activity)
            .get(email)
            .map(|history| history.sign_ins())
            .unwrap_or_default()
    }

    /// Returns every sign-in and sign-out of every user, removed users included, oldest first.
    /// This regenerates every history, so it is slow for large accounts.
    pub fn activity(&self) -> Vec<ActivityEntry> {
        lock(&self.state.activity).all_entries()
    }

    /// Returns the meetings `email` (any case) hosted, oldest first.
    pub fn meetings(&self, email: &str) -> Vec<MockMeeting> {
        lock(&self.state.activity)
            .get(email)
            .map(|history| history.meetings())
            .unwrap_or_default()
    }

    /// Returns the engagement pattern of a generated user's history, or `None` for users
    /// without one (pending and added users).
    pub fn engagement(&self, email: &str) -> Option<Engagement> {
        lock(&self.state.activity)
            .get(email)
            .map(|history| history.engagement())
    }

    /// Adds a sign-in of `email` at `at`, without a sign-out, also for emails that are not on
    /// the account. The user's `last_login_time` stays as it is: set it with
    /// [`MockZoom::update_user`].
    pub fn add_sign_in(&self, email: &str, at: Timestamp) {
        let app_client = self.user(email).and_then(|user| user.last_client_version);
        lock(&self.state.activity)
            .get_or_insert(email, app_client.as_deref())
            .pin_sign_in(at.as_second(), false);
        self.state.touch();
    }

    /// Adds a meeting hosted by `email`, which reports and the Dashboard then count.
    pub fn add_meeting(&self, email: &str, meeting: MockMeeting) {
        let app_client = self.user(email).and_then(|user| user.last_client_version);
        lock(&self.state.activity)
            .get_or_insert(email, app_client.as_deref())
            .add_meeting(meeting);
        self.state.touch();
    }

    /// Returns the purchased licensed seats.
    pub fn paid_seats(&self) -> u32 {
        *lock(&self.state.paid_seats)
    }

    /// Sets the purchased licensed seats. Users who already hold a seat keep it.
    pub fn set_paid_seats(&self, seats: u32) {
        *lock(&self.state.paid_seats) = seats;
    }

    /// Clears the daily quota of Heavy and Resource-intensive requests, as a new UTC day would.
    pub fn reset_daily_limits(&self) {
        lock(&self.state.limits).reset_daily();
    }

    /// Returns how many Heavy and Resource-intensive requests the rate limits admitted,
    /// including those that then failed validation. Requests rejected with 429 do not count.
    pub fn heavy_requests(&self) -> usize {
        lock(&self.state.limits).admitted()
    }

    /// Returns the content transfers of `DELETE /v2/users/{userId}`, oldest first.
    pub fn transfers(&self) -> Vec<Transfer> {
        lock(&self.state.transfers).clone()
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
        .route(
            "/v2/users",
            get(users::list_users).post(create_user::create_user),
        )
        .route("/v2/users/summary", get(summary::users_summary))
        .route(
            "/v2/users/{user_id}",
            get(users::get_user)
                .patch(update_user::update_user)
                .delete(delete_user::delete_user),
        )
        .route(
            "/v2/users/{user_id}/status",
            put(update_user::update_status),
        )
        .route("/v2/roles", get(roles::list_roles))
        .route(
            "/v2/roles/{role_id}/members",
            get(role_members::list_members).post(role_members::assign),
        )
        .route(
            "/v2/roles/{role_id}/members/{member_id}",
            delete(role_members::unassign),
        )
        .route("/v2/groups", get(groups::list_groups))
        .route(
            "/v2/groups/{group_id}/members",
            get(groups::list_members).post(groups::add_members),
        )
        .route(
            "/v2/groups/{group_id}/members/{member_id}",
            delete(groups::remove_member),
        )
        .route("/v2/accounts/me/plans/usage", get(plans::plan_usage))
        .route("/v2/rooms", get(rooms::list_rooms))
        .route("/v2/metrics/meetings", get(dashboard::meetings))
        .route("/v2/report/activities", get(reports::activities))
        .route("/v2/report/users", get(reports::users))
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
