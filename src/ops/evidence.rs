//! The evidence store: files kept encrypted in `<data folder>/evidence/<item id>.hbev`, each
//! captured, opened, exported, handed over and returned as an event (the chain of custody).
//!
//! Capturing writes the encrypted file first (temporary name, synced, renamed) and then
//! appends the event; if the event cannot be written the file is removed, so the log and the
//! store never disagree. Imagery on an incident about sharing nudes or up-skirting is refused
//! by its content, whatever the file is called.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use harbour_evidence::{
    decrypt_stream, decrypt_stream_unhashed, AtomicFile, MasterKey, StoreError, StreamError,
};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{imagery, required};
use crate::error::plain_io;
use crate::log::{Body, CustodyAction, EvidenceCaptured, Handover};
use crate::store::CaseLog;
use crate::{Error, Harbour, Result};

/// The folder inside the data folder that holds encrypted evidence.
pub const EVIDENCE_DIR: &str = "evidence";

/// Where an item's encrypted file lives.
pub fn stored_path(data_dir: &Path, item: Uuid) -> PathBuf {
    data_dir.join(EVIDENCE_DIR).join(format!("{item}.hbev"))
}

/// The evidence master key, from the data folder's data key. Each file's own key is derived
/// from it and the item id (HKDF-SHA256 inside `harbour_evidence`).
pub(crate) fn master_key(h: &Harbour) -> MasterKey {
    MasterKey::from_bytes(*h.data_key().expose())
}

/// A file about to be captured, with what the coordinator says about it.
#[derive(Debug, Clone, Default)]
pub struct NewEvidence {
    pub file: PathBuf,
    pub description: String,
    pub shows: Option<String>,
    pub source: Option<String>,
    pub username: Option<String>,
    pub platform: Option<String>,
    pub device_held_by: Option<String>,
    pub device_location: Option<String>,
}

/// What capturing gave back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Captured {
    pub item_id: Uuid,
    pub sha256: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: u64,
    pub file_name: String,
}

