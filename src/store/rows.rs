//! Moving events between Rust and the `events` table.

use rusqlite::{params, Connection, Row};
use uuid::Uuid;

use crate::log::{Event, EventHeader, Hlc};
use crate::{Error, Result};

/// The column list every event query selects, in `from_row`'s order.
pub const COLUMNS: &str = "id, device_id, seq, hlc_ms, hlc_count, author_id, kind, kind_version, \
                           payload, payload_sha256, prev_hash, hash, signature";

fn uuid(text: String) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn fixed<const N: usize>(bytes: Vec<u8>) -> [u8; N] {
    // A stored hash or signature of the wrong length cannot verify; zeros make sure of that.
    bytes.try_into().unwrap_or([0u8; N])
}

/// Reads an event from a row selected with `COLUMNS`.
pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        header: EventHeader {
            id: uuid(row.get(0)?)?,
            device_id: uuid(row.get(1)?)?,
            seq: row.get::<_, i64>(2)? as u64,
            hlc: Hlc {
                ms: row.get(3)?,
                count: row.get::<_, i64>(4)? as u32,
            },
            author_id: uuid(row.get(5)?)?,
            kind: row.get(6)?,
            kind_version: row.get::<_, i64>(7)? as u32,
        },
        payload: row.get(8)?,
        payload_sha256: fixed(row.get(9)?),
        prev_hash: row.get::<_, Option<Vec<u8>>>(10)?.map(fixed),
        hash: fixed(row.get(11)?),
        signature: fixed(row.get(12)?),
    })
}

/// Appends an event row (the chain has already been checked).
pub fn insert(conn: &Connection, e: &Event) -> Result<()> {
    let h = &e.header;
    conn.prepare_cached(
        "INSERT INTO events (id, device_id, seq, hlc_ms, hlc_count, author_id, kind, kind_version,
             payload, payload_sha256, prev_hash, hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        h.id.to_string(),
        h.device_id.to_string(),
        h.seq as i64,
        h.hlc.ms,
        h.hlc.count as i64,
        h.author_id.to_string(),
        h.kind,
        h.kind_version as i64,
        e.payload,
        e.payload_sha256.as_slice(),
        e.prev_hash.as_ref().map(|p| p.as_slice()),
        e.hash.as_slice(),
        e.signature.as_slice(),
    ])?;
    Ok(())
}

/// The last event of a device's chain: its sequence number and hash.
pub fn chain_head(conn: &Connection, device: &Uuid) -> Result<Option<(u64, [u8; 32])>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT seq, hash FROM events WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([device.to_string()], |r| {
            Ok((r.get::<_, i64>(0)? as u64, fixed(r.get(1)?)))
        })
        .optional()?)
}

/// The latest clock stamp of any event held.
pub fn latest_hlc(conn: &Connection) -> Result<Hlc> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT hlc_ms, hlc_count FROM events ORDER BY hlc_ms DESC, hlc_count DESC LIMIT 1",
        )?
        .query_row([], |r| {
            Ok(Hlc {
                ms: r.get(0)?,
                count: r.get::<_, i64>(1)? as u32,
            })
        })
        .optional()?
        .unwrap_or(Hlc::ZERO))
}

/// The highest order key of any event held (clock, device, sequence).
pub fn latest_order_key(conn: &Connection) -> Result<Option<(Hlc, Uuid, u64)>> {
    use rusqlite::OptionalExtension;
    let row = conn
        .prepare_cached(
            "SELECT hlc_ms, hlc_count, device_id, seq FROM events
             ORDER BY hlc_ms DESC, hlc_count DESC, device_id DESC, seq DESC LIMIT 1",
        )?
        .query_row([], |r| {
            Ok((
                Hlc {
                    ms: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u32,
                },
                uuid(r.get(2)?)?,
                r.get::<_, i64>(3)? as u64,
            ))
        })
        .optional()?;
    Ok(row)
}

/// Reads one event by id.
pub fn by_id(conn: &Connection, id: &Uuid) -> Result<Option<Event>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE id = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?)
}

/// The first event of a device's chain, which declares its key.
pub fn genesis(conn: &Connection, device: &Uuid) -> Result<Option<Event>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events WHERE device_id = ?1 AND seq = 1"
        ))?
        .query_row([device.to_string()], from_row)
        .optional()?)
}

/// Turns a bad stored value into an integrity error naming where it was.
pub fn bad_row(what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| match e {
        rusqlite::Error::FromSqlConversionFailure(..) => {
            Error::Integrity(format!("{what} holds a value that is not valid."))
        }
        other => other.into(),
    }
}
