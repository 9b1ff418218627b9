//! Evidence items with their chain of custody, and imagery recorded as existing.

use std::path::Path;

use rusqlite::{params, Connection};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;

/// One entry in an item's chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustodyEntry {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    pub by: String,
    pub action: String,
    pub detail: String,
}

/// A stored evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceItem {
    pub id: String,
    pub description: String,
    pub shows: Option<String>,
    pub source: Option<String>,
    pub username: Option<String>,
    pub platform: Option<String>,
    pub device_held_by: Option<String>,
    pub device_location: Option<String>,
    pub captured_by: String,
    pub captured_at: String,
    pub file_name: String,
    pub file_modified: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: u64,
    pub sha256: String,
    /// `held` or `handed_over`; `missing` or `damaged` where the stored file has been checked and is not as captured.
    pub status: String,
    pub custody: Vec<CustodyEntry>,
}

/// Imagery recorded as existing, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImageryRecord {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    pub recorded_by: String,
    pub location: String,
    pub held_by: String,
    pub device_owner: Option<String>,
    pub action_taken: Option<String>,
}

/// An incident's evidence and imagery records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IncidentEvidence {
    pub reference: String,
    pub items: Vec<EvidenceItem>,
    pub imagery: Vec<ImageryRecord>,
}

/// Every item of an incident, oldest first, each with its chain of custody.
pub fn items(conn: &Connection, incident: Uuid) -> Result<Vec<EvidenceItem>> {
    let id = incident.to_string();
    let mut stmt = conn.prepare(
        "SELECT e.id, e.description, e.shows, e.source, e.username, e.platform, e.device_held_by,
                e.device_location, e.captured_by, e.captured_at, e.file_name, e.file_modified,
                e.size, e.sha256, e.status
         FROM evidence_items e JOIN events ev ON ev.id = e.event_id
         WHERE e.incident_id = ?1 ORDER BY ev.hlc_ms, ev.hlc_count, ev.device_id, ev.seq",
    )?;
    let mut items = stmt
        .query_map([&id], |r| {
            Ok(EvidenceItem {
                id: r.get(0)?,
                description: r.get(1)?,
                shows: r.get(2)?,
                source: r.get(3)?,
                username: r.get(4)?,
                platform: r.get(5)?,
                device_held_by: r.get(6)?,
                device_location: r.get(7)?,
                captured_by: r.get(8)?,
                captured_at: r.get(9)?,
                file_name: r.get(10)?,
                file_modified: r.get(11)?,
                size: r.get::<_, i64>(12)? as u64,
                sha256: r.get(13)?,
                status: r.get(14)?,
                custody: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut custody = conn.prepare(
        "SELECT c.at_ms, coalesce(s.name, c.author_id), c.action, c.detail
         FROM evidence_custody c LEFT JOIN staff s ON s.id = c.author_id
         WHERE c.item_id = ?1 ORDER BY c.at_ms, c.at_count, c.event_id",
    )?;
    for item in &mut items {
        item.custody = custody
            .query_map(params![item.id], |r| {
                Ok(CustodyEntry {
                    at_ms: r.get(0)?,
                    by: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(items)
}

/// An incident's evidence as every front end shows it: the items with their custody, each
/// marked `missing` or `damaged` when its stored file is not there as it should be.
pub fn for_incident_in(h: &crate::Harbour, incident: Uuid) -> Result<IncidentEvidence> {
    let mut e = for_incident(h.log().conn(), incident)?;
    mark_files(h.dir(), &mut e.items);
    Ok(e)
}

/// Marks each item whose stored file is missing, or is not the size encryption gives its
/// recorded size, as `missing` or `damaged` in place of `held` or `handed_over`. A quick
/// look, not a decryption: `harbour verify` authenticates every file and checks its SHA-256.
pub fn mark_files(data_dir: &Path, items: &mut [EvidenceItem]) {
    use crate::ops::evidence::{file_state, FileState};
    for item in items {
        // An erased item has no file by design; only a copy Harbour should hold is checked.
        if item.status != "held" && item.status != "handed_over" {
            continue;
        }
        let Ok(id) = Uuid::parse_str(&item.id) else {
            continue;
        };
        match file_state(data_dir, id, item.size) {
            FileState::Present => {}
            FileState::Missing => item.status = "missing".into(),
            FileState::Damaged => item.status = "damaged".into(),
        }
    }
}

/// Imagery recorded as existing for an incident.
pub fn imagery(conn: &Connection, incident: Uuid) -> Result<Vec<ImageryRecord>> {
    let mut stmt = conn.prepare(
        "SELECT i.at_ms, coalesce(s.name, i.author_id), i.location, i.held_by, i.device_owner, i.action_taken
         FROM imagery_records i LEFT JOIN staff s ON s.id = i.author_id
         WHERE i.incident_id = ?1 ORDER BY i.at_ms, i.event_id",
    )?;
    let rows = stmt
        .query_map([incident.to_string()], |r| {
            Ok(ImageryRecord {
                at_ms: r.get(0)?,
                recorded_by: r.get(1)?,
                location: r.get(2)?,
                held_by: r.get(3)?,
                device_owner: r.get(4)?,
                action_taken: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// An incident's evidence and imagery records.
pub fn for_incident(conn: &Connection, incident: Uuid) -> Result<IncidentEvidence> {
    let reference: String = conn.query_row(
        "SELECT reference FROM incidents WHERE id = ?1",
        [incident.to_string()],
        |r| r.get(0),
    )?;
    Ok(IncidentEvidence {
        reference,
        items: items(conn, incident)?,
        imagery: imagery(conn, incident)?,
    })
}
