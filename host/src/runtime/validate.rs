//! Checks that a file is a component for this host's world before anything instantiates it.

use std::path::PathBuf;

use wasmparser::Parser;
use wasmtime::component::Component;
use wasmtime::Engine;

/// The WIT package and version this host implements.
pub const PACKAGE: &str = "roster:connector";
pub const PACKAGE_VERSION: &str = "0.1.0";
/// The world connectors target.
pub const WORLD: &str = "roster:connector/connector-world@0.1.0";
/// The interface every connector exports.
const EXPORT: &str = "roster:connector/connector@0.1.0";
/// Interfaces of the package a connector may import.
const HOST_INTERFACES: [&str; 5] = ["types", "http", "storage", "secrets", "log"];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} has sha256 {actual}, but {expected} was installed; reinstall it with `roster connector add`")]
    DigestMismatch { path: PathBuf, expected: String, actual: String },
    #[error("not a WebAssembly file: it does not start with the `\\0asm` header; pass the `.wasm` file built for wasm32-wasip2")]
    NotWasm,
    #[error("this is a core WebAssembly module, not a component; build the connector with `--target wasm32-wasip2`, which emits a component")]
    CoreModule,
    #[error("unsupported WebAssembly encoding; expected a component (layer 1) as built for wasm32-wasip2")]
    UnknownEncoding,
    #[error("the component is invalid: {0}")]
    Compile(String),
    #[error("the component does not export `{EXPORT}`, so it is not a Roster connector; it exports: {found}. Build it against world `{WORLD}` from wit/")]
    WrongWorld { found: String },
    #[error("the component targets `{found}`, but this Roster implements `{expected}`; rebuild the connector against wit/ at version {PACKAGE_VERSION}, or use a Roster release for that version")]
    VersionMismatch { expected: String, found: String },
    #[error("the component imports `{name}`, which Roster does not provide; connectors may import {PACKAGE}/{{types,http,storage,secrets,log}}@{PACKAGE_VERSION} and WASI 0.2 interfaces only")]
    UnknownImport { name: String },
    #[error("the component cannot be linked with Roster's imports: {0}")]
    Link(String),
}

/// What Roster records about a component before running it.
#[derive(Debug, Clone)]
pub struct ComponentIdentity {
    pub sha256: String,
    pub world: String,
    /// Every import name, for the security review in `roster connector list`.
    pub imports: Vec<String>,
}

/// Rejects files that are not components before spending time compiling them.
pub fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    if !bytes.starts_with(b"\0asm") {
        return Err(LoadError::NotWasm);
    }
    if Parser::is_core_wasm(bytes) {
        return Err(LoadError::CoreModule);
    }
    if !Parser::is_component(bytes) {
        return Err(LoadError::UnknownEncoding);
    }
    Ok(())
}

/// Splits `roster:connector/http@0.1.0` into (`roster:connector`, `http`, `0.1.0`).
fn split_name(name: &str) -> Option<(&str, &str, &str)> {
    let (path, version) = name.split_once('@')?;
    let (package, interface) = path.split_once('/')?;
    Some((package, interface, version))
}

/// Checks the component's exports and imports against this host's world.
pub fn check_interface(engine: &Engine, component: &Component, sha256: String) -> Result<ComponentIdentity, LoadError> {
    let ty = component.component_type();

    let exports: Vec<&str> = ty.exports(engine).map(|(name, _)| name).collect();
    if !exports.contains(&EXPORT) {
        let ours = exports.iter().find(|name| {
            split_name(name).is_some_and(|(package, interface, _)| package == PACKAGE && interface == "connector")
        });
        return Err(match ours {
            Some(found) => LoadError::VersionMismatch { expected: EXPORT.to_string(), found: found.to_string() },
            None if exports.is_empty() => LoadError::WrongWorld { found: "nothing".to_string() },
            None => LoadError::WrongWorld { found: exports.join(", ") },
        });
    }

    let mut imports = Vec::new();
    for (name, _) in ty.imports(engine) {
        match split_name(name) {
            Some((PACKAGE, interface, version)) if HOST_INTERFACES.contains(&interface) => {
                if version != PACKAGE_VERSION {
                    return Err(LoadError::VersionMismatch {
                        expected: format!("{PACKAGE}/{interface}@{PACKAGE_VERSION}"),
                        found: name.to_string(),
                    });
                }
            }
            Some((package, _, version)) if package.starts_with("wasi:") && version.starts_with("0.2.") => {}
            _ => return Err(LoadError::UnknownImport { name: name.to_string() }),
        }
        imports.push(name.to_string());
    }

    Ok(ComponentIdentity { sha256, world: WORLD.to_string(), imports })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_checks() {
        assert!(matches!(check_header(b"hello"), Err(LoadError::NotWasm)));
        assert!(matches!(check_header(b"\0asm\x01\0\0\0"), Err(LoadError::CoreModule)));
        assert!(check_header(b"\0asm\x0d\0\x01\0").is_ok());
        assert!(matches!(check_header(b"\0asm\x0d\0\x02\0"), Err(LoadError::UnknownEncoding)));
    }

    #[test]
    fn split_interface_names() {
        assert_eq!(split_name("roster:connector/http@0.1.0"), Some(("roster:connector", "http", "0.1.0")));
        assert_eq!(split_name("wasi:io/streams@0.2.6"), Some(("wasi:io", "streams", "0.2.6")));
        assert_eq!(split_name("no-version"), None);
    }
}
