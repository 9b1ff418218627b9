//! Taking in a bundle: sender, signature, decryption, then every event's own checks, all
//! before anything is written; then the events, the sender's frontier and the bundle's
//! record in one transaction.
//!
//! A refused bundle changes nothing in the data folder. A bundle already imported (the
//! same bytes) is recognised before it is even decrypted, and changes nothing.

use crate::code::Code;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Verifier};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::envelope;
use super::payload;
use super::peers;
use super::{refused, Refusal};
use crate::log::{Body, Event};
use crate::store::caselog;
use crate::{Error, Harbour, Result};

/// How far ahead of this computer's clock an event may be dated (clock skew allowed).
pub const MAX_AHEAD_MS: i64 = crate::log::hlc::TOLERANCE_MS;

/// What importing a bundle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub file: Option<PathBuf>,
    pub sender: String,
    /// References of incidents this device had not seen.
    pub new_incidents: Vec<String>,
    /// References of incidents that changed.
    pub updated_incidents: Vec<String>,
    /// New changes made on two devices: "REFERENCE: field".
    pub conflicts: Vec<String>,
    pub events: usize,
    pub evidence: usize,
    /// Events held aside until the events before them arrive.
    pub waiting: usize,
    /// The same bundle was imported before.
    pub already_imported: bool,
    /// Changes refused because the device that made them was revoked: one sentence per
    /// device, naming it and when it was revoked (`store::revocation`).
    pub refused: Vec<String>,
    /// Forks this bundle revealed (a device run on two computers), one sentence each.
    pub forks: Vec<String>,
    /// Evidence files not stored because they are (or may be) imagery on an incident about
    /// sharing nudes or up-skirting; their events were taken in.
    pub refused_files: Vec<String>,
}

impl Imported {
    pub fn nothing_changed(&self) -> bool {
        self.events == 0 && self.waiting == 0 && self.forks.is_empty()
    }

    /// The report in a few plain lines.
    pub fn describe(&self) -> String {
        if self.already_imported {
            return "This bundle was imported before; nothing changed.".into();
        }
        let mut s = format!("From {}:", self.sender);
        for r in &self.refused {
            s.push_str(&format!("\n  {r}"));
        }
        for f in &self.forks {
            s.push_str(&format!("\n  {f}"));
        }
        if self.nothing_changed() {
            s.push_str(if self.refused.is_empty() {
                " nothing changed."
            } else {
                "\n  Nothing else changed."
            });
            return s;
        }
        if !self.new_incidents.is_empty() {
            s.push_str(&format!(
                "\n  New incidents: {}",
                self.new_incidents.join(", ")
            ));
        }
        if !self.updated_incidents.is_empty() {
            s.push_str(&format!(
                "\n  Updated incidents: {}",
                self.updated_incidents.join(", ")
            ));
        }
        if !self.conflicts.is_empty() {
            s.push_str(&format!(
                "\n  Changed on two devices (choose with `harbour conflict resolve`): {}",
                self.conflicts.join(", ")
            ));
        }
        if self.evidence > 0 {
            s.push_str(&format!("\n  Evidence files received: {}", self.evidence));
        }
        for name in &self.refused_files {
            s.push_str(&format!(
                "\n  Not stored, because imagery must never be kept (the record of it was taken in): {name}"
            ));
        }
        if self.waiting > 0 {
            s.push_str(&format!(
                "\n  {} event(s) are held aside until the events before them arrive from another bundle.",
                self.waiting
            ));
        }
        if self.new_incidents.is_empty()
            && self.updated_incidents.is_empty()
            && self.conflicts.is_empty()
        {
            s.push_str(&format!(
                "\n  {} event(s) taken in; no incident changed.",
                self.events
            ));
        }
        s
    }
}

/// What identifies a bundle once imported: the SHA-256 of its length and its signature.
/// The signature covers every other byte, so two files with the same signature and length
/// are the same bundle, or one of them fails its signature check and imports nothing; this
/// way a bundle already applied is recognised without reading all of it (it may carry
/// large evidence files).
pub fn digest(bytes: &[u8]) -> String {
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    identity(bytes.len() as u64, tail)
}

fn identity(len: u64, tail: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(len.to_be_bytes());
    h.update(tail);
    hex::encode(h.finalize())
}

/// As `digest`, reading only the end of the file.
pub fn digest_file(path: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let from = len.saturating_sub(64);
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut tail = Vec::with_capacity(64);
    f.read_to_end(&mut tail).ok()?;
    Some(identity(len, &tail))
}

