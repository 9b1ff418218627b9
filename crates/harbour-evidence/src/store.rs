//! Moving evidence files into and out of the encrypted store on disk.
//!
//! These functions combine [`crate::stream`] with [`crate::atomic`] so that a
//! stored (or restored) file either appears complete under its final name or
//! not at all: a full disk, a read error or tampering part-way through leaves
//! nothing behind.

use crate::atomic::AtomicFile;
use crate::keys::MasterKey;
use crate::stream::{decrypt_stream, encrypt_stream, CaptureSummary, DecryptSummary, StreamError};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be stored or restored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The source file could not be opened.
    #[error("The file {} could not be opened.", .path.display())]
    OpenSource {
        /// The file that could not be opened.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The temporary output file could not be created.
    #[error("A temporary file could not be created next to {}.", .path.display())]
    CreateTemp {
        /// The intended destination.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Encryption or decryption failed.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// The finished file could not be saved under its final name.
    #[error("The file could not be saved as {}.", .path.display())]
    Commit {
        /// The intended destination.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// Encrypts `src_path` into `dest_path` for item `item_id`. The output is
/// written to a temporary file in the destination folder, synced to disk and
/// renamed only on success; on any failure nothing exists at `dest_path`.
pub fn store_file(
    master: &MasterKey,
    item_id: &str,
    src_path: &Path,
    dest_path: &Path,
) -> Result<CaptureSummary, StoreError> {
    store_file_with(master, item_id, src_path, dest_path, |file| Box::new(file))
}

/// Like [`store_file`], but passes the output through `wrap_output` first,
/// for example to report progress or limit the write rate. The wrapper is
/// dropped before the file is synced and renamed.
pub fn store_file_with<F>(
    master: &MasterKey,
    item_id: &str,
    src_path: &Path,
    dest_path: &Path,
    wrap_output: F,
) -> Result<CaptureSummary, StoreError>
where
    F: for<'a> FnOnce(&'a mut File) -> Box<dyn Write + 'a>,
{
    let src = File::open(src_path).map_err(|source| StoreError::OpenSource {
        path: src_path.to_path_buf(),
        source,
    })?;
    let mut out = AtomicFile::create(dest_path).map_err(|source| StoreError::CreateTemp {
        path: dest_path.to_path_buf(),
        source,
    })?;
    let summary = {
        let writer = wrap_output(out.file());
        encrypt_stream(master, item_id, src, writer)?
    };
    out.commit().map_err(|source| StoreError::Commit {
        path: dest_path.to_path_buf(),
        source,
    })?;
    Ok(summary)
}

/// Decrypts the stored file `src_path` into `dest_path`. Because
/// [`decrypt_stream`] writes good chunks before it finds a bad one, the
/// output goes to a temporary file that is renamed only if the whole file
/// authenticates.
pub fn restore_file(
    master: &MasterKey,
    item_id: &str,
    src_path: &Path,
    dest_path: &Path,
) -> Result<DecryptSummary, StoreError> {
    let src = File::open(src_path).map_err(|source| StoreError::OpenSource {
        path: src_path.to_path_buf(),
        source,
    })?;
    let mut out = AtomicFile::create(dest_path).map_err(|source| StoreError::CreateTemp {
        path: dest_path.to_path_buf(),
        source,
    })?;
    let summary = decrypt_stream(master, item_id, src, out.file())?;
    out.commit().map_err(|source| StoreError::Commit {
        path: dest_path.to_path_buf(),
        source,
    })?;
    Ok(summary)
}
