//! Authorization codes issued by `GET /oauth/authorize`, with their PKCE challenges.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::tokens::random_string;

/// How a PKCE `code_challenge` was derived from the `code_verifier` (RFC 7636, section 4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChallengeMethod {
    /// The challenge is the verifier itself.
    Plain,
    /// The challenge is BASE64URL(SHA-256(verifier)) without padding.
    S256,
}

impl ChallengeMethod {
    /// Parses a `code_challenge_method` value. RFC 7636 spells the names case-sensitively.
    pub fn parse(value: &str) -> Option<ChallengeMethod> {
        match value {
            "plain" => Some(ChallengeMethod::Plain),
            "S256" => Some(ChallengeMethod::S256),
            _ => None,
        }
    }
}

/// The PKCE challenge an authorization request carried.
#[derive(Clone, Debug)]
pub(crate) struct CodeChallenge {
    pub challenge: String,
    pub method: ChallengeMethod,
}

impl CodeChallenge {
    /// Checks whether `verifier` produces this challenge.
    pub fn is_met_by(&self, verifier: &str) -> bool {
        match self.method {
            ChallengeMethod::Plain => verifier == self.challenge,
            ChallengeMethod::S256 => {
                let digest = Sha256::digest(verifier.as_bytes());
                URL_SAFE_NO_PAD.encode(digest) == self.challenge
            }
        }
    }
}

/// What an authorization code was issued for.
#[derive(Clone, Debug)]
pub(crate) struct CodeRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<CodeChallenge>,
    pub expires_at: Timestamp,
}

/// The authorization codes that have not been redeemed yet.
#[derive(Default)]
pub(crate) struct CodeStore {
    codes: HashMap<String, CodeRecord>,
}

impl CodeStore {
    /// Issues a code for `client_id` and `redirect_uri`, valid for `ttl` from `now`, and
    /// returns it. Codes that expired before `now` are dropped first, so the store stays small.
    pub fn issue(
        &mut self,
        client_id: &str,
        redirect_uri: &str,
        challenge: Option<CodeChallenge>,
        ttl: Duration,
        now: Timestamp,
    ) -> String {
        self.codes.retain(|_, record| record.expires_at > now);

        let code = random_string("mock-code-", 32);
        let record = CodeRecord {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            challenge,
            // A ttl too large for jiff's range means "never expires" in practice.
            expires_at: now.saturating_add(ttl).unwrap_or(Timestamp::MAX),
        };
        self.codes.insert(code.clone(), record);
        code
    }

    /// Removes `code` and returns its record, or `None` when the code is unknown, already
    /// redeemed or expired at `now`. A code is consumed by the first redemption attempt, even
    /// when the token endpoint then rejects the attempt for a wrong redirect URI or verifier.
    pub fn redeem(&mut self, code: &str, now: Timestamp) -> Option<CodeRecord> {
        let record = self.codes.remove(code)?;
        (now < record.expires_at).then_some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_challenge_matches_rfc_example() {
        // The verifier and challenge of RFC 7636, appendix B.
        let challenge = CodeChallenge {
            challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned(),
            method: ChallengeMethod::S256,
        };

        assert!(challenge.is_met_by("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!challenge.is_met_by("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }

    #[test]
    fn plain_challenge_is_the_verifier() {
        let challenge = CodeChallenge {
            challenge: "verifier-1".to_owned(),
            method: ChallengeMethod::Plain,
        };

        assert!(challenge.is_met_by("verifier-1"));
        assert!(!challenge.is_met_by("verifier-2"));
    }

    #[test]
    fn challenge_method_names_are_case_sensitive() {
        assert_eq!(ChallengeMethod::parse("S256"), Some(ChallengeMethod::S256));
        assert_eq!(
            ChallengeMethod::parse("plain"),
            Some(ChallengeMethod::Plain)
        );
        assert_eq!(ChallengeMethod::parse("s256"), None);
        assert_eq!(ChallengeMethod::parse(""), None);
    }

    #[test]
    fn code_redeems_once_before_expiry() {
        let mut store = CodeStore::default();
        let now = Timestamp::UNIX_EPOCH;
        let ttl = Duration::from_secs(300);
        let code = store.issue("client", "http://127.0.0.1/cb", None, ttl, now);
        let expiring = store.issue("client", "http://127.0.0.1/cb", None, ttl, now);
        let at_expiry = now + jiff::SignedDuration::from_secs(300);

        let record = store.redeem(&code, now);
        assert_eq!(
            record.map(|record| record.client_id),
            Some("client".to_owned())
        );
        assert!(store.redeem(&code, now).is_none());
        assert!(store.redeem(&expiring, at_expiry).is_none());
        assert!(store.redeem("unknown", now).is_none());
    }
}
