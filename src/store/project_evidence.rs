//! Applying evidence, custody, imagery and procedure events to their tables.
//!
//! Called from `project.rs` once the incident is known to exist. Like every projection rule,
//! these depend only on the event and on what earlier events built.

use rusqlite::{params, Connection};

use super::project::chronicle;
use crate::domain::procedures::trigger_label;
use crate::domain::time::{show_date, show_instant};
use crate::log::{Body, CustodyAction, Event};
use crate::Result;

pub fn apply(conn: &Connection, event: &Event, body: &Body, incident: &str) -> Result<()> {
    let h = &event.header;
    match body {
        Body::EvidenceCaptured(c) => {
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO evidence_items (id, incident_id, event_id, description, shows, source,
                        username, platform, device_held_by, device_location, captured_by, captured_at,
                        file_name, file_modified, size, sha256, status, imagery, looked_into)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 'held', ?17, ?18)",
                )?
                .execute(params![
                    c.item_id.to_string(),
                    incident,
                    h.id.to_string(),
                    c.description,
                    c.shows,
                    c.source,
                    c.username,
                    c.platform,
                    c.device_held_by,
                    c.device_location,
                    c.captured_by,
                    c.captured_at.to_rfc3339(),
                    c.file_name,
                    c.file_modified.map(|m| m.to_rfc3339()),
                    c.size as i64,
                    c.sha256,
                    c.imagery,
                    c.looked_into,
                ])?;
            if added == 1 {
                let detail = format!(
                    "Captured by {} at {}: \u{201c}{}\u{201d} ({}, {} bytes, SHA-256 {}).",
                    c.captured_by,
                    show_instant(c.captured_at),
                    c.description,
                    c.file_name,
                    c.size,
                    c.sha256
                );
                custody(
                    conn,
                    event,
                    &c.item_id.to_string(),
                    incident,
                    "captured",
                    &detail,
                )?;
                let text = format!(
                    "Evidence stored: \u{201c}{}\u{201d} ({}, {} bytes, SHA-256 {}), captured by {}.",
                    c.description, c.file_name, c.size, c.sha256, c.captured_by
                );
                chronicle(conn, event, incident, &text, None)?;
            }
        }
        Body::EvidenceCustody {
            item_id,
            action,
            reason,
            handover,
            ..
        } => {
            let item = item_id.to_string();
            let description: Option<String> = conn
                .prepare_cached(
                    "SELECT description FROM evidence_items WHERE id = ?1 AND incident_id = ?2",
                )?
                .query_row(params![item, incident], |r| r.get(0))
                .ok();
            let Some(description) = description else {
                return Ok(());
            };
            let mut detail = match action {
                CustodyAction::Opened => "Opened (decrypted to a file).".to_string(),
                CustodyAction::Exported => "Exported in an evidence pack.".to_string(),
                CustodyAction::HandedOver => "Handed over.".to_string(),
                CustodyAction::Returned => "Returned to the centre.".to_string(),
                CustodyAction::Erased => "Harbour\u{2019}s copy erased.".to_string(),
            };
            if let Some(hd) = handover {
                detail = format!(
                    "Handed over to {} ({}) on {}, reference {}.",
                    hd.officer,
                    hd.agency,
                    show_date(hd.date),
                    hd.reference
                );
            }
            if let Some(r) = reason {
                detail.push_str(&format!(" Reason: {r}"));
            }
            let status = match action {
                CustodyAction::HandedOver => Some("handed_over"),
                CustodyAction::Returned => Some("held"),
                CustodyAction::Erased => Some("erased"),
                _ => None,
            };
            if let Some(s) = status {
                // Erased is for good: nothing recorded later brings the copy back.
                conn.prepare_cached(
                    "UPDATE evidence_items SET status = ?2 WHERE id = ?1 AND status <> 'erased'",
                )?
                .execute(params![item, s])?;
            }
            custody(conn, event, &item, incident, action.code(), &detail)?;
            let text = format!("Evidence \u{201c}{description}\u{201d}: {detail}");
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::ImageryRecorded {
            location,
            held_by,
            device_owner,
            action_taken,
            ..
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO imagery_records (event_id, incident_id, at_ms, author_id, location,
                    held_by, device_owner, action_taken) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                h.id.to_string(),
                incident,
                h.hlc.ms,
                h.author_id.to_string(),
                location,
                held_by,
                device_owner,
                action_taken
            ])?;
            let mut text = format!(
                "Imagery recorded as existing (not stored): where: {location}; device held by: {held_by}."
            );
            if let Some(o) = device_owner {
                text.push_str(&format!(" Device owner: {o}."));
            }
            if let Some(a) = action_taken {
                text.push_str(&format!(" Action taken: {a}"));
            }
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::ProcedureAttached {
            procedure_id,
            version,
            title,
            steps,
            ..
        } => {
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO incident_procedures (incident_id, procedure_id, version, title, attached_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![incident, procedure_id, version, title, h.hlc.ms])?;
            if added == 1 {
                let mut stmt = conn.prepare_cached(
                    "INSERT OR IGNORE INTO procedure_steps (incident_id, procedure_id, step_id, position, text,
                        required, required_when_flagged, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'outstanding')",
                )?;
                for (i, s) in steps.iter().enumerate() {
                    stmt.execute(params![
                        incident,
                        procedure_id,
                        s.id,
                        i as i64,
                        s.text,
                        s.required,
                        s.required_when_flagged
                    ])?;
                }
                let text = format!("Procedure followed: {title} (version {version}).");
                chronicle(conn, event, incident, &text, None)?;
            }
        }
        Body::ProcedureStepRecorded {
            procedure_id,
            step_id,
            done,
            note,
            ..
        } => {
            let state = if *done { "done" } else { "not_applicable" };
            let changed = conn
                .prepare_cached(
                    "UPDATE procedure_steps SET state = ?4, note = ?5, by_author = ?6, at_ms = ?7
                     WHERE incident_id = ?1 AND procedure_id = ?2 AND step_id = ?3",
                )?
                .execute(params![
                    incident,
                    procedure_id,
                    step_id,
                    state,
                    note,
                    h.author_id.to_string(),
                    h.hlc.ms
                ])?;
            if changed == 1 {
                let step_text: String = conn
                    .prepare_cached(
                        "SELECT text FROM procedure_steps WHERE incident_id = ?1 AND procedure_id = ?2 AND step_id = ?3",
                    )?
                    .query_row(params![incident, procedure_id, step_id], |r| r.get(0))?;
                let mut text = if *done {
                    format!("Procedure step done: {step_text}")
                } else {
                    format!("Procedure step not applicable: {step_text}")
                };
                if let Some(n) = note {
                    let label = if *done { "Note" } else { "Reason" };
                    text.push_str(&format!(" {label}: {n}"));
                }
                chronicle(conn, event, incident, &text, None)?;
            }
        }
        Body::ReferralTriggerRecorded { trigger, .. } => {
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO incident_triggers (incident_id, trigger_code, at_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![incident, trigger, h.hlc.ms])?;
            if added == 1 {
                let text = format!(
                    "Immediate-referral trigger recorded: {}. Urgent police referral.",
                    trigger_label(trigger)
                );
                chronicle(conn, event, incident, &text, None)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn custody(
    conn: &Connection,
    event: &Event,
    item: &str,
    incident: &str,
    action: &str,
    detail: &str,
) -> Result<()> {
    let h = &event.header;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evidence_custody (event_id, item_id, incident_id, at_ms, at_count, author_id, action, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        h.id.to_string(),
        item,
        incident,
        h.hlc.ms,
        h.hlc.count,
        h.author_id.to_string(),
        action,
        detail
    ])?;
    Ok(())
}