/// Whether these exact bytes were imported before.
pub fn seen(conn: &rusqlite::Connection, sha256: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM bundles_in WHERE sha256 = ?1",
            [sha256],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Imports a bundle file.
pub fn import_file(h: &mut Harbour, path: &Path) -> Result<Imported> {
    import_file_with(h, path, &mut |_, _| true)
}

/// As `import_file`, with progress and a way to stop (see `import_bytes_with`).
pub fn import_file_with(
    h: &mut Harbour,
    path: &Path,
    keep_going: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Imported> {
    if let Some(d) = digest_file(path) {
        if seen(h.log().conn(), &d)? {
            return Ok(Imported {
                file: Some(path.to_path_buf()),
                already_imported: true,
                ..Imported::default()
            });
        }
    }
    let bytes = envelope::read_file(path)?;
    let mut out = import_bytes_with(h, &bytes, keep_going)?;
    out.file = Some(path.to_path_buf());
    Ok(out)
}

/// A bundle opened and checked, nothing written yet.
pub struct Opened {
    pub sender: peers::Peer,
    pub header: envelope::Header,
    pub manifest: payload::Manifest,
    pub plain: Vec<u8>,
}

/// Checks a bundle's sender and signature and decrypts it. Writes nothing.
pub fn open(h: &Harbour, bytes: &[u8]) -> Result<Opened> {
    let conn = h.log().conn();
    let env = envelope::parse(bytes)?;
    let sender = env.header.sender;
    let peer = peers::get(conn, &sender)?.ok_or_else(|| {
        refused(
            Code::BundleUnknownSender,
            format!("This bundle comes from a device that is not one of this device's peers ({sender}); add its card with `harbour peer add` first. Nothing was imported."),
        )
    })?;
    if let Some(at) = peer.revoked_ms {
        return Err(refused(
            Code::BundleRevokedSender,
            format!(
                "This bundle comes from {} ({}), whose device was revoked on {}; nothing was imported.",
                peer.coordinator,
                peer.centre,
                crate::domain::time::show_millis(at)
            ),
        ));
    }
    let key = super::card::PeerCard {
        format: 1,
        device_id: peer.device_id,
        label: String::new(),
        centre: String::new(),
        coordinator: String::new(),
        coordinator_id: peer.coordinator_id,
        verifying_key: peer.verifying_key.clone(),
        x25519: String::new(),
        signature: String::new(),
    }
    .key()?;
    key.verify(
        &envelope::signing_message(env.signed),
        &Signature::from_bytes(&env.signature),
    )
    .map_err(|_| Error::from(Refusal::BadSignature))?;
    let identity = peers::identity(conn)?.ok_or(Refusal::NotForThisDevice)?;
    let decryptor = age::Decryptor::new_buffered(env.ciphertext).map_err(|_| Refusal::Damaged)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Refusal::NotForThisDevice,
            _ => Refusal::Damaged,
        })?;
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut plain).map_err(|_| Refusal::Damaged)?;
    let (manifest, _) = payload::parse(&plain)?;
    if manifest.sender != sender {
        return Err(Refusal::Malformed("its contents name another sender").into());
    }
    Ok(Opened {
        sender: peer,
        header: env.header,
        manifest,
        plain,
    })
}

/// Refuses a bundle holding an event dated more than a day ahead of this computer's clock:
/// taking it in would let one device with a fast (or lying) clock drag every device's
/// records into the future. The refusal names the device whose clock it was.
fn check_times(conn: &rusqlite::Connection, events: &[Event]) -> Result<()> {
    let limit = chrono::Utc::now().timestamp_millis() + MAX_AHEAD_MS;
    let Some(e) = events.iter().find(|e| e.header.hlc.ms > limit) else {
        return Ok(());
    };
    let when = crate::domain::time::show_millis(e.header.hlc.ms);
    let device = device_named(conn, events, &e.header.device_id)?;
    Err(refused(
        Code::BundleFutureEvent,
        format!(
            "This bundle holds a change made on {device} dated {when} (event {}, number {}), more than a day ahead of this computer's clock, so the clock of {device} is wrong: its coordinator should set the correct date and time (if this computer's own date is right). Nothing was imported.",
            e.header.id, e.header.seq
        ),
    ))
}

