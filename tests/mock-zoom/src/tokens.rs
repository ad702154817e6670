//! Access and refresh tokens issued by the OAuth endpoints, their revocation, and the count of
//! token requests per grant type.

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
    /// An authorization code redeemed for an access and a refresh token.
    AuthorizationCode,
    /// A refresh token exchanged for a new access and refresh token.
    RefreshToken,
}

/// One issued access token and what it allows.
#[derive(Clone, Debug)]
pub(crate) struct TokenRecord {
    // Kept for debugging. The API checks only the fields below.
    #[allow(dead_code)]
    pub grant: Grant,
    #[allow(dead_code)]
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub scopes: Vec<String>,
    /// Set by `expire_tokens` and `Fault::ExpireToken`. Such a token stays expired for good.
    pub expired: bool,
    /// Set by `POST /oauth/revoke`. Such a token stays invalid for good.
    pub revoked: bool,
}

/// What an API request's bearer token turned out to be.
#[derive(Debug)]
pub(crate) enum TokenCheck {
    Valid { scopes: Vec<String> },
    Expired,
    Revoked,
    Unknown,
}

/// Every token issued since the server started, the revoked ones, and the token requests
/// counted per grant type.
#[derive(Default)]
pub(crate) struct TokenStore {
    /// Access tokens, keyed by the token string.
    records: HashMap<String, TokenRecord>,
    issued: usize,
    /// Refresh tokens that still work, each with the scopes its grants carry. Rotation and
    /// revocation remove a token from this map.
    refresh_tokens: HashMap<String, Vec<String>>,
    /// Tokens accepted by `POST /oauth/revoke`, oldest first.
    revoked: Vec<String>,
    /// Token requests per `grant_type` value, whatever their outcome.
    requests: HashMap<String, usize>,
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
            revoked: false,
        };
        self.records.insert(token.clone(), record);
        self.issued += 1;
        token
    }

    /// Classifies `token` at `now`.
    pub fn check(&self, token: &str, now: Timestamp) -> TokenCheck {
        match self.records.get(token) {
            None => TokenCheck::Unknown,
            Some(record) if record.revoked => TokenCheck::Revoked,
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

    /// Issues a refresh token whose grants carry `scopes`, and returns it.
    pub fn issue_refresh(&mut self, scopes: Vec<String>) -> String {
        let token = random_string("mock-rt-", 40);
        self.refresh_tokens.insert(token.clone(), scopes);
        token
    }

    /// Invalidates the refresh token `token` and returns its scopes, or `None` when it was
    /// never issued, was already used or was revoked. Each refresh token works once.
    pub fn take_refresh(&mut self, token: &str) -> Option<Vec<String>> {
        self.refresh_tokens.remove(token)
    }

    /// Revokes `token`, an access or a refresh token, and records it. Unknown tokens are
    /// recorded too. Returns whether the token was known and still working.
    pub fn revoke(&mut self, token: &str) -> bool {
        self.revoked.push(token.to_owned());
        if self.refresh_tokens.remove(token).is_some() {
            return true;
        }
        match self.records.get_mut(token) {
            Some(record) if !record.revoked => {
                record.revoked = true;
                true
            }
            _ => false,
        }
    }

    /// Returns every token passed to `revoke`, oldest first.
    pub fn revoked(&self) -> Vec<String> {
        self.revoked.clone()
    }

    /// Counts one token request with this `grant_type` value.
    pub fn count_request(&mut self, grant_type: &str) {
        *self.requests.entry(grant_type.to_owned()).or_default() += 1;
    }

    /// Returns how many token requests carried this `grant_type` value.
    pub fn request_count(&self, grant_type: &str) -> usize {
        self.requests.get(grant_type).copied().unwrap_or(0)
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
    fn revoked_access_token_stops_working() {
        let mut store = TokenStore::default();
        let now = Timestamp::UNIX_EPOCH;
        let token = store.issue(
            Grant::AuthorizationCode,
            vec![],
            Duration::from_secs(60),
            now,
        );

        assert!(store.revoke(&token));
        assert!(matches!(store.check(&token, now), TokenCheck::Revoked));
        assert!(!store.revoke(&token));
        assert!(!store.revoke("never-issued"));
        assert_eq!(
            store.revoked(),
            [token.as_str(), token.as_str(), "never-issued"]
        );
    }

    #[test]
    fn refresh_token_works_once() {
        let mut store = TokenStore::default();
        let scopes = vec!["user:read:user:admin".to_owned()];
        let token = store.issue_refresh(scopes.clone());

        assert_eq!(store.take_refresh(&token), Some(scopes));
        assert_eq!(store.take_refresh(&token), None);
    }

    #[test]
    fn revoked_refresh_token_stops_working() {
        let mut store = TokenStore::default();
        let token = store.issue_refresh(vec![]);

        assert!(store.revoke(&token));
        assert_eq!(store.take_refresh(&token), None);
    }

    #[test]
    fn request_counts_are_per_grant_type() {
        let mut store = TokenStore::default();
        store.count_request("refresh_token");
        store.count_request("refresh_token");
        store.count_request("authorization_code");

        assert_eq!(store.request_count("refresh_token"), 2);
        assert_eq!(store.request_count("authorization_code"), 1);
        assert_eq!(store.request_count("account_credentials"), 0);
    }

    #[test]
    fn random_string_has_prefix_and_length() {
        let value = random_string("p-", 12);

        assert!(value.starts_with("p-"));
        assert_eq!(value.len(), 14);
        assert_ne!(value, random_string("p-", 12));
    }
}
