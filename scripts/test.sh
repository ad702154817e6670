#!/usr/bin/env bash
# Runs every test: unit tests, the mock Zoom server's tests and the end-to-end suite, which
# builds the connector components for wasm32-wasip2 first. The web UI tests need Debian's
# chromium and chromium-driver packages (.ci/run installs them).
set -euo pipefail

cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null
cargo test "$@"
