//! Implementation of the `roster:connector/secrets` interface: HMAC with a connection secret
//! that the connector never reads.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Broker;
use crate::auth::credential;
use crate::runtime::bindings::roster::connector::secrets::{Host, SecretError};
use crate::store::HostCallRecord;

/// Secrets a connector may use. Client secrets and tokens stay with the host's auth flows.
const USABLE_SECRETS: [&str; 1] = [credential::WEBHOOK_SECRET];

impl Broker {
    /// Builds an HMAC-SHA256 keyed by the named secret.
    async fn keyed_mac(&self, name: &str) -> Result<Hmac<Sha256>, SecretError> {
        let Some(&name) = USABLE_SECRETS.iter().find(|usable| **usable == name) else {
            return Err(SecretError::Denied(format!("connectors may only use these secrets: {}", USABLE_SECRETS.join(", "))));
        };
        let Some(context) = self.connection.as_ref() else {
            return Err(SecretError::NotFound("this call runs without a connection".to_string()));
        };
        let secret = match self.services.tokens.secret(&context.connection, name).await {
            Ok(Some((secret, _))) => secret,
            Ok(None) => return Err(SecretError::NotFound(format!("connection `{}` has no {name}", context.connection.name))),
            Err(error) => {
                tracing::warn!(connection = %context.connection.name, error = %error, "cannot open a secret for a connector");
                return Err(SecretError::NotFound(format!("the {name} of connection `{}` cannot be opened", context.connection.name)));
            }
        };
        Ok(Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes keys of any length"))
    }

    fn record_secret(&self, import: &'static str, name: &str, result: &Result<impl Sized, SecretError>) {
        let (decision, reason) = match result {
            Ok(_) => ("allowed", None),
            Err(SecretError::Denied(reason)) => ("denied", Some(reason.clone())),
            Err(SecretError::NotFound(reason)) => ("failed", Some(reason.clone())),
        };
        self.audit.push(HostCallRecord {
            at_ms: crate::store::unix_now_ms(),
            import,
            path: Some(name.chars().take(64).collect()),
            decision,
            reason,
            ..Default::default()
        });
    }
}

impl Host for Broker {
    async fn hmac_sha256(&mut self, name: String, message: Vec<u8>) -> Result<Vec<u8>, SecretError> {
        let result = self.keyed_mac(&name).await.map(|mut mac| {
            mac.update(&message);
            mac.finalize().into_bytes().to_vec()
        });
        self.record_secret("secrets.hmac-sha256", &name, &result);
        result
    }

    async fn verify_hmac_sha256(&mut self, name: String, message: Vec<u8>, signature: Vec<u8>) -> Result<bool, SecretError> {
        let result = self.keyed_mac(&name).await.map(|mut mac| {
            mac.update(&message);
            // `verify_slice` compares in constant time.
            mac.verify_slice(&signature).is_ok()
        });
        self.record_secret("secrets.verify-hmac-sha256", &name, &result);
        result
    }
}
