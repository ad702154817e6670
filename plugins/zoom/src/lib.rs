//! Roster's Zoom connector: lists a Zoom account's users through the host's brokered HTTP.
//!
//! # Layout
//! - `describe`: the connector's identity, upstreams, OAuth endpoints and features.
//! - `api`: sends requests through the host and turns Zoom's error bodies into
//!   `connector-error` values (`errors`).
//! - `reports`: `list-activity`, `list-usage` and `account-summary`.
//! - `users`: `list-users`, paging by `next_page_token` across the active, inactive and
//!   pending listings, with role names from `roles`.
//! - `provision`: user changes and their dry runs.
//! - `webhook`: verifies and parses Zoom's webhook deliveries.
//! - `time`: RFC 3339 and HTTP-date parsing, kept small so the component stays small.
//!
//! The crate also builds as an `rlib` so the parsing code runs natively in unit tests and in
//! the benchmark. Calls to host imports only work inside the component.

// `connector-error` is the WIT type that crosses the boundary; boxing it inside the crate would
// only add a conversion at every export.
#![allow(clippy::result_large_err)]

mod api;
mod describe;
mod errors;
mod provision;
mod reports;
mod roles;
mod time;
mod users;
mod webhook;

pub mod bindings {
    //! Bindings generated from `wit/` by `wit-bindgen`.
    wit_bindgen::generate!({
        world: "connector-world",
        path: "../../wit",
        generate_all,
    });
}

pub use roles::{parse_roles, RoleNames};
pub use users::{parse_users_page, Listing, ParsedPage, UsersCursor, PAGE_SIZE};

use bindings::exports::roster::connector::connector::Guest;
use bindings::roster::connector::types::{
    AccountIdentity, AccountReport, ActivityPage, ConnectorError, ConnectorInfo, DateRange,
    FeatureAccess, ProvisionOp, ProvisionOutcome, UsagePage, UserPage, WebhookEvent, WebhookRequest,
};

struct ZoomConnector;

impl Guest for ZoomConnector {
    fn describe() -> ConnectorInfo {
        describe::connector_info()
    }

    fn identify() -> Result<AccountIdentity, ConnectorError> {
        users::identify()
    }

    fn check(granted_scopes: Vec<String>) -> Vec<FeatureAccess> {
        describe::check(&granted_scopes)
    }

    fn list_users(cursor: Option<String>) -> Result<UserPage, ConnectorError> {
        users::list_users(cursor.as_deref())
    }

    fn list_activity(range: DateRange, cursor: Option<String>) -> Result<ActivityPage, ConnectorError> {
        reports::list_activity(range, cursor.as_deref())
    }

    fn list_usage(range: DateRange, cursor: Option<String>) -> Result<UsagePage, ConnectorError> {
        reports::list_usage(range, cursor.as_deref())
    }

    fn account_summary() -> Result<AccountReport, ConnectorError> {
        reports::account_summary()
    }

    fn provision(op: ProvisionOp, dry_run: bool) -> Result<ProvisionOutcome, ConnectorError> {
        provision::provision(op, dry_run)
    }

    fn handle_webhook(request: WebhookRequest) -> Result<WebhookEvent, ConnectorError> {
        webhook::handle(request)
    }
}

// Exported symbol names such as `roster:connector/connector@0.1.0#list-users` are only valid in a
// wasm component; native builds (unit tests, the benchmark) skip the export glue.
#[cfg(target_arch = "wasm32")]
bindings::export!(ZoomConnector with_types_in bindings);
