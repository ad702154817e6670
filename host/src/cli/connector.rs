//! `roster connector add` and `roster connector list`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

use super::output::{print_json, rfc3339, short_time, table, TableOrJson};
use crate::app::App;

#[derive(Debug, Subcommand)]
pub enum ConnectorCommand {
    /// Validate a connector component and install it; it becomes the active version.
    Add {
        /// The component file, built for wasm32-wasip2.
        path: PathBuf,
    },
    /// List installed connector versions.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: TableOrJson,
    },
}

pub async fn run(app: &App, command: ConnectorCommand) -> anyhow::Result<()> {
    match command {
        ConnectorCommand::Add { path } => add(app, &path).await,
        ConnectorCommand::List { format } => list(app, format).await,
    }
}

async fn add(app: &App, path: &Path) -> anyhow::Result<()> {
    let installed = app.install_connector(path).await?;
    let version = &installed.version;
    if !installed.newly_installed {
        println!("{} {} is already installed (sha256 {}); it is now the active version", version.connector_id, version.version, version.sha256);
        return Ok(());
    }
    println!("installed {} {} ({}), sha256 {}", version.connector_id, version.version, version.name, version.sha256);
    println!("  world:     {}", version.world);
    let upstreams: Vec<String> =
        installed.info.upstreams.iter().map(|upstream| format!("{} ({})", upstream.name, upstream.default_base_url)).collect();
    println!("  upstreams: {}", upstreams.join(", "));
    println!("  imports:   {}", installed.imports.join(", "));
    Ok(())
}

#[derive(Serialize)]
struct VersionView {
    id: String,
    name: String,
    version: String,
    active: bool,
    sha256: String,
    world: String,
    size_bytes: i64,
    installed_at: Option<String>,
}

async fn list(app: &App, format: TableOrJson) -> anyhow::Result<()> {
    let versions = app.db.connector_versions().await?;
    match format {
        TableOrJson::Json => {
            let views: Vec<VersionView> = versions
                .iter()
                .map(|version| VersionView {
                    id: version.connector_id.clone(),
                    name: version.name.clone(),
                    version: version.version.clone(),
                    active: version.active,
                    sha256: version.sha256.clone(),
                    world: version.world.clone(),
                    size_bytes: version.size_bytes,
                    installed_at: rfc3339(Some(version.installed_at)),
                })
                .collect();
            print_json(&views)
        }
        TableOrJson::Table => {
            if versions.is_empty() {
                println!("no connectors installed; run `roster connector add PATH.wasm`");
                return Ok(());
            }
            let mut out = table(&["CONNECTOR", "VERSION", "ACTIVE", "SHA256", "SIZE", "INSTALLED (UTC)"]);
            for version in &versions {
                out.add_row(vec![
                    format!("{} ({})", version.connector_id, version.name),
                    version.version.clone(),
                    if version.active { "yes".into() } else { String::new() },
                    version.sha256[..16].to_string(),
                    format!("{} KiB", version.size_bytes / 1024),
                    short_time(Some(version.installed_at)),
                ]);
            }
            println!("{out}");
            Ok(())
        }
    }
}
