//! This device's receiving key and the peers it trusts.
//!
//! Peers live in local tables, not in the case log: which devices this coordinator trusts is
//! knowledge of this device alone (it was settled by a phone call), and syncing it would let
//! any one device add peers on all the others. Revocation is the exception, because only
//! distrust travels: revoking a peer also records a `device_revoked` event, so every device
//! that syncs with this one refuses what the revoked device signs afterwards, whoever
//! passes it on, and treats it as revoked itself (`store::revocation`). The X25519 secret is
//! kept inside the encrypted database, under the data key, and is made the first time it is
//! needed.

use crate::code::Code;
use age::secrecy::ExposeSecret;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use super::card::{self, PeerCard, CARD_FORMAT};
use super::refused;
use crate::log::Body;
use crate::store::{revocation, CaseLog};
use crate::{Error, Result};

/// This device's age identity, if it has one yet.
pub fn identity(conn: &Connection) -> Result<Option<age::x25519::Identity>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT x25519_secret FROM sync_identity WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    text.map(|t| {
        let t = zeroize::Zeroizing::new(t);
        t.parse::<age::x25519::Identity>()
            .map_err(|_| Error::Integrity("this device's sync key is damaged.".into()))
    })
    .transpose()
}

/// This device's age identity, made and stored if it has none.
pub fn ensure_identity(log: &CaseLog) -> Result<age::x25519::Identity> {
    if let Some(id) = identity(log.conn())? {
        return Ok(id);
    }
    let id = age::x25519::Identity::generate();
    log.conn().execute(
        "INSERT INTO sync_identity (id, x25519_secret) VALUES (1, ?1)",
        [id.to_string().expose_secret()],
    )?;
    Ok(id)
}

fn own_details(log: &CaseLog) -> Result<(String, String, String)> {
    let device = log.device().id.to_string();
    let (label, centre): (String, Option<String>) = log.conn().query_row(
        "SELECT label, centre_code FROM devices WHERE id = ?1",
        [&device],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let coordinator: Option<String> = log
        .conn()
        .query_row(
            "SELECT name FROM staff WHERE id = ?1",
            [log.device().author.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok((
        label,
        centre.unwrap_or_default(),
        coordinator.unwrap_or_else(|| "(unknown coordinator)".into()),
    ))
}

/// This device's card, signed.
pub fn own_card(log: &CaseLog) -> Result<PeerCard> {
    let identity = ensure_identity(log)?;
    let (label, centre, coordinator) = own_details(log)?;
    let mut card = PeerCard {
        format: CARD_FORMAT,
        device_id: log.device().id,
        label,
        centre,
        coordinator,
        coordinator_id: log.device().author,
        verifying_key: hex::encode(log.device().signer.verifying_key().as_bytes()),
        x25519: identity.to_public().to_string(),
        signature: String::new(),
    };
    card.sign(&log.device().signer);
    Ok(card)
}

/// Reads a card file.
pub fn read_card(path: &std::path::Path) -> Result<PeerCard> {
    let bytes = crate::limits::read_bytes(path, crate::limits::CARD_BYTES, "a peer card")?;
    let card: PeerCard = serde_json::from_slice(&bytes).map_err(|_| {
        refused(
            Code::CardInvalid,
            "This file is not a Harbour peer card; ask for the file `harbour peer card` writes.",
        )
    })?;
    card.check()?;
    Ok(card)
}

/// A trusted (or revoked) peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peer {
    pub device_id: Uuid,
    pub label: String,
    pub centre: String,
    pub coordinator: String,
    pub coordinator_id: Uuid,
    pub verifying_key: String,
    pub x25519: String,
    pub fingerprint: String,
    pub added_ms: i64,
    pub revoked_ms: Option<i64>,
}

const PEER_COLUMNS: &str = "device_id, label, centre, coordinator, coordinator_id, verifying_key, x25519, fingerprint, added_ms, revoked_ms";

/// As `PEER_COLUMNS`, with a revocation learnt from the case log (by another device) counted
/// as well as one made here: the earlier of the two.
const PEER_SELECT: &str = "device_id, label, centre, coordinator, coordinator_id, verifying_key, x25519, fingerprint, added_ms,
    min(coalesce(revoked_ms, (SELECT min(at_ms) FROM revocations r WHERE r.device_id = peers.device_id)),
        coalesce((SELECT min(at_ms) FROM revocations r WHERE r.device_id = peers.device_id), revoked_ms))";

fn peer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Peer> {
    let id = |i: usize| -> rusqlite::Result<Uuid> {
        let t: String = r.get(i)?;
        Uuid::parse_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(Peer {
        device_id: id(0)?,
        label: r.get(1)?,
        centre: r.get(2)?,
        coordinator: r.get(3)?,
        coordinator_id: id(4)?,
        verifying_key: r.get(5)?,
        x25519: r.get(6)?,
        // Worked out from the keys rather than read from the row, so a peer trusted by an
        // older version (which stored a shorter form) shows the same fingerprint as its card.
        fingerprint: card::fingerprint(&id(0)?, &r.get::<_, String>(5)?, &r.get::<_, String>(6)?),
        added_ms: r.get(8)?,
        revoked_ms: r.get(9)?,
    })
}

/// Every peer, trusted or revoked, by centre.
pub fn list(conn: &Connection) -> Result<Vec<Peer>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PEER_SELECT} FROM peers ORDER BY centre, coordinator, device_id"
    ))?;
    let peers = stmt
        .query_map([], peer_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(peers)
}

