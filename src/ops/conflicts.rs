//! Settling a field changed on two devices: the coordinator picks one side, recorded as a
//! new event; both sides stay in the chronology.

use uuid::Uuid;

use crate::domain::text;
use crate::log::{Body, Field};
use crate::store::CaseLog;
use crate::{Error, Result};

/// The setting events of `field` that are current here: what a new setting replaces.
pub fn current(log: &CaseLog, incident: Uuid, field: Field) -> Result<Vec<Uuid>> {
    let mut stmt = log.conn().prepare_cached(
        "SELECT event_id FROM field_heads WHERE incident_id = ?1 AND field = ?2 ORDER BY event_id",
    )?;
    let ids = stmt
        .query_map([incident.to_string(), field.code().to_string()], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.iter()
        .map(|t| {
            Uuid::parse_str(t).map_err(|_| {
                Error::Integrity("a current value names an event that is not valid.".into())
            })
        })
        .collect()
}

/// Keeps the side set by event `keep` (its id, or a unique beginning or end of it).
pub fn resolve(
    log: &mut CaseLog,
    incident: Uuid,
    field: Field,
    keep: &str,
    reason: &str,
) -> Result<Uuid> {
    let reason = text::block("The reason for the choice", reason)?;
    let sides = current(log, incident, field)?;
    if sides.len() < 2 {
        return Err(Error::invalid(format!(
            "The {} of this incident was not changed on two devices; there is nothing to choose.",
            field.label()
        )));
    }
    let k = keep.trim().to_lowercase();
    let matching: Vec<Uuid> = sides
        .iter()
        .copied()
        .filter(|id| {
            let t = id.to_string();
            k.len() >= 8 && (t.starts_with(&k) || t.ends_with(&k))
        })
        .collect();
    let chosen = match matching.as_slice() {
        [one] => *one,
        [] => {
            return Err(Error::NotFound {
                what: "side of this change",
                key: keep.trim().to_string(),
            })
        }
        _ => {
            return Err(Error::invalid(
                "More than one side starts with that id; give more of it.",
            ))
        }
    };
    let value: String = log.conn().query_row(
        "SELECT value FROM field_heads WHERE incident_id = ?1 AND field = ?2 AND event_id = ?3",
        [
            incident.to_string(),
            field.code().to_string(),
            chosen.to_string(),
        ],
        |r| r.get(0),
    )?;
    Ok(log
        .append(Body::ConflictResolved {
            incident_id: incident,
            field,
            chosen,
            value,
            replaces: sides,
            reason,
        })?
        .header
        .id)
}