fn optional(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The name of the member of staff using this device.
pub(crate) fn author_name(log: &CaseLog) -> Result<String> {
    Ok(log
        .conn()
        .query_row(
            "SELECT name FROM staff WHERE id = ?1",
            [log.device().author.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| "(unknown member of staff)".into()))
}

/// Whether the incident is about sharing nudes or up-skirting (imagery must never be stored).
pub fn imagery_forbidden(log: &CaseLog, incident: Uuid) -> Result<bool> {
    Ok(log.conn().query_row(
        "SELECT count(*) > 0 FROM incident_categories WHERE incident_id = ?1 AND code IN ('nudes', 'upskirting')",
        [incident.to_string()],
        |r| r.get(0),
    )?)
}

fn reference_of(log: &CaseLog, incident: Uuid) -> Result<String> {
    Ok(log.conn().query_row(
        "SELECT reference FROM incidents WHERE id = ?1",
        [incident.to_string()],
        |r| r.get(0),
    )?)
}

fn unreadable(path: &Path, e: &std::io::Error) -> Error {
    Error::ReadFile {
        path: path.to_path_buf(),
        reason: plain_io(e),
    }
}

/// Encrypts a file into the store and records it. Nothing is written if the file cannot be
/// read, is refused, or the event cannot be recorded.
pub fn add(h: &mut Harbour, incident: Uuid, n: NewEvidence) -> Result<Captured> {
    let description =
        crate::domain::text::block("The description of the evidence", &n.description)?;
    let meta = std::fs::metadata(&n.file).map_err(|e| unreadable(&n.file, &e))?;
    if !meta.is_file() {
        return Err(Error::ReadFile {
            path: n.file.clone(),
            reason: "it is a folder, not a file".into(),
        });
    }
    // Looked into on every incident: refused where imagery must never be kept, and
    // otherwise remembered, so that if the incident later turns out to be about sharing
    // nudes or up-skirting the item is shown and locked at once.
    let verdict = imagery::inspect_file(&n.file).map_err(|e| unreadable(&n.file, &e))?;
    if !verdict.is_clear() && imagery_forbidden(h.log(), incident)? {
        return Err(Error::ImageryRefused {
            what: verdict.describe(),
            reference: reference_of(h.log(), incident)?,
            hint: String::new(),
        });
    }
    let file_name = n
        .file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".into());
    let file_modified = meta.modified().ok().map(DateTime::<Utc>::from);
    let item_id = Uuid::now_v7();
    let folder = h.dir().join(EVIDENCE_DIR);
    crate::fsutil::create_private_dir(&folder)?;
    let dest = stored_path(h.dir(), item_id);
    let master = master_key(h);
    let summary = harbour_evidence::store_file(&master, &item_id.to_string(), &n.file, &dest)
        .map_err(|e| match e {
            StoreError::OpenSource { source, .. } => unreadable(&n.file, &source),
            StoreError::Stream(StreamError::Read(source)) => unreadable(&n.file, &source),
            StoreError::Stream(StreamError::Write(source))
            | StoreError::CreateTemp { source, .. }
            | StoreError::Commit { source, .. } => Error::io(&folder, &source),
            other => Error::Evidence(other.to_string()),
        })?;
    let log = h.log_mut();
    let body = Body::EvidenceCaptured(EvidenceCaptured {
        incident_id: incident,
        item_id,
        description,
        shows: optional(&n.shows),
        source: optional(&n.source),
        username: optional(&n.username),
        platform: optional(&n.platform),
        device_held_by: optional(&n.device_held_by),
        device_location: optional(&n.device_location),
        captured_by: author_name(log)?,
        captured_at: Utc::now(),
        file_name: file_name.clone(),
        file_modified,
        size: summary.size,
        sha256: summary.sha256.clone(),
        imagery: (!verdict.is_clear()).then(|| verdict.describe()),
        looked_into: true,
    });
    if let Err(e) = log.append(body) {
        let _ = std::fs::remove_file(&dest);
        return Err(e);
    }
    Ok(Captured {
        item_id,
        sha256: summary.sha256,
        size: summary.size,
        file_name,
    })
}

/// Records that imagery exists, where, and who holds the device — without storing it.
pub fn record_imagery(
    log: &mut CaseLog,
    incident: Uuid,
    location: &str,
    held_by: &str,
    device_owner: Option<String>,
    action_taken: Option<String>,
) -> Result<()> {
    log.append(Body::ImageryRecorded {
        incident_id: incident,
        location: required("Where the imagery is", location)?,
        held_by: required("Who holds the device", held_by)?,
        device_owner: optional(&device_owner),
        action_taken: optional(&action_taken),
    })?;
    Ok(())
}

/// A stored item as the store knows it.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: Uuid,
    pub incident: Uuid,
    pub description: String,
    pub sha256: String,
    pub file_name: String,
    pub status: String,
}

/// Finds an evidence item by id (or a unique beginning or end of it) on an incident this
/// device's user may see.
pub fn resolve_item(log: &CaseLog, text: &str) -> Result<Item> {
    let id = super::resolve_id(log.conn(), "evidence_items", "evidence item", text)?;
    let (incident, description, sha256, file_name, status): (String, String, String, String, String) =
        log.conn().query_row(
            "SELECT incident_id, description, sha256, file_name, status FROM evidence_items WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
    // Hidden incidents hide their evidence too.
    let incident = super::incidents::resolve(log, &incident).map_err(|_| Error::NotFound {
        what: "evidence item",
        key: text.trim().to_string(),
    })?;
    Ok(Item {
        id,
        incident,
        description,
        sha256,
        file_name,
        status,
    })
}

/// Decrypts a stored item into `writer`, checking it against the SHA-256 recorded at capture.
/// The writer may have received bytes when this fails: callers write somewhere discarded on
/// error.
pub(crate) fn decrypt_checked(
    data_dir: &Path,
    master: &MasterKey,
    item: &Item,
    writer: &mut dyn std::io::Write,
) -> Result<u64> {
    let file = open_stored(data_dir, item)?;
    let summary = decrypt_stream(master, &item.id.to_string(), file, writer)
        .map_err(|e| decrypt_error(data_dir, item, e))?;
    if summary.sha256 != item.sha256 {
        return Err(changed(item));
    }
    Ok(summary.size)
}

/// Decrypts a stored item into `writer`, authenticating every chunk but leaving the check
/// against the SHA-256 recorded at capture to the caller, which hashes the bytes itself (an
/// evidence pack does). The same warning as for `decrypt_checked` holds.
pub(crate) fn decrypt_unhashed(
    data_dir: &Path,
    master: &MasterKey,
    item: &Item,
    writer: &mut dyn std::io::Write,
) -> Result<u64> {
    let file = open_stored(data_dir, item)?;
    decrypt_stream_unhashed(master, &item.id.to_string(), file, writer)
        .map_err(|e| decrypt_error(data_dir, item, e))
}

/// The sentence for a stored item that is not what was captured.
pub(crate) fn changed(item: &Item) -> Error {
    Error::EvidenceChanged {
        item: item.id.to_string(),
        description: item.description.clone(),
    }
}

fn open_stored(data_dir: &Path, item: &Item) -> Result<File> {
    File::open(stored_path(data_dir, item.id)).map_err(|e| {
        Error::Evidence(format!(
            "The stored file for evidence item {} (\u{201c}{}\u{201d}) could not be read: {}.",
            item.id,
            item.description,
            plain_io(&e)
        ))
    })
}

fn decrypt_error(data_dir: &Path, item: &Item, e: StreamError) -> Error {
    match e {
        StreamError::Write(source) => Error::io(data_dir, &source),
        _ => changed(item),
    }
}

/// What a quick look at a stored file shows, without decrypting it (`verify` decrypts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// There, and the size its recorded plaintext size gives.
    Present,
    /// Not in the store.
    Missing,
    /// There, but of the wrong size: cut short, grown, or not a file.
    Damaged,
}

/// Checks that an item's stored file is there and of the size encryption gives its
/// recorded plaintext size.
pub fn file_state(data_dir: &Path, item: Uuid, size: u64) -> FileState {
    match std::fs::metadata(stored_path(data_dir, item)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Missing,
        Ok(m) if m.is_file() && m.len() == harbour_evidence::stream::sealed_len(size) => {
            FileState::Present
        }
        _ => FileState::Damaged,
    }
}

/// A file outside the data folder that could not be written, in one sentence.
pub fn cannot_write(path: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::StorageFull {
        return Error::DiskFull;
    }
    let shown = path.display().to_string();
    let shown = shown.trim_end_matches(".partial");
    Error::Evidence(format!("{shown} could not be written: {}.", plain_io(e)))
}

/// Decrypts an item to `out` (never overwriting a file) and records that it was opened.
/// Imagery on an incident where it must never be kept is never opened (see
/// `ops::imagery::locked`), and an erased item has nothing left to open.
pub fn open(h: &mut Harbour, item: &str, out: &Path, reason: Option<&str>) -> Result<Item> {
    let item = resolve_item(h.log(), item)?;
    if item.status == "erased" {
        return Err(super::imagery::erased(&item));
    }
    super::imagery::refuse_if_locked(h, &item)?;
    if out.exists() {
        return Err(Error::invalid(format!(
            "{} already exists; choose another name so nothing is overwritten.",
            out.display()
        )));
    }
    let master = master_key(h);
    let mut file = AtomicFile::create(out).map_err(|e| cannot_write(out, &e))?;
    // Noted before any plain evidence is written, so a killed run's copy is removed later.
    let _noted = crate::leftovers::note_unfinished(h.dir(), file.temp_path())?;
    decrypt_checked(h.dir(), &master, &item, file.file())?;
    file.commit().map_err(|e| cannot_write(out, &e))?;
    let logged = h.log_mut().append(Body::EvidenceCustody {
        incident_id: item.incident,
        item_id: item.id,
        action: CustodyAction::Opened,
        reason: reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
        handover: None,
    });
    if let Err(e) = logged {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(item)
}

/// Erases Harbour's copy of an item that is (or may be) imagery on an incident about
/// sharing nudes or up-skirting — the guidance's last step, after any hand-over to the
/// police. The record of the item and its chain of custody stay; other evidence is never
/// erased. The erasure is recorded first, then the file removed.
pub fn erase(h: &mut Harbour, item: &str, reason: &str) -> Result<Item> {
    let item = resolve_item(h.log(), item)?;
    let path = stored_path(h.dir(), item.id);
    if item.status == "erased" {
        // Recorded, but the copy outlived it (the process stopped between the two steps):
        // finishing the erasure is the only thing left to do.
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, &e))?;
            return Ok(item);
        }
        return Err(super::imagery::erased(&item));
    }
    let reason = required("The reason for erasing it", reason)?;
    if super::imagery::lock_reason(h, &item)?.is_none() {
        return Err(Error::invalid(format!(
            "Evidence item \u{201c}{}\u{201d} is not imagery on an incident about sharing nudes or up-skirting, so it is kept: Harbour erases only such imagery.",
            item.description
        )));
    }
    h.log_mut().append(Body::EvidenceCustody {
        incident_id: item.incident,
        item_id: item.id,
        action: CustodyAction::Erased,
        reason: Some(reason),
        handover: None,
    })?;
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, &e)),
    }
    Ok(item)
}

