//! Cutting a bundle for some peers: every event they are not known to hold, minus what one
//! of them must not see, with the evidence files those events refer to.
//!
//! What a peer must not see is decided per event, not per row: every event about an
//! allegation concerning a recipient's own user (and any link pointing at one) is sent
//! *withheld* — header, payload hash, chain link and signature, but no payload — so the
//! recipient's copy of the sender's chain has no gap and its later events still apply, and
//! nothing of the record's content reaches that device. A device never relays events it
//! holds withheld, nor events about an incident it has not received the opening of: it
//! stops that device's chain there and leaves the rest to a device that holds them. Nor does
//! it pass on what a revoked device signed after its revocation.

use crate::code::Code;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

use super::envelope::{self, Header};
use super::payload::{self, EvidenceEntry, Manifest};
use super::peers::{self, Peer};
use super::{refused, EXTENSION, FORMAT};
use crate::log::Body;
use crate::store::rows;
use crate::{Error, Harbour, Result};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exported {
    pub file: PathBuf,
    pub peers: Vec<String>,
    pub events: usize,
    pub withheld: usize,
    pub evidence: usize,
    pub bytes: u64,
}

/// A bundle's plaintext before encryption, with what it holds.
pub struct Cut {
    pub manifest: Manifest,
    pub files: Vec<Vec<u8>>,
    pub withheld: usize,
}

/// What this device holds: per device, the highest sequence (the events table never has a
/// gap: out-of-chain events wait in `pending_events`).
pub fn own_frontier(conn: &rusqlite::Connection) -> Result<BTreeMap<Uuid, u64>> {
    let mut stmt = conn.prepare("SELECT device_id, max(seq) FROM events GROUP BY device_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (d, s) = row?;
        if let Ok(id) = Uuid::parse_str(&d) {
            out.insert(id, s as u64);
        }
    }
    Ok(out)
}

/// What a peer last told us it holds.
pub fn peer_frontier(conn: &rusqlite::Connection, peer: &Uuid) -> Result<BTreeMap<Uuid, u64>> {
    let mut stmt =
        conn.prepare_cached("SELECT device_id, seq FROM peer_frontiers WHERE peer = ?1")?;
    let rows = stmt.query_map([peer.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (d, s) = row?;
        if let Ok(id) = Uuid::parse_str(&d) {
            out.insert(id, s as u64);
        }
    }
    Ok(out)
}

/// Chooses the events and files for `to` (all of them, so the strictest rule applies).
pub fn cut(h: &Harbour, to: &[Peer]) -> Result<Cut> {
    let conn = h.log().conn();
    let mine = own_frontier(conn)?;
    let known: Vec<BTreeMap<Uuid, u64>> = to
        .iter()
        .map(|p| peer_frontier(conn, &p.device_id))
        .collect::<Result<_>>()?;
    let mut people: HashSet<String> = HashSet::new();
    for p in to {
        people.extend(peers::people_of(conn, p)?);
    }
    let mut restricted: HashSet<String> = HashSet::new();
    let mut incidents: HashSet<String> = HashSet::new();
    {
        let mut stmt = conn.prepare("SELECT id, concerns_staff FROM incidents")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        for row in rows {
            let (id, concerns) = row?;
            if concerns.is_some_and(|c| people.contains(&c)) {
                restricted.insert(id.clone());
            }
            incidents.insert(id);
        }
    }
    let master = crate::ops::evidence::master_key(h);
    let mut events = Vec::new();
    let mut files = Vec::new();
    let mut evidence = Vec::new();
    let mut withheld = 0;
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM events WHERE device_id = ?1 AND seq > ?2 ORDER BY seq",
        rows::COLUMNS
    ))?;
    // A revoked device's events after its revocation are not passed on (`store::revocation`).
    let revoked = crate::store::revocation::known(conn)?;
    let recipients: Vec<Uuid> = to.iter().map(|p| p.device_id).collect();
    for device in mine.keys() {
        let from = known
            .iter()
            .map(|k| k.get(device).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        let from = crate::store::fork::resend_from(conn, device, &recipients, from)?;
        let chain = stmt
            .query_map(params![device.to_string(), from as i64], rows::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(rows::bad_row("the case log"))?;
        for event in chain {
            if event.is_withheld() || revoked.get(device).is_some_and(|r| r.refuses(&event)) {
                break;
            }
            let body = event.body()?;
            let about: Vec<String> = match &body {
                Body::IncidentsLinked {
                    incident_id,
                    other_id,
                    ..
                } => vec![incident_id.to_string(), other_id.to_string()],
                other => other
                    .incident_id()
                    .map(|i| vec![i.to_string()])
                    .unwrap_or_default(),
            };
            if about.iter().any(|i| restricted.contains(i)) {
                events.push(event.withheld());
                withheld += 1;
                continue;
            }
            if let Some(first) = about.first() {
                if !incidents.contains(first) {
                    break;
                }
            }
            if let Body::EvidenceCaptured(c) = &body {
                if crate::ops::imagery::not_held_here(h, c.incident_id, c.item_id)? {
                    events.push(event);
                    continue;
                }
                let item = crate::ops::evidence::Item {
                    id: c.item_id,
                    incident: c.incident_id,
                    description: c.description.clone(),
                    sha256: c.sha256.clone(),
                    file_name: c.file_name.clone(),
                    status: String::new(),
                };
                let mut plain = Vec::with_capacity(c.size as usize);
                crate::ops::evidence::decrypt_checked(h.dir(), &master, &item, &mut plain)?;
                evidence.push(EvidenceEntry {
                    item_id: c.item_id,
                    size: plain.len() as u64,
                    sha256: c.sha256.clone(),
                });
                files.push(plain);
            }
            events.push(event);
        }
    }
    Ok(Cut {
        manifest: Manifest {
            format: FORMAT,
            sender: h.log().device().id,
            recipients: to.iter().map(|p| p.device_id).collect(),
            frontier: mine,
            events,
            evidence,
        },
        files,
        withheld,
    })
}

/// Encrypts a cut to its recipients and signs it; returns the bundle's bytes.
pub fn seal(h: &Harbour, cut: &Cut, to: &[Peer], bundle_seq: u64) -> Result<Vec<u8>> {
    let plain = payload::build(&cut.manifest, &cut.files);
    let recipients: Vec<age::x25519::Recipient> = to
        .iter()
        .map(|p| {
            p.x25519.parse().map_err(|_| {
                Error::Integrity(format!(
                    "the stored encryption key of peer {} is damaged.",
                    p.device_id
                ))
            })
        })
        .collect::<Result<_>>()?;
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| Error::Integrity("the bundle could not be encrypted.".into()))?;
    let mut ciphertext = Vec::with_capacity(plain.len() + 1024);
    let encrypt = || -> std::io::Result<()> {
        let mut w = encryptor.wrap_output(&mut ciphertext)?;
        w.write_all(&plain)?;
        w.finish()?;
        Ok(())
    };
    encrypt().map_err(|_| Error::Integrity("the bundle could not be encrypted.".into()))?;
    let header = Header {
        sender: h.log().device().id,
        bundle_seq,
        created_ms: chrono::Utc::now().timestamp_millis(),
    };
    let signer = &h.log().device().signer;
    Ok(envelope::build(&header, &ciphertext, |m| signer.sign(m)))
}

