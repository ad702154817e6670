//! State shared by the request handlers and the `MockZoom` handle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;
use jiff::Timestamp;

use crate::MockConfig;
use crate::accounts::{GeneratedAccount, user_number};
use crate::activity::ActivityStore;
use crate::authorize::AuthorizeOutcome;
use crate::codes::CodeStore;
use crate::delete_user::Transfer;
use crate::faults::FaultTable;
use crate::log::LoggedRequest;
use crate::mock_user::MockUser;
use crate::paging::PageCursors;
use crate::plans::default_paid_seats;
use crate::rate_limits::RateLimiter;
use crate::report_cache::ReportCache;
use crate::tokens::TokenStore;

/// Handle to the shared state that axum hands to every handler.
pub(crate) type AppState = Arc<Shared>;

/// Everything the mock stores. Each part has its own lock, and no code holds a lock across an
/// `.await` or while taking another lock, so the locks cannot deadlock.
pub(crate) struct Shared {
    pub config: MockConfig,
    /// `http://127.0.0.1:PORT`, returned as `api_url` by the token endpoint.
    pub base_url: String,
    /// The account in listing order: generated users in generation order, then added users.
    pub users: Mutex<Vec<MockUser>>,
    pub tokens: Mutex<TokenStore>,
    /// Authorization codes not redeemed yet.
    pub codes: Mutex<CodeStore>,
    /// The consent decision of `GET /oauth/authorize`.
    pub authorize_outcome: Mutex<AuthorizeOutcome>,
    pub pages: Mutex<PageCursors>,
    pub faults: Mutex<FaultTable>,
    pub log: Mutex<Vec<LoggedRequest>>,
    /// The mock clock that date-range rules and daily rate limits use, `config.now` at start.
    pub clock: Mutex<Timestamp>,
    /// Sign-in histories and hosted meetings.
    pub activity: Mutex<ActivityStore>,
    /// Purchased licensed seats.
    pub paid_seats: Mutex<u32>,
    pub limits: Mutex<RateLimiter>,
    /// Content transfers requested by `DELETE /v2/users/{userId}`, oldest first.
    pub transfers: Mutex<Vec<Transfer>>,
    /// Computed report lists, reused while `revision` is unchanged.
    pub reports: Mutex<ReportCache>,
    /// Sequence number of the next user created through `POST /v2/users`.
    pub next_user_number: AtomicU64,
    /// Counts changes to users and histories, so cached reports know they are stale.
    revision: AtomicU64,
}

impl Shared {
    pub fn new(config: MockConfig, base_url: String, account: GeneratedAccount) -> Shared {
        let GeneratedAccount { users, histories } = account;
        let paid_seats = config
            .paid_seats
            .unwrap_or_else(|| default_paid_seats(&users));
        let next_user_number = users
            .iter()
            .filter_map(|user| user.id.as_deref().and_then(user_number))
            .max()
            .unwrap_or(0)
            + 1;
        let mut activity = ActivityStore::default();
        for history in histories {
            activity.insert(history);
        }
        Shared {
            clock: Mutex::new(config.now),
            activity: Mutex::new(activity),
            paid_seats: Mutex::new(paid_seats),
            limits: Mutex::new(RateLimiter::default()),
            transfers: Mutex::new(Vec::new()),
            reports: Mutex::new(ReportCache::default()),
            next_user_number: AtomicU64::new(next_user_number),
            revision: AtomicU64::new(0),
            config,
            base_url,
            users: Mutex::new(users),
            tokens: Mutex::new(TokenStore::default()),
            codes: Mutex::new(CodeStore::default()),
            authorize_outcome: Mutex::new(AuthorizeOutcome::default()),
            pages: Mutex::new(PageCursors::default()),
            faults: Mutex::new(FaultTable::default()),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Returns the mock clock's time.
    pub fn now(&self) -> Timestamp {
        *lock(&self.clock)
    }

    /// Records that users or histories changed, so cached reports are recomputed.
    pub fn touch(&self) {
        self.revision.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns the number of changes to users and histories so far.
    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::Relaxed)
    }

    /// Takes the next sequence number for a created user's id.
    pub fn take_user_number(&self) -> u64 {
        self.next_user_number.fetch_add(1, Ordering::Relaxed)
    }

    /// Returns a copy of the users, taken under the lock and released at once.
    pub fn users_snapshot(&self) -> Vec<MockUser> {
        lock(&self.users).clone()
    }

    /// Returns the HTTP status for code 124 responses, falling back to 401 when the configured
    /// number is not a valid status.
    pub fn expired_token_status(&self) -> StatusCode {
        StatusCode::from_u16(self.config.expired_token_status).unwrap_or(StatusCode::UNAUTHORIZED)
    }

    /// Returns the HTTP status for an invalid refresh token, falling back to 400 when the
    /// configured number is not a valid status.
    pub fn invalid_refresh_status(&self) -> StatusCode {
        StatusCode::from_u16(self.config.invalid_refresh_status).unwrap_or(StatusCode::BAD_REQUEST)
    }
}

/// Locks `mutex`, also after a panic in another holder: every update leaves the data
/// consistent, so a poisoned lock carries no half-written state, and the mock keeps serving.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
