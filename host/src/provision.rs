//! User changes through the connector's `provision` export: create, licence, deactivate,
//! activate, remove, role and group changes. Each real change updates the local store and
//! appends to the audit log; a dry run returns the requests it would send and sends none.

use anyhow::Context as _;
use serde::Serialize;
use serde_json::json;

use crate::app::{App, Prepared};
use crate::explain::explain_connector_error;
use crate::runtime::wit::{self, ConnectorError, LicenseKind, ProvisionOp, RemovalMode};
use crate::store::{AuditEntry, License, StoredUser, UserStatus};
use crate::sync::to_record;
use crate::views::UserView;

/// One change to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Create { email: String, first_name: Option<String>, last_name: Option<String>, license: License, action: Option<String> },
    SetLicense { email: String, license: License },
    Deactivate { email: String },
    Activate { email: String },
    Remove { email: String, delete: bool, transfer_to: Option<String> },
    SetRole { email: String, role: String },
    AddToGroup { email: String, group: String },
    RemoveFromGroup { email: String, group: String },
}

impl Operation {
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Create { .. } => "create",
            Operation::SetLicense { .. } => "license",
            Operation::Deactivate { .. } => "deactivate",
            Operation::Activate { .. } => "activate",
            Operation::Remove { delete: false, .. } => "remove",
            Operation::Remove { delete: true, .. } => "delete",
            Operation::SetRole { .. } => "role",
            Operation::AddToGroup { .. } => "group-add",
            Operation::RemoveFromGroup { .. } => "group-remove",
        }
    }

    pub fn email(&self) -> &str {
        match self {
            Operation::Create { email, .. }
            | Operation::SetLicense { email, .. }
            | Operation::Deactivate { email }
            | Operation::Activate { email }
            | Operation::Remove { email, .. }
            | Operation::SetRole { email, .. }
            | Operation::AddToGroup { email, .. }
            | Operation::RemoveFromGroup { email, .. } => email,
        }
    }

    /// True for changes that take something away and so need confirmation: deactivation,
    /// removal and a licence downgrade.
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Operation::Deactivate { .. } | Operation::Remove { .. } | Operation::SetLicense { license: License::Basic | License::None, .. }
        )
    }
}

/// A request as the connector sends it, with the full URL.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlannedRequest {
    pub method: String,
    pub url: String,
    pub body: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProvisionResult {
    pub operation: &'static str,
    pub target: String,
    pub dry_run: bool,
    pub requests: Vec<PlannedRequest>,
    /// True when nothing needed to change, such as removing a user who is already gone.
    pub already_done: bool,
    pub note: Option<String>,
    /// The user after the change, as stored now.
    pub user: Option<UserView>,
}

/// The kind of [`ProvisionError`] for a connection that cannot send requests.
pub const NOT_CONNECTED: &str = "not-connected";

/// A refusal of the upstream or the connector, explained.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ProvisionError {
    pub kind: &'static str,
    pub message: String,
    pub upstream_code: Option<String>,
}

fn license_kind(license: License) -> LicenseKind {
    match license {
        License::Basic => LicenseKind::Basic,
        License::Licensed => LicenseKind::Licensed,
        License::None => LicenseKind::None,
        License::Other => LicenseKind::Other,
    }
}

fn wit_status(status: UserStatus) -> wit::UserStatus {
    match status {
        UserStatus::Active => wit::UserStatus::Active,
        UserStatus::Inactive => wit::UserStatus::Inactive,
        UserStatus::Pending => wit::UserStatus::Pending,
    }
}

fn user_ref(email: &str, stored: Option<&StoredUser>) -> wit::UserRef {
    match stored {
        Some(user) => wit::UserRef {
            email: user.record.email.clone(),
            remote_id: user.record.remote_id.clone(),
            status: Some(wit_status(user.record.status)),
            role_id: user.record.role_id.clone(),
        },
        None => wit::UserRef { email: email.to_string(), remote_id: None, status: None, role_id: None },
    }
}