/// A device's name from this log, or from its registration carried in the same bundle.
fn device_named(conn: &rusqlite::Connection, events: &[Event], device: &Uuid) -> Result<String> {
    let name = crate::store::revocation::device_name(conn, device)?;
    if !name.starts_with("device ") {
        return Ok(name);
    }
    let carried = events
        .iter()
        .filter(|e| e.header.device_id == *device && e.header.seq == 1)
        .find_map(|e| match e.body().ok()? {
            Body::DeviceRegistered {
                label,
                centre: Some(c),
                ..
            } => Some(format!("{label} ({c})")),
            Body::DeviceRegistered { label, .. } => Some(label),
            _ => None,
        });
    Ok(carried.unwrap_or(name))
}

struct Before {
    incidents: HashMap<String, String>,
    conflicts: BTreeSet<String>,
}

fn conflict_keys(conn: &rusqlite::Connection) -> Result<BTreeSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT i.reference, f.field FROM field_heads f JOIN incidents i ON i.id = f.incident_id
         GROUP BY f.incident_id, f.field HAVING count(DISTINCT f.value) > 1",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "{}: {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn snapshot(conn: &rusqlite::Connection) -> Result<Before> {
    let mut stmt = conn.prepare("SELECT id, reference FROM incidents")?;
    let incidents = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Before {
        incidents,
        conflicts: conflict_keys(conn)?,
    })
}

/// Imports a bundle's bytes.
pub fn import_bytes(h: &mut Harbour, bytes: &[u8]) -> Result<Imported> {
    import_bytes_with(h, bytes, &mut |_, _| true)
}

