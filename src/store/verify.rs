//! `harbour verify`: proves that no record was altered behind the log's back, and that
//! nothing Harbour keeps has been damaged on disk.
//!
//! [`verify`] re-checks every device's chain (sequence, link to the previous hash, payload
//! hash, event hash, signature), then rebuilds every table in a scratch database
//! ([`super::scratch`]: on disk, encrypted under a throwaway key) and compares it row by row
//! with the stored tables. The first event or row that differs is named.
//!
//! Memory stays flat whatever the case log's size: the rebuild is one transaction into a
//! file with a small page cache, and each table is compared by summing both copies a row at
//! a time, unsorted; only when a table differs are its rows read whole, to name the first
//! difference by its key. Signatures, the costly part, are checked a batch at a
//! time on every core, and the first bad one in the log's order is still the one named.
//!
//! [`check_all`] does that and more, on an open folder: SQLCipher's check of every page's
//! MAC and SQLite's own structure check first (a flipped byte in the file is found even in
//! a page no command has read yet), then every evidence file: present, authenticating under
//! its key, and giving the SHA-256 recorded at capture. Each thing found is one sentence
//! naming what is damaged and what to do; the backup feature calls it too.

use std::io::BufReader;

use harbour_evidence::{decrypt_stream, StreamError};
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use super::scratch::Scratch;
use super::{caselog, db, rows, schema};
use crate::ops::evidence::{master_key, stored_path};
use crate::{Error, Harbour, Result};

/// What to do about damage to the database.
const RESTORE_DATABASE: &str =
    "restore the data folder from a backup, or from a centre you sync with";
/// What to do about a damaged evidence file.
const RESTORE_EVIDENCE: &str = "restore the data folder from a backup (a centre you sync with that holds this incident also has a copy)";

/// One thing found wrong.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `database`, `case_log` or `evidence`.
    pub area: &'static str,
    /// The evidence item concerned, if any.
    pub item_id: Option<String>,
    /// One sentence: what is damaged and what to do.
    pub sentence: String,
}

