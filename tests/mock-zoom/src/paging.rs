//! Opaque `next_page_token` values and the list positions they stand for.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;

use crate::api::{ApiError, param};
use crate::faults::PagingFault;
use crate::state::{Shared, lock};
use crate::tokens::random_string;

/// Page size of list requests that name none, as Zoom documents for its list endpoints.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 30;

/// Maximum page size the mock returns. Zoom's specs allow up to 2000 on some lists, but its
/// pagination guide states that list APIs return at most 300 items, so larger requests are
/// clamped to 300.
pub(crate) const MAX_PAGE_SIZE: usize = 300;

/// Reads `page_size`: `DEFAULT_PAGE_SIZE` when absent, clamped to `MAX_PAGE_SIZE`, and
/// rejected with code 300 when it is not a positive integer.
pub(crate) fn page_size(params: &[(String, String)]) -> Result<usize, ApiError> {
    match param(params, "page_size") {
        None | Some("") => Ok(DEFAULT_PAGE_SIZE),
        Some(value) => match value.parse::<i64>() {
            Ok(size) if size >= 1 => {
                Ok(usize::try_from(size).map_or(MAX_PAGE_SIZE, |size| size.min(MAX_PAGE_SIZE)))
            }
            _ => Err(ApiError::invalid_field("page_size")),
        },
    }
}

/// Where one page of a list starts, resolved from the request's `next_page_token`.
pub(crate) struct PageRequest {
    /// Canonical text of the list query (endpoint, filters and page size) that tokens are
    /// bound to.
    cursor_key: String,
    carried_token: Option<String>,
    /// Whether the carried token was issued by `Fault::RepeatPageToken`.
    repeat: bool,
    pub offset: usize,
    pub page_size: usize,
}

impl PageRequest {
    /// Resolves the `next_page_token` of `params` for the list query `cursor_key`, rejecting
    /// an unknown, expired or foreign token with code 300.
    pub fn start(
        state: &Shared,
        params: &[(String, String)],
        cursor_key: String,
        page_size: usize,
    ) -> Result<PageRequest, ApiError> {
        let carried_token = param(params, "next_page_token")
            .filter(|token| !token.is_empty())
            .map(str::to_owned);
        let cursor = match &carried_token {
            Some(token) => {
                let ttl = state.config.page_token_ttl;
                let cursor = lock(&state.pages).resolve(token, &cursor_key, Timestamp::now(), ttl);
                Some(cursor.ok_or_else(ApiError::invalid_page_token)?)
            }
            None => None,
        };
        Ok(PageRequest {
            cursor_key,
            carried_token,
            repeat: cursor.as_ref().is_some_and(|cursor| cursor.repeat),
            offset: cursor.map_or(0, |cursor| cursor.offset),
            page_size,
        })
    }

    /// Returns the items of this page out of the whole list.
    pub fn page<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = self.offset.min(items.len());
        let end = self.offset.saturating_add(self.page_size).min(items.len());
        &items[start..end]
    }

    /// Returns the `next_page_token` of this page of a list of `total` items: "" on the last
    /// page, unless a paging fault requests a repeated or endless token.
    pub fn next_page_token(
        &self,
        state: &Shared,
        total: usize,
        paging_fault: Option<PagingFault>,
    ) -> String {
        let next_offset = self.offset.saturating_add(self.page_size);
        let ttl = state.config.page_token_ttl;
        let issue = |repeat: bool| {
            lock(&state.pages).issue(&self.cursor_key, next_offset, repeat, Timestamp::now(), ttl)
        };
        match (&self.carried_token, paging_fault) {
            (Some(token), _) if self.repeat => token.clone(),
            (Some(token), Some(PagingFault::RepeatToken)) => token.clone(),
            (None, Some(PagingFault::RepeatToken)) => issue(true),
            (_, Some(PagingFault::Endless)) => issue(false),
            _ if next_offset < total => issue(false),
            _ => String::new(),
        }
    }
}

/// Where a `next_page_token` resumes a listing.
#[derive(Clone, Debug)]
pub(crate) struct PageCursor {
    /// Canonical form of the list request the token belongs to (endpoint and filters), so a
    /// token sent with other query parameters can be rejected as Zoom does.
    pub query: String,
    /// Index of the first item of the page this token fetches.
    pub offset: usize,
    pub created_at: Timestamp,
    /// Set by `Fault::RepeatPageToken`: a page fetched with this token names the same token
    /// again as its `next_page_token`.
    pub repeat: bool,
}

/// All live page tokens. Tokens stay valid until `ttl`, so a client can retry a page.
#[derive(Default)]
pub(crate) struct PageCursors {
    cursors: HashMap<String, PageCursor>,
}

impl PageCursors {
    /// Issues a token for the page of `query` starting at `offset`, and drops tokens older
    /// than `ttl` so endless listings cannot grow the table without bound.
    pub fn issue(
        &mut self,
        query: &str,
        offset: usize,
        repeat: bool,
        now: Timestamp,
        ttl: Duration,
    ) -> String {
        self.cursors.retain(|_, cursor| !is_stale(cursor, now, ttl));
        let token = random_string("", 32);
        let cursor = PageCursor {
            query: query.to_owned(),
            offset,
            created_at: now,
            repeat,
        };
        self.cursors.insert(token.clone(), cursor);
        token
    }

    /// Returns the cursor of `token` when it exists, belongs to `query` and is younger than `ttl`.
    pub fn resolve(
        &self,
        token: &str,
        query: &str,
        now: Timestamp,
        ttl: Duration,
    ) -> Option<PageCursor> {
        let cursor = self.cursors.get(token)?;
        if cursor.query != query || is_stale(cursor, now, ttl) {
            return None;
        }
        Some(cursor.clone())
    }
}

fn is_stale(cursor: &PageCursor, now: Timestamp, ttl: Duration) -> bool {
    let age = now.duration_since(cursor.created_at);
    // A negative age (clock stepped back) counts as fresh.
    age.is_positive() && age.unsigned_abs() > ttl
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    const TTL: Duration = Duration::from_secs(900);

    #[test]
    fn cursor_resolves_for_same_query() {
        let mut cursors = PageCursors::default();
        let now = Timestamp::UNIX_EPOCH;
        let token = cursors.issue("users?status=active", 30, false, now, TTL);

        let cursor = cursors.resolve(&token, "users?status=active", now, TTL);
        assert_eq!(cursor.map(|cursor| cursor.offset), Some(30));
    }

    #[test]
    fn cursor_rejects_other_query_and_age() {
        let mut cursors = PageCursors::default();
        let now = Timestamp::UNIX_EPOCH;
        let token = cursors.issue("users?status=active", 30, false, now, TTL);
        let later = now + SignedDuration::from_secs(901);

        assert!(
            cursors
                .resolve(&token, "users?status=pending", now, TTL)
                .is_none()
        );
        assert!(
            cursors
                .resolve(&token, "users?status=active", later, TTL)
                .is_none()
        );
        assert!(
            cursors
                .resolve("unknown", "users?status=active", now, TTL)
                .is_none()
        );
    }

    #[test]
    fn issue_drops_stale_cursors() {
        let mut cursors = PageCursors::default();
        let now = Timestamp::UNIX_EPOCH;
        cursors.issue("q", 0, false, now, TTL);
        cursors.issue("q", 0, false, now + SignedDuration::from_secs(1000), TTL);

        assert_eq!(cursors.cursors.len(), 1);
    }
}
