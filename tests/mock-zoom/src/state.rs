//! State shared by the request handlers and the `MockZoom` handle.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;

use crate::MockConfig;
use crate::authorize::AuthorizeOutcome;
use crate::codes::CodeStore;
use crate::faults::FaultTable;
use crate::log::LoggedRequest;
use crate::mock_user::MockUser;
use crate::paging::PageCursors;
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
}

impl Shared {
    pub fn new(config: MockConfig, base_url: String, users: Vec<MockUser>) -> Shared {
        Shared {
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
