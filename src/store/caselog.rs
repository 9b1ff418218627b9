//! The case log on disk: appending this device's events, taking in other devices' events,
//! and rebuilding the tables from the log.
//!
//! Appending happens in one transaction with the projection update, so the log and the tables
//! never disagree. Taking in events (sync, later) accepts any order: an event whose
//! predecessor has not arrived is held in `pending_events` and applied only once its chain is
//! complete, and if it sorts before events already applied, the tables are rebuilt from the
//! whole log so every device ends with the same tables.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::{clock, project, revocation, rows, schema};
use crate::log::hlc::{Clock, SystemClock};
use crate::log::{Body, DeviceSigner, Event, EventHeader, Hlc, KIND_VERSION};
use crate::{Error, Result};

/// This device's identity: its id, signing key and the staff member using it.
pub struct Device {
    pub id: Uuid,
    pub signer: DeviceSigner,
    pub author: Uuid,
}

/// What taking in a batch of events did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IngestReport {
    pub applied: usize,
    pub already_held: usize,
    pub waiting: usize,
    pub rebuilt: bool,
    /// Events refused because their device was revoked (`store::revocation`), per device.
    pub refused: Vec<revocation::Refused>,
}

/// The open case log: the database connection and this device.
pub struct CaseLog {
    conn: Connection,
    device: Device,
    clock: Box<dyn Clock>,
}

impl CaseLog {
    /// Wraps an open connection whose `local_device` row is set.
    pub fn load(conn: Connection) -> Result<Self> {
        let (id, key, author): (String, Vec<u8>, String) = conn
            .query_row(
                "SELECT device_id, signing_key, author_id FROM local_device WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| Error::Integrity("this device's identity is missing.".into()))?;
        let key: zeroize::Zeroizing<[u8; 32]> = zeroize::Zeroizing::new(
            key.try_into()
                .map_err(|_| Error::Integrity("this device's key is damaged.".into()))?,
        );
        let parse = |t: &str| {
            Uuid::parse_str(t)
                .map_err(|_| Error::Integrity("this device's identity is damaged.".into()))
        };
        let mut log = CaseLog {
            device: Device {
                id: parse(&id)?,
                signer: DeviceSigner::from_bytes(&key),
                author: parse(&author)?,
            },
            conn,
            clock: Box::new(SystemClock),
        };
        let built_by: Option<i64> = log
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'projection_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if built_by != Some(schema::PROJECTION_VERSION) {
            log.rebuild()?;
        }
        Ok(log)
    }

    /// Starts a new device on an empty database: stores its identity and registers its key
    /// as the first event of its chain.
    pub fn create(
        conn: Connection,
        author: Uuid,
        label: &str,
        centre: Option<String>,
    ) -> Result<Self> {
        let signer = DeviceSigner::generate();
        let id = Uuid::now_v7();
        conn.execute(
            "INSERT INTO local_device (id, device_id, signing_key, author_id) VALUES (1, ?1, ?2, ?3)",
            params![id.to_string(), signer.secret_bytes().as_slice(), author.to_string()],
        )?;
        mark_projection_version(&conn)?;
        let verifying_key = hex::encode(signer.verifying_key().as_bytes());
        let mut log = CaseLog {
            conn,
            device: Device { id, signer, author },
            clock: Box::new(SystemClock),
        };
        log.append(Body::DeviceRegistered {
            verifying_key,
            label: label.to_string(),
            centre,
        })?;
        Ok(log)
    }