/// Everything `check_all` looked at, and what it found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The chains and tables, when they could be checked to the end.
    pub log: Option<VerifyReport>,
    /// Evidence files decrypted and checked.
    pub evidence_checked: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    /// Nothing was found wrong.
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }

    /// Every finding, one sentence a line.
    pub fn sentences(&self) -> String {
        self.findings
            .iter()
            .map(|f| f.sentence.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Checks the database file, the case log and every evidence file of an open folder.
/// Fails only if something outside the checks goes wrong (an evidence file that cannot be
/// read because of the disk is a finding, not a failure).
pub fn check_all(h: &Harbour) -> Result<Report> {
    let conn = h.log().conn();
    let mut findings: Vec<Finding> = db::integrity_findings(conn)
        .into_iter()
        .map(|what| Finding {
            area: "database",
            item_id: None,
            sentence: format!("The database file is damaged: {what}; {RESTORE_DATABASE}."),
        })
        .collect();
    let database_damaged = !findings.is_empty();
    let log = match verify(conn) {
        Ok(report) => Some(report),
        Err(Error::Integrity(what)) => {
            findings.push(Finding {
                area: "case_log",
                item_id: None,
                sentence: Error::Integrity(what).to_string(),
            });
            None
        }
        // Reading through a damaged page fails: that page is named above.
        Err(_) if database_damaged => None,
        Err(e) => return Err(e),
    };
    let (evidence_checked, damaged) = match check_evidence(h) {
        Ok(found) => found,
        Err(_) if database_damaged => (0, Vec::new()),
        Err(e) => return Err(e),
    };
    findings.extend(damaged);
    Ok(Report {
        log,
        evidence_checked,
        findings,
    })
}

/// One stored evidence item as `verify` names it.
struct Stored {
    id: String,
    reference: Option<String>,
    number: usize,
    description: String,
    sha256: String,
    /// An erased item's copy was deleted on purpose: its file must be absent, not checked.
    erased: bool,
}

impl Stored {
    fn name(&self) -> String {
        match &self.reference {
            Some(r) => format!(
                "Evidence item {} of {r} (\u{201c}{}\u{201d}, id {})",
                self.number, self.description, self.id
            ),
            // An incident about this device's own user is kept from them: name only the id.
            None => format!("Evidence item {} (of an incident kept from you)", self.id),
        }
    }
}

fn stored_items(h: &Harbour) -> Result<Vec<Stored>> {
    let viewer = h.log().device().author.to_string();
    let mut stmt = h.log().conn().prepare(
        "SELECT e.id, e.incident_id, i.reference, i.concerns_staff, e.description, e.sha256,
                e.status = 'erased'
         FROM evidence_items e
         JOIN events ev ON ev.id = e.event_id
         LEFT JOIN incidents i ON i.id = e.incident_id
         ORDER BY e.incident_id, ev.hlc_ms, ev.hlc_count, ev.device_id, ev.seq",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    let mut last_incident = String::new();
    let mut number = 0;
    for (id, incident, reference, concerns, description, sha256, erased) in rows {
        if incident != last_incident {
            last_incident = incident;
            number = 0;
        }
        number += 1;
        let hidden = concerns.as_deref() == Some(viewer.as_str());
        out.push(Stored {
            id,
            reference: if hidden { None } else { reference },
            number,
            description,
            sha256,
            erased,
        });
    }
    Ok(out)
}

/// Decrypts every stored evidence file to nowhere, checking it; returns how many were
/// checked and what was wrong.
fn check_evidence(h: &Harbour) -> Result<(usize, Vec<Finding>)> {
    let master = master_key(h);
    let mut findings = Vec::new();
    let items = stored_items(h)?;
    let mut checked = 0;
    for item in &items {
        let Ok(uuid) = Uuid::parse_str(&item.id) else {
            findings.push(Finding {
                area: "evidence",
                item_id: Some(item.id.clone()),
                sentence: format!(
                    "{} has a damaged id in the case log; {RESTORE_DATABASE}.",
                    item.name()
                ),
            });
            continue;
        };
        if item.erased {
            // Erasure deletes the copy; one still on disk is imagery Harbour said was gone.
            if stored_path(h.dir(), uuid).exists() {
                findings.push(Finding {
                    area: "evidence",
                    item_id: Some(item.id.clone()),
                    sentence: format!(
                        "{} was erased, but its encrypted copy is still in the evidence store; erase it again (\u{201c}harbour evidence erase {} --reason \u{2026}\u{201d}) to finish.",
                        item.name(),
                        item.id
                    ),
                });
            }
            continue;
        }
        checked += 1;
        let problem = match std::fs::File::open(stored_path(h.dir(), uuid)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some("is missing from the evidence store".to_string())
            }
            Err(e) => Some(format!(
                "could not be read ({})",
                crate::error::plain_io(&e)
            )),
            Ok(file) => {
                let read = decrypt_stream(
                    &master,
                    &item.id,
                    BufReader::with_capacity(1 << 20, file),
                    std::io::sink(),
                );
                match read {
                    Ok(summary) if summary.sha256 == item.sha256 => None,
                    Ok(_) => Some(
                        "no longer matches the SHA-256 recorded when it was captured".to_string(),
                    ),
                    Err(StreamError::Read(e)) => Some(format!(
                        "could not be read ({})",
                        crate::error::plain_io(&e)
                    )),
                    Err(StreamError::Truncated) => {
                        Some("is damaged: its stored file has been cut short".to_string())
                    }
                    Err(StreamError::WrongKey) | Err(StreamError::NotEvidenceFile) => Some(
                        "is damaged: its stored file is not the one Harbour encrypted for it"
                            .to_string(),
                    ),
                    Err(_) => {
                        Some("is damaged: its stored file fails its integrity check".to_string())
                    }
                }
            }
        };
        if let Some(problem) = problem {
            findings.push(Finding {
                area: "evidence",
                item_id: Some(item.id.clone()),
                sentence: format!("{} {problem}; {RESTORE_EVIDENCE}.", item.name()),
            });
        }
    }
    Ok((checked, findings))
}

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
    // Every page is read once, in order: a large cache would only fill with pages never read
    // again. The folder's own setting is put back afterwards, whatever happened.
    conn.pragma_update(None, "cache_size", VERIFY_CACHE_KIB)?;
    let result = verify_all(conn);
    conn.pragma_update(None, "cache_size", db::CACHE_KIB)?;
    result
}

/// The stored database's page cache while it is verified (SQLite's negative-means-KiB).
const VERIFY_CACHE_KIB: i64 = -4_000;

fn verify_all(conn: &Connection) -> Result<VerifyReport> {
    let (events, devices) = check_chains(conn)?;
    // A full disk is when a coordinator most needs to know their records are sound: then the
    // tables are rebuilt in memory instead.
    let scratch = match rebuild(conn, Scratch::beside(conn)) {
        Err(Error::DiskFull) => rebuild(conn, Scratch::in_memory())?,
        other => other?,
    };
    let rebuilt = scratch.conn();
    let mut total_rows = 0;
    for (table, order) in schema::PROJECTION_TABLES {
        total_rows += match rows_alike(conn, rebuilt, table)? {
            Some(n) => n,
            None => compare_table(conn, rebuilt, table, order)?,
        };
    }
    Ok(VerifyReport {
        events,
        devices,
        tables: schema::PROJECTION_TABLES.len(),
        rows: total_rows,
    })
}

/// Applies the whole log, in one transaction, to the tables of `scratch`.
fn rebuild(conn: &Connection, scratch: Result<Scratch>) -> Result<Scratch> {
    let scratch = scratch?;
    let rebuilt = scratch.conn();
    rebuilt.execute_batch("BEGIN")?;
    caselog::apply_all(conn, rebuilt)?;
    rebuilt.execute_batch("COMMIT")?;
    Ok(scratch)
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
    let mut signatures: Vec<Pending> = Vec::with_capacity(SIGNATURE_BATCH);
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
            .check_digests()
            .map_err(|fault| Error::Integrity(format!("{} has been altered: {fault}.", name())))?;
        signatures.push(Pending {
            name: name(),
            key,
            hash: event.hash,
            signature: event.signature,
        });
        if signatures.len() == SIGNATURE_BATCH {
            check_signatures(&mut signatures)?;
        }
        current = Some((h.device_id, h.seq, event.hash, key));
        events += 1;
    }
    check_signatures(&mut signatures)?;
    Ok((events, devices))
}

