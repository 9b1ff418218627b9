//! Write a file so it only ever appears under its final name complete.
//!
//! Data is written to a uniquely named temporary file in the destination's
//! own folder (so the final rename stays on one filesystem and is atomic),
//! flushed to disk with `fsync`, and only then renamed over the final name.
//! If anything fails, or the [`AtomicFile`] is dropped without
//! [`AtomicFile::commit`], the temporary file is deleted and nothing exists
//! under the final name. A crash part-way leaves only a hidden `.partial`
//! file, never a plausible-looking but incomplete evidence file.
//!
//! What is written here is evidence (encrypted in the store, or decrypted for
//! a person), so on Unix the file is readable by its owner only (0600) from
//! the moment it exists.
//!
//! Every temporary file still being written is listed in one place for the
//! whole process, so that a program stopped by Ctrl-C or a termination signal
//! can remove them before it exits ([`remove_unfinished`]): a `Drop` does not
//! run then. Renaming into place and that removal exclude each other, so a
//! file is either finished under its final name or gone.

use rand::RngCore;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Temporary files being written by this process.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn unfinished() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it as it was: still usable.
    UNFINISHED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes every temporary file this process is still writing, and stops any from being
/// renamed into place afterwards: for a program about to exit on a signal. Returns how
/// many were removed. The caller should exit soon after; files created later are not
/// covered.
pub fn remove_unfinished() -> usize {
    let mut list = unfinished();
    let mut removed = 0;
    for path in list.drain(..) {
        if fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    // Held until the process exits, so that no commit can rename a removed file's name.
    std::mem::forget(list);
    removed
}

/// A file being written that will be renamed into place on [`commit`](Self::commit).
pub struct AtomicFile {
    file: Option<File>,
    temp_path: PathBuf,
    dest: PathBuf,
}

impl AtomicFile {
    /// Creates a new temporary file next to `dest`, named
    /// `.<dest name>.<random>.partial`.
    pub fn create(dest: &Path) -> io::Result<Self> {
        let dir = parent_dir(dest);
        let name = dest.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "destination has no file name")
        })?;
        let mut random = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let temp_name = format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            hex::encode(random)
        );
        Self::create_at(dir.join(temp_name), dest)
    }

    /// Creates the temporary file at an exact path (it must not exist yet).
    pub fn create_at(temp_path: PathBuf, dest: &Path) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut list = unfinished();
        let file = options.open(&temp_path)?;
        list.push(temp_path.clone());
        Ok(Self {
            file: Some(file),
            temp_path,
            dest: dest.to_path_buf(),
        })
    }

    /// The open temporary file, for writing.
    pub fn file(&mut self) -> &mut File {
        // `file` is only taken by `commit`, which consumes `self`.
        match self.file.as_mut() {
            Some(file) => file,
            None => unreachable!("AtomicFile used after commit"),
        }
    }

    /// Where the temporary file is.
    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    /// Flushes the data to disk, renames the file into place and flushes the
    /// folder entry. On error the temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take();
        if let Some(file) = file {
            file.sync_all()?;
            drop(file);
        }
        {
            let mut list = unfinished();
            if !forget(&mut list, &self.temp_path) {
                // Removed by `remove_unfinished`: the program is stopping.
                self.temp_path = PathBuf::new();
                return Err(io::Error::new(
                    io::ErrorKind::Interrupted,
                    "stopped before the file was finished",
                ));
            }
            if let Err(e) = fs::rename(&self.temp_path, &self.dest) {
                list.push(self.temp_path.clone());
                return Err(e);
            }
        }
        // The rename has happened: nothing left to clean up.
        self.temp_path = PathBuf::new();
        sync_dir(parent_dir(&self.dest));
        Ok(())
    }
}

/// Takes `path` off the list; whether it was there.
fn forget(list: &mut Vec<PathBuf>, path: &Path) -> bool {
    match list.iter().position(|p| p == path) {
        Some(i) => {
            list.swap_remove(i);
            true
        }
        None => false,
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.file = None;
        if !self.temp_path.as_os_str().is_empty() {
            let mut list = unfinished();
            if forget(&mut list, &self.temp_path) {
                // Best effort: there is nothing more useful to do if this fails.
                let _ = fs::remove_file(&self.temp_path);
            }
        }
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a rename durable on Unix by syncing the folder. Other platforms do
/// not support opening folders this way; there it is skipped.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_unfinished_file_removed_on_the_way_out_is_never_renamed_into_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("pack.zip");
        let mut f = AtomicFile::create(&dest).expect("create");
        f.file().write_all(b"plaintext").expect("write");
        let temp = f.temp_path().to_path_buf();
        assert!(temp.exists());
        // As a signal handler would, but without keeping the list locked (other tests).
        {
            let mut list = unfinished();
            assert!(forget(&mut list, &temp));
            fs::remove_file(&temp).expect("remove");
        }
        assert!(f.commit().is_err());
        assert!(!dest.exists() && !temp.exists());
    }

    #[cfg(unix)]
    #[test]
    fn temporary_and_finished_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("copy.txt");
        let mut f = AtomicFile::create(&dest).expect("create");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(f.temp_path()), 0o600);
        f.file().write_all(b"x").expect("write");
        f.commit().expect("commit");
        assert_eq!(mode(&dest), 0o600);
    }
}