    /// Uses another clock (simulations and benchmarks).
    pub fn with_clock(mut self, clock: Box<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Switches to another clock on an open log (tests of a clock put right or set wrong).
    pub fn set_clock(&mut self, clock: Box<dyn Clock>) {
        self.clock = clock;
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The wall clock this log stamps events by.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A warning when this computer's clock is far from the newest event held (shown by the
    /// command line on standard error and by the app), see `store::clock`.
    pub fn clock_warning(&self) -> Result<Option<clock::ClockWarning>> {
        clock::warning(&self.conn, self.clock.now_ms())
    }

    /// The coordinator confirms today's date is right after a long pause, so writing is no
    /// longer refused as a clock far ahead of the log.
    pub fn confirm_clock(&self) -> Result<()> {
        clock::confirm(&self.conn, self.clock.now_ms())
    }

    /// For tests and tools that must reach the raw database (e.g. tamper tests).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The device's key as an evidence-pack signer, so packs are signed by the same key that
    /// signs this device's events. The secret bytes go only into the signer.
    pub fn pack_signer(&self) -> harbour_evidence::PackSigner {
        harbour_evidence::PackSigner::from_seed(*self.device.signer.secret_bytes())
    }

    /// The short fingerprint of this device's public key (as shown in packs and summaries).
    pub fn key_fingerprint(&self) -> String {
        crate::log::event::fingerprint(&self.device.signer.verifying_key())
    }

    /// Gives the connection back (to close it).
    pub fn into_conn(self) -> Connection {
        self.conn
    }

    /// Appends one event by this device and updates the tables, atomically.
    pub fn append(&mut self, body: Body) -> Result<Event> {
        let mut events = self.append_all(vec![body])?;
        events
            .pop()
            .ok_or_else(|| Error::Integrity("no event was written.".into()))
    }

    /// Appends several events in one transaction: all are recorded or none.
    pub fn append_all(&mut self, bodies: Vec<Body>) -> Result<Vec<Event>> {
        self.append_all_with(bodies, &mut |_| true)
    }

    /// As `append_all`, asking `keep_going(done)` after each event: when it answers false,
    /// the transaction is rolled back, nothing is written, and `Error::Cancelled` is returned.
    /// (Long work such as a large CSV import reports progress and can be stopped this way.)
    pub fn append_all_with(
        &mut self,
        bodies: Vec<Body>,
        keep_going: &mut dyn FnMut(usize) -> bool,
    ) -> Result<Vec<Event>> {
        let tx = self.conn.transaction()?;
        let wall = self.clock.now_ms();
        clock::check_before_write(&tx, wall)?;
        // A log holding events from the future (see `log::hlc`): the clock follows only the
        // plausible ones, and the events each new one refers to.
        let recovering = clock::holds_future(&tx, wall)?;
        let mut head = rows::chain_head(&tx, &self.device.id)?;
        let mut latest = if recovering {
            clock::latest_plausible(&tx, wall)?
        } else {
            rows::latest_hlc(&tx)?
        };
        let mut out = Vec::with_capacity(bodies.len());
        for body in bodies {
            let depends = if recovering {
                clock::depends_on(&tx, &body)?
            } else {
                None
            };
            let hlc = Hlc::next_within(latest, depends, self.clock.now_ms().max(wall));
            let seq = head.map(|(s, _)| s + 1).unwrap_or(1);
            let header = EventHeader {
                id: Uuid::now_v7(),
                device_id: self.device.id,
                seq,
                hlc,
                author_id: self.device.author,
                kind: body.kind().to_string(),
                kind_version: KIND_VERSION,
            };
            let event = self
                .device
                .signer
                .seal(header, &body, head.map(|(_, h)| h))?;
            rows::insert(&tx, &event)?;
            if !recovering {
                project::apply(&tx, &event, &body)?;
            }
            head = Some((seq, event.hash));
            if !hlc.is_beyond(wall) {
                latest = latest.max(hlc);
            }
            out.push(event);
            if !keep_going(out.len()) {
                // Dropping the transaction rolls it back.
                return Err(Error::Cancelled);
            }
        }
        if recovering {
            // The new events sort before the future ones, so the tables are built again in
            // the log's order, as every other device will build them.
            rebuild_in(&tx)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// Takes in events from other devices, in any order. Nothing is applied out of chain;
    /// a bad event refuses the whole batch and changes nothing.
    pub fn ingest(&mut self, incoming: Vec<Event>) -> Result<IngestReport> {
        let tx = self.conn.transaction()?;
        let report = ingest_in(&tx, incoming)?;
        tx.commit()?;
        self.reload_device()?;
        Ok(report)
    }

    /// Reads this device's identity again: taking events in can find this folder forked
    /// and make it a new device (`fork`).
    pub fn reload_device(&mut self) -> Result<()> {
        let (id, key): (String, Vec<u8>) = self.conn.query_row(
            "SELECT device_id, signing_key FROM local_device WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if id == self.device.id.to_string() {
            return Ok(());
        }
        let key: zeroize::Zeroizing<[u8; 32]> = zeroize::Zeroizing::new(
            key.try_into()
                .map_err(|_| Error::Integrity("this device's key is damaged.".into()))?,
        );
        self.device.id = Uuid::parse_str(&id)
            .map_err(|_| Error::Integrity("this device's identity is damaged.".into()))?;
        self.device.signer = DeviceSigner::from_bytes(&key);
        Ok(())
    }

    /// Clears the tables and builds them again from the whole log.
    pub fn rebuild(&mut self) -> Result<usize> {
        // A larger page cache for the one big transaction, so pages are encrypted and
        // written once rather than spilled and rewritten; set back afterwards.
        self.conn.pragma_update(None, "cache_size", -256_000)?;
        let result = (|| {
            let tx = self.conn.transaction()?;
            let n = rebuild_in(&tx)?;
            mark_projection_version(&tx)?;
            tx.commit()?;
            Ok(n)
        })();
        self.conn
            .pragma_update(None, "cache_size", super::db::CACHE_KIB)?;
        result
    }

    /// Every event held, in the log's order.
    pub fn events(&self) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM events ORDER BY hlc_ms, hlc_count, device_id, seq",
            rows::COLUMNS
        ))?;
        let events = stmt
            .query_map([], rows::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(rows::bad_row("the case log"))?;
        Ok(events)
    }
}

fn device_key(
    tx: &Connection,
    cache: &mut HashMap<Uuid, VerifyingKey>,
    event: &Event,
) -> Result<Option<VerifyingKey>> {
    let device = event.header.device_id;
    if let Some(k) = cache.get(&device) {
        return Ok(Some(*k));
    }
    let key = if event.header.seq == 1 {
        event.declared_key()
    } else {
        rows::genesis(tx, &device)?.and_then(|g| g.declared_key())
    };
    if let Some(k) = key {
        cache.insert(device, k);
    }
    Ok(key)
}

fn refuse(event: &Event, why: &str) -> Error {
    Error::Integrity(format!(
        "event {} (device {}, number {}, {}) was refused: {why}.",
        event.header.id, event.header.device_id, event.header.seq, event.header.kind
    ))
}

pub(crate) fn ingest_in(tx: &Transaction<'_>, incoming: Vec<Event>) -> Result<IngestReport> {
    ingest_in_with(tx, incoming, &mut |_| true)
}

/// How many events are applied between two calls of an ingest's `keep_going`.
pub(crate) const INGEST_PROGRESS_EVERY: usize = 500;

/// As `ingest_in`, telling `keep_going` how many events are applied so far every
/// `INGEST_PROGRESS_EVERY` events; when it answers false, the ingest stops with
/// `Error::Cancelled` and the caller's transaction, dropped, takes nothing in.
pub(crate) fn ingest_in_with(
    tx: &Transaction<'_>,
    incoming: Vec<Event>,
    keep_going: &mut dyn FnMut(usize) -> bool,
) -> Result<IngestReport> {
    // Two events with one device and number are a fork: see `fork`.
    let incoming = super::fork::set_aside(tx, incoming)?;
    let mut report = IngestReport::default();
    let before = rows::latest_order_key(tx)?;
    for event in incoming {
        if let Some(held) = rows::by_id(tx, &event.header.id)? {
            if held.hash != event.hash {
                return Err(refuse(
                    &event,
                    "another event with the same id is already held",
                ));
            }
            report.already_held += 1;
            continue;
        }
        let json =
            serde_json::to_string(&event).map_err(|_| refuse(&event, "it could not be stored"))?;
        let added = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO pending_events (id, device_id, seq, event_json) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                event.header.id.to_string(),
                event.header.device_id.to_string(),
                event.header.seq as i64,
                json
            ])?;
        if added == 0 {
            report.already_held += 1;
        }
    }

