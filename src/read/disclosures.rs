//! A learner's subject access disclosures: when their records were released, to whom, by
//! whom, and what the document held. Shown with the learner, so a coordinator answering a
//! second request can see what was released before.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::Result;

/// One disclosure as listed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub id: String,
    /// To whom it was released; None when it went to the person who asked, not named.
    pub to: Option<String>,
    pub released_on: NaiveDate,
    pub released_by: String,
    pub document: String,
    pub document_sha256: String,
    pub incidents: u32,
    pub consent_records: u32,
    pub evidence_described: u32,
    pub evidence_files: u32,
    pub redactions: u32,
}

/// Every disclosure of this learner's records, oldest first.
pub fn for_learner(conn: &Connection, learner: Uuid) -> Result<Vec<Disclosure>> {
    let rows = conn
        .prepare_cached(
            "SELECT d.id, d.to_whom, d.released_on, coalesce(s.name, 'Unknown member of staff'),
                    d.document, d.document_sha256, d.incidents, d.consent_records,
                    d.evidence_described, d.evidence_files, d.redactions
             FROM subject_access_disclosures d LEFT JOIN staff s ON s.id = d.released_by
             WHERE d.learner_id = ?1 ORDER BY d.released_on, d.at_ms, d.id",
        )?
        .query_map([learner.to_string()], |r| {
            let on: String = r.get(2)?;
            Ok(Disclosure {
                id: r.get(0)?,
                to: r.get(1)?,
                released_on: NaiveDate::parse_from_str(&on, "%Y-%m-%d").unwrap_or_default(),
                released_by: r.get(3)?,
                document: r.get(4)?,
                document_sha256: r.get(5)?,
                incidents: r.get(6)?,
                consent_records: r.get(7)?,
                evidence_described: r.get(8)?,
                evidence_files: r.get(9)?,
                redactions: r.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
