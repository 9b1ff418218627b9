//! The urgent police referral: what calls for one on an incident, and which open cases are
//! still waiting for it.
//!
//! An incident needs an urgent police referral when its procedures flag it (in a sharing
//! nudes incident, anyone aged 18 or over — child sexual abuse — or under 13 at the time;
//! every immediate-referral trigger recorded) or when its risk is "immediate risk of harm".
//! The need ends when a referral to the police is recorded on it: the screens then stop
//! showing it first. A referral to CEOP alone does not end it, because the guidance asks
//! for the police.

use rusqlite::{params, Connection};
use serde::Serialize;
use uuid::Uuid;

use super::procedures::{flags, Flag};
use crate::Result;

/// An open case waiting for its urgent police referral.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrgentCase {
    pub incident_id: String,
    pub reference: String,
    /// Why, each in one sentence.
    pub reasons: Vec<Flag>,
}

/// The reasons `incident` still needs an urgent police referral; empty when it needs none
/// or one has been recorded.
pub fn awaiting(conn: &Connection, incident: Uuid) -> Result<Vec<Flag>> {
    let id = incident.to_string();
    let (referred, immediate): (bool, bool) = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM referrals r WHERE incident_id = ?1 AND agency = 'police'
                        AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.entry = r.event_id)),
                coalesce((SELECT risk_level = 'immediate' FROM incidents WHERE id = ?1), 0)",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if referred {
        return Ok(Vec::new());
    }
    let mut reasons = flags(conn, incident)?;
    if immediate {
        reasons.push(Flag {
            code: "immediate-risk".into(),
            text: "The risk is assessed as an immediate risk of harm: urgent police referral."
                .into(),
        });
    }
    Ok(reasons)
}

/// Open cases the viewer may see that are waiting for an urgent police referral, the most
/// recently reported first.
pub fn open_cases(conn: &Connection, viewer: Uuid) -> Result<Vec<UrgentCase>> {
    // Only cases that could be flagged are looked at closely: sharing nudes with learners
    // involved, a trigger recorded, or an immediate risk.
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.reference FROM incidents i
         WHERE i.status = 'open' AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?1)
           AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.incident_id = i.id AND r.agency = 'police'
                           AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.entry = r.event_id))
           AND (i.risk_level = 'immediate'
                OR EXISTS (SELECT 1 FROM incident_triggers t WHERE t.incident_id = i.id)
                OR EXISTS (SELECT 1 FROM incident_categories c WHERE c.incident_id = i.id AND c.code = 'nudes'))
         ORDER BY i.reported_at DESC, i.reference",
    )?;
    let candidates: Vec<(String, String)> = stmt
        .query_map(params![viewer.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, reference) in candidates {
        let Ok(uuid) = Uuid::parse_str(&id) else {
            continue;
        };
        let reasons = awaiting(conn, uuid)?;
        if !reasons.is_empty() {
            out.push(UrgentCase {
                incident_id: id,
                reference,
                reasons,
            });
        }
    }
    Ok(out)
}