fn wit_op(operation: &Operation, stored: Option<&StoredUser>) -> ProvisionOp {
    let user = || user_ref(operation.email(), stored);
    match operation {
        Operation::Create { email, first_name, last_name, license, action } => ProvisionOp::Create(wit::CreateUser {
            email: email.clone(),
            first_name: first_name.clone(),
            last_name: last_name.clone(),
            license: license_kind(*license),
            action: action.clone(),
        }),
        Operation::SetLicense { license, .. } => ProvisionOp::SetLicense(wit::SetLicense { user: user(), license: license_kind(*license) }),
        Operation::Deactivate { .. } => ProvisionOp::Deactivate(user()),
        Operation::Activate { .. } => ProvisionOp::Activate(user()),
        Operation::Remove { delete, transfer_to, .. } => ProvisionOp::Remove(wit::RemoveUser {
            user: user(),
            mode: if *delete { RemovalMode::Delete } else { RemovalMode::Disassociate },
            transfer_to: transfer_to.clone(),
        }),
        Operation::SetRole { role, .. } => ProvisionOp::SetRole(wit::SetRole { user: user(), role: role.clone() }),
        Operation::AddToGroup { group, .. } => ProvisionOp::AddToGroup(wit::GroupMembership { user: user(), group: group.clone() }),
        Operation::RemoveFromGroup { group, .. } => ProvisionOp::RemoveFromGroup(wit::GroupMembership { user: user(), group: group.clone() }),
    }
}

fn snapshot(user: Option<&StoredUser>) -> Option<serde_json::Value> {
    user.map(|user| {
        json!({
            "status": user.record.status,
            "license": user.record.license,
            "role": user.record.role.as_deref().or(user.record.role_id.as_deref()),
            "group_ids": user.record.group_ids,
            "removed": user.removed,
        })
    })
}

fn upstream_code(error: &ConnectorError) -> Option<String> {
    match error {
        ConnectorError::Unauthorized(upstream)
        | ConnectorError::NotFound(upstream)
        | ConnectorError::Conflict(upstream)
        | ConnectorError::LimitReached(upstream)
        | ConnectorError::Rejected(upstream)
        | ConnectorError::Unavailable(upstream)
        | ConnectorError::Upstream(upstream) => upstream.code.clone(),
        ConnectorError::MissingPermissions(permission) => permission.upstream.code.clone(),
        ConnectorError::RateLimited(limit) => limit.upstream.code.clone(),
        _ => None,
    }
}

