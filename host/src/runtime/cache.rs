//! Compiled components on disk, keyed by the component's SHA-256 and the engine's
//! compatibility hash, so a new wasmtime or different settings never load stale code.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;
use wasmtime::Engine;

use super::LoadError;

fn cache_path(engine: &Engine, cache_dir: &Path, sha256: &str) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    cache_dir.join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
}

/// Returns the compiled component, from the cache when possible.
pub fn compile_cached(engine: &Engine, cache_dir: &Path, sha256: &str, bytes: &[u8]) -> Result<Component, LoadError> {
    let path = cache_path(engine, cache_dir, sha256);
    if path.exists() {
        // SAFETY: only this host writes the cache directory, naming each file after the
        // digest of its source and the engine's compatibility hash; wasmtime still checks
        // the header and engine settings before using it.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(component) => return Ok(component),
            Err(error) => {
                tracing::warn!(path = %path.display(), error = %error, "ignoring unreadable compiled component; compiling again");
            }
        }
    }

    let started = std::time::Instant::now();
    let component = Component::new(engine, bytes).map_err(|error| LoadError::Compile(format!("{error:#}")))?;
    tracing::info!(sha256, elapsed_ms = started.elapsed().as_millis() as u64, "compiled connector component");

    // A failed cache write only costs a compilation next time.
    if let Err(error) = write_cache(&component, cache_dir, &path) {
        tracing::warn!(path = %path.display(), error = %error, "cannot cache compiled component");
    }
    Ok(component)
}

fn write_cache(component: &Component, cache_dir: &Path, path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(cache_dir)?;
    let serialized = component.serialize()?;
    // Write then rename, so a concurrent reader never sees half a file.
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, serialized)?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}
