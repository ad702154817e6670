//! Capabilities the host lends a connector during one call: brokered HTTP to declared upstreams,
//! per-connection storage, secrets it can use without reading, and logging.
//!
//! One file per WIT interface: `http_impl`, `storage_impl`, `secrets_impl`, `log_impl`.
//!
//! # Trap or error
//! Every failure a connector can act on returns to it as a WIT error value: a denied
//! upstream or header, an upstream timeout, a response over the size limit, a full storage
//! quota, a missing secret. A call traps only when the connector breaks a per-call budget
//! ([`Broker::over_budget`]), because a connector that loops on requests cannot be trusted to
//! handle the error it would get.

mod http_impl;
mod log_impl;
mod pacing;
mod retry;
mod secrets_impl;
mod storage_impl;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::auth::{OAuthEndpoints, TokenService};
use crate::runtime::wit::{AuthScheme, ConnectorInfo, CredentialKind};
use crate::runtime::CallLimits;
use crate::store::{Connection, Database, HostCallRecord};

pub use pacing::Pacer;
pub use retry::parse_retry_after;

/// Process-wide services the broker draws on.
pub struct Services {
    pub db: Database,
    pub tokens: Arc<TokenService>,
    pub http: reqwest::Client,
    pub limits: CallLimits,
    pub pacer: Pacer,
}

/// Base URL and credential kind of one upstream for one connection.
#[derive(Debug, Clone)]
pub struct ResolvedUpstream {
    pub base_url: reqwest::Url,
    pub credential: CredentialKind,
}

/// A connection with its upstreams resolved, as brokered requests need it.
pub struct ConnectionContext {
    pub connection: Connection,
    pub connector_name: String,
    pub upstreams: HashMap<String, ResolvedUpstream>,
    pub oauth: Option<OAuthEndpoints>,
    /// Requests per minute by rate-class name.
    pub rate_classes: HashMap<String, u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamConfigError {
    #[error("upstream `{upstream}` has an invalid base URL {url:?}: {detail}")]
    InvalidBaseUrl { upstream: String, url: String, detail: String },
    #[error("the connection overrides upstream `{0}`, which the connector does not declare")]
    UnknownOverride(String),
    #[error("the connector's OAuth settings name upstream `{0}`, which it does not declare")]
    UnknownOAuthUpstream(String),
}

/// Parses and checks an upstream origin such as `https://api.zoom.us`: http(s) only, no path,
/// query or credentials, and plain http only for loopback hosts.
pub fn parse_origin(upstream: &str, text: &str) -> Result<reqwest::Url, UpstreamConfigError> {
    let invalid = |detail: &str| UpstreamConfigError::InvalidBaseUrl {
        upstream: upstream.to_string(),
        url: text.to_string(),
        detail: detail.to_string(),
    };
    if !text.contains("://") {
        return Err(invalid("it has no scheme; write https://HOST, or http://127.0.0.1:PORT for a local server"));
    }
    let url = reqwest::Url::parse(text.trim_end_matches('/')).map_err(|error| invalid(&error.to_string()))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => return Err(invalid("it has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(invalid("plain http is only allowed for loopback addresses; use https")),
        _ => return Err(invalid("the scheme must be https")),
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("give an origin only, without path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials do not belong in the URL"));
    }
    Ok(url)
}

impl ConnectionContext {
    /// Resolves the connector's upstreams with the connection's overrides.
    pub fn resolve(connection: Connection, info: &ConnectorInfo) -> Result<ConnectionContext, UpstreamConfigError> {
        for name in connection.upstreams.keys() {
            if !info.upstreams.iter().any(|upstream| &upstream.name == name) {
                return Err(UpstreamConfigError::UnknownOverride(name.clone()));
            }
        }

        let mut upstreams = HashMap::new();
        for upstream in &info.upstreams {
            let base = connection.upstreams.get(&upstream.name).unwrap_or(&upstream.default_base_url);
            let base_url = parse_origin(&upstream.name, base)?;
            upstreams.insert(upstream.name.clone(), ResolvedUpstream { base_url, credential: upstream.credential });
        }

        let oauth = match &info.auth {
            AuthScheme::None => None,
            AuthScheme::Oauth2(oauth) => {
                let base = &upstreams
                    .get(&oauth.upstream)
                    .ok_or_else(|| UpstreamConfigError::UnknownOAuthUpstream(oauth.upstream.clone()))?
                    .base_url;
                let join = |path: &str| format!("{}{}", base.as_str().trim_end_matches('/'), path);
                Some(OAuthEndpoints {
                    provider: info.name.clone(),
                    authorize_url: join(&oauth.authorize_path),
                    token_url: join(&oauth.token_path),
                    revoke_url: oauth.revoke_path.as_deref().map(join),
                })
            }
        };

        let rate_classes =
            info.rate_classes.iter().map(|class| (class.name.clone(), class.requests_per_minute)).collect();
        Ok(ConnectionContext { connection, connector_name: info.name.clone(), upstreams, oauth, rate_classes })
    }
}

/// Identifies the connector version in logs and audit records.
#[derive(Debug, Clone)]
pub struct ConnectorLabel {
    pub id: String,
    pub version: String,
}

impl fmt::Display for ConnectorLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

/// Output of a call's host calls for the caller: audit records, and the last credential
/// failure, which explains a denied request better than the connector can.
#[derive(Default)]
pub struct CallReport {
    pub host_calls: Vec<HostCallRecord>,
    pub auth_failure: Option<String>,
}

/// Shared so the records survive a call that times out and drops its store.
#[derive(Clone, Default)]
pub struct AuditSink(Arc<Mutex<CallReport>>);

impl AuditSink {
    fn push(&self, record: HostCallRecord) {
        self.0.lock().expect("audit lock is never poisoned").host_calls.push(record);
    }