/// Whether an item's copy was erased (its file is then no longer sent or packed).
pub fn is_erased(log: &CaseLog, item: Uuid) -> Result<bool> {
    Ok(log
        .conn()
        .query_row(
            "SELECT status = 'erased' FROM evidence_items WHERE id = ?1",
            [item.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// Records that an item was handed over to an officer.
pub fn handover(
    log: &mut CaseLog,
    item: &str,
    officer: &str,
    agency: &str,
    reference: &str,
    date: NaiveDate,
) -> Result<Item> {
    let item = resolve_item(log, item)?;
    if item.status == "handed_over" {
        return Err(Error::invalid(
            "That evidence item is already handed over; record its return first.",
        ));
    }
    if date > crate::domain::time::today() {
        return Err(Error::invalid("The hand-over date is in the future."));
    }
    log.append(Body::EvidenceCustody {
        incident_id: item.incident,
        item_id: item.id,
        action: CustodyAction::HandedOver,
        reason: None,
        handover: Some(Handover {
            officer: required("The officer's name", officer)?,
            agency: required("The officer's force or agency", agency)?,
            reference: required("The crime or case reference", reference)?,
            date,
        }),
    })?;
    Ok(item)
}

/// Records that a handed-over item came back.
pub fn returned(log: &mut CaseLog, item: &str) -> Result<Item> {
    let item = resolve_item(log, item)?;
    if item.status != "handed_over" {
        return Err(Error::invalid(
            "That evidence item has not been handed over, so it cannot be returned.",
        ));
    }
    log.append(Body::EvidenceCustody {
        incident_id: item.incident,
        item_id: item.id,
        action: CustodyAction::Returned,
        reason: None,
        handover: None,
    })?;
    Ok(item)
}

/// Ids of the stored items of an incident, oldest first, to pack or send: not one whose
/// copy was erased, nor imagery on an incident about sharing nudes or up-skirting (no one
/// may copy it).
pub fn items_of(log: &CaseLog, incident: Uuid) -> Result<Vec<Item>> {
    let mut stmt = log.conn().prepare(
        "SELECT e.id, e.description, e.sha256, e.file_name, e.status FROM evidence_items e
         JOIN events ev ON ev.id = e.event_id
         WHERE e.incident_id = ?1 AND e.status <> 'erased'
           AND NOT (e.imagery IS NOT NULL AND EXISTS (SELECT 1 FROM incident_categories c
                    WHERE c.incident_id = e.incident_id AND c.code IN ('nudes', 'upskirting')))
         ORDER BY ev.hlc_ms, ev.hlc_count, ev.device_id, ev.seq",
    )?;
    let rows = stmt
        .query_map(params![incident.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, description, sha256, file_name, status)| {
            Ok(Item {
                id: Uuid::parse_str(&id)
                    .map_err(|_| Error::Integrity("an evidence id is damaged.".into()))?,
                incident,
                description,
                sha256,
                file_name,
                status,
            })
        })
        .collect()
}