/// As `import_bytes`, telling `keep_going(done, total)` how many of the bundle's events are
/// applied so far; when it answers false, the import stops with `Error::Cancelled` and the
/// data folder is as it was (the transaction is rolled back and any evidence file already
/// stored from the bundle is removed).
pub fn import_bytes_with(
    h: &mut Harbour,
    bytes: &[u8],
    keep_going: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Imported> {
    let sha = digest(bytes);
    if seen(h.log().conn(), &sha)? {
        return Ok(Imported {
            already_imported: true,
            ..Imported::default()
        });
    }
    let opened = open(h, bytes)?;
    let events = opened.manifest.events.clone();
    check_times(h.log().conn(), &events)?;
    let (_, files) = payload::parse(&opened.plain)?;
    // Every file carried must belong to an evidence event in the same bundle.
    let mut captured: HashMap<Uuid, (u64, String)> = HashMap::new();
    for e in events.iter().filter(|e| !e.is_withheld()) {
        if let Ok(Body::EvidenceCaptured(c)) = e.body() {
            captured.insert(c.item_id, (c.size, c.sha256.clone()));
        }
    }
    for entry in &opened.manifest.evidence {
        match captured.get(&entry.item_id) {
            Some((size, sha)) if *size == entry.size && *sha == entry.sha256 => {}
            _ => {
                return Err(Refusal::Malformed(
                    "it carries an evidence file no event in it records",
                )
                .into())
            }
        }
    }

    // Which events are new here (not in the log and not already waiting).
    let conn = h.log().conn();
    let mut new_ids: HashSet<Uuid> = HashSet::new();
    {
        let mut in_log = conn.prepare_cached("SELECT 1 FROM events WHERE id = ?1")?;
        let mut waiting = conn.prepare_cached("SELECT 1 FROM pending_events WHERE id = ?1")?;
        for e in &events {
            let id = e.header.id.to_string();
            if !in_log.exists([&id])? && !waiting.exists([&id])? {
                new_ids.insert(e.header.id);
            }
        }
    }

    let total = events.len();
    if !keep_going(0, total) {
        return Err(Error::Cancelled);
    }

    let withheld = crate::ops::imagery::withheld_from_bundle(
        h.log(),
        &events,
        &opened.manifest.evidence,
        &files,
    )?;
    // Evidence files first (each written whole or not at all); removed again if the
    // events are refused or the import is stopped.
    let master = crate::ops::evidence::master_key(h);
    let mut written: Vec<PathBuf> = Vec::new();
    let mut store_files = || -> Result<usize> {
        let mut n = 0;
        for (entry, file) in opened.manifest.evidence.iter().zip(files.iter()) {
            if !keep_going(0, total) {
                return Err(Error::Cancelled);
            }
            let dest = crate::ops::evidence::stored_path(h.dir(), entry.item_id);
            if dest.exists() || withheld.contains(&entry.item_id) {
                continue;
            }
            let folder = h.dir().join(crate::ops::evidence::EVIDENCE_DIR);
            std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, &e))?;
            let mut out =
                harbour_evidence::AtomicFile::create(&dest).map_err(|e| Error::io(&folder, &e))?;
            harbour_evidence::encrypt_stream(
                &master,
                &entry.item_id.to_string(),
                *file,
                out.file(),
            )
            .map_err(|e| {
                Error::Evidence(format!(
                    "An evidence file from the bundle could not be stored: {e}"
                ))
            })?;
            out.commit().map_err(|e| Error::io(&folder, &e))?;
            written.push(dest);
            n += 1;
        }
        Ok(n)
    };
    let evidence = match store_files() {
        Ok(n) => n,
        Err(e) => {
            for p in &written {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
    };

    let sender = opened.sender.device_id;
    let result = (|| -> Result<Imported> {
        let before = snapshot(h.log().conn())?;
        let forks_before = crate::store::fork::forks(h.log().conn())?;
        let tx = h.log_mut().conn_mut().transaction()?;
        let report =
            caselog::ingest_in_with(&tx, events.clone(), &mut |done| keep_going(done, total))?;
        // What the sender holds only grows: merge by the larger number.
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO peer_frontiers (peer, device_id, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (peer, device_id) DO UPDATE SET seq = max(seq, excluded.seq)",
            )?;
            for (device, seq) in &opened.manifest.frontier {
                stmt.execute(params![sender.to_string(), device.to_string(), *seq as i64])?;
            }
        }
        tx.execute(
            "INSERT OR IGNORE INTO bundles_in (sha256, sender, bundle_seq, imported_ms) VALUES (?1, ?2, ?3, ?4)",
            params![sha, sender.to_string(), opened.header.bundle_seq as i64, chrono::Utc::now().timestamp_millis()],
        )?;
        let after = snapshot(&tx)?;
        let mut touched: BTreeSet<String> = BTreeSet::new();
        {
            let mut applied = tx.prepare_cached("SELECT 1 FROM events WHERE id = ?1")?;
            for e in events
                .iter()
                .filter(|e| new_ids.contains(&e.header.id) && !e.is_withheld())
            {
                if !applied.exists([e.header.id.to_string()])? {
                    continue;
                }
                if let Some(i) = e.body().ok().and_then(|b| b.incident_id()) {
                    touched.insert(i.to_string());
                }
            }
        }
        let viewer = h_author(&tx)?;
        let hidden: HashSet<String> = {
            let mut stmt = tx.prepare("SELECT id FROM incidents WHERE concerns_staff = ?1")?;
            let rows = stmt.query_map([&viewer], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut new_incidents: Vec<String> = after
            .incidents
            .iter()
            .filter(|(id, _)| !before.incidents.contains_key(*id) && !hidden.contains(*id))
            .map(|(_, r)| r.clone())
            .collect();
        new_incidents.sort();
        let mut updated: Vec<String> = touched
            .iter()
            .filter(|id| before.incidents.contains_key(*id) && !hidden.contains(*id))
            .filter_map(|id| after.incidents.get(id).cloned())
            .collect();
        updated.sort();
        let conflicts: Vec<String> = after
            .conflicts
            .difference(&before.conflicts)
            .cloned()
            .collect();
        let forks: Vec<String> = crate::store::fork::forks(&tx)?
            .into_iter()
            .filter(|f| !forks_before.contains(f))
            .map(|f| f.message)
            .collect();
        tx.commit()?;
        Ok(Imported {
            forks,
            file: None,
            sender: format!("{} ({})", opened.sender.coordinator, opened.sender.centre),
            new_incidents,
            updated_incidents: updated,
            conflicts,
            events: report.applied,
            evidence,
            waiting: report.waiting,
            already_imported: false,
            refused: report.refused.iter().map(|r| r.message.clone()).collect(),
            refused_files: withheld.names.clone(),
        })
    })();
    if result.is_err() {
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
    }
    // A fork found in this bundle may have made this folder a new device.
    h.log_mut().reload_device()?;
    result
}

fn h_author(conn: &rusqlite::Connection) -> Result<String> {
    Ok(
        conn.query_row("SELECT author_id FROM local_device WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

/// For the bench and tests: the per-device frontier a bundle carries, without importing it.
pub fn frontier_of(h: &Harbour, bytes: &[u8]) -> Result<BTreeMap<Uuid, u64>> {
    Ok(open(h, bytes)?.manifest.frontier)
}
