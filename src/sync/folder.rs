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
//!
//! A bundle's identity is its content, not its name: the service carrying the folder may
//! keep another copy under a bundle's name and rename Harbour's own (Syncthing's
//! `NAME.sync-conflict-20261202-140020-QVR4C4S.hbsync`, OneDrive's `NAME-DESKTOP-AB12CD`,
//! Dropbox's and Nextcloud's `NAME (conflicted copy 2026-12-02)`). So the writer remembers
//! the length and signature of each bundle it wrote and writes again when the file under
//! that name is gone or is not the one it wrote; the reader strips those suffixes before
//! reading whom a bundle is for, and names every such copy it did not import in the report
//! (`conflict_copies`), so none is passed over in silence.

use crate::code::Code;
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
    /// Copies that the service carrying the folder renamed because of a clash and that were
    /// not imported, each with what became of it in words. Those imported are in `imported`.
    pub conflict_copies: Vec<(PathBuf, String)>,
}

/// Whom a bundle's file name says it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Addressed {
    /// This device.
    Us,
    /// Another device.
    Other,
    /// The name does not say: read the bundle to find out.
    Unknown,
}

/// Strips one suffix that a shared-folder service adds to a conflicting copy's stem (the
/// name without `.hbsync`): Syncthing's `.sync-conflict-YYYYMMDD-HHMMSS-DEVICE`, Dropbox's
/// ` (conflicted copy YYYY-MM-DD)` or ` (Someone's conflicted copy …)`, Nextcloud's
/// ` (conflicted copy YYYY-MM-DD HHMMSS)`.
fn strip_one(stem: &str) -> Option<&str> {
    if let Some((before, after)) = stem.rsplit_once(".sync-conflict-") {
        let parts: Vec<&str> = after.splitn(3, '-').collect();
        if let [date, time, device] = parts.as_slice() {
            let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
            if digits(date, 8)
                && digits(time, 6)
                && !device.is_empty()
                && device.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Some(before);
            }
        }
    }
    if stem.ends_with(')') {
        let at = stem.to_ascii_lowercase().rfind("conflicted copy")?;
        let open = stem[..at].rfind(" (")?;
        return Some(&stem[..open]);
    }
    None
}

/// A bundle's file name as Harbour wrote it, stripped of any conflict-copy suffixes, and
/// whether there were any.
fn original_stem(name: &str) -> (&str, bool) {
    let mut stem = name.strip_suffix(&format!(".{EXTENSION}")).unwrap_or(name);
    let mut renamed = false;
    while let Some(shorter) = strip_one(stem) {
        stem = shorter;
        renamed = true;
    }
    (stem, renamed)
}

/// Whom a bundle named `name` is for, and whether the name is a conflicting copy's. Harbour
/// ends a shared-folder bundle's name with `-to-` and the last 8 characters of the
/// recipient's device id; OneDrive adds `-COMPUTERNAME` after that. A name that does not
/// read cleanly gives `Unknown`, so the bundle is read rather than passed over: the name is
/// only a hint, and a wrong one may hide a bundle but never admit one.
fn addressed(name: &str, own_id: &str) -> (Addressed, bool) {
    let (stem, mut renamed) = original_stem(name);
    let Some((_, to)) = stem.rsplit_once("-to-") else {
        return (Addressed::Unknown, renamed);
    };
    let (short, rest) = to.split_at(to.len().min(SHORT_ID));
    let is_id = short.len() == SHORT_ID && short.bytes().all(|b| b.is_ascii_hexdigit());
    if !rest.is_empty() {
        // OneDrive's `-COMPUTERNAME` (at most 15 letters, digits and hyphens).
        let computer = rest.strip_prefix('-').unwrap_or("");
        if computer.is_empty()
            || computer.len() > 15
            || !computer
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return (Addressed::Unknown, renamed);
        }
        renamed = true;
    }
    if !is_id {
        return (Addressed::Unknown, renamed);
    }
    if own_id.ends_with(short) {
        (Addressed::Us, renamed)
    } else {
        (Addressed::Other, renamed)
    }
}

