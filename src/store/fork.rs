//! A device never runs twice: finding a fork, keeping both sides, and going on as a new
//! device.
//!
//! Each device numbers its events 1, 2, 3… in one signed chain. If its data folder is copied
//! (by hand, a virtual machine snapshot, or a restored backup used beside the original) and
//! both copies write, two different events carry the same device and number: a fork. Taken in
//! as before, the second side was silently dropped (an event waiting for a number already
//! held) and every later bundle from it refused for ever.
//!
//! Now, when events are taken in:
//! - **Another device's fork** (this folder holds one side, a bundle brings the other): the
//!   other side's events — the one that clashes and every event chained after it — are kept
//!   in `forked_events`, checked and signed as they are, never applied and never dropped, and
//!   named by `harbour verify` and `harbour status` with their content. The device's own
//!   copies are told through the next bundle to that device, which carries this folder's side
//!   again from the fork (see `resend_from`).
//! - **This folder's own fork** (a bundle brings an event of this device's number that this
//!   folder did not write): this folder is the copy that must give way. Its own events from
//!   the fork on are kept in `forked_events`, the other side is taken in, and the folder goes
//!   on as a new device (new id, signing key and sync identity) whose first events carry its
//!   own set-aside events over, re-signed, with references between them kept. Its peers must
//!   be given its new card before they accept its bundles.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use uuid::Uuid;

use super::rows;
use crate::log::{Body, DeviceSigner, Event, EventHeader, Hlc, KIND_VERSION};
use crate::{Error, Result};

/// A device found running twice, as this folder knows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fork {
    pub device_id: Uuid,
    pub device_label: String,
    /// The first number two different events carry.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub since_seq: u64,
    /// When the first set-aside event was recorded (its clock).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub since_ms: i64,
    /// True when it is this folder that was forked (and went on as a new device).
    pub own: bool,
    /// The events kept aside, oldest first: what each says, in a few words.
    pub set_aside: Vec<String>,
    /// How many of them have since reached this folder again, re-signed by the copy that
    /// went on as a new device.
    pub carried: usize,
    /// One plain sentence: which device, since when, what to do.
    pub message: String,
}

/// Whether the content of a set-aside event is held again, from another device (the copy
/// that carried it over).
fn carried(conn: &Connection, e: &Event) -> Result<bool> {
    if e.is_withheld() {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached("SELECT 1 FROM events WHERE payload_sha256 = ?1 AND device_id <> ?2")?
        .exists(params![
            e.payload_sha256.to_vec(),
            e.header.device_id.to_string()
        ])?)
}

fn this_device(conn: &Connection) -> Result<Option<Uuid>> {
    let id: Option<String> = conn
        .query_row("SELECT device_id FROM local_device WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(id.and_then(|s| Uuid::parse_str(&s).ok()))
}

fn held_hash(conn: &Connection, device: &Uuid, seq: u64) -> Result<Option<(String, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT id, hash FROM events WHERE device_id = ?1 AND seq = ?2")?
        .query_row(params![device.to_string(), seq as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

fn waiting_id(conn: &Connection, device: &Uuid, seq: u64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM pending_events WHERE device_id = ?1 AND seq = ?2")?
        .query_row(params![device.to_string(), seq as i64], |r| r.get(0))
        .optional()?)
}

fn is_set_aside(conn: &Connection, id: &Uuid) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM forked_events WHERE id = ?1")?
        .exists([id.to_string()])?)
}

/// Hashes of the events kept aside for `device` (what a forked branch chains on).
fn aside_hashes(conn: &Connection, device: &Uuid) -> Result<HashSet<[u8; 32]>> {
    let mut stmt =
        conn.prepare_cached("SELECT event_json FROM forked_events WHERE device_id = ?1")?;
    let rows = stmt.query_map([device.to_string()], |r| r.get::<_, String>(0))?;
    let mut out = HashSet::new();
    for json in rows {
        if let Ok(e) = serde_json::from_str::<Event>(&json?) {
            out.insert(e.hash);
        }
    }
    Ok(out)
}

fn keep_aside(tx: &Connection, e: &Event, own: bool) -> Result<()> {
    let json = serde_json::to_string(e)
        .map_err(|_| Error::Integrity("an event could not be kept aside.".into()))?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO forked_events (id, device_id, seq, event_json, found_ms, own)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        e.header.id.to_string(),
        e.header.device_id.to_string(),
        e.header.seq as i64,
        json,
        chrono::Utc::now().timestamp_millis(),
        own
    ])?;
    Ok(())
}

/// Whether `e` is signed by its device's registered key (a forged event is not a fork).
fn signed_by_its_device(tx: &Connection, e: &Event) -> Result<bool> {
    let key = rows::genesis(tx, &e.header.device_id)?.and_then(|g| g.declared_key());
    Ok(key.is_some_and(|k| e.check(&k).is_ok()))
}

