//! What an incident's procedures say: each step's status, the flags that make the urgent
//! police referral required, and which required steps are still outstanding.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;
use rusqlite::{params, Connection};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::procedures::trigger_label;
use crate::domain::time::age_on;
use crate::Result;

/// A reason for an urgent police referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Flag {
    pub code: String,
    pub text: String,
}

/// One step of a procedure and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StepStatus {
    pub id: String,
    pub text: String,
    /// Required now (always, or because the incident is flagged).
    pub required: bool,
    /// `outstanding`, `done` or `not_applicable`.
    pub state: String,
    /// The note (done) or the reason (not applicable).
    pub note: Option<String>,
    pub by: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub at_ms: Option<i64>,
}

/// A procedure an incident follows, with its version and steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProcedureStatus {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub steps: Vec<StepStatus>,
}

/// A procedure the policy offers for an incident's categories, not yet attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Suggestion {
    pub id: String,
    pub title: String,
    /// The policy's question that decides whether it applies.
    pub question: Option<String>,
    pub source: String,
}

impl From<crate::domain::procedures::ProcedureDef> for Suggestion {
    fn from(d: crate::domain::procedures::ProcedureDef) -> Self {
        Suggestion {
            id: d.id,
            title: d.title,
            question: d.question,
            source: d.source,
        }
    }
}

/// Everything `procedure show` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IncidentProcedures {
    pub reference: String,
    pub flags: Vec<Flag>,
    pub procedures: Vec<ProcedureStatus>,
    /// Procedures offered for its categories and not attached (only while it is open).
    pub suggested: Vec<Suggestion>,
}

/// The procedures offered for these categories, for a new incident (`question` asks whether
/// each applies).
pub fn offered(conn: &Connection, categories: &[String]) -> Result<Vec<Suggestion>> {
    Ok(
        crate::domain::procedures::offered_for_categories_in(conn, categories)?
            .into_iter()
            .map(Suggestion::from)
            .collect(),
    )
}