/// How many characters of the recipient's device id a bundle's name carries.
const SHORT_ID: usize = 8;

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
    let mut waiting: Vec<(PathBuf, bool)> = Vec::new();
    for dir in others {
        for file in bundles_in(&dir) {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (to, renamed) = addressed(&name, &own_id);
            if to == Addressed::Other {
                report.skipped += 1;
                if renamed {
                    report
                        .conflict_copies
                        .push((file, "made for another device".into()));
                }
                continue;
            }
            if let Some(d) = import::digest_file(&file) {
                if import::seen(h.log().conn(), &d)? {
                    report.skipped += 1;
                    if renamed {
                        report
                            .conflict_copies
                            .push((file, "imported before".into()));
                    }
                    continue;
                }
            }
            waiting.push((file, renamed));
        }
    }
    let bundles = waiting.len();
    for (i, (file, renamed)) in waiting.into_iter().enumerate() {
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
                code: Code::BundleNotForThisDevice,
                ..
            }) => {
                report.skipped += 1;
                if renamed {
                    report
                        .conflict_copies
                        .push((file, "made for another device".into()));
                }
            }
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
        let last: Option<(String, String, Option<String>)> = h
            .log()
            .conn()
            .query_row(
                "SELECT content_sha256, file_name, file_digest FROM bundles_out WHERE peer = ?1",
                [peer.device_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((sha, name, Some(wrote))) = &last {
            // Unchanged, and the file under its name is still the one written.
            if *sha == content && import::digest_file(&own.join(name)).as_ref() == Some(wrote) {
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
            .take(SHORT_ID)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let name = export::file_name(h, seq, &format!("-to-{short}"))?;
        let path = own.join(&name);
        crate::fsutil::write_atomically(&path, &bytes)?;
        let wrote = import::digest(&bytes);
        if let Some((_, _, Some(old))) = &last {
            remove_copies_of(&own, old, &name);
        }
        h.log().conn().execute(
            "INSERT OR REPLACE INTO bundles_out (peer, content_sha256, file_name, file_digest)
             VALUES (?1, ?2, ?3, ?4)",
            params![peer.device_id.to_string(), content, name, wrote],
        )?;
        report.written.push(path);
    }
    Ok(report)
}

/// Removes from this device's own sub-folder the bundle it wrote earlier (`digest`) under
/// whatever name it now has, the new bundle `keep` carrying everything it did. A file that is
/// not that bundle (another copy kept under its name by the service carrying the folder) is
/// left for the others to read.
fn remove_copies_of(own: &Path, digest: &str, keep: &str) {
    for file in bundles_in(own) {
        if file.file_name().is_some_and(|n| n != keep)
            && import::digest_file(&file).as_deref() == Some(digest)
        {
            let _ = std::fs::remove_file(&file);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::{addressed, Addressed};

    const OWN: &str = "0f9e1c52-3b1d-4c8e-9a77-c3d475a6a3a2";

    fn to(name: &str) -> (Addressed, bool) {
        addressed(name, OWN)
    }

    #[test]
    fn a_plain_name_says_whom_the_bundle_is_for() {
        assert_eq!(
            to("MAN-2026-12-02-0003-to-75a6a3a2.hbsync"),
            (Addressed::Us, false)
        );
        assert_eq!(
            to("MAN-2026-12-02-0003-to-11112222.hbsync"),
            (Addressed::Other, false)
        );
        assert_eq!(
            to("MAN-2026-12-02-0003.hbsync"),
            (Addressed::Unknown, false)
        );
    }

    #[test]
    fn the_suffixes_of_conflicting_copies_are_stripped_before_reading_the_recipient() {
        for name in [
            "MAN-2026-12-02-0003-to-75a6a3a2.sync-conflict-20261202-140020-QVR4C4S.hbsync",
            "MAN-2026-12-02-0003-to-75a6a3a2-DESKTOP-AB12CD.hbsync",
            "MAN-2026-12-02-0003-to-75a6a3a2-LAPTOP01.hbsync",
            "MAN-2026-12-02-0003-to-75a6a3a2 (conflicted copy 2026-12-02).hbsync",
            "MAN-2026-12-02-0003-to-75a6a3a2 (Sam Example's conflicted copy 2026-12-02).hbsync",
            "MAN-2026-12-02-0003-to-75a6a3a2 (conflicted copy 2026-12-02 140020).hbsync",
            // A Syncthing conflict of a Dropbox conflict.
            "MAN-2026-12-02-0003-to-75a6a3a2 (conflicted copy 2026-12-02).sync-conflict-20261202-140020-QVR4C4S.hbsync",
        ] {
            assert_eq!(to(name), (Addressed::Us, true), "{name}");
        }
        assert_eq!(
            to("MAN-2026-12-02-0003-to-11112222.sync-conflict-20261202-140020-QVR4C4S.hbsync"),
            (Addressed::Other, true)
        );
    }

    #[test]
    fn a_name_that_does_not_read_cleanly_is_read_rather_than_passed_over() {
        for name in [
            "MAN-2026-12-02-0003-to-75a6a3a2 (copy 2).hbsync",
            "MAN-2026-12-02-0003-to-75a6a3a2.backup.hbsync",
            "MAN-2026-12-02-0003-to-75a6.hbsync",
        ] {
            assert_eq!(to(name).0, Addressed::Unknown, "{name}");
        }
    }
}
