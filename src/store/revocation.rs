//! Revoked devices, and refusing what they signed after their revocation, whichever device
//! passes it on.
//!
//! Revoking a peer writes a `device_revoked` event into the revoking device's own chain, so
//! it travels like any other event: every device that syncs with the revoking one (directly
//! or through others) learns of it, and refuses the revoked device's later events itself.
//! Only distrust travels: no event can make a device trust another one (that still takes a
//! card and a phone call), so the worst a device can do with it is cut another off.
//!
//! "After its revocation" is counted in the revoked device's own chain, not by its clock:
//! the revocation names `last_seq`, the last event of that chain the revoking device had
//! accepted, and every event with a higher sequence number is refused. A device's clock is
//! whatever its owner (or a thief) sets, so a time-based rule could be dodged by backdating;
//! a sequence number is fixed by the chain's hashes and cannot. The price is that events the
//! device signed before it was revoked but which had not yet reached the revoking device are
//! refused too; that is the safe side when a key may have been stolen. When two devices
//! revoke the same one, the lower `last_seq` holds, from the earlier warning.
//!
//! A revocation signed by a device that is itself revoked (beyond its `last_seq`) does not
//! count. When several arrive in one batch they are taken in the log's order, so one that a
//! revoked device backdated could still count on a device that learns of both at once; on
//! a device that already held the first, it cannot.
//!
//! Events a device already held when it learnt of a revocation stay in its log (the log is
//! never edited), but it no longer passes them on (`sync::export`).

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::log::{Body, Event};
use crate::Result;

/// The revocation that holds for one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub device_id: Uuid,
    /// The last event of its chain that is accepted.
    pub last_seq: u64,
    pub revoked_by: Uuid,
    /// When (the revoking event's clock).
    pub at_ms: i64,
}

impl Revocation {
    /// Whether `event` falls after this revocation.
    pub fn refuses(&self, event: &Event) -> bool {
        event.header.device_id == self.device_id && event.header.seq > self.last_seq
    }

    fn stricter(self, other: Revocation) -> Revocation {
        if (other.last_seq, other.at_ms) < (self.last_seq, self.at_ms) {
            other
        } else {
            self
        }
    }
}

/// Events refused because their device was revoked, one entry per device.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub device_id: Uuid,
    /// How many of its events were refused.
    pub events: usize,
    pub revoked_ms: i64,
    /// The refusal in one sentence, naming the device and when it was revoked.
    pub message: String,
}

/// Every revocation known, the strictest per device.
pub fn known(conn: &Connection) -> Result<HashMap<Uuid, Revocation>> {
    let mut stmt =
        conn.prepare_cached("SELECT device_id, last_seq, revoked_by, at_ms FROM revocations")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (device, last, by, at) = row?;
        let (Ok(device_id), Ok(revoked_by)) = (Uuid::parse_str(&device), Uuid::parse_str(&by))
        else {
            continue;
        };
        learn(
            &mut out,
            Revocation {
                device_id,
                last_seq: last.max(0) as u64,
                revoked_by,
                at_ms: at,
            },
        );
    }
    Ok(out)
}

/// The revocation that holds for one device, if any.
pub fn of(conn: &Connection, device: &Uuid) -> Result<Option<Revocation>> {
    Ok(known(conn)?.remove(device))
}

/// Adds a revocation to what is known, keeping the strictest per device.
pub fn learn(known: &mut HashMap<Uuid, Revocation>, r: Revocation) {
    known
        .entry(r.device_id)
        .and_modify(|held| *held = held.stricter(r))
        .or_insert(r);
}

/// The name a device's registration gives it ("Leeds laptop (LDS)"), if `event` is one.
pub fn registered_name(event: &Event) -> Option<String> {
    if event.header.seq != 1 || event.is_withheld() {
        return None;
    }
    match event.body().ok()? {
        Body::DeviceRegistered {
            label,
            centre: Some(c),
            ..
        } => Some(format!("{label} ({c})")),
        Body::DeviceRegistered { label, .. } => Some(label),
        _ => None,
    }
}

/// The revocation an event records, if it is one.
pub fn recorded_by(event: &Event) -> Option<Revocation> {
    if event.header.kind != "device_revoked" || event.is_withheld() {
        return None;
    }
    match event.body().ok()? {
        Body::DeviceRevoked {
            device_id,
            last_seq,
        } => Some(Revocation {
            device_id,
            last_seq,
            revoked_by: event.header.device_id,
            at_ms: event.header.hlc.ms,
        }),
        _ => None,
    }
}

/// A device as a person knows it: "Leeds laptop (LDS)", from its registration (or a peer
/// card), or its id when neither is held.
pub fn device_name(conn: &Connection, device: &Uuid) -> Result<String> {
    let id = device.to_string();
    let registered: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT label, centre_code FROM devices WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let carded: Option<(String, String)> = conn
        .query_row(
            "SELECT label, centre FROM peers WHERE device_id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match (registered, carded) {
        (Some((label, Some(centre))), _) => format!("{label} ({centre})"),
        (Some((label, None)), _) => label,
        (None, Some((label, centre))) => format!("{label} ({centre})"),
        (None, None) => format!("device {id}"),
    })
}

/// The named refusal for `count` events of a revoked device.
/// `registered` names the device when its registration is among the refused events.
pub fn refusal(
    conn: &Connection,
    r: &Revocation,
    count: usize,
    registered: Option<&str>,
) -> Result<Refused> {
    let by = device_name(conn, &r.revoked_by)?;
    let mut name = device_name(conn, &r.device_id)?;
    if let (true, Some(label)) = (name.starts_with("device "), registered) {
        name = label.to_string();
    }
    Ok(Refused {
        device_id: r.device_id,
        events: count,
        revoked_ms: r.at_ms,
        message: format!(
            "{count} change(s) made on {name} after it was revoked on {} (by {by}) were refused: a revoked device's new records are not accepted from anyone.",
            crate::domain::time::show_millis(r.at_ms),
        ),
    })
}

/// Drops a revoked device's waiting events beyond its revocation; returns how many.
pub fn drop_waiting(conn: &Connection, r: &Revocation) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM pending_events WHERE device_id = ?1 AND seq > ?2")?
        .execute(params![r.device_id.to_string(), r.last_seq as i64])?)
}

/// The last event of a device's chain held here (0 when none is).
pub fn chain_end(conn: &Connection, device: &Uuid) -> Result<u64> {
    Ok(conn
        .query_row(
            "SELECT coalesce(max(seq), 0) FROM events WHERE device_id = ?1",
            [device.to_string()],
            |r| r.get::<_, i64>(0),
        )?
        .max(0) as u64)
}