    // Move every event whose chain is now complete from pending into the log.
    let mut keys = HashMap::new();
    let mut applied: Vec<Event> = Vec::new();
    // Revocations held before this batch; those it brings are applied after (`refuse_revoked`),
    // once it is known which of them come from devices not revoked themselves.
    let revoked = revocation::known(tx)?;
    let mut refused: HashMap<Uuid, usize> = HashMap::new();
    let devices: Vec<String> = tx
        .prepare("SELECT DISTINCT device_id FROM pending_events ORDER BY device_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for device in devices {
        let device_id = Uuid::parse_str(&device).map_err(|_| {
            Error::Integrity("a waiting event names a device that is not valid.".into())
        })?;
        if let Some(r) = revoked.get(&device_id) {
            let n = revocation::drop_waiting(tx, r)?;
            if n > 0 {
                *refused.entry(device_id).or_default() += n;
            }
        }
        let mut head = rows::chain_head(tx, &device_id)?;
        loop {
            let next = head.map(|(s, _)| s + 1).unwrap_or(1);
            let json: Option<String> = tx
                .prepare_cached(
                    "SELECT event_json FROM pending_events WHERE device_id = ?1 AND seq = ?2",
                )?
                .query_row(params![device, next as i64], |r| r.get(0))
                .optional()?;
            let Some(json) = json else { break };
            let event: Event = serde_json::from_str(&json)
                .map_err(|_| Error::Integrity("a waiting event could not be read.".into()))?;
            if event.prev_hash != head.map(|(_, h)| h) {
                return Err(refuse(
                    &event,
                    "it does not follow the previous event of its device",
                ));
            }
            let key = device_key(tx, &mut keys, &event)?
                .ok_or_else(|| refuse(&event, "its device's key is not known"))?;
            event
                .check(&key)
                .map_err(|f| refuse(&event, &f.to_string()))?;
            if !event.is_withheld() {
                event.body()?;
            }
            rows::insert(tx, &event)?;
            tx.prepare_cached("DELETE FROM pending_events WHERE id = ?1")?
                .execute([event.header.id.to_string()])?;
            head = Some((event.header.seq, event.hash));
            applied.push(event);
            if applied.len().is_multiple_of(INGEST_PROGRESS_EVERY) && !keep_going(applied.len()) {
                return Err(Error::Cancelled);
            }
        }
    }
    let mut names = HashMap::new();
    let revoked = refuse_revoked(tx, &mut applied, &mut refused, &mut names)?;
    report.applied = applied.len();
    report.waiting = tx.query_row("SELECT count(*) FROM pending_events", [], |r| {
        r.get::<_, i64>(0)
    })? as usize;

