//! End-to-end tests: the real `roster` binary and library against the mock Zoom server on
//! 127.0.0.1, with real connector components and SQLite files in temporary directories.
//!
//! One test binary (`cargo test --test e2e`), one module per area.

mod harness;

mod access;
mod activity;
mod cli;
mod oauth;
mod provision;
mod runtime;
mod sync;
mod web;
mod webhooks;
