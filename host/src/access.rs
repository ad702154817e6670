//! The permission check: which connector features the granted scopes allow, and for each
//! unavailable one the scopes and admin-role permissions to grant.

use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;

use crate::app::{App, Prepared};
use crate::runtime::wit::Feature;

/// One feature's access, ready to print.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeatureStatus {
    pub feature: String,
    pub title: String,
    pub available: bool,
    /// For each missing need, the scope to grant first and its alternatives.
    pub missing_scopes: Vec<ScopeAdvice>,
    pub admin_permissions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScopeAdvice {
    pub grant: String,
    pub alternatives: Vec<String>,
}

impl ScopeAdvice {
    pub fn describe(&self) -> String {
        if self.alternatives.is_empty() {
            self.grant.clone()
        } else {
            format!("{} (or {})", self.grant, self.alternatives.join(", "))
        }
    }
}

/// Runs the connector's `check` with the connection's granted scopes.
pub async fn check_access(app: &App, prepared: &Prepared) -> anyhow::Result<Vec<FeatureStatus>> {
    let granted: Vec<String> = prepared
        .context
        .connection
        .granted_scopes
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let broker = app.broker(Some(Arc::clone(&prepared.context)), &prepared.version);
    let report = app.runtime.check(&prepared.connector, broker, granted).await.context("the connector's check failed")?;

    let title = |id: &str| -> String {
        prepared.info.features.iter().find(|feature: &&Feature| feature.id == id).map_or_else(|| id.to_string(), |feature| feature.title.clone())
    };
    Ok(report
        .into_iter()
        .map(|access| FeatureStatus {
            title: title(&access.feature),
            feature: access.feature,
            available: access.available,
            missing_scopes: access
                .missing_scopes
                .into_iter()
                .filter_map(|need| {
                    let mut scopes = need.any_of.into_iter();
                    let grant = scopes.next()?;
                    Some(ScopeAdvice { grant, alternatives: scopes.collect() })
                })
                .collect(),
            admin_permissions: access.admin_permissions,
        })
        .collect())
}