impl App {
    /// Applies one change, or with `dry_run` returns the requests it would send.
    pub async fn provision(&self, connection_name: &str, operation: &Operation, dry_run: bool, actor: &str) -> anyhow::Result<ProvisionResult> {
        let connection = self.db.connection(connection_name).await?;
        if let Some(message) = crate::auth::not_connected(&connection, "changing users") {
            return Err(ProvisionError { kind: NOT_CONNECTED, message, upstream_code: None }.into());
        }
        let prepared = self.prepare(connection).await?;
        let connection_id = prepared.context.connection.id;
        // A removed user keeps its id, so a repeated removal names the same user.
        let stored = self.db.user_by_email(connection_id, operation.email()).await?;
        if let Operation::Create { email, .. } = operation
            && stored.as_ref().is_some_and(|user| !user.removed)
        {
            anyhow::bail!("{email} is already a user of `{connection_name}`; change it instead of creating it");
        }

        let broker = self.broker(Some(prepared.context.clone()), &prepared.version);
        let audit = broker.audit_sink();
        let outcome = self
            .runtime
            .provision(&prepared.connector, broker, wit_op(operation, stored.as_ref()), dry_run)
            .await
            .context("the connector failed")?;

        let before = snapshot(stored.as_ref());
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                let code = upstream_code(&error);
                let mut explained = explain_connector_error(&error, &prepared.info.name, audit.auth_failure().as_deref());
                if let ConnectorError::LimitReached(_) = &error {
                    explained.message.push_str(&self.seat_usage_note(&prepared).await);
                }
                if code.as_deref() == Some("1117") {
                    explained.message.push_str(&format!("; the command is `roster user {connection_name} role {} Member`", operation.email()));
                }
                if let ConnectorError::NotFound(_) = &error {
                    explained.message.push_str(&format!(
                        "; check the email, or run `roster sync {connection_name}` if the user was created or renamed in Zoom"
                    ));
                }
                if let ConnectorError::Conflict(_) = &error {
                    explained.message.push_str(&format!("; run `roster sync {connection_name}` to bring the existing account into Roster"));
                }
                if !dry_run {
                    self.db
                        .append_audit(&AuditEntry {
                            actor: actor.to_string(),
                            connection: connection_name.to_string(),
                            operation: operation.name().to_string(),
                            target: Some(operation.email().to_string()),
                            before,
                            after: None,
                            outcome: "error".to_string(),
                            upstream_code: code.clone(),
                            detail: Some(explained.message.clone()),
                        })
                        .await?;
                }
                // The caller shows the message, so a rejection is not logged as a warning.
                tracing::info!(connection = connection_name, operation = operation.name(), code, error = %explained.message, "user change rejected");
                return Err(ProvisionError { kind: explained.kind, message: explained.message, upstream_code: code }.into());
            }
        };

        let requests = outcome
            .requests
            .iter()
            .map(|request| {
                let base = prepared.context.upstreams.get(&request.upstream).map(|upstream| upstream.base_url.as_str().trim_end_matches('/').to_string());
                PlannedRequest {
                    method: request.method.clone(),
                    url: format!("{}{}", base.unwrap_or_default(), request.path_and_query),
                    body: request.body.as_deref().and_then(|body| serde_json::from_str(body).ok()),
                }
            })
            .collect();

        let mut user = None;
        if !dry_run {
            let stored_after = match (&outcome.user, operation) {
                (Some(changed), _) => Some(self.db.upsert_user(connection_id, &to_record(changed.clone())).await?),
                (None, Operation::Remove { .. }) => {
                    if let Some(stored) = &stored {
                        self.db.mark_user_removed(connection_id, &stored.record.key).await?;
                    }
                    self.db.user_by_email(connection_id, operation.email()).await?
                }
                (None, _) => None,
            };
            self.db
                .append_audit(&AuditEntry {
                    actor: actor.to_string(),
                    connection: connection_name.to_string(),
                    operation: operation.name().to_string(),
                    target: Some(operation.email().to_string()),
                    before,
                    after: snapshot(stored_after.as_ref()),
                    outcome: "ok".to_string(),
                    upstream_code: None,
                    detail: outcome.note.clone().or_else(|| outcome.already_done.then(|| "already in effect".to_string())),
                })
                .await?;
            tracing::info!(connection = connection_name, operation = operation.name(), already_done = outcome.already_done, "provisioned");
            user = stored_after.map(|stored| UserView::new(stored, None));
        }

        Ok(ProvisionResult {
            operation: operation.name(),
            target: operation.email().to_string(),
            dry_run,
            requests,
            already_done: outcome.already_done,
            note: outcome.note,
            user,
        })
    }

    /// Describes seat usage after a seat-limit refusal: "N of M paid seats are assigned".
    async fn seat_usage_note(&self, prepared: &Prepared) -> String {
        // Fresh numbers from the upstream explain the refusal best; stored ones are a fallback.
        if let Err(error) = crate::sync::refresh_account_report(self, prepared).await {
            tracing::warn!(error, "cannot refresh seat usage after a seat-limit refusal");
        }
        match crate::seats::seats_report(&self.db, prepared.context.connection.id).await {
            Ok(report) => match (report.upstream_assigned, report.seats_bought) {
                (Some(assigned), Some(bought)) => format!(" ({assigned} of {bought} paid seats are assigned)"),
                (None, Some(bought)) => format!(" ({} of {bought} paid seats are assigned)", report.seats_assigned),
                _ => format!(" ({} paid seats are assigned; the number bought is unknown)", report.seats_assigned),
            },
            Err(error) => {
                tracing::warn!(error = %error, "cannot compute seat usage");
                String::new()
            }
        }
    }
}
