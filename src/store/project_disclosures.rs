//! Applying `subject_access_disclosed`: a learner's records released in answer to a subject
//! access request.
//!
//! Each disclosure is keyed by its own id, so the same event gives the same row in any order
//! of arrival, and a duplicate changes nothing. It needs no earlier row: a disclosure about a
//! learner this device has not yet heard of is kept, and shown once the learner arrives.

use rusqlite::{params, Connection};

use crate::log::{Body, Event};
use crate::Result;

/// Applies a disclosure event; other events are ignored.
pub fn apply(conn: &Connection, event: &Event, body: &Body) -> Result<()> {
    let h = &event.header;
    if let Body::SubjectAccessDisclosed {
        disclosure_id,
        learner_id,
        to,
        released_on,
        document,
        document_sha256,
        incidents,
        consent_records,
        evidence_described,
        evidence_files,
        redactions,
    } = body
    {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO subject_access_disclosures (id, learner_id, to_whom,
                released_on, document, document_sha256, incidents, consent_records,
                evidence_described, evidence_files, redactions, released_by, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            disclosure_id.to_string(),
            learner_id.to_string(),
            to,
            released_on.to_string(),
            document,
            document_sha256,
            incidents,
            consent_records,
            evidence_described,
            evidence_files,
            redactions,
            h.author_id.to_string(),
            h.hlc.ms,
        ])?;
    }
    Ok(())
}