    fn set_auth_failure(&self, failure: String) {
        self.0.lock().expect("audit lock is never poisoned").auth_failure = Some(failure);
    }

    /// Takes the host-call records gathered so far.
    pub fn take(&self) -> Vec<HostCallRecord> {
        std::mem::take(&mut self.0.lock().expect("audit lock is never poisoned").host_calls)
    }

    pub fn auth_failure(&self) -> Option<String> {
        self.0.lock().expect("audit lock is never poisoned").auth_failure.clone()
    }
}

/// The per-call host state behind every import.
pub struct Broker {
    services: Arc<Services>,
    connection: Option<Arc<ConnectionContext>>,
    connector: ConnectorLabel,
    audit: AuditSink,
    http_requests: u32,
    fresh_credentials_used: u32,
    log_lines: u32,
    log_dropped: u32,
}

impl Broker {
    /// Creates a broker for one call. Without a connection every request and storage access
    /// is denied, which is how `describe` runs at install time.
    pub fn new(services: Arc<Services>, connection: Option<Arc<ConnectionContext>>, connector: ConnectorLabel) -> Broker {
        Broker {
            services,
            connection,
            connector,
            audit: AuditSink::default(),
            http_requests: 0,
            fresh_credentials_used: 0,
            log_lines: 0,
            log_dropped: 0,
        }
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    pub fn connector(&self) -> &ConnectorLabel {
        &self.connector
    }

    pub fn audit_sink(&self) -> AuditSink {
        self.audit.clone()
    }

    pub fn connection_id(&self) -> Option<i64> {
        self.connection.as_ref().map(|context| context.connection.id)
    }

    /// Builds the trap for a connector that passed a per-call budget. This is the only place
    /// where a host call traps.
    fn over_budget(&self, what: &str, limit: u32) -> wasmtime::Error {
        tracing::warn!(connector = %self.connector, what, limit, "connector passed a per-call budget; trapping");
        wasmtime::Error::msg(format!("connector made more than {limit} {what} in one call"))
    }
}

impl crate::runtime::wit::Host for Broker {}
