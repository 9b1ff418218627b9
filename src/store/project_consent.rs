//! Applying consent events: forms returned (with each purpose's answer) and withdrawals.
//!
//! Every row is keyed by the event that made it and carries the event's place in the log's
//! order, so what is current is worked out when it is read and the tables are the same
//! whatever order the events arrived in.

use rusqlite::{params, Connection};

use crate::log::{Body, Event};
use crate::Result;

/// Applies a consent event; other events are ignored.
pub fn apply(conn: &Connection, event: &Event, body: &Body) -> Result<()> {
    let h = &event.header;
    let id = h.id.to_string();
    match body {
        Body::ConsentRecorded {
            learner_id,
            form,
            form_version,
            signed_on,
            signed_by,
            relationship,
            answers,
        } => {
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO consents (event_id, learner_id, form, form_version, signed_on,
                        signed_by, relationship, at_ms, at_count, device_id, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    id,
                    learner_id.to_string(),
                    form,
                    form_version,
                    signed_on.to_string(),
                    signed_by,
                    relationship,
                    h.hlc.ms,
                    h.hlc.count,
                    h.device_id.to_string(),
                    h.seq as i64
                ])?;
            if added == 1 {
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO consent_answers (event_id, purpose, answer) VALUES (?1, ?2, ?3)",
                )?;
                for (purpose, answer) in answers {
                    stmt.execute(params![id, purpose, answer])?;
                }
            }
        }
        Body::ConsentWithdrawn {
            learner_id,
            form,
            purpose,
            withdrawn_on,
            note,
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO consent_withdrawals (event_id, learner_id, form, purpose,
                    withdrawn_on, note, at_ms, at_count, device_id, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                id,
                learner_id.to_string(),
                form,
                purpose,
                withdrawn_on.to_string(),
                note,
                h.hlc.ms,
                h.hlc.count,
                h.device_id.to_string(),
                h.seq as i64
            ])?;
        }
        _ => {}
    }
    Ok(())
}
