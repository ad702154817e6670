//! `roster check`: which features the connection's grant allows, and what to grant for the
//! others.

use anyhow::bail;
use clap::Args;

use super::output::{print_json, table, TableOrJson};
use crate::access::{check_access, FeatureStatus};
use crate::app::App;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Connection to check.
    name: String,
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

/// Prints the feature table and returns how many features are unavailable.
pub fn print_access(features: &[FeatureStatus]) -> usize {
    let mut out = table(&["FEATURE", "STATUS", "SCOPE TO GRANT", "ADMIN ROLE PERMISSION"]);
    for feature in features {
        let (status, scopes, permissions) = if feature.available {
            ("available", String::new(), String::new())
        } else {
            let scopes = feature.missing_scopes.iter().map(|advice| advice.describe()).collect::<Vec<_>>().join("\n");
            ("unavailable", scopes, feature.admin_permissions.join("\n"))
        };
        out.add_row(vec![feature.title.clone(), status.to_string(), scopes, permissions]);
    }
    println!("{out}");
    features.iter().filter(|feature| !feature.available).count()
}

pub async fn run(app: &App, args: CheckArgs) -> anyhow::Result<()> {
    let connection = app.db.connection(&args.name).await?;
    // A connection whose tokens are gone has no grant to check.
    if let Some(message) = crate::auth::not_connected(&connection, "checking it") {
        bail!("{message}");
    }
    let prepared = app.prepare(connection).await?;
    let features = check_access(app, &prepared).await?;
    let unavailable = match args.format {
        TableOrJson::Json => {
            print_json(&features)?;
            features.iter().filter(|feature| !feature.available).count()
        }
        TableOrJson::Table => print_access(&features),
    };
    if unavailable > 0 {
        bail!(
            "{unavailable} of {} features of `{}` are unavailable; grant the listed scopes in the app, have an admin with the listed role permissions authorize it again, then rerun `roster check {}`",
            features.len(),
            args.name,
            args.name
        );
    }
    Ok(())
}