/// How many signatures are checked together, shared out between the cores.
const SIGNATURE_BATCH: usize = 2_048;

/// A signature still to check, with the event's name for the sentence if it fails.
struct Pending {
    name: String,
    key: ed25519_dalek::VerifyingKey,
    hash: [u8; 32],
    signature: [u8; 64],
}

impl Pending {
    fn holds(&self) -> bool {
        crate::log::signature_holds(&self.key, &self.hash, &self.signature)
    }
}

/// Checks the batch on every core and empties it; names the first bad signature in order.
fn check_signatures(batch: &mut Vec<Pending>) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = batch.len().div_ceil(cores).max(1);
    let first_bad = std::thread::scope(|s| {
        let workers: Vec<_> = batch
            .chunks(share)
            .enumerate()
            .map(|(i, part)| {
                let start = i * share;
                let worker =
                    s.spawn(move || part.iter().position(|p| !p.holds()).map(|at| start + at));
                (start, worker)
            })
            .collect();
        // A worker that could not finish proves nothing about its share: the first of it
        // is named.
        workers
            .into_iter()
            .filter_map(|(start, w)| w.join().unwrap_or(Some(start)))
            .min()
    });
    if let Some(at) = first_bad {
        return Err(Error::Integrity(format!(
            "{} has been altered: {}.",
            batch[at].name,
            crate::log::Fault::Signature
        )));
    }
    batch.clear();
    Ok(())
}