    applied.sort_by_key(|e| e.order_key());
    let in_order = match (&before, applied.first()) {
        (Some(b), Some(first)) => first.order_key() > *b,
        _ => true,
    };
    if in_order {
        for event in applied.iter().filter(|e| !e.is_withheld()) {
            project::apply(tx, event, &event.body()?)?;
        }
    } else {
        rebuild_in(tx)?;
        report.rebuilt = true;
    }
    // Named once the tables hold the devices this batch registered.
    report.refused = named_refusals(tx, &revoked, &refused, &names)?;
    Ok(report)
}

/// Takes back out of this ingest the events of devices whose revocation is now known (one
/// may have arrived in the same batch, after them) that fall after it, and drops those still
/// waiting; returns the revocations that hold. The batch's revocations are taken in the
/// log's order, each only if its own event is not refused by those before it (a device
/// already revoked cannot revoke another). Only rows this ingest inserted are removed: the
/// committed log is never edited.
fn refuse_revoked(
    tx: &Transaction<'_>,
    applied: &mut Vec<Event>,
    refused: &mut HashMap<Uuid, usize>,
    names: &mut HashMap<Uuid, String>,
) -> Result<HashMap<Uuid, revocation::Revocation>> {
    let mut revoked = revocation::known(tx)?;
    let mut brought: Vec<(&Event, revocation::Revocation)> = applied
        .iter()
        .filter_map(|e| revocation::recorded_by(e).map(|r| (e, r)))
        .collect();
    brought.sort_by_key(|(e, _)| e.order_key());
    for (event, r) in brought {
        let refused_itself = revoked
            .get(&event.header.device_id)
            .is_some_and(|held| held.refuses(event));
        if !refused_itself {
            revocation::learn(&mut revoked, r);
        }
    }
    if revoked.is_empty() {
        return Ok(revoked);
    }
    let mut kept = Vec::with_capacity(applied.len());
    for event in applied.drain(..) {
        match revoked.get(&event.header.device_id) {
            Some(r) if r.refuses(&event) => {
                tx.prepare_cached("DELETE FROM events WHERE id = ?1")?
                    .execute([event.header.id.to_string()])?;
                *refused.entry(event.header.device_id).or_default() += 1;
                if let Some(name) = revocation::registered_name(&event) {
                    names.insert(event.header.device_id, name);
                }
            }
            _ => kept.push(event),
        }
    }
    *applied = kept;
    for r in revoked.values() {
        let n = revocation::drop_waiting(tx, r)?;
        if n > 0 {
            *refused.entry(r.device_id).or_default() += n;
        }
    }
    Ok(revoked)
}

