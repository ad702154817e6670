//! Credentials: the master key that seals them at rest, the token endpoint flows and the
//! per-connection access-token cache that brokered requests draw from.
//!
//! Connectors never see anything from this module; the broker attaches tokens to requests.

mod master_key;
mod oauth;
mod tokens;

use std::fmt;

pub use master_key::{MasterKey, MASTER_KEY_ENV};
pub use oauth::{authorization_request, pkce_challenge, AuthorizationRequest, OAuthEndpoints, TokenGrant, TokenResponse};
pub use tokens::{not_connected, reconnect_command, AccessToken, TokenService};

/// Names of the credentials a connection may hold.
pub mod credential {
    pub const CLIENT_SECRET: &str = "client-secret";
    pub const ACCESS_TOKEN: &str = "access-token";
    pub const REFRESH_TOKEN: &str = "refresh-token";
    pub const WEBHOOK_SECRET: &str = "webhook-secret";
}

/// A secret string whose `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Returns the value, for the few places that must send or seal it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{provider} rejected the {grant} request with HTTP {status}: {reason}; {next_step}")]
    Rejected {
        provider: String,
        grant: &'static str,
        status: u16,
        /// The token endpoint's `error` and `reason`, such as "invalid_client: Invalid client_id or client_secret".
        reason: String,
        next_step: String,
    },
    #[error("the token endpoint {url} is unreachable after {attempts} attempts: {detail}; check the network or --oauth-base and retry")]
    Unreachable { url: String, attempts: u32, detail: String },
    #[error("the token endpoint {url} returned an invalid response: {detail}")]
    InvalidResponse { url: String, detail: String },
    #[error("connection `{connection}` needs re-authorization: {detail}")]
    NeedsReauthorization { connection: String, detail: String },
    #[error("connection `{connection}` has no stored {credential}; connect it again")]
    MissingCredential { connection: String, credential: &'static str },
    #[error("cannot decrypt the {credential} of connection `{connection}`: the master key differs from the one that sealed it; set {MASTER_KEY_ENV} or restore the key file {key_file}")]
    WrongMasterKey { connection: String, credential: String, key_file: String },
    #[error("master key: {0}")]
    MasterKey(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
