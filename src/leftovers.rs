//! Files a Harbour that was killed, or lost power, part-way left behind, and removing them
//! the next time the data folder is opened.
//!
//! Four kinds are left: beside the database, the unreadable scratch database of a `verify`
//! that was killed (`harbour.db.rebuilt-<uuid>`, see [`crate::store::scratch`]); in the
//! evidence store, a hidden `.<item>.hbev.<random>.partial` from a capture that never finished, and a complete `<item>.hbev` that no event refers to
//! (a crash after the file was renamed into place but before its event was committed, or a
//! bundle's import stopped in between); outside the data folder, the temporary file beside
//! an evidence pack or an opened evidence copy, which holds evidence in plain form.
//!
//! The folder lock means only this process writes in the data folder, so at open nothing
//! is being written and every such file is a leftover. Only names Harbour makes are touched:
//! an evidence file is removed only when neither the log nor an event waiting for its
//! predecessor mentions its id, and a file outside the data folder only when Harbour noted
//! its exact path in the data folder (`unfinished.txt`) just after creating it and before
//! writing anything into it. Anything that cannot be checked is kept.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use uuid::Uuid;

use crate::ops::evidence::EVIDENCE_DIR;
use crate::{fsutil, Result};

/// The note of temporary files being written outside the data folder.
pub const JOURNAL: &str = "unfinished.txt";

/// What was removed at open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Hidden temporary evidence files from captures that never finished.
    pub partial_evidence: usize,
    /// Complete evidence files no event refers to.
    pub unreferenced_evidence: usize,
    /// Temporary files outside the data folder (packs, opened copies).
    pub outside: usize,
    /// Scratch databases of a check (`verify`) that was killed part-way.
    pub scratch: usize,
}

/// Removes what earlier, interrupted runs left behind. Never fails: whatever cannot be
/// removed or checked is left as it is.
pub fn clean(dir: &Path, conn: &Connection) -> Cleaned {
    let mut cleaned = Cleaned::default();
    let _ = std::fs::remove_file(fsutil::partial_name(&dir.join("keys.json")));
    clean_store(dir, conn, &mut cleaned);
    cleaned.outside = clean_outside(dir);
    cleaned.scratch = crate::store::scratch::remove_leftovers(dir, "harbour.db");
    cleaned
}

/// `.<uuid>.hbev.<16 hex digits>.partial`, as `harbour_evidence::AtomicFile` names it.
fn is_partial_evidence(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let Some(rest) = rest.strip_suffix(".partial") else {
        return false;
    };
    let Some((stored, random)) = rest.rsplit_once('.') else {
        return false;
    };
    random.len() == 16
        && random.bytes().all(|b| b.is_ascii_hexdigit())
        && stored_item(stored).is_some()
}

/// The item id of a stored evidence file's name, `<uuid>.hbev`.
fn stored_item(name: &str) -> Option<Uuid> {
    let id = name.strip_suffix(".hbev")?;
    let uuid = Uuid::parse_str(id).ok()?;
    // Only the hyphenated lower-case form Harbour writes.
    (uuid.to_string() == id).then_some(uuid)
}

/// Whether any event, applied or waiting, mentions the item. `None` when that cannot be
/// told (a damaged database): then the file is kept.
fn referenced(conn: &Connection, item: Uuid) -> Option<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM evidence_items WHERE id = ?1)
             OR EXISTS (SELECT 1 FROM events WHERE kind = 'evidence_captured'
                            AND instr(payload, ?1) > 0)
             OR EXISTS (SELECT 1 FROM pending_events WHERE instr(event_json, ?1) > 0)",
        [item.to_string()],
        |r| r.get(0),
    )
    .ok()
}

fn clean_store(dir: &Path, conn: &Connection, cleaned: &mut Cleaned) {
    let store = dir.join(EVIDENCE_DIR);
    let Ok(entries) = std::fs::read_dir(&store) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if is_partial_evidence(name) {
            if std::fs::remove_file(entry.path()).is_ok() {
                cleaned.partial_evidence += 1;
            }
        } else if let Some(item) = stored_item(name) {
            if referenced(conn, item) == Some(false) && std::fs::remove_file(entry.path()).is_ok() {
                cleaned.unreferenced_evidence += 1;
            }
        }
    }
}

/// Serialises changes to the note within this process.
static NOTE: Mutex<()> = Mutex::new(());

