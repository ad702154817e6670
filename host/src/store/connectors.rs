//! Installed connector components and which version of each is active.

use sqlx::Row;

use super::{unix_now, Database, Result};

#[derive(Debug, Clone)]
pub struct ConnectorVersion {
    pub id: i64,
    pub connector_id: String,
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub world: String,
    pub component_path: String,
    pub size_bytes: i64,
    pub info_json: String,
    pub installed_at: i64,
    pub active: bool,
}

pub struct NewConnectorVersion<'a> {
    pub connector_id: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub sha256: &'a str,
    pub world: &'a str,
    pub component_path: &'a str,
    pub size_bytes: i64,
    pub info_json: &'a str,
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ConnectorVersion> {
    Ok(ConnectorVersion {
        id: row.try_get("id")?,
        connector_id: row.try_get("connector_id")?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
        sha256: row.try_get("sha256")?,
        world: row.try_get("world")?,
        component_path: row.try_get("component_path")?,
        size_bytes: row.try_get("size_bytes")?,
        info_json: row.try_get("info_json")?,
        installed_at: row.try_get("installed_at")?,
        active: row.try_get("active")?,
    })
}

impl Database {
    /// Records a component and makes it the active version of its connector.
    pub async fn install_connector_version(
        &self,
        new: &NewConnectorVersion<'_>,
    ) -> Result<ConnectorVersion> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE connector_versions SET active = 0 WHERE connector_id = ?")
            .bind(new.connector_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "INSERT INTO connector_versions
                 (connector_id, name, version, sha256, world, component_path, size_bytes,
                  info_json, installed_at, active)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
             RETURNING *",
        )
        .bind(new.connector_id)
        .bind(new.name)
        .bind(new.version)
        .bind(new.sha256)
        .bind(new.world)
        .bind(new.component_path)
        .bind(new.size_bytes)
        .bind(new.info_json)
        .bind(unix_now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        from_row(&row)
    }

    /// Makes an installed version the active one, for re-installs of a known file.
    pub async fn activate_connector_version(&self, id: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE connector_versions SET active = (id = ?1)
             WHERE connector_id = (SELECT connector_id FROM connector_versions WHERE id = ?1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn connector_versions(&self) -> Result<Vec<ConnectorVersion>> {
        let rows = sqlx::query("SELECT * FROM connector_versions ORDER BY connector_id, installed_at, id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn connector_version(
        &self,
        connector_id: &str,
        version: &str,
    ) -> Result<Option<ConnectorVersion>> {
        let row = sqlx::query("SELECT * FROM connector_versions WHERE connector_id = ? AND version = ?")
            .bind(connector_id)
            .bind(version)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn active_connector_version(&self, connector_id: &str) -> Result<Option<ConnectorVersion>> {
        let row = sqlx::query("SELECT * FROM connector_versions WHERE connector_id = ? AND active = 1")
            .bind(connector_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
