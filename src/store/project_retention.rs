//! Applying retention events: the organisation's own retention rules, review decisions and
//! legal holds.
//!
//! Rules follow procedures: the highest version of each kind of record wins, of two with the
//! same version the first in the log's order is kept, and a rule that breaks the checks
//! (which a damaged or foreign event could carry) changes nothing. Reviews are kept one row
//! per event; the latest in the log's order is the record's current decision. A hold is keyed
//! by its own id; a lift for a hold that has not arrived changes nothing until a rebuild
//! includes both. Whether a hold covered the record when a review was applied is recorded
//! beside it (`held`): a destroy decision made on another device while this one held the
//! record is shown as overridden by the hold. All of it depends only on the event and on
//! what earlier events built, so every device agrees.

use rusqlite::{params, Connection};

use crate::domain::retention::check_shape;
use crate::log::{Body, Event, RecordRef, RetentionDecision};
use crate::Result;

/// Applies a retention event; other events are ignored.
pub fn apply(conn: &Connection, event: &Event, body: &Body) -> Result<()> {
    let h = &event.header;
    match body {
        Body::RetentionRuleAdapted { rule } => {
            if check_shape(rule).is_err() {
                return Ok(());
            }
            let json = serde_json::to_string(rule).map_err(|e| {
                crate::Error::Integrity(format!(
                    "an adapted retention rule could not be stored: {e}"
                ))
            })?;
            conn.prepare_cached(
                "INSERT INTO retention_rules (record, version, body, event_id, author_id, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (record) DO UPDATE SET version = excluded.version, body = excluded.body,
                    event_id = excluded.event_id, author_id = excluded.author_id, at_ms = excluded.at_ms
                 WHERE excluded.version > retention_rules.version",
            )?
            .execute(params![
                rule.record,
                rule.version,
                json,
                h.id.to_string(),
                h.author_id.to_string(),
                h.hlc.ms
            ])?;
        }
        Body::RetentionReviewed {
            record,
            rule,
            rule_version,
            due_on,
            decision,
            reason,
            early,
        } => {
            let held = is_held(conn, *record)?;
            let (code, until) = match decision {
                RetentionDecision::Keep { until } => ("keep", Some(until.to_string())),
                RetentionDecision::Destroy => ("destroy", None),
            };
            conn.prepare_cached(
                "INSERT OR IGNORE INTO retention_reviews (event_id, record_type, record_id, rule,
                    rule_version, due_on, decision, keep_until, reason, early, held, author_id,
                    at_ms, at_count, device_id, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?
            .execute(params![
                h.id.to_string(),
                record.code(),
                record.id().to_string(),
                rule,
                rule_version,
                due_on.map(|d| d.to_string()),
                code,
                until,
                reason,
                early,
                held,
                h.author_id.to_string(),
                h.hlc.ms,
                h.hlc.count,
                h.device_id.to_string(),
                h.seq as i64,
            ])?;
        }
        Body::LegalHoldPlaced {
            hold_id,
            record,
            reason,
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO legal_holds (id, record_type, record_id, reason, placed_by, placed_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                hold_id.to_string(),
                record.code(),
                record.id().to_string(),
                reason,
                h.author_id.to_string(),
                h.hlc.ms
            ])?;
        }
        Body::LegalHoldLifted {
            hold_id, reason, ..
        } => {
            conn.prepare_cached(
                "UPDATE legal_holds SET lifted_reason = ?2, lifted_by = ?3, lifted_ms = ?4, lifted_event = ?5
                 WHERE id = ?1 AND lifted_event IS NULL",
            )?
            .execute(params![
                hold_id.to_string(),
                reason,
                h.author_id.to_string(),
                h.hlc.ms,
                h.id.to_string()
            ])?;
        }
        _ => {}
    }
    Ok(())
}

/// The holds in force that cover `record`, oldest first, as (hold id, what it is on, reason).
/// A learner's file is covered by a hold on it, on any incident they appear in, or on their
/// consent records; an incident by a hold on it or on the file of any learner in it; a
/// learner's consent records by a hold on them or on the learner's file.
pub(crate) fn holds_covering(
    conn: &Connection,
    record: RecordRef,
) -> Result<Vec<(String, String, String, String)>> {
    let id = record.id().to_string();
    let sql = match record {
        RecordRef::LearnerFile(_) => {
            "SELECT id, record_type, record_id, reason FROM legal_holds WHERE lifted_event IS NULL AND (
                (record_type IN ('learner_file', 'consent') AND record_id = ?1)
                OR (record_type = 'incident' AND record_id IN
                    (SELECT incident_id FROM incident_learners WHERE learner_id = ?1)))
             ORDER BY placed_ms, id"
        }
        RecordRef::Incident(_) => {
            "SELECT id, record_type, record_id, reason FROM legal_holds WHERE lifted_event IS NULL AND (
                (record_type = 'incident' AND record_id = ?1)
                OR (record_type = 'learner_file' AND record_id IN
                    (SELECT learner_id FROM incident_learners WHERE incident_id = ?1)))
             ORDER BY placed_ms, id"
        }
        RecordRef::Consent(_) => {
            "SELECT id, record_type, record_id, reason FROM legal_holds WHERE lifted_event IS NULL
                AND record_type IN ('learner_file', 'consent') AND record_id = ?1
             ORDER BY placed_ms, id"
        }
    };
    let rows = conn
        .prepare_cached(sql)?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether any hold in force covers `record`.
pub(crate) fn is_held(conn: &Connection, record: RecordRef) -> Result<bool> {
    Ok(!holds_covering(conn, record)?.is_empty())
}
