//! Writing files so that a crash or a full disk never leaves a half-written file under the
//! final name.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The temporary name used beside `path` while it is being written.
pub fn partial_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` via a temporary file in the same folder, synced and renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = partial_name(path);
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            // Make the rename itself durable where the platform allows it.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, &e)
    })
}
