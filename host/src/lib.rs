//! Roster: finds unused SaaS seats by syncing each tool's users through sandboxed connector
//! components.
//!
//! # Layout
//! - [`runtime`]: wasmtime engine, component loading and the per-call sandbox.
//! - [`broker`]: what the host lends a connector (HTTP, storage, secrets, log), one file per
//!   WIT interface.
//! - [`auth`]: OAuth token flows, the sealed credential store and the token cache.
//! - [`store`]: every SQL statement, behind typed functions.
//! - [`sync`]: drives a connector page by page with checkpoints.
//! - [`app`]: wires the pieces together for the CLI and server.
//! - [`install`] and [`connect`]: installing connector components and creating connections.
//! - [`explain`]: connector errors as one-line advice for admins.
//! - [`server`]: `roster serve`, with webhooks and the REST API.
//! - [`access`]: the permission check of a connection's grant.
//! - [`engagement`], [`seats`] and [`usage`]: the reports on how seats are used.
//! - [`disconnect`]: revoking, disconnecting and deauthorizing connections.
//! - [`cli`]: the `roster` command line.

pub mod access;
pub mod app;
pub mod auth;
pub mod broker;
pub mod cli;
pub mod clock;
pub mod connect;
pub mod disconnect;
pub mod engagement;
pub mod explain;
pub mod install;
pub mod provision;
pub mod reclaim;
pub mod runtime;
pub mod seats;
pub mod server;
pub mod store;
pub mod sync;
pub mod usage;
pub mod views;