fn named_refusals(
    tx: &Transaction<'_>,
    revoked: &HashMap<Uuid, revocation::Revocation>,
    refused: &HashMap<Uuid, usize>,
    names: &HashMap<Uuid, String>,
) -> Result<Vec<revocation::Refused>> {
    let mut out = Vec::new();
    let mut devices: Vec<&Uuid> = refused.keys().collect();
    devices.sort();
    for d in devices {
        if let Some(r) = revoked.get(d) {
            out.push(revocation::refusal(
                tx,
                r,
                refused[d],
                names.get(d).map(String::as_str),
            )?);
        }
    }
    Ok(out)
}

fn mark_projection_version(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('projection_version', ?1)",
        [schema::PROJECTION_VERSION],
    )?;
    Ok(())
}

/// Clears every projection and applies the whole log in order; returns the events applied.
pub fn rebuild_in(conn: &Connection) -> Result<usize> {
    for (table, _) in schema::PROJECTION_TABLES {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    apply_all(conn, conn)
}

/// Applies every event of `source` in order to the projections in `target`.
pub fn apply_all(source: &Connection, target: &Connection) -> Result<usize> {
    let mut stmt = source.prepare(&format!(
        "SELECT {} FROM events ORDER BY hlc_ms, hlc_count, device_id, seq",
        rows::COLUMNS
    ))?;
    let mut rows_iter = stmt.query([])?;
    let mut n = 0;
    while let Some(row) = rows_iter.next()? {
        let event = rows::from_row(row).map_err(rows::bad_row("the case log"))?;
        if !event.is_withheld() {
            project::apply(target, &event, &event.body()?)?;
        }
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::DataKey;
    use crate::store::db;

    #[test]
    fn tables_built_by_older_rules_are_rebuilt_on_open() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("h.db");
        let key = DataKey::from_bytes([7; 32]);
        let mut log = CaseLog::create(
            db::open(&path, &key).expect("db"),
            Uuid::now_v7(),
            "Laptop",
            None,
        )
        .expect("device");
        log.append(Body::OrganisationNamed {
            name: "Northbridge".into(),
        })
        .expect("event");
        // Pretend an older Harbour built the tables with other rules.
        log.conn()
            .execute("UPDATE org SET name = 'Old rules'", [])
            .expect("edit");
        log.conn()
            .execute(
                "UPDATE meta SET value = 0 WHERE key = 'projection_version'",
                [],
            )
            .expect("edit");
        drop(log);
        let log = CaseLog::load(db::open(&path, &key).expect("db")).expect("load");
        let name: String = log
            .conn()
            .query_row("SELECT name FROM org", [], |r| r.get(0))
            .expect("org");
        assert_eq!(name, "Northbridge");
        crate::store::verify::verify(log.conn()).expect("verify");
    }
}