/// Called by the ingest before anything else: keeps aside the events of another device's
/// fork and returns the rest to take in as usual; on finding this folder's own fork, takes
/// the batch in itself around going on as a new device, and returns nothing more to do.
pub(crate) fn set_aside(tx: &Transaction<'_>, mut incoming: Vec<Event>) -> Result<Vec<Event>> {
    let own = this_device(tx)?;
    incoming.sort_by_key(|e| (e.header.device_id, e.header.seq));
    let mut kept = Vec::with_capacity(incoming.len());
    let mut branch: BTreeMap<Uuid, HashSet<[u8; 32]>> = BTreeMap::new();
    // The same event may come twice in one batch; two different ones with one number clash.
    let mut seen: std::collections::HashMap<(Uuid, u64), [u8; 32]> =
        std::collections::HashMap::new();
    let mut own_fork: Option<u64> = None;
    for e in incoming {
        let h = &e.header;
        if is_set_aside(tx, &h.id)? {
            continue;
        }
        if let std::collections::btree_map::Entry::Vacant(v) = branch.entry(h.device_id) {
            v.insert(aside_hashes(tx, &h.device_id)?);
        }
        let clash = match held_hash(tx, &h.device_id, h.seq)? {
            Some((id, hash)) => id != h.id.to_string() || hash != e.hash.to_vec(),
            None => waiting_id(tx, &h.device_id, h.seq)?.is_some_and(|id| id != h.id.to_string()),
        } || seen
            .insert((h.device_id, h.seq), e.hash)
            .is_some_and(|other| other != e.hash);
        let on_branch = e
            .prev_hash
            .is_some_and(|p| branch.get(&h.device_id).is_some_and(|b| b.contains(&p)));
        if (clash || on_branch) && signed_by_its_device(tx, &e)? {
            if Some(h.device_id) == own && clash && !on_branch {
                own_fork = Some(own_fork.map_or(h.seq, |s: u64| s.min(h.seq)));
                kept.push(e);
                continue;
            }
            keep_aside(tx, &e, false)?;
            branch.entry(h.device_id).or_default().insert(e.hash);
            continue;
        }
        kept.push(e);
    }
    match (own_fork, own) {
        (Some(from), Some(device)) => {
            continue_as_new_device(tx, device, from, kept)?;
            Ok(Vec::new())
        }
        _ => Ok(kept),
    }
}

