//! Applying transfer events: a learner's file sent to another setting, and its receipt.
//!
//! A transfer is keyed by its own id, so the same events give the same row in any order of
//! arrival. A receipt for a transfer that has not arrived changes nothing (a rebuild that
//! includes both applies it); of several receipts for one transfer, the last in the log's
//! order counts, so a receipt recorded with the wrong date can be recorded again.

use rusqlite::{params, Connection};

use crate::log::{Body, Event};
use crate::Result;

/// Applies a transfer event; other events are ignored.
pub fn apply(conn: &Connection, event: &Event, body: &Body) -> Result<()> {
    let h = &event.header;
    match body {
        Body::TransferSent {
            transfer_id,
            learner_id,
            to_setting,
            sent_on,
            pack_file,
            pack_sha256,
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO transfers (id, learner_id, to_setting, sent_on, pack_file,
                    pack_sha256, sent_by, sent_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                transfer_id.to_string(),
                learner_id.to_string(),
                to_setting,
                sent_on.to_string(),
                pack_file,
                pack_sha256,
                h.author_id.to_string(),
                h.hlc.ms,
            ])?;
        }
        Body::TransferReceiptRecorded {
            transfer_id,
            received_on,
            signed_by,
        } => {
            conn.prepare_cached(
                "UPDATE transfers SET received_on = ?2, receipt_signed_by = ?3, receipt_event = ?4
                 WHERE id = ?1",
            )?
            .execute(params![
                transfer_id.to_string(),
                received_on.to_string(),
                signed_by,
                h.id.to_string(),
            ])?;
        }
        _ => {}
    }
    Ok(())
}
