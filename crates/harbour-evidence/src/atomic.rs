//! Write a file so it only ever appears under its final name complete.
//!
//! Data is written to a uniquely named temporary file in the destination's
//! own folder (so the final rename stays on one filesystem and is atomic),
//! flushed to disk with `fsync`, and only then renamed over the final name.
//! If anything fails, or the [`AtomicFile`] is dropped without
//! [`AtomicFile::commit`], the temporary file is deleted and nothing exists
//! under the final name. A crash part-way leaves only a hidden `.partial`
//! file, never a plausible-looking but incomplete evidence file.

use rand::RngCore;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

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
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)?;
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
        fs::rename(&self.temp_path, &self.dest)?;
        // The rename has happened: nothing left to clean up.
        self.temp_path = PathBuf::new();
        sync_dir(parent_dir(&self.dest));
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.file = None;
        if !self.temp_path.as_os_str().is_empty() {
            // Best effort: there is nothing more useful to do if this fails.
            let _ = fs::remove_file(&self.temp_path);
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