/// This folder is a forked copy: keeps its own events from `from` aside, takes `incoming`
/// in, and goes on as a new device that carries the set-aside events over.
fn continue_as_new_device(
    tx: &Transaction<'_>,
    device: Uuid,
    from: u64,
    incoming: Vec<Event>,
) -> Result<()> {
    let mine: Vec<Event> = {
        let mut stmt = tx.prepare(&format!(
            "SELECT {} FROM events WHERE device_id = ?1 AND seq >= ?2 ORDER BY seq",
            rows::COLUMNS
        ))?;
        let rows = stmt
            .query_map(params![device.to_string(), from as i64], rows::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(rows::bad_row("the case log"))?;
        rows
    };
    for e in &mine {
        keep_aside(tx, e, true)?;
    }
    tx.execute(
        "DELETE FROM events WHERE device_id = ?1 AND seq >= ?2",
        params![device.to_string(), from as i64],
    )?;
    // The other side now follows this device's chain as it was before the fork.
    super::caselog::ingest_in(tx, incoming)?;

    let (label, centre): (String, Option<String>) = tx
        .query_row(
            "SELECT label, centre_code FROM devices WHERE id = ?1",
            [device.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
    let author: String =
        tx.query_row("SELECT author_id FROM local_device WHERE id = 1", [], |r| {
            r.get(0)
        })?;
    let author = Uuid::parse_str(&author)
        .map_err(|_| Error::Integrity("this device's identity is damaged.".into()))?;
    let signer = DeviceSigner::generate();
    let new = Uuid::now_v7();
    tx.pragma_update(None, "secure_delete", true)?;
    tx.execute(
        "UPDATE local_device SET device_id = ?1, signing_key = ?2 WHERE id = 1",
        params![new.to_string(), signer.secret_bytes().as_slice()],
    )?;
    tx.execute("DELETE FROM sync_identity", [])?;
    tx.execute("DELETE FROM bundles_out", [])?;

    // Re-sign the set-aside events as the new device, references between them kept.
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut bodies = vec![(
        author,
        Body::DeviceRegistered {
            verifying_key: hex::encode(signer.verifying_key().as_bytes()),
            label: format!("{label} (copy)"),
            centre,
        },
    )];
    for e in mine.iter().filter(|e| !e.is_withheld()) {
        let fresh = Uuid::now_v7();
        renamed.push((e.header.id.to_string(), fresh.to_string()));
        let mut json = e.payload.clone();
        for (old, new_id) in &renamed {
            json = json.replace(old.as_str(), new_id.as_str());
        }
        let body: Body = serde_json::from_str(&json)
            .map_err(|_| Error::Integrity("a set-aside event could not be read.".into()))?;
        bodies.push((e.header.author_id, body));
    }
    let mut latest = rows::latest_hlc(tx)?;
    let mut head: Option<(u64, [u8; 32])> = None;
    let now = chrono::Utc::now().timestamp_millis();
    for (i, (author, body)) in bodies.into_iter().enumerate() {
        let hlc = Hlc::next(latest, now);
        let seq = head.map(|(s, _)| s + 1).unwrap_or(1);
        let id = if i == 0 {
            Uuid::now_v7()
        } else {
            Uuid::parse_str(&renamed[i - 1].1)
                .map_err(|_| Error::Integrity("an id could not be made.".into()))?
        };
        let header = EventHeader {
            id,
            device_id: new,
            seq,
            hlc,
            author_id: author,
            kind: body.kind().to_string(),
            kind_version: KIND_VERSION,
        };
        let event = signer.seal(header, &body, head.map(|(_, h)| h))?;
        rows::insert(tx, &event)?;
        head = Some((seq, event.hash));
        latest = hlc;
    }
    super::caselog::rebuild_in(tx)?;
    Ok(())
}

/// Where a bundle to `to` should start `device`'s chain: from before a fork of it this folder
/// knows, when the bundle goes to that device itself, so its copies learn of the fork.
pub(crate) fn resend_from(conn: &Connection, device: &Uuid, to: &[Uuid], from: u64) -> Result<u64> {
    if !to.contains(device) {
        return Ok(from);
    }
    let first: Option<i64> = conn
        .prepare_cached("SELECT min(seq) FROM forked_events WHERE device_id = ?1 AND own = 0")?
        .query_row([device.to_string()], |r| r.get(0))?;
    Ok(match first {
        Some(s) => from.min((s as u64).saturating_sub(1)),
        None => from,
    })
}

/// What a set-aside event says, in a few words.
fn summary(conn: &Connection, e: &Event) -> String {
    let when = crate::domain::time::show_millis(e.header.hlc.ms);
    let Ok(body) = e.body() else {
        return format!("number {}, {}, {when}", e.header.seq, e.header.kind);
    };
    let reference = body.incident_id().and_then(|i| {
        conn.query_row(
            "SELECT reference FROM incidents WHERE id = ?1",
            [i.to_string()],
            |r| r.get::<_, String>(0),
        )
        .ok()
    });
    let text = match &body {
        Body::NoteAdded { text, .. } => format!(": \u{201c}{text}\u{201d}"),
        _ => String::new(),
    };
    let on = reference.map(|r| format!(" on {r}")).unwrap_or_default();
    format!(
        "number {}, {}{on}, {when}{text}",
        e.header.seq,
        e.header.kind.replace('_', " ")
    )
}

/// Every fork this folder knows, by device.
pub fn forks(conn: &Connection) -> Result<Vec<Fork>> {
    let mut stmt = conn.prepare(
        "SELECT f.device_id, f.own, f.event_json, coalesce(d.label, '')
         FROM forked_events f LEFT JOIN devices d ON d.id = f.device_id
         ORDER BY f.device_id, f.seq",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let current = this_device(conn)?;
    let mut out: Vec<Fork> = Vec::new();
    for (device, own, json, label) in rows {
        let Ok(event) = serde_json::from_str::<Event>(&json) else {
            continue;
        };
        let Ok(device_id) = Uuid::parse_str(&device) else {
            continue;
        };
        match out.last_mut() {
            Some(f) if f.device_id == device_id && f.own == own => {
                f.set_aside.push(summary(conn, &event));
                f.carried += usize::from(carried(conn, &event)?);
            }
            _ => out.push(Fork {
                device_id,
                device_label: label,
                since_seq: event.header.seq,
                since_ms: event.header.hlc.ms,
                own,
                set_aside: vec![summary(conn, &event)],
                carried: usize::from(carried(conn, &event)?),
                message: String::new(),
            }),
        }
    }
    for f in &mut out {
        let since = crate::domain::time::show_millis(f.since_ms);
        let n = f.set_aside.len();
        let events = if n == 1 {
            "1 event".to_string()
        } else {
            format!("{n} events")
        };
        let name = if f.device_label.is_empty() {
            f.device_id.to_string()
        } else {
            format!("{} ({})", f.device_label, f.device_id)
        };
        f.message = if f.own {
            let now = current.map(|c| c.to_string()).unwrap_or_default();
            format!("This data folder was a copy of device {name} running on two computers since {since}: it now goes on as a new device ({now}) and its own {events} from then were carried over to it, so give the other centres this device's new card (`harbour peer card`) and do not use the old copy's card any more.")
        } else if f.carried == n {
            format!("Device {name} was run on two computers from {since}; its second copy now goes on as a new device, and all {events} held aside from it have reached here from it again, so nothing is lost.")
        } else {
            let are = if n == 1 { "is" } else { "are" };
            format!("Device {name} has been run on two computers (a copied data folder or a restored backup used beside the original) since {since}: both sides are kept, and {events} from the second copy {are} held aside here, not lost; ask that centre to use one copy only and send you the other copy's new card.")
        };
    }
    Ok(out)
}
