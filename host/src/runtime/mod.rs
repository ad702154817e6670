//! The wasmtime side of Roster: one engine, compiled components cached on disk, and a fresh
//! sandboxed store for every connector call.
//!
//! - `engine`: engine settings (pooling allocator, epoch interruption) and the epoch ticker.
//! - `cache`: compiled components on disk, keyed by component digest and engine.
//! - `validate`: checks a component's world and interface versions before instantiation.
//! - `invoke`: per-call store, memory/CPU/wall-clock limits and failure classification.
//! - `bindings`: the `bindgen!` output for `wit/`.

pub mod bindings;
mod cache;
mod engine;
mod invoke;
mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{HasSelf, Linker};
use wasmtime::Engine;

use crate::broker::Broker;
use invoke::CallState;
use bindings::ConnectorWorldPre;

pub use bindings::roster::connector::types as wit;
pub use invoke::{CallError, CallOutcome};
pub use validate::{ComponentIdentity, LoadError, WORLD};

/// Limits that apply to every connector call.
#[derive(Debug, Clone)]
pub struct CallLimits {
    /// Linear memory a call may grow to, in bytes.
    pub memory_bytes: usize,
    /// Time the connector may spend executing its own code, not counting host calls.
    pub cpu_time: Duration,
    /// Time the whole call may take, host calls included.
    pub wall_time: Duration,
    /// Brokered HTTP requests one call may make; retries by the host do not count.
    pub http_requests: u32,
    /// Largest response body the broker hands to the connector, in bytes.
    pub response_bytes: u64,
    /// Timeout of one upstream request attempt.
    pub request_timeout: Duration,
    /// Log lines one call may write; later lines are dropped and counted.
    pub log_lines: u32,
    /// Bytes of keys and values a connection may keep in connector storage.
    pub storage_quota: u64,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            memory_bytes: 128 << 20,
            cpu_time: Duration::from_secs(10),
            wall_time: Duration::from_secs(300),
            http_requests: 200,
            response_bytes: 32 << 20,
            request_timeout: Duration::from_secs(60),
            log_lines: 1000,
            storage_quota: 4 << 20,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Directory for compiled components.
    pub cache_dir: PathBuf,
    pub limits: CallLimits,
    /// Connector calls that may run at once; sizes the pooling allocator.
    pub max_concurrent_calls: u32,
}

/// A validated, compiled component ready to instantiate.
pub struct LoadedConnector {
    pub identity: ComponentIdentity,
    pre: ConnectorWorldPre<CallState>,
}

impl LoadedConnector {
    pub fn sha256(&self) -> &str {
        &self.identity.sha256
    }
}

pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    cache_dir: PathBuf,
    limits: CallLimits,
    /// Loaded components by digest; the `InstancePre` makes later instantiations cheap.
    loaded: Mutex<HashMap<String, Arc<LoadedConnector>>>,
    _ticker: engine::EpochTicker,
}

/// Hex SHA-256 of a component file, the identity Roster records and audits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Runtime {
    pub fn new(config: RuntimeConfig) -> anyhow::Result<Runtime> {
        let engine = engine::build_engine(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        bindings::ConnectorWorld::add_to_linker::<CallState, HasSelf<Broker>>(&mut linker, |state| &mut state.broker)?;
        let ticker = engine::EpochTicker::start(engine.clone());
        Ok(Runtime {
            engine,
            linker,
            cache_dir: config.cache_dir,
            limits: config.limits,
            loaded: Mutex::new(HashMap::new()),
            _ticker: ticker,
        })
    }

    pub fn limits(&self) -> &CallLimits {
        &self.limits
    }

    /// Validates and compiles component bytes, using the on-disk cache.
    pub async fn load_bytes(&self, bytes: Vec<u8>) -> Result<Arc<LoadedConnector>, LoadError> {
        let sha256 = sha256_hex(&bytes);
        if let Some(loaded) = self.loaded.lock().expect("loaded map lock is never poisoned").get(&sha256) {
            return Ok(loaded.clone());
        }

        validate::check_header(&bytes)?;
        let engine = self.engine.clone();
        let cache_dir = self.cache_dir.clone();
        let digest = sha256.clone();
        // Compilation is CPU-bound and can take a second, so keep it off the async workers.
        let component = tokio::task::spawn_blocking(move || cache::compile_cached(&engine, &cache_dir, &digest, &bytes))
            .await
            .map_err(|error| LoadError::Compile(format!("compiler task failed: {error}")))??;

        let identity = validate::check_interface(&self.engine, &component, sha256.clone())?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|error| LoadError::Link(format!("{error:#}")))?;
        let pre = ConnectorWorldPre::new(instance_pre).map_err(|error| LoadError::Link(format!("{error:#}")))?;

        let loaded = Arc::new(LoadedConnector { identity, pre });
        self.loaded.lock().expect("loaded map lock is never poisoned").insert(sha256, loaded.clone());
        Ok(loaded)
    }

    /// Reads, validates and compiles a component file. With `expected_sha256`, a file whose
    /// digest differs is rejected, so a swapped file never runs under an audited identity.
    pub async fn load_file(&self, path: &Path, expected_sha256: Option<&str>) -> Result<Arc<LoadedConnector>, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
        if let Some(expected) = expected_sha256 {
            let actual = sha256_hex(&bytes);
            if actual != expected {
                return Err(LoadError::DigestMismatch { path: path.to_path_buf(), expected: expected.to_string(), actual });
            }
        }
        self.load_bytes(bytes).await
    }
}
