//! One connector call: a fresh store with memory, CPU and wall-clock limits, the call itself,
//! and an audit record of what it did.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use tracing::Instrument as _;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, Trap, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::bindings::ConnectorWorld;
use super::engine::EPOCH_TICK;
use super::wit::{
    AccountIdentity, AccountReport, ActivityPage, ConnectorError, ConnectorInfo, DateRange, FeatureAccess, ProvisionOp,
    ProvisionOutcome, UsagePage, UserPage, WebhookEvent, WebhookRequest,
};
use super::{LoadedConnector, Runtime};
use crate::broker::Broker;
use crate::store::{unix_now_ms, ConnectorCallRecord};

/// The data of a connector call's store.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: MemoryLimiter,
    /// Epoch ticks of guest execution left before the call is interrupted.
    cpu_ticks_left: u64,
    cpu_exhausted: bool,
    pub(crate) broker: Broker,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Caps linear memory and remembers a refused growth, so the trap that follows can be
/// reported as a memory limit rather than a generic crash.
struct MemoryLimiter {
    max_bytes: usize,
    refused: bool,
}

/// Table elements a call may grow to; Rust components use a few hundred.
const MAX_TABLE_ELEMENTS: usize = 100_000;

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            self.refused = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// Failure of a connector call that produced no result. Errors the connector returns itself
/// are part of the export's own result type instead.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("connector {connector} `{export}` did not finish within {}; the upstream may be slow, retry later", human(*limit))]
    Timeout { connector: String, export: &'static str, limit: Duration },
    #[error("connector {connector} `{export}` used more than its {} CPU budget and was stopped; this is a connector bug", human(*limit))]
    CpuLimit { connector: String, export: &'static str, limit: Duration },
    #[error("connector {connector} `{export}` needed more than its {megabytes} MiB memory limit and was stopped")]
    MemoryLimit { connector: String, export: &'static str, megabytes: usize },
    #[error("connector {connector} `{export}` crashed: {message}")]
    Trap { connector: String, export: &'static str, message: String },
    #[error("cannot start connector {connector}: {message}")]
    Instantiate { connector: String, message: String },
}

impl CallError {
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Timeout { .. } => "timeout",
            CallError::CpuLimit { .. } => "cpu-limit",
            CallError::MemoryLimit { .. } => "memory-limit",
            CallError::Trap { .. } => "trap",
            CallError::Instantiate { .. } => "instantiate",
        }
    }
}

/// Formats a limit as "300 ms" or "5 s".
fn human(limit: Duration) -> String {
    if limit < Duration::from_secs(1) || limit.subsec_millis() != 0 {
        format!("{} ms", limit.as_millis())
    } else {
        format!("{} s", limit.as_secs())
    }
}

/// Summary of an export's return value for the audit trail.
pub trait CallOutcome {
    /// Returns "ok" or "error" and, for errors, a short description.
    fn outcome(&self) -> (&'static str, Option<String>);
}

impl CallOutcome for ConnectorInfo {
    fn outcome(&self) -> (&'static str, Option<String>) {
        ("ok", None)
    }
}

impl CallOutcome for Vec<FeatureAccess> {
    fn outcome(&self) -> (&'static str, Option<String>) {
        ("ok", None)
    }
}

impl<T> CallOutcome for Result<T, ConnectorError> {
    fn outcome(&self) -> (&'static str, Option<String>) {
        match self {
            Ok(_) => ("ok", None),
            Err(error) => ("error", Some(format!("{error:?}"))),
        }
    }
}

type ExportCall<'a, R> = Pin<Box<dyn Future<Output = wasmtime::Result<R>> + Send + 'a>>;

impl Runtime {
    /// Runs one export in a fresh store and records the call and its host calls.
    async fn invoke<R>(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        export: &'static str,
        call: impl for<'a> FnOnce(&'a ConnectorWorld, &'a mut Store<CallState>) -> ExportCall<'a, R> + Send,
    ) -> Result<R, CallError>
    where
        R: CallOutcome + Send,
    {
        let label = broker.connector().clone();
        let name = label.to_string();
        let audit = broker.audit_sink();
        let services = broker.services().clone();
        let connection_id = broker.connection_id();
        let limits = &self.limits;
        let started_at_ms = unix_now_ms();
        let started = Instant::now();
        let span = tracing::info_span!("connector_call", connector = %name, export, connection_id);

        let cpu_ticks = (limits.cpu_time.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        let mut store = Store::new(
            &self.engine,
            CallState {
                // An empty context: no preopened directories, environment, arguments or
                // network, so WASI calls a std guest makes find nothing to reach.
                wasi: WasiCtxBuilder::new()
                    .allow_tcp(false)
                    .allow_udp(false)
                    .allow_ip_name_lookup(false)
                    .wall_clock(crate::clock::SandboxWallClock)
                    .build(),
                table: ResourceTable::new(),
                limiter: MemoryLimiter { max_bytes: limits.memory_bytes, refused: false },
                cpu_ticks_left: cpu_ticks,
                cpu_exhausted: false,
                broker,
            },
        );
        store.limiter(|state| &mut state.limiter);
        // The deadline callback runs only while guest code executes, once per elapsed tick,
        // so waiting in host calls costs at most one tick per call.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut context| {
            let state = context.data_mut();
            if state.cpu_ticks_left == 0 {
                state.cpu_exhausted = true;
                return Ok(UpdateDeadline::Interrupt);
            }
            state.cpu_ticks_left -= 1;
            Ok(UpdateDeadline::Yield(1))
        });

        let pre = connector.pre.clone();
        let run = async move {
            let instance = match pre.instantiate_async(&mut store).await {
                Ok(instance) => instance,
                Err(error) => return (Err(Phase::Instantiate(error)), store),
            };
            let result = call(&instance, &mut store).await.map_err(Phase::Run);
            (result, store)
        };

        let finished = tokio::time::timeout(limits.wall_time, run).instrument(span.clone()).await;
        let result = match finished {
            Err(_elapsed) => Err(CallError::Timeout { connector: name.clone(), export, limit: limits.wall_time }),
            Ok((result, store)) => {
                store.data().broker.report_dropped_logs();
                match result {
                    Ok(value) => Ok(value),
                    Err(Phase::Instantiate(error)) => {
                        Err(CallError::Instantiate { connector: name.clone(), message: format!("{error:#}") })
                    }
                    Err(Phase::Run(error)) => Err(classify_trap(&name, export, error, store.data(), limits)),
                }
            }
        };

        let (outcome, detail) = match &result {
            Ok(value) => value.outcome(),
            Err(CallError::Timeout { .. }) => ("timeout", None),
            Err(error) => ("trap", Some(error.to_string())),
        };
        let duration_ms = started.elapsed().as_millis() as i64;
        span.in_scope(|| match &result {
            Ok(_) => tracing::debug!(outcome, duration_ms, "connector call finished"),
            Err(error) => tracing::warn!(outcome, duration_ms, error = %error, "connector call failed"),
        });

        let record = ConnectorCallRecord {
            connection_id,
            connector_id: label.id.clone(),
            connector_version: label.version.clone(),
            connector_sha256: connector.sha256().to_string(),
            export,
            started_at_ms,
            duration_ms,
            outcome,
            detail,
        };
        let host_calls = audit.take();
        if let Err(error) = services.db.record_connector_call(&record, &host_calls).await {
            // The call itself succeeded or failed on its own terms; a lost audit row must
            // not change that, but operators need to know.
            tracing::error!(error = %error, "cannot write the audit record of a connector call");
        }
        result
    }

    pub async fn describe(&self, connector: &LoadedConnector, broker: Broker) -> Result<ConnectorInfo, CallError> {
        self.invoke(connector, broker, "describe", |instance, store| {
            Box::pin(instance.roster_connector_connector().call_describe(store))
        })
        .await
    }

    pub async fn check(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        granted_scopes: Vec<String>,
    ) -> Result<Vec<FeatureAccess>, CallError> {
        self.invoke(connector, broker, "check", move |instance, store| {
            Box::pin(async move { instance.roster_connector_connector().call_check(store, &granted_scopes).await })
        })
        .await
    }

    pub async fn identify(&self, connector: &LoadedConnector, broker: Broker) -> Result<Result<AccountIdentity, ConnectorError>, CallError> {
        self.invoke(connector, broker, "identify", |instance, store| {
            Box::pin(instance.roster_connector_connector().call_identify(store))
        })
        .await
    }

    pub async fn handle_webhook(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        request: WebhookRequest,
    ) -> Result<Result<WebhookEvent, ConnectorError>, CallError> {
        self.invoke(connector, broker, "handle-webhook", move |instance, store| {
            Box::pin(async move { instance.roster_connector_connector().call_handle_webhook(store, &request).await })
        })
        .await
    }

    pub async fn list_activity(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        range: DateRange,
        cursor: Option<String>,
    ) -> Result<Result<ActivityPage, ConnectorError>, CallError> {
        self.invoke(connector, broker, "list-activity", move |instance, store| {
            Box::pin(async move { instance.roster_connector_connector().call_list_activity(store, range, cursor.as_deref()).await })
        })
        .await
    }

    pub async fn list_usage(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        range: DateRange,
        cursor: Option<String>,
    ) -> Result<Result<UsagePage, ConnectorError>, CallError> {
        self.invoke(connector, broker, "list-usage", move |instance, store| {
            Box::pin(async move { instance.roster_connector_connector().call_list_usage(store, range, cursor.as_deref()).await })
        })
        .await
    }

    pub async fn account_summary(&self, connector: &LoadedConnector, broker: Broker) -> Result<Result<AccountReport, ConnectorError>, CallError> {
        self.invoke(connector, broker, "account-summary", |instance, store| {
            Box::pin(instance.roster_connector_connector().call_account_summary(store))
        })
        .await
    }

    pub async fn provision(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        op: ProvisionOp,
        dry_run: bool,
    ) -> Result<Result<ProvisionOutcome, ConnectorError>, CallError> {
        self.invoke(connector, broker, "provision", move |instance, store| {
            Box::pin(async move { instance.roster_connector_connector().call_provision(store, &op, dry_run).await })
        })
        .await
    }

    pub async fn list_users(
        &self,
        connector: &LoadedConnector,
        broker: Broker,
        cursor: Option<String>,
    ) -> Result<Result<UserPage, ConnectorError>, CallError> {
        self.invoke(connector, broker, "list-users", move |instance, store| {
            Box::pin(async move { instance.roster_connector_connector().call_list_users(store, cursor.as_deref()).await })
        })
        .await
    }
}

enum Phase {
    Instantiate(wasmtime::Error),
    Run(wasmtime::Error),
}

fn classify_trap(
    connector: &str,
    export: &'static str,
    error: wasmtime::Error,
    state: &CallState,
    limits: &super::CallLimits,
) -> CallError {
    let connector = connector.to_string();
    if state.cpu_exhausted || error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return CallError::CpuLimit { connector, export, limit: limits.cpu_time };
    }
    if state.limiter.refused {
        return CallError::MemoryLimit { connector, export, megabytes: limits.memory_bytes >> 20 };
    }
    CallError::Trap { connector, export, message: format!("{error:#}") }
}
