//! `roster connector add` and `roster connector list`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Subcommand;
use serde::Serialize;

use super::output::{print_json, short_time, table, TableOrJson};
use crate::app::App;
use crate::broker::{Broker, ConnectorLabel};
use crate::runtime::{sha256_hex, wit::ConnectorInfo};
use crate::store::NewConnectorVersion;

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

/// Connector ids name connections and files, so they stay short and plain.
fn check_id(id: &str) -> anyhow::Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && id.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        bail!("connector id {id:?} is invalid; ids are lowercase letters, digits and dashes, starting with a letter");
    }
    Ok(())
}

async fn add(app: &App, path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let sha256 = sha256_hex(&bytes);
    let connector = app
        .runtime
        .load_bytes(bytes.clone())
        .await
        .with_context(|| format!("cannot install {}", path.display()))?;

    // `describe` runs sandboxed without a connection: it can reach nothing.
    let label = ConnectorLabel { id: "unknown".into(), version: sha256[..12].to_string() };
    let broker = Broker::new(app.services.clone(), None, label);
    let info: ConnectorInfo = app
        .runtime
        .describe(&connector, broker)
        .await
        .with_context(|| format!("cannot install {}: describe() failed", path.display()))?;
    check_id(&info.id)?;

    if let Some(existing) = app.db.connector_version(&info.id, &info.version).await? {
        if existing.sha256 != sha256 {
            bail!(
                "{} {} is already installed with sha256 {}, and {} has sha256 {sha256}; bump the connector's version before installing a changed build",
                info.id, info.version, existing.sha256, path.display()
            );
        }
        app.db.activate_connector_version(existing.id).await?;
        println!("{} {} is already installed (sha256 {sha256}); it is now the active version", info.id, info.version);
        return Ok(());
    }

    let components = app.components_dir();
    std::fs::create_dir_all(&components).with_context(|| format!("cannot create {}", components.display()))?;
    let stored = components.join(format!("{}-{}-{}.wasm", info.id, info.version, &sha256[..16]));
    std::fs::write(&stored, &bytes).with_context(|| format!("cannot write {}", stored.display()))?;

    let info_json = serde_json::to_string(&info)?;
    let installed = app
        .db
        .install_connector_version(&NewConnectorVersion {
            connector_id: &info.id,
            name: &info.name,
            version: &info.version,
            sha256: &sha256,
            world: &connector.identity.world,
            component_path: &stored.to_string_lossy(),
            size_bytes: bytes.len() as i64,
            info_json: &info_json,
        })
        .await?;
    tracing::info!(connector = %installed.connector_id, version = %installed.version, sha256, "installed connector");
    println!("installed {} {} ({}), sha256 {sha256}", installed.connector_id, installed.version, installed.name);
    println!("  world:     {}", connector.identity.world);
    println!("  upstreams: {}", info.upstreams.iter().map(|u| format!("{} ({})", u.name, u.default_base_url)).collect::<Vec<_>>().join(", "));
    println!("  imports:   {}", connector.identity.imports.join(", "));
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
        TableOrJson::Json => print_json(
            &versions
                .iter()
                .map(|v| VersionView {
                    id: v.connector_id.clone(),
                    name: v.name.clone(),
                    version: v.version.clone(),
                    active: v.active,
                    sha256: v.sha256.clone(),
                    world: v.world.clone(),
                    size_bytes: v.size_bytes,
                    installed_at: super::output::rfc3339(Some(v.installed_at)),
                })
                .collect::<Vec<_>>(),
        ),
        TableOrJson::Table => {
            if versions.is_empty() {
                println!("no connectors installed; run `roster connector add PATH.wasm`");
                return Ok(());
            }
            let mut out = table(&["CONNECTOR", "VERSION", "ACTIVE", "SHA256", "SIZE", "INSTALLED (UTC)"]);
            for v in &versions {
                out.add_row(vec![
                    format!("{} ({})", v.connector_id, v.name),
                    v.version.clone(),
                    if v.active { "yes".into() } else { "".into() },
                    v.sha256[..16].to_string(),
                    format!("{} KiB", v.size_bytes / 1024),
                    short_time(Some(v.installed_at)),
                ]);
            }
            println!("{out}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_ids() {
        assert!(check_id("zoom").is_ok());
        assert!(check_id("google-workspace2").is_ok());
        for bad in ["", "Zoom", "2zoom", "zo om", "zoom/../x"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }
}
