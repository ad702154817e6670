//! Access-token records issued by the OAuth endpoint and checked on every API call.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use rand::RngExt;
use rand::distr::Alphanumeric;

/// The OAuth grant that produced a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Server-to-Server OAuth (`grant_type=account_credentials`), which has no refresh token.
    AccountCredentials,
}

/// One issued access token and what it allows.
#[derive(Clone, Debug)]
pub(crate) struct TokenRecord {
    // Kept for later grants (refresh, revoke) to read. The API checks only the fields below.
    #[allow(dead_code)]
    pub grant: Grant,
    #[allow(dead_code)]
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub scopes: Vec<String>,
    /// Set by `expire_tokens` and `Fault::ExpireToken`. Such a token stays expired for good.
    pub expired: bool,
}

/// What an API request's bearer token turned out to be.
#[derive(Debug)]
pub(crate) enum TokenCheck {
    Valid { scopes: Vec<String> },
    Expired,
    Unknown,
}

/// Every access token issued since the server started, keyed by the token string.
#[derive(Default)]
pub(crate) struct TokenStore {
    records: HashMap<String, TokenRecord>,
    issued: usize,
}

impl TokenStore {
    /// Issues a fresh opaque token valid for `ttl` from `now` and returns it.
    pub fn issue(
        &mut self,
        grant: Grant,
        scopes: Vec<String>,
        ttl: Duration,
        now: Timestamp,
    ) -> String {
        let token = random_string("mock-at-", 40);
        // A ttl too large for jiff's range means "never expires" in practice.
        let expires_at = now.saturating_add(ttl).unwrap_or(Timestamp::MAX);
        let record = TokenRecord {
            grant,
            issued_at: now,
            expires_at,
            scopes,
            expired: false,
        };
        self.records.insert(token.clone(), record);
        self.issued += 1;
        token
    }

    /// Classifies `token` at `now`.
    pub fn check(&self, token: &str, now: Timestamp) -> TokenCheck {
        match self.records.get(token) {
            None => TokenCheck::Unknown,
            Some(record) if record.expired || now >= record.expires_at => TokenCheck::Expired,
            Some(record) => TokenCheck::Valid {
                scopes: record.scopes.clone(),
            },
        }
    }

    /// Marks every token issued so far as expired. Tokens issued later are unaffected.
    pub fn expire_all(&mut self) {
        for record in self.records.values_mut() {
            record.expired = true;
        }
    }

    /// Returns how many tokens were issued since the server started.
    pub fn issued_count(&self) -> usize {
        self.issued
    }
}

/// Returns `prefix` followed by `length` random ASCII letters and digits.
pub(crate) fn random_string(prefix: &str, length: usize) -> String {
    let mut value = String::with_capacity(prefix.len() + length);
    value.push_str(prefix);
    value.extend(
        rand::rng()
            .sample_iter(Alphanumeric)
            .take(length)
            .map(char::from),
    );
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_expires_at_ttl() {
        let mut store = TokenStore::default();
        let now = Timestamp::UNIX_EPOCH;
        let token = store.issue(
            Grant::AccountCredentials,
            vec![],
            Duration::from_secs(10),
            now,
        );

        let before = now + jiff::SignedDuration::from_secs(9);
        let at_expiry = now + jiff::SignedDuration::from_secs(10);
        assert!(matches!(
            store.check(&token, before),
            TokenCheck::Valid { .. }
        ));
        assert!(matches!(
            store.check(&token, at_expiry),
            TokenCheck::Expired
        ));
        assert!(matches!(store.check("other", before), TokenCheck::Unknown));
    }

    #[test]
    fn expire_all_spares_later_tokens() {
        let mut store = TokenStore::default();
        let now = Timestamp::UNIX_EPOCH;
        let old = store.issue(
            Grant::AccountCredentials,
            vec![],
            Duration::from_secs(60),
            now,
        );
        store.expire_all();
        let new = store.issue(
            Grant::AccountCredentials,
            vec![],
            Duration::from_secs(60),
            now,
        );

        assert!(matches!(store.check(&old, now), TokenCheck::Expired));
        assert!(matches!(store.check(&new, now), TokenCheck::Valid { .. }));
        assert_eq!(store.issued_count(), 2);
    }

    #[test]
    fn random_string_has_prefix_and_length() {
        let value = random_string("p-", 12);

        assert!(value.starts_with("p-"));
        assert_eq!(value.len(), 14);
        assert_ne!(value, random_string("p-", 12));
    }
}
