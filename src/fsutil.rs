//! Writing files so that a crash or a full disk never leaves a half-written file under the
//! final name, and keeping the data folder readable by its owner only.
//!
//! The data folder holds the wrapped key (a target for offline passphrase guessing), the
//! encrypted database and evidence: on Unix the folder is 0700 and every file in it 0600,
//! and a folder made by an older Harbour is tightened when it is opened.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The mode of every file Harbour writes that only its owner may read.
#[cfg(unix)]
pub const PRIVATE_FILE: u32 = 0o600;
/// The mode of the data folder and the folders in it.
#[cfg(unix)]
pub const PRIVATE_DIR: u32 = 0o700;

/// The temporary name used beside `path` while it is being written.
pub fn partial_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` via a temporary file in the same folder, synced and renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, bytes, false)
}

/// As [`write_atomically`], readable and writable by the owner only (on Unix, 0600 from
/// the moment the file exists).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, bytes, true)
}

fn write_with(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let tmp = partial_name(path);
    let result = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if private {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE);
        }
        #[cfg(not(unix))]
        let _ = private;
        let mut file = options.open(&tmp)?;
        // A leftover temporary file keeps its old mode when reopened: set it again.
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE))?;
        }
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

/// Makes a folder (creating it if needed) that only its owner may enter.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
    set_mode(dir, true);
    Ok(())
}

/// Tightens a data folder made before Harbour set modes: the folder and its `evidence`
/// folder to 0700, and Harbour's own files in them to 0600. Only the names Harbour makes are
/// touched (a folder chosen by hand may hold other things), symbolic links are left alone,
/// and a mode that cannot be changed (another owner, a read-only disk) is left as it is:
/// this is a safeguard, not a reason to refuse to open.
pub fn tighten(dir: &Path, own_files: &[&str], evidence_dir: &str) {
    set_mode(dir, true);
    for name in own_files {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            set_mode(&dir.join(format!("{name}{suffix}")), false);
        }
    }
    let store = dir.join(evidence_dir);
    set_mode(&store, true);
    let Ok(entries) = std::fs::read_dir(&store) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file())
            && entry.file_name().to_string_lossy().ends_with(".hbev")
        {
            set_mode(&entry.path(), false);
        }
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, dir: bool) {
    use std::os::unix::fs::PermissionsExt;
    let want = if dir { PRIVATE_DIR } else { PRIVATE_FILE };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if !meta.file_type().is_symlink() && mode & !want != 0 {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & want));
        }
    }
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _dir: bool) {}