/// `Some(rows)` when both copies of `table` hold the same rows, `None` when they differ (then
/// `compare_table` reads them whole to name the first difference).
///
/// Each copy is read once in whatever order it is stored, never sorted (sorting the search
/// index alone would take memory growing with the case log), and summed as a multiset: the
/// count of rows and the sum, modulo 2^256, of each row's SHA-256. Two copies that differ in
/// any value, or in how many times a row appears, give different sums.
fn rows_alike(stored: &Connection, rebuilt: &Connection, table: &str) -> Result<Option<usize>> {
    let (have, want) = (table_sum(stored, table)?, table_sum(rebuilt, table)?);
    Ok((have == want).then_some(have.0))
}

/// The number of rows of `table` and the sum of their digests (see [`rows_alike`]).
fn table_sum(conn: &Connection, table: &str) -> Result<(usize, [u64; 4])> {
    use rusqlite::types::ValueRef;
    use sha2::{Digest, Sha256};
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
    let n = stmt.column_count();
    let mut rows = stmt.query([])?;
    let (mut count, mut sum) = (0usize, [0u64; 4]);
    while let Some(row) = rows.next()? {
        let mut digest = Sha256::new();
        for i in 0..n {
            // Each value with its type and length, so no two rows encode alike.
            let (tag, bytes): (u8, std::borrow::Cow<[u8]>) = match row.get_ref(i)? {
                ValueRef::Null => (0, (&[][..]).into()),
                ValueRef::Integer(v) => (1, v.to_le_bytes().to_vec().into()),
                ValueRef::Real(v) => (2, v.to_bits().to_le_bytes().to_vec().into()),
                ValueRef::Text(t) => (3, t.into()),
                ValueRef::Blob(b) => (4, b.into()),
            };
            digest.update([tag]);
            digest.update((bytes.len() as u64).to_le_bytes());
            digest.update(&bytes);
        }
        let bytes = digest.finalize();
        let mut carry = 0u64;
        for (limb, part) in sum.iter_mut().zip(bytes.chunks_exact(8)) {
            let word = u64::from_le_bytes(part.try_into().unwrap_or_default());
            let (s1, c1) = limb.overflowing_add(word);
            let (s2, c2) = s1.overflowing_add(carry);
            *limb = s2;
            carry = u64::from(c1) + u64::from(c2);
        }
        count += 1;
    }
    Ok((count, sum))
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

#[cfg(test)]
mod sum_tests {
    use super::rows_alike;
    use rusqlite::Connection;

    fn table(rows: &[(i64, &str)]) -> Connection {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch("CREATE TABLE t (a, b)").expect("table");
        for (a, b) in rows {
            conn.execute("INSERT INTO t VALUES (?1, ?2)", rusqlite::params![a, b])
                .expect("row");
        }
        conn
    }

    #[test]
    fn the_same_rows_in_another_order_are_alike_and_any_change_is_not() {
        let stored = table(&[(1, "one"), (2, "two"), (3, "three")]);
        assert_eq!(
            rows_alike(
                &stored,
                &table(&[(3, "three"), (1, "one"), (2, "two")]),
                "t"
            )
            .expect("sum"),
            Some(3)
        );
        for other in [
            table(&[(1, "one"), (2, "two"), (3, "three!")]),
            table(&[(1, "one"), (2, "two")]),
            table(&[(1, "one"), (1, "one"), (3, "three")]),
            table(&[(1, "one"), (2, "two"), (3, "three"), (3, "three")]),
            table(&[(1, "onet"), (2, "wo"), (3, "three")]),
        ] {
            assert_eq!(rows_alike(&stored, &other, "t").expect("sum"), None);
        }
    }
}
