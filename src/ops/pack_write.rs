//! Writing a pack's files: shared by evidence packs (one incident) and transfer files (every
//! incident a learner appears in), so both have the same form and the same guarantees.
//!
//! Each stored evidence item is decrypted straight into the ZIP (never to disk) and checked
//! against the SHA-256 recorded at capture; progress is reported every few megabytes to a
//! callback that can stop the export; with a passphrase the whole ZIP is encrypted (age) as
//! it is written. Nothing appears under the final name unless the pack is complete, and
//! nothing is logged here: callers log once the pack is in place.

use std::io::Read;
use std::path::{Path, PathBuf};

use harbour_evidence::{PackBuilder, PackError, PackMetadata, PackSummary};
use sha2::{Digest, Sha256};

use super::evidence::{changed, decrypt_unhashed, master_key, Item};
use super::packs::Progress;
use crate::keys::Passphrase;
use crate::{Error, Harbour, Result};

/// How often (in bytes written) an export reports its progress and may be cancelled.
const PROGRESS_EVERY: u64 = 4 * 1024 * 1024;

/// What goes into a pack besides the checking files the builder adds.
pub(crate) struct Contents<'a> {
    pub meta: PackMetadata,
    pub summary_pdf: Vec<u8>,
    /// Each stored item with its (safe, unique) name inside `evidence/`.
    pub items: Vec<(String, Item)>,
    /// A paragraph for the top of `README.txt`.
    pub readme_note: Option<String>,
    /// Encrypt the whole pack with this passphrase (age format).
    pub passphrase: Option<&'a Passphrase>,
}

/// The name an encrypted pack is written under: `out` ending in `.zip.age`.
pub fn sealed_name(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = match name {
        Some(n)
            if n.to_lowercase()
                .ends_with(harbour_evidence::SEALED_EXTENSION) =>
        {
            n
        }
        Some(n) if n.to_lowercase().ends_with(".zip") => format!("{n}.age"),
        Some(n) => format!("{n}{}", harbour_evidence::SEALED_EXTENSION),
        None => format!("pack{}", harbour_evidence::SEALED_EXTENSION),
    };
    out.with_file_name(name)
}

pub(crate) fn pack_error(e: PackError) -> Error {
    match e {
        PackError::ReadEvidence { source, .. } => match source.downcast::<Error>() {
            Ok(inner) => *inner,
            Err(other) => Error::Evidence(other.to_string()),
        },
        PackError::Create { path, source } => super::evidence::cannot_write(&path, &source),
        PackError::Write(source) if source.kind() == std::io::ErrorKind::StorageFull => {
            Error::DiskFull
        }
        other => Error::Evidence(other.to_string()),
    }
}

/// Refuses to overwrite anything already at `out`.
pub(crate) fn refuse_existing(out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::invalid(format!(
            "{} already exists; choose another name so nothing is overwritten.",
            out.display()
        )));
    }
    Ok(())
}

/// Passes writes through, reporting progress every few megabytes; stops the export when the
/// report says so.
struct Reporting<'a, F: FnMut(Progress) -> bool> {
    inner: &'a mut dyn std::io::Write,
    progress: &'a mut Progress,
    next: &'a mut u64,
    report: &'a mut F,
    cancelled: &'a mut bool,
}

impl<F: FnMut(Progress) -> bool> std::io::Write for Reporting<'_, F> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.progress.done >= *self.next {
            *self.next = self.progress.done + PROGRESS_EVERY;
            if !(self.report)(*self.progress) {
                *self.cancelled = true;
                return Err(std::io::Error::other("the export was cancelled"));
            }
        }
        let n = self.inner.write(buf)?;
        self.progress.done += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the pack to `out`. Stops with `Error::Cancelled` (nothing left behind) when
/// `report` returns false.
pub(crate) fn write(
    h: &Harbour,
    out: &Path,
    contents: Contents<'_>,
    mut report: impl FnMut(Progress) -> bool,
) -> Result<PackSummary> {
    let signer = h.log().pack_signer();
    let master = master_key(h);
    let mut builder = match contents.passphrase {
        Some(p) => PackBuilder::create_sealed(out, contents.meta, p.expose()),
        None => PackBuilder::create(out, contents.meta),
    }
    .map_err(pack_error)?;
    // The pack's temporary file (plain evidence, unless sealed) is noted in the data folder
    // before anything is written into it, so the next open removes it if this run is killed.
    let _noted = crate::leftovers::note_unfinished(h.dir(), &crate::fsutil::partial_name(out))?;
    if let Some(note) = &contents.readme_note {
        builder.readme_note(note);
    }
    let mut progress = Progress {
        done: 0,
        total: stored_sizes(h, contents.items.iter().map(|(_, i)| i))?,
    };
    let mut next = 0;
    let mut cancelled = false;
    for (name, item) in &contents.items {
        // The pack hashes what it stores: that hash is checked against the one recorded at
        // capture, so the bytes are hashed once, not twice.
        let added = builder.add_evidence_expecting(name, &item.sha256, |w| {
            let mut w = Reporting {
                inner: w,
                progress: &mut progress,
                next: &mut next,
                report: &mut report,
                cancelled: &mut cancelled,
            };
            decrypt_unhashed(h.dir(), &master, item, &mut w)
        });
        if cancelled {
            return Err(Error::Cancelled);
        }
        added.map_err(|e| match e {
            PackError::Changed { .. } => changed(item),
            other => pack_error(other),
        })?;
    }
    if !report(progress) {
        return Err(Error::Cancelled);
    }
    builder
        .finish(&contents.summary_pdf, &signer)
        .map_err(pack_error)
}

/// The evidence bytes an export will write: each item's recorded size.
fn stored_sizes<'a>(h: &Harbour, items: impl Iterator<Item = &'a Item>) -> Result<u64> {
    let mut total = 0u64;
    for item in items {
        let size: i64 = h.log().conn().query_row(
            "SELECT size FROM evidence_items WHERE id = ?1",
            [item.id.to_string()],
            |r| r.get(0),
        )?;
        total += size.max(0) as u64;
    }
    Ok(total)
}

/// The SHA-256 of a written file (lower-case hex), read back in pieces.
pub(crate) fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, &e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