/// A peer by device id.
pub fn get(conn: &Connection, device: &Uuid) -> Result<Option<Peer>> {
    Ok(conn
        .query_row(
            &format!("SELECT {PEER_SELECT} FROM peers WHERE device_id = ?1"),
            [device.to_string()],
            peer_row,
        )
        .optional()?)
}

/// Finds a peer by device id (or its beginning or end), centre code or coordinator's name.
pub fn find(conn: &Connection, text: &str) -> Result<Peer> {
    let t = text.trim();
    let lower = t.to_lowercase();
    let found: Vec<Peer> = list(conn)?
        .into_iter()
        .filter(|p| {
            let id = p.device_id.to_string();
            (lower.len() >= 8 && (id.starts_with(&lower) || id.ends_with(&lower)))
                || p.centre.eq_ignore_ascii_case(t)
                || p.coordinator.eq_ignore_ascii_case(t)
        })
        .collect();
    match found.len() {
        1 => Ok(found.into_iter().next().ok_or_else(|| Error::NotFound {
            what: "peer",
            key: t.to_string(),
        })?),
        0 => Err(Error::NotFound {
            what: "peer",
            key: t.to_string(),
        }),
        _ => Err(Error::invalid(format!(
            "More than one peer matches \"{t}\"; give its device id instead."
        ))),
    }
}

/// Trusts a peer once its fingerprint has been confirmed. Adding the same card again
/// changes nothing; a revoked peer stays revoked.
pub fn add(log: &CaseLog, card: &PeerCard, confirmed: &str) -> Result<Peer> {
    card.check()?;
    if card.device_id == log.device().id {
        return Err(Error::invalid("That is this device's own card."));
    }
    let fingerprint = card.fingerprint();
    if !card.fingerprint_is(confirmed) {
        return Err(refused(
            Code::FingerprintMismatch,
            "That fingerprint does not match this card, so the peer was not added; check it again with the other coordinator.",
        ));
    }
    if let Some(existing) = get(log.conn(), &card.device_id)? {
        if existing.verifying_key != card.verifying_key || existing.x25519 != card.x25519 {
            return Err(refused(
                Code::PeerKeyChanged,
                "This device is already a peer with different keys; revoke it first if it really changed.",
            ));
        }
        return Ok(existing);
    }
    log.conn().execute(
        &format!(
            "INSERT INTO peers ({PEER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)"
        ),
        params![
            card.device_id.to_string(),
            card.label,
            card.centre,
            card.coordinator,
            card.coordinator_id.to_string(),
            card.verifying_key,
            card.x25519,
            fingerprint,
            chrono::Utc::now().timestamp_millis()
        ],
    )?;
    get(log.conn(), &card.device_id)?
        .ok_or_else(|| Error::Integrity("the peer was not stored.".into()))
}

/// Revokes a peer: its new bundles are refused, nothing more is sent to it, and a
/// `device_revoked` event naming the last event of its chain held here is recorded, so every
/// device this one syncs with refuses its later events too, whoever passes them on. What it
/// sent before stays in the case log (the log is never edited).
pub fn revoke(log: &mut CaseLog, text: &str) -> Result<Peer> {
    let peer = find(log.conn(), text)?;
    let here: Option<i64> = log.conn().query_row(
        "SELECT revoked_ms FROM peers WHERE device_id = ?1",
        [peer.device_id.to_string()],
        |r| r.get(0),
    )?;
    if here.is_none() {
        let last_seq = revocation::chain_end(log.conn(), &peer.device_id)?;
        let event = log.append(Body::DeviceRevoked {
            device_id: peer.device_id,
            last_seq,
        })?;
        let r = revocation::Revocation {
            device_id: peer.device_id,
            last_seq,
            revoked_by: log.device().id,
            at_ms: event.header.hlc.ms,
        };
        revocation::drop_waiting(log.conn(), &r)?;
        log.conn().execute(
            "UPDATE peers SET revoked_ms = ?2 WHERE device_id = ?1",
            params![
                peer.device_id.to_string(),
                chrono::Utc::now().timestamp_millis()
            ],
        )?;
    }
    get(log.conn(), &peer.device_id)?.ok_or_else(|| Error::NotFound {
        what: "peer",
        key: text.to_string(),
    })
}

/// The staff ids a peer's device is used by: from its card and from its own events.
pub fn people_of(conn: &Connection, peer: &Peer) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT author_id FROM events WHERE device_id = ?1")?;
    let mut out: Vec<String> = stmt
        .query_map([peer.device_id.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let card = peer.coordinator_id.to_string();
    if !out.contains(&card) {
        out.push(card);
    }
    Ok(out)
}