/// The procedures offered for an open incident's categories that it does not follow yet.
pub fn suggested(conn: &Connection, incident: Uuid) -> Result<Vec<Suggestion>> {
    let id = incident.to_string();
    let open: bool = conn.query_row(
        "SELECT status = 'open' FROM incidents WHERE id = ?1",
        [&id],
        |r| r.get(0),
    )?;
    if !open {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT code FROM incident_categories WHERE incident_id = ?1 ORDER BY code",
    )?;
    let categories = stmt
        .query_map([&id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut attached = conn.prepare_cached(
        "SELECT 1 FROM incident_procedures WHERE incident_id = ?1 AND procedure_id = ?2",
    )?;
    let mut out = Vec::new();
    for def in crate::domain::procedures::offered_for_categories_in(conn, &categories)? {
        if !attached.exists(params![id, def.id])? {
            out.push(Suggestion::from(def));
        }
    }
    Ok(out)
}

/// The flags calling for an urgent police referral: in a nudes incident, anyone aged 18 or
/// over (child sexual abuse) or under 13 at the time; and every immediate-referral trigger
/// recorded.
pub fn flags(conn: &Connection, incident: Uuid) -> Result<Vec<Flag>> {
    let id = incident.to_string();
    let mut out = Vec::new();
    let nudes: bool = conn.query_row(
        "SELECT count(*) > 0 FROM incident_categories WHERE incident_id = ?1 AND code = 'nudes'",
        [&id],
        |r| r.get(0),
    )?;
    if nudes {
        let occurred: String = conn.query_row(
            "SELECT occurred_at FROM incidents WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )?;
        let on = DateTime::parse_from_rfc3339(&occurred)
            .map(|d| d.with_timezone(&Utc).with_timezone(&London).date_naive())
            .ok();
        let mut stmt = conn.prepare(
            "SELECT l.name, l.dob FROM incident_learners il JOIN learners l ON l.id = il.learner_id
             WHERE il.incident_id = ?1 ORDER BY l.name",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut adults = Vec::new();
        let mut under_13 = Vec::new();
        for (name, dob) in rows {
            let age = match (on, chrono::NaiveDate::parse_from_str(&dob, "%Y-%m-%d").ok()) {
                (Some(on), Some(dob)) => age_on(dob, on),
                _ => None,
            };
            match age {
                Some(a) if a >= 18 => adults.push(format!("{name} ({a})")),
                Some(a) if a < 13 => under_13.push(format!("{name} ({a})")),
                _ => {}
            }
        }
        if !adults.is_empty() {
            out.push(Flag {
                code: "child-sexual-abuse".into(),
                text: format!(
                    "Child sexual abuse: urgent police referral. Aged 18 or over at the time: {}.",
                    adults.join(", ")
                ),
            });
        }
        if !under_13.is_empty() {
            out.push(Flag {
                code: "under-13".into(),
                text: format!(
                    "A child under 13 is involved: urgent police referral. Aged under 13 at the time: {}.",
                    under_13.join(", ")
                ),
            });
        }
    }
    let mut stmt = conn.prepare(
        "SELECT trigger_code FROM incident_triggers WHERE incident_id = ?1 ORDER BY at_ms, trigger_code",
    )?;
    let triggers: Vec<String> = stmt
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for t in triggers {
        if out.iter().any(|f| f.code == t) {
            continue;
        }
        out.push(Flag {
            text: format!(
                "Immediate-referral trigger: {}. Urgent police referral.",
                trigger_label(&t)
            ),
            code: t,
        });
    }
    Ok(out)
}

/// The procedures an incident follows and each step's status.
pub fn procedures(conn: &Connection, incident: Uuid) -> Result<Vec<ProcedureStatus>> {
    let id = incident.to_string();
    let flagged = !flags(conn, incident)?.is_empty();
    let mut stmt = conn.prepare(
        "SELECT procedure_id, version, title FROM incident_procedures WHERE incident_id = ?1
         ORDER BY attached_ms, procedure_id",
    )?;
    let procs: Vec<(String, u32, String)> = stmt
        .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut steps = conn.prepare(
        "SELECT s.step_id, s.text, s.required, s.required_when_flagged, s.state, s.note, st.name, s.at_ms
         FROM procedure_steps s LEFT JOIN staff st ON st.id = s.by_author
         WHERE s.incident_id = ?1 AND s.procedure_id = ?2 ORDER BY s.position",
    )?;
    let mut out = Vec::new();
    for (pid, version, title) in procs {
        let rows = steps
            .query_map(params![id, pid], |r| {
                let required: bool = r.get(2)?;
                let when_flagged: bool = r.get(3)?;
                Ok(StepStatus {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    required: required || (when_flagged && flagged),
                    state: r.get(4)?,
                    note: r.get(5)?,
                    by: r.get(6)?,
                    at_ms: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(ProcedureStatus {
            id: pid,
            version,
            title,
            steps: rows,
        });
    }
    Ok(out)
}

/// Required steps not yet done or marked not applicable, as (procedure, step).
pub fn outstanding_required(conn: &Connection, incident: Uuid) -> Result<Vec<StepStatus>> {
    Ok(procedures(conn, incident)?
        .into_iter()
        .flat_map(|p| p.steps)
        .filter(|s| s.required && s.state == "outstanding")
        .collect())
}

/// Everything `procedure show` needs.
pub fn show(conn: &Connection, incident: Uuid) -> Result<IncidentProcedures> {
    let reference: String = conn.query_row(
        "SELECT reference FROM incidents WHERE id = ?1",
        [incident.to_string()],
        |r| r.get(0),
    )?;
    Ok(IncidentProcedures {
        reference,
        flags: flags(conn, incident)?,
        procedures: procedures(conn, incident)?,
        suggested: suggested(conn, incident)?,
    })
}
