//! Writing a key file beside the database: readable by the service user only (0600), and
//! replaced atomically (a temporary file, synced, then renamed), so a power cut leaves the
//! old key or the new one, never half of one.
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::StoreError;

pub fn write_private(path: &Path, contents: &str) -> Result<(), StoreError> {
    let tmp = path.with_extension("key.tmp");
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(contents.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| StoreError::Io(format!("cannot write {}: {e}", path.display())))
}
