//! Atomic file output.
//!
//! A half-written consent form on disk is worse than none: a coordinator may
//! print a truncated file without noticing. We therefore write to a temporary
//! file in the destination folder, flush it to stable storage, and only then
//! rename it over the destination. Rename within one folder is atomic on the
//! file systems Harbour targets, so readers see either the old file or the
//! complete new one.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::PdfError;

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
///
/// The temporary file is removed if any step fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PdfError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document.pdf".to_owned());
    // Process id + counter keeps concurrent writers (threads or app instances)
    // from sharing a temporary file.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.{}-{n}.tmp", std::process::id()));

    let result = write_and_sync(&tmp, bytes).and_then(|()| {
        fs::rename(&tmp, path).map_err(|source| PdfError::Io {
            path: path.to_path_buf(),
            source,
        })
    });
    if result.is_err() {
        // Best effort: the original error is more useful than a cleanup error.
        let _ = fs::remove_file(&tmp);
        return result;
    }
    sync_dir(&dir);
    Ok(())
}

fn write_and_sync(tmp: &Path, bytes: &[u8]) -> Result<(), PdfError> {
    let io_err = |source| PdfError::Io {
        path: tmp.to_path_buf(),
        source,
    };
    let mut file = File::create(tmp).map_err(io_err)?;
    file.write_all(bytes).map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    Ok(())
}

/// Flushes the directory entry so the rename itself survives a power cut.
/// Not supported on every platform (e.g. Windows), so failures are ignored.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