fn read_note(journal: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(journal)
        .map(|text| {
            text.lines()
                .filter(|l| !l.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

fn write_note(journal: &Path, paths: &[PathBuf]) -> Result<()> {
    if paths.is_empty() {
        return match std::fs::remove_file(journal) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(crate::Error::io(journal, &e))
            }
            _ => Ok(()),
        };
    }
    let mut text = String::new();
    for p in paths {
        text.push_str(&p.to_string_lossy());
        text.push('\n');
    }
    fsutil::write_private(journal, text.as_bytes())
}

fn clean_outside(dir: &Path) -> usize {
    let journal = dir.join(JOURNAL);
    let _held = NOTE.lock().unwrap_or_else(|p| p.into_inner());
    let mut removed = 0;
    for path in read_note(&journal) {
        let ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".partial"));
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if ours && is_file && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    let _ = std::fs::remove_file(&journal);
    removed
}

/// A temporary file outside the data folder, noted so that the next open removes it if
/// this run never finishes; the note is taken back when this is dropped (the file was
/// renamed into place or removed by then).
#[derive(Debug)]
pub struct Unfinished {
    journal: PathBuf,
    path: PathBuf,
}

/// Notes `partial` (just created, still empty) in the data folder `dir`.
pub fn note_unfinished(dir: &Path, partial: &Path) -> Result<Unfinished> {
    let path = std::path::absolute(partial).map_err(|e| crate::Error::io(partial, &e))?;
    let journal = dir.join(JOURNAL);
    let _held = NOTE.lock().unwrap_or_else(|p| p.into_inner());
    let mut paths = read_note(&journal);
    paths.push(path.clone());
    write_note(&journal, &paths)?;
    Ok(Unfinished { journal, path })
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        let _held = NOTE.lock().unwrap_or_else(|p| p.into_inner());
        let mut paths = read_note(&self.journal);
        if let Some(i) = paths.iter().position(|p| *p == self.path) {
            paths.remove(i);
            // Best effort: a note left behind only names a file that no longer exists.
            let _ = write_note(&self.journal, &paths);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_harbour_makes_are_taken_for_leftovers() {
        let id = Uuid::now_v7();
        assert!(is_partial_evidence(&format!(
            ".{id}.hbev.0123456789abcdef.partial"
        )));
        assert!(!is_partial_evidence(&format!(".{id}.hbev.partial")));
        assert!(!is_partial_evidence(&format!(
            ".{id}.hbev.0123456789abcdeg.partial"
        )));
        assert!(!is_partial_evidence(".notes.txt.0123456789abcdef.partial"));
        assert!(!is_partial_evidence(&format!("{id}.hbev")));
        assert_eq!(stored_item(&format!("{id}.hbev")), Some(id));
        assert_eq!(stored_item(&format!("{}.hbev", id.simple())), None);
        assert_eq!(stored_item("notes.hbev"), None);
        assert_eq!(stored_item(&format!("{id}.hbev.bak")), None);
    }

    #[test]
    fn a_note_is_taken_back_when_the_file_is_done() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.zip.partial");
        let b = dir.path().join("b.zip.partial");
        let na = note_unfinished(dir.path(), &a).expect("note a");
        let nb = note_unfinished(dir.path(), &b).expect("note b");
        assert_eq!(read_note(&dir.path().join(JOURNAL)).len(), 2);
        drop(na);
        assert_eq!(read_note(&dir.path().join(JOURNAL)), vec![b.clone()]);
        drop(nb);
        assert!(!dir.path().join(JOURNAL).exists());
    }

    #[test]
    fn a_noted_file_left_behind_is_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let left = dir.path().join("pack.zip.partial");
        let mine = dir.path().join("mine.txt");
        std::fs::write(&left, b"evidence").expect("write");
        std::fs::write(&mine, b"a file of the user's").expect("write");
        let note = note_unfinished(dir.path(), &left).expect("note");
        // Someone's note naming a file Harbour would never make is ignored.
        let mut paths = read_note(&dir.path().join(JOURNAL));
        paths.push(mine.clone());
        write_note(&dir.path().join(JOURNAL), &paths).expect("write note");
        std::mem::forget(note); // as if the process had been killed
        assert_eq!(clean_outside(dir.path()), 1);
        assert!(!left.exists() && mine.exists());
        assert!(!dir.path().join(JOURNAL).exists());
    }
}
