//! A file lock per connection, so two processes never sync the same connection at once. The
//! operating system releases it when the process dies, even on SIGKILL.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::SyncError;
use crate::store::Connection;

pub struct SyncLock {
    _file: File,
    path: PathBuf,
}

impl SyncLock {
    pub fn acquire(db_path: &Path, connection: &Connection) -> Result<SyncLock, SyncError> {
        let mut dir_name = db_path.file_name().unwrap_or_default().to_os_string();
        dir_name.push(".locks");
        let dir = db_path.with_file_name(dir_name);
        std::fs::create_dir_all(&dir)
            .map_err(|error| anyhow::anyhow!("cannot create lock directory {}: {error}", dir.display()))?;
        let path = dir.join(format!("sync-{}.lock", connection.id));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| anyhow::anyhow!("cannot open lock file {}: {error}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(SyncLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(SyncError::AlreadyRunning(connection.name.clone())),
            Err(TryLockError::Error(error)) => {
                Err(anyhow::anyhow!("cannot lock {}: {error}", path.display()).into())
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