/// The next bundle number of this device.
pub fn next_bundle_seq(h: &Harbour) -> Result<u64> {
    let conn = h.log().conn();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('bundle_seq', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1",
        [],
    )?;
    let n: i64 = conn.query_row("SELECT value FROM meta WHERE key = 'bundle_seq'", [], |r| {
        r.get(0)
    })?;
    Ok(n as u64)
}

/// A bundle's file name: centre, date and this device's bundle number.
pub fn file_name(h: &Harbour, seq: u64, suffix: &str) -> Result<String> {
    let centre: Option<String> = h.log().conn().query_row(
        "SELECT centre_code FROM devices WHERE id = ?1",
        [h.log().device().id.to_string()],
        |r| r.get(0),
    )?;
    let date = crate::domain::time::today().format("%Y-%m-%d");
    Ok(format!(
        "{}-{date}-{seq:04}{suffix}.{EXTENSION}",
        centre.unwrap_or_else(|| "HARBOUR".into())
    ))
}

/// The trusted peers named, each once; a revoked or unknown one is refused.
pub fn recipients(h: &Harbour, names: &[String]) -> Result<Vec<Peer>> {
    if names.is_empty() {
        return Err(Error::Required {
            field: "to",
            sentence: "Say which peer the bundle is for.",
        });
    }
    let mut out: Vec<Peer> = Vec::new();
    for n in names {
        let p = peers::find(h.log().conn(), n)?;
        if p.revoked_ms.is_some() {
            return Err(refused(
                Code::PeerRevoked,
                format!(
                    "{} ({}) has been revoked, so nothing is sent to it.",
                    p.coordinator, p.centre
                ),
            ));
        }
        if !out.iter().any(|o| o.device_id == p.device_id) {
            out.push(p);
        }
    }
    Ok(out)
}

/// `harbour sync export`: writes one bundle for these peers into `out_dir`.
pub fn export(h: &mut Harbour, names: &[String], out_dir: &Path) -> Result<Exported> {
    let to = recipients(h, names)?;
    peers::ensure_identity(h.log())?;
    let cut = cut(h, &to)?;
    let seq = next_bundle_seq(h)?;
    let bytes = seal(h, &cut, &to, seq)?;
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, &e))?;
    let file = out_dir.join(file_name(h, seq, "")?);
    crate::fsutil::write_atomically(&file, &bytes)?;
    Ok(Exported {
        file,
        peers: to
            .iter()
            .map(|p| format!("{} ({})", p.coordinator, p.centre))
            .collect(),
        events: cut.manifest.events.len(),
        withheld: cut.withheld,
        evidence: cut.files.len(),
        bytes: bytes.len() as u64,
    })
}
