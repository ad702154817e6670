//! Builds the connector components the tests load, with a nested cargo for wasm32-wasip2,
//! and writes their paths to `$OUT_DIR/artifacts.rs`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Test connector behaviours, each a cargo feature of `roster-testkit-connector`.
const TESTKIT_FEATURES: [&str; 12] = [
    "fixed-users",
    "spin",
    "memory-hog",
    "panic",
    "undeclared-upstream",
    "host-only-upstream",
    "forged-header",
    "request-flood",
    "repeat-cursor",
    "slow-upstream",
    "wrong-version",
    "other-world",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().and_then(Path::parent).expect("tests/artifacts sits two levels below the workspace").to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    // A separate target directory keeps the nested cargo off the outer build's lock.
    let target_dir = workspace.join("target").join("wasm-artifacts");

    for watched in ["wit", "plugins/zoom/src", "plugins/zoom/Cargo.toml", "plugins/testkit/src", "plugins/testkit/Cargo.toml", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }

    let mut constants = String::new();
    let zoom = build(&workspace, &target_dir, "roster-zoom", None, "roster_zoom");
    let zoom_copy = out_dir.join("zoom.wasm");
    std::fs::copy(&zoom, &zoom_copy).expect("copy zoom.wasm");
    constants.push_str(&format!("/// The Zoom connector component.\npub const ZOOM: &str = {:?};\n", zoom_copy.display().to_string()));

    for feature in TESTKIT_FEATURES {
        let built = build(&workspace, &target_dir, "roster-testkit-connector", Some(feature), "roster_testkit_connector");
        let copy = out_dir.join(format!("testkit-{feature}.wasm"));
        std::fs::copy(&built, &copy).expect("copy a testkit component");
        let name = feature.to_uppercase().replace('-', "_");
        constants.push_str(&format!("/// Testkit connector built with feature `{feature}`.\npub const TESTKIT_{name}: &str = {:?};\n", copy.display().to_string()));
    }

    std::fs::write(out_dir.join("artifacts.rs"), constants).expect("write artifacts.rs");
}

fn build(workspace: &Path, target_dir: &Path, package: &str, feature: Option<&str>, artifact: &str) -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--package", package])
        .env("CARGO_TARGET_DIR", target_dir)
        // Flags meant for the host build must not leak into the wasm build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_PROFILE_RELEASE_DEBUG");
    if let Some(feature) = feature {
        command.args(["--features", feature]);
    }

    let status = command.status().unwrap_or_else(|error| panic!("cannot run cargo to build {package}: {error}"));
    if !status.success() {
        panic!(
            "building {package} {} for wasm32-wasip2 failed (see the output above); if the target is missing, run `rustup target add wasm32-wasip2`",
            feature.map(|f| format!("with feature {f}")).unwrap_or_default()
        );
    }
    target_dir.join("wasm32-wasip2").join("release").join(format!("{artifact}.wasm"))
}
