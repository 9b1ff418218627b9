//! Learner lists and a learner's page: who they are and every incident they appear in.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use super::incidents::{chronology, Entry};
use crate::domain::Carer;
use crate::{Error, Result};

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearnerSummary {
    pub id: String,
    pub name: String,
    pub dob: NaiveDate,
    pub centre: String,
    pub employer: Option<String>,
}

/// An incident a learner appears in, with their role and its chronology.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearnerIncident {
    pub id: String,
    pub reference: String,
    pub role: String,
    pub status: String,
    pub chronology: Vec<Entry>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearnerDetail {
    pub learner: LearnerSummary,
    pub carers: Vec<Carer>,
    pub incidents: Vec<LearnerIncident>,
}

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<LearnerSummary> {
    let dob: String = r.get(2)?;
    Ok(LearnerSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        dob: NaiveDate::parse_from_str(&dob, "%Y-%m-%d").unwrap_or_default(),
        centre: r.get(3)?,
        employer: r.get(4)?,
    })
}

/// Learners, by name, optionally of one centre or whose name contains some text.
pub fn list(
    conn: &Connection,
    centre: Option<&str>,
    name_contains: Option<&str>,
) -> Result<Vec<LearnerSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, dob, centre_code, employer FROM learners
         WHERE (?1 IS NULL OR centre_code = upper(?1)) AND (?2 IS NULL OR name LIKE '%' || ?2 || '%')
         ORDER BY name, id",
    )?;
    let rows = stmt
        .query_map(rusqlite::params![centre, name_contains], summary)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One learner, with carers and every incident they appear in (those this viewer may see).
pub fn detail(conn: &Connection, viewer: Uuid, id: Uuid) -> Result<LearnerDetail> {
    let key = id.to_string();
    let learner = conn
        .query_row(
            "SELECT id, name, dob, centre_code, employer FROM learners WHERE id = ?1",
            [&key],
            summary,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "learner",
            key: key.clone(),
        })?;
    let carers = conn
        .prepare_cached(
            "SELECT name, relationship, phone FROM carers WHERE learner_id = ?1 ORDER BY position",
        )?
        .query_map([&key], |r| {
            Ok(Carer {
                name: r.get(0)?,
                relationship: r.get(1)?,
                phone: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows = conn
        .prepare_cached(
            "SELECT i.id, i.reference, il.role, i.status FROM incident_learners il JOIN incidents i ON i.id = il.incident_id
             WHERE il.learner_id = ?1 AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?2)
             ORDER BY i.occurred_at, i.reference",
        )?
        .query_map(rusqlite::params![key, viewer.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<Vec<(String, String, String, String)>>>()?;
    let mut incidents = Vec::with_capacity(rows.len());
    for (id, reference, role, status) in rows {
        let chronology = chronology(conn, &id)?;
        incidents.push(LearnerIncident {
            id,
            reference,
            role,
            status,
            chronology,
        });
    }
    Ok(LearnerDetail {
        learner,
        carers,
        incidents,
    })
}
