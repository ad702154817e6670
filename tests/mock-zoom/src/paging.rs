//! Opaque `next_page_token` values and the list positions they stand for.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;

use crate::tokens::random_string;

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
