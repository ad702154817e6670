//! Wires the database, master key, token service and wasm runtime together, and offers the
//! operations the CLI and server share.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

use anyhow::Context as _;

use crate::auth::{MasterKey, TokenService};
use crate::broker::{Broker, ConnectionContext, ConnectorLabel, Pacer, Services};
use crate::runtime::wit::ConnectorInfo;
use crate::runtime::{CallLimits, LoadedConnector, Runtime, RuntimeConfig};
use crate::store::{Connection, ConnectorVersion, Database};

/// Connector calls that may run at once in this process.
const MAX_CONCURRENT_CALLS: u32 = 16;

pub struct App {
    pub db: Database,
    pub runtime: Arc<Runtime>,
    pub services: Arc<Services>,
}

/// Returns the database path used when neither `--db` nor `ROSTER_DB` is given.
pub fn default_database_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "roster")
        .context("cannot find a home directory for the default database; pass --db PATH or set ROSTER_DB")?;
    Ok(dirs.data_dir().join("roster.db"))
}

/// Installs rustls' ring provider once per process; reqwest uses the process default.
pub fn install_tls_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Fails only when a provider is already installed, which is what we want anyway.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub fn http_client(limits: &CallLimits) -> anyhow::Result<reqwest::Client> {
    install_tls_provider();
    reqwest::Client::builder()
        // A redirect could lead off the declared upstream, so brokered requests never follow one.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("roster/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(limits.request_timeout)
        .build()
        .context("cannot build the HTTP client")
}

impl App {
    /// Opens the database at `db_path`, its master key and the runtime. Components are
    /// kept in `components/` and compiled code in `cache/` beside the database.
    pub async fn open(db_path: &Path, limits: CallLimits) -> anyhow::Result<App> {
        let db = Database::open(db_path).await?;
        let key = Arc::new(MasterKey::load(db_path)?);
        let http = http_client(&limits)?;
        let tokens = Arc::new(TokenService::new(db.clone(), key, http.clone(), limits.request_timeout));
        let runtime = Runtime::new(RuntimeConfig {
            cache_dir: data_dir(db_path).join("cache"),
            limits: limits.clone(),
            max_concurrent_calls: MAX_CONCURRENT_CALLS,
        })?;
        let services = Arc::new(Services { db: db.clone(), tokens, http, limits, pacer: Pacer::default() });
        Ok(App { db, runtime: Arc::new(runtime), services })
    }

    pub fn components_dir(&self) -> PathBuf {
        data_dir(self.db.path()).join("components")
    }

    /// Creates a broker for a call of `version`, with or without a connection.
    pub fn broker(&self, context: Option<Arc<ConnectionContext>>, version: &ConnectorVersion) -> Broker {
        let label = ConnectorLabel { id: version.connector_id.clone(), version: version.version.clone() };
        Broker::new(self.services.clone(), context, label)
    }

    /// Loads the active connector of a connection and resolves its upstreams.
    pub async fn prepare(&self, connection: Connection) -> anyhow::Result<Prepared> {
        let version = self.db.active_connector_version(&connection.connector_id).await?.with_context(|| {
            format!(
                "connector `{}` of connection `{}` is not installed; run `roster connector add PATH.wasm`",
                connection.connector_id, connection.name
            )
        })?;
        let info = stored_info(&version)?;
        let connector = self
            .runtime
            .load_file(Path::new(&version.component_path), Some(&version.sha256))
            .await
            .with_context(|| format!("cannot load connector {} {}", version.connector_id, version.version))?;
        let settings = self.db.app_settings(connection.id).await?;
        let mut context = ConnectionContext::resolve(connection, &info)
            .with_context(|| format!("invalid upstream settings for connector {}", version.connector_id))?;
        // The connector's pacing is a cautious default, so a rate the admin set for the account's plan wins.
        for (class, per_minute) in settings.rate_limits {
            context.rate_classes.insert(class, per_minute);
        }
        Ok(Prepared { context: Arc::new(context), connector, version, info })
    }
}

/// A connection ready for connector calls.
pub struct Prepared {
    pub context: Arc<ConnectionContext>,
    pub connector: Arc<LoadedConnector>,
    pub version: ConnectorVersion,
    pub info: ConnectorInfo,
}

/// Reads the `describe()` output recorded at install time.
pub fn stored_info(version: &ConnectorVersion) -> anyhow::Result<ConnectorInfo> {
    serde_json::from_str(&version.info_json)
        .with_context(|| format!("stored description of connector {} {} is corrupt; reinstall it", version.connector_id, version.version))
}

/// Returns the directory of the database, which also contains its components and caches.
pub fn data_dir(db_path: &Path) -> PathBuf {
    db_path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
}
