//! The master key that seals credentials at rest with XChaCha20-Poly1305.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, Key, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::AuthError;

/// Environment variable holding the master key as base64 of 32 bytes.
pub const MASTER_KEY_ENV: &str = "ROSTER_MASTER_KEY";

const NONCE_LEN: usize = 24;

pub struct MasterKey {
    cipher: XChaCha20Poly1305,
    /// Where the key came from, for error messages: the key file or the environment.
    source: String,
}

impl MasterKey {
    /// Loads the key from `ROSTER_MASTER_KEY`, or from the key file beside the database,
    /// creating that file with mode 0600 on first use.
    pub fn load(database_path: &Path) -> Result<MasterKey, AuthError> {
        if let Ok(encoded) = std::env::var(MASTER_KEY_ENV) {
            let key = decode_key(&encoded)
                .map_err(|detail| AuthError::MasterKey(format!("{MASTER_KEY_ENV} is invalid: {detail}")))?;
            return Ok(MasterKey::from_bytes(&key, MASTER_KEY_ENV.to_string()));
        }
        let path = key_file_path(database_path);
        let key = read_or_create_key_file(&path)?;
        Ok(MasterKey::from_bytes(&key, path.display().to_string()))
    }

    pub fn from_bytes(key: &[u8; 32], source: String) -> MasterKey {
        let key = Key::<XChaCha20Poly1305>::from(*key);
        MasterKey { cipher: XChaCha20Poly1305::new(&key), source }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Encrypts `plaintext`. `context` is bound as associated data, so a sealed value only
    /// opens for the same connection and credential name.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XNonce::generate();
        let ciphertext = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Decrypts a value from [`MasterKey::seal`]; `None` when the key or context differs or the
    /// value was altered.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).ok()?;
        self.cipher.decrypt(&nonce, Payload { msg: ciphertext, aad: context.as_bytes() }).ok()
    }
}

/// The key file sits beside the database: `roster.db` uses `roster.db.key`.
pub fn key_file_path(database_path: &Path) -> PathBuf {
    let mut name = database_path.file_name().unwrap_or_default().to_os_string();
    name.push(".key");
    database_path.with_file_name(name)
}

fn decode_key(encoded: &str) -> Result<[u8; 32], String> {
    let bytes = BASE64.decode(encoded.trim()).map_err(|error| format!("not base64: {error}"))?;
    bytes.try_into().map_err(|bytes: Vec<u8>| format!("expected 32 bytes, found {}", bytes.len()))
}

fn read_or_create_key_file(path: &Path) -> Result<[u8; 32], AuthError> {
    // `create_new` fails if another process created the file first; then read theirs.
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut file) => {
            let key: [u8; 32] = Key::<XChaCha20Poly1305>::generate().into();
            let encoded = format!("{}\n", BASE64.encode(key));
            file.write_all(encoded.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|error| AuthError::MasterKey(format!("cannot write key file {}: {error}", path.display())))?;
            tracing::info!(path = %path.display(), "created master key file");
            Ok(key)
        }
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            let mut file = std::fs::File::open(path)
                .map_err(|error| AuthError::MasterKey(format!("cannot open key file {}: {error}", path.display())))?;
            let mode = file.metadata().map(|meta| meta.permissions().mode() & 0o777).unwrap_or(0);
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "master key file is readable by other users; run chmod 600 on it");
            }
            let mut encoded = String::new();
            file.read_to_string(&mut encoded)
                .map_err(|error| AuthError::MasterKey(format!("cannot read key file {}: {error}", path.display())))?;
            decode_key(&encoded)
                .map_err(|detail| AuthError::MasterKey(format!("key file {} is invalid: {detail}", path.display())))
        }
        Err(error) => Err(AuthError::MasterKey(format!("cannot create key file {}: {error}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_binds_context() {
        let key = MasterKey::from_bytes(&[7; 32], "test".into());
        let sealed = key.seal("acme/client-secret", b"s3cret");
        assert_eq!(key.open("acme/client-secret", &sealed).as_deref(), Some(&b"s3cret"[..]));
        assert_eq!(key.open("other/client-secret", &sealed), None);
        assert!(!sealed.windows(6).any(|window| window == b"s3cret"));
    }

    #[test]
    fn open_rejects_wrong_key_and_tampering() {
        let key = MasterKey::from_bytes(&[7; 32], "test".into());
        let other = MasterKey::from_bytes(&[8; 32], "test".into());
        let mut sealed = key.seal("c", b"value");
        assert_eq!(other.open("c", &sealed), None);
        *sealed.last_mut().unwrap() ^= 1;
        assert_eq!(key.open("c", &sealed), None);
        assert_eq!(key.open("c", b"short"), None);
    }

    #[test]
    fn key_file_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("roster.db");
        let path = key_file_path(&db);
        assert_eq!(path, dir.path().join("roster.db.key"));

        let first = read_or_create_key_file(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(read_or_create_key_file(&path).unwrap(), first);
    }

    #[test]
    fn decode_key_errors() {
        assert_eq!(decode_key("!!"), Err("not base64: Invalid symbol 33, offset 0.".into()));
        assert_eq!(decode_key(&BASE64.encode([1u8; 16])), Err("expected 32 bytes, found 16".into()));
    }
}
