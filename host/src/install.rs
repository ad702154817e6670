//! Installing connector components: validate, describe in a closed sandbox, keep a copy and
//! record its identity.

use std::path::Path;

use anyhow::{bail, Context as _};

use crate::app::App;
use crate::broker::{Broker, ConnectorLabel};
use crate::runtime::sha256_hex;
use crate::runtime::wit::ConnectorInfo;
use crate::store::{ConnectorVersion, NewConnectorVersion};

/// The result of `install_connector`.
pub struct Installed {
    pub version: ConnectorVersion,
    pub info: ConnectorInfo,
    pub imports: Vec<String>,
    /// False when this exact file was installed before; it is made active again.
    pub newly_installed: bool,
}

/// Connector ids name connections and files, so they stay short and plain.
pub fn check_connector_id(id: &str) -> anyhow::Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && id.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        bail!("connector id {id:?} is invalid; ids are lowercase letters, digits and dashes, starting with a letter");
    }
    Ok(())
}

impl App {
    /// Installs the component at `path` and makes it the active version of its connector.
    pub async fn install_connector(&self, path: &Path) -> anyhow::Result<Installed> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let sha256 = sha256_hex(&bytes);
        let connector = self.runtime.load_bytes(bytes.clone()).await.with_context(|| format!("cannot install {}", path.display()))?;

        // `describe` runs without a connection, so it can reach nothing.
        let label = ConnectorLabel { id: "uninstalled".into(), version: sha256[..12].to_string() };
        let broker = Broker::new(self.services.clone(), None, label);
        let info = self
            .runtime
            .describe(&connector, broker)
            .await
            .with_context(|| format!("cannot install {}: describe() failed", path.display()))?;
        check_connector_id(&info.id)?;
        let imports = connector.identity.imports.clone();

        if let Some(existing) = self.db.connector_version(&info.id, &info.version).await? {
            if existing.sha256 != sha256 {
                bail!(
                    "{} {} is already installed with sha256 {}, and {} has sha256 {sha256}; bump the connector's version before installing a changed build",
                    info.id,
                    info.version,
                    existing.sha256,
                    path.display()
                );
            }
            self.db.activate_connector_version(existing.id).await?;
            let version = self.db.active_connector_version(&info.id).await?.context("the version just activated is missing")?;
            return Ok(Installed { version, info, imports, newly_installed: false });
        }

        let components = self.components_dir();
        std::fs::create_dir_all(&components).with_context(|| format!("cannot create {}", components.display()))?;
        let stored = components.join(format!("{}-{}-{}.wasm", info.id, info.version, &sha256[..16]));
        std::fs::write(&stored, &bytes).with_context(|| format!("cannot write {}", stored.display()))?;

        let info_json = serde_json::to_string(&info)?;
        let version = self
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
        tracing::info!(connector = %version.connector_id, version = %version.version, sha256, "installed connector");
        Ok(Installed { version, info, imports, newly_installed: true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_ids() {
        assert!(check_connector_id("zoom").is_ok());
        assert!(check_connector_id("google-workspace2").is_ok());
        for bad in ["", "Zoom", "2zoom", "zo om", "zoom/../x"] {
            assert!(check_connector_id(bad).is_err(), "{bad:?}");
        }
    }
}
