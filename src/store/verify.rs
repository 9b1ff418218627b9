//! `harbour verify`: proves that no record was altered behind the log's back.
//!
//! It re-checks every device's chain (sequence, link to the previous hash, payload hash,
//! event hash, signature), then rebuilds every table in a scratch database in memory and
//! compares it row by row with the stored tables. The first event or row that differs is
//! named.

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use super::{caselog, db, rows, schema};
use crate::{Error, Result};

/// What `verify` checked.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub events: usize,
    pub devices: usize,
    pub tables: usize,
    pub rows: usize,
}

/// Checks every chain and signature, then that the tables match the events.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let (events, devices) = check_chains(conn)?;
    let scratch = db::open_scratch()?;
    caselog::apply_all(conn, &scratch)?;
    let mut total_rows = 0;
    for (table, order) in schema::PROJECTION_TABLES {
        total_rows += compare_table(conn, &scratch, table, order)?;
    }
    Ok(VerifyReport {
        events,
        devices,
        tables: schema::PROJECTION_TABLES.len(),
        rows: total_rows,
    })
}

fn check_chains(conn: &Connection) -> Result<(usize, usize)> {
    // Only another device's event can arrive withheld; this device's own never are, so an
    // emptied payload of its own is an alteration.
    let own: Option<String> = conn
        .query_row("SELECT device_id FROM local_device WHERE id = 1", [], |r| {
            r.get(0)
        })
        .ok();
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM events ORDER BY device_id, seq",
        rows::COLUMNS
    ))?;
    let mut it = stmt.query([])?;
    let mut current: Option<(Uuid, u64, [u8; 32], ed25519_dalek::VerifyingKey)> = None;
    let mut events = 0;
    let mut devices = 0;
    while let Some(row) = it.next()? {
        let id: String = row.get(0)?;
        let event = rows::from_row(row)
            .map_err(|_| Error::Integrity(format!("event {id} has a damaged field.")))?;
        let h = &event.header;
        let name = || {
            format!(
                "event {} (device {}, number {}, {})",
                h.id, h.device_id, h.seq, h.kind
            )
        };
        let key = match &current {
            Some((device, seq, hash, key)) if *device == h.device_id => {
                if h.seq != seq + 1 {
                    return Err(Error::Integrity(format!(
                        "{} does not follow number {seq}: events are missing.",
                        name()
                    )));
                }
                if event.prev_hash != Some(*hash) {
                    return Err(Error::Integrity(format!(
                        "{} does not link to the event before it.",
                        name()
                    )));
                }
                *key
            }
            _ => {
                devices += 1;
                if h.seq != 1 || event.prev_hash.is_some() {
                    return Err(Error::Integrity(format!(
                        "{} should be its device's first event.",
                        name()
                    )));
                }
                event.declared_key().ok_or_else(|| {
                    Error::Integrity(format!("{} does not declare the device's key.", name()))
                })?
            }
        };
        if event.is_withheld() && own.as_deref() == Some(h.device_id.to_string().as_str()) {
            return Err(Error::Integrity(format!(
                "{} has been altered: its content is missing.",
                name()
            )));
        }
        event
            .check(&key)
            .map_err(|fault| Error::Integrity(format!("{} has been altered: {fault}.", name())))?;
        current = Some((h.device_id, h.seq, event.hash, key));
        events += 1;
    }
    Ok((events, devices))
}

fn read_all(conn: &Connection, table: &str, order: &str) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let n = names.len();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((names, rows))
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "empty".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) => t.chars().take(60).collect(),
        Value::Blob(b) => format!("{} bytes", b.len()),
    }
}

fn compare_table(
    stored: &Connection,
    rebuilt: &Connection,
    table: &str,
    order: &str,
) -> Result<usize> {
    let (names, have) = read_all(stored, table, order)?;
    let (_, want) = read_all(rebuilt, table, order)?;
    let key_cols: Vec<usize> = order
        .split(',')
        .filter_map(|k| names.iter().position(|n| n == k.trim()))
        .collect();
    let key_of = |row: &Vec<Value>| {
        key_cols
            .iter()
            .map(|&i| format!("{}={}", names[i], show(&row[i])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Match rows by their key, so one missing or extra row is named as such rather than
    // shifting every row after it.
    let keyed = |rows: &[Vec<Value>]| -> std::collections::BTreeMap<Vec<String>, Vec<Value>> {
        rows.iter()
            .map(|r| {
                (
                    key_cols.iter().map(|&i| format!("{:?}", r[i])).collect(),
                    r.clone(),
                )
            })
            .collect()
    };
    let (have_map, want_map) = (keyed(&have), keyed(&want));
    let mut keys: Vec<&Vec<String>> = have_map.keys().chain(want_map.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        match (have_map.get(k), want_map.get(k)) {
            (Some(h), Some(w)) if h == w => {}
            (Some(h), Some(w)) => {
                let col = (0..names.len()).find(|&c| h[c] != w[c]).unwrap_or(0);
                return Err(Error::Integrity(format!(
                    "table {table}, row {}: {} is \"{}\" but the case log says \"{}\".",
                    key_of(h),
                    names[col],
                    show(&h[col]),
                    show(&w[col])
                )));
            }
            (Some(h), None) => {
                return Err(Error::Integrity(format!(
                    "table {table}, row {} is not in the case log.",
                    key_of(h)
                )))
            }
            (None, Some(w)) => {
                return Err(Error::Integrity(format!(
                    "table {table}, row {} is in the case log but missing from the table.",
                    key_of(w)
                )))
            }
            (None, None) => {}
        }
    }
    if have.len() != want.len() {
        return Err(Error::Integrity(format!(
            "table {table} holds {} rows but the case log gives {}.",
            have.len(),
            want.len()
        )));
    }
    Ok(have.len())
}
