//! `harbour sync folder PATH`: a shared folder that some other service (a network share,
//! OneDrive, Syncthing) carries between centres.
//!
//! Each device writes only into `PATH/<its device id>/`: one bundle per trusted peer, cut
//! from what that peer last said it holds, replacing its own earlier bundle for that peer
//! (a newer bundle carries everything the older one did). It reads every other sub-folder
//! and imports each bundle it has not imported before. Nothing in the folder is trusted:
//! every bundle goes through the same checks as `sync import`; one that fails is named and
//! left alone, and the others are still imported. Bundles made for other devices are
//! skipped quietly.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::import::{self, Imported};
use super::receive::{for_bundle, Progress};
use super::{export, payload, peers, EXTENSION};
use crate::{Error, Harbour, Result};

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderReport {
    pub imported: Vec<Imported>,
    /// Bundles refused, each with its reason.
    pub refused: Vec<(PathBuf, String)>,
    /// Bundles imported before, or made for other devices.
    pub skipped: usize,
    pub written: Vec<PathBuf>,
    /// The run was stopped before every bundle was taken in; no bundle was written.
    pub stopped: bool,
}

fn bundles_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == EXTENSION))
        .collect();
    out.sort();
    out
}

/// Imports what others left, then writes this device's bundles.
pub fn sync(h: &mut Harbour, root: &Path) -> Result<FolderReport> {
    sync_with(h, root, &mut |_| true)
}

/// As `sync`, telling `progress` how far the bundles being taken in have got. When it
/// answers false the run stops: bundles already taken in stay, the one in progress and the
/// rest are left for the next run (`FolderReport::stopped`), and no bundle is written.
pub fn sync_with(
    h: &mut Harbour,
    root: &Path,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<FolderReport> {
    let own_id = h.log().device().id.to_string();
    let own = root.join(&own_id);
    std::fs::create_dir_all(&own).map_err(|e| Error::io(root, &e))?;
    let mut report = FolderReport::default();

    let mut others: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| Error::io(root, &e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != own_id.as_str()))
        .collect();
    others.sort();
    // First the bundles worth reading, so that progress can say "2 of 5".
    let mut waiting: Vec<PathBuf> = Vec::new();
    for dir in others {
        for file in bundles_in(&dir) {
            // The name says whom a bundle is for; only a hint, to save reading bundles
            // made for others (a wrong name can only hide a bundle, never admit one).
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(to) = name
                .rsplit_once("-to-")
                .map(|(_, t)| t.trim_end_matches(&format!(".{EXTENSION}")))
            {
                if !own_id.ends_with(to) {
                    report.skipped += 1;
                    continue;
                }
            }
            if let Some(d) = import::digest_file(&file) {
                if import::seen(h.log().conn(), &d)? {
                    report.skipped += 1;
                    continue;
                }
            }
            waiting.push(file);
        }
    }
    let bundles = waiting.len();
    for (i, file) in waiting.into_iter().enumerate() {
        // Bounded: a file that is not a bundle, or is too large, is named and not read whole.
        let bytes = match super::envelope::read_file(&file) {
            Ok(bytes) => bytes,
            Err(e @ Error::Sync { .. }) => {
                report.refused.push((file, e.to_string()));
                continue;
            }
            Err(_) => {
                report.refused.push((file, "it could not be read".into()));
                continue;
            }
        };
        let done = import::import_bytes_with(h, &bytes, &mut for_bundle(i + 1, bundles, progress));
        match done {
            Ok(mut done) => {
                done.file = Some(file);
                report.imported.push(done);
            }
            Err(Error::Cancelled) => {
                report.stopped = true;
                return Ok(report);
            }
            Err(Error::Sync {
                code: "bundle_not_for_this_device",
                ..
            }) => report.skipped += 1,
            Err(e @ (Error::Sync { .. } | Error::Integrity(_) | Error::Evidence(_))) => {
                report.refused.push((file, e.to_string()))
            }
            Err(other) => return Err(other),
        }
    }

    peers::ensure_identity(h.log())?;
    let trusted: Vec<peers::Peer> = peers::list(h.log().conn())?
        .into_iter()
        .filter(|p| p.revoked_ms.is_none())
        .collect();
    for peer in trusted {
        let to = std::slice::from_ref(&peer);
        let cut = export::cut(h, to)?;
        let content = hex::encode(Sha256::digest(payload::build(&cut.manifest, &cut.files)));
        let last: Option<(String, String)> = h
            .log()
            .conn()
            .query_row(
                "SELECT content_sha256, file_name FROM bundles_out WHERE peer = ?1",
                [peer.device_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((sha, name)) = &last {
            if *sha == content && own.join(name).exists() {
                continue;
            }
        }
        let seq = export::next_bundle_seq(h)?;
        let bytes = export::seal(h, &cut, to, seq)?;
        let short: String = peer
            .device_id
            .to_string()
            .chars()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let name = export::file_name(h, seq, &format!("-to-{short}"))?;
        let path = own.join(&name);
        crate::fsutil::write_atomically(&path, &bytes)?;
        if let Some((_, old)) = last {
            if old != name {
                let _ = std::fs::remove_file(own.join(old));
            }
        }
        h.log().conn().execute(
            "INSERT OR REPLACE INTO bundles_out (peer, content_sha256, file_name) VALUES (?1, ?2, ?3)",
            params![peer.device_id.to_string(), content, name],
        )?;
        report.written.push(path);
    }
    Ok(report)
}

/// A short digest of the bundles in the shared folder (each sub-folder's bundle names, sizes
/// and modification times), so a caller watching the folder syncs only when it has changed.
/// An unreadable folder gives the empty string.
pub fn state_of(root: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(root) else {
        return String::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut hash = Sha256::new();
    for dir in dirs {
        for file in bundles_in(&dir) {
            let Ok(meta) = std::fs::metadata(&file) else {
                continue;
            };
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hash.update(file.to_string_lossy().as_bytes());
            hash.update([0]);
            hash.update(meta.len().to_be_bytes());
            hash.update(modified.to_be_bytes());
        }
    }
    hex::encode(&hash.finalize()[..16])
}
