//! The dashboard: what needs the coordinator's attention today.
//!
//! Open cases, actions overdue or due within the next seven days, cases by category over the
//! last twelve months, the most recent chronology entries, and learners' files sent to other
//! settings whose signed receipt has not come back (with school days since sending), and how
//! many records are due for review under their retention rule. Incidents about the person
//! using this device are left out, as everywhere.

use chrono::{Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueAction {
    pub incident_id: String,
    pub reference: String,
    pub description: String,
    pub owner: String,
    pub due: NaiveDate,
    pub overdue: bool,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    pub code: String,
    pub name: String,
    pub count: u32,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub incident_id: String,
    pub reference: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    pub author: String,
    pub text: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub open_cases: u32,
    /// Open cases waiting for an urgent police referral, shown first (`read::urgent`).
    pub urgent: Vec<super::urgent::UrgentCase>,
    pub actions: Vec<DueAction>,
    pub by_category: Vec<CategoryCount>,
    pub recent: Vec<Activity>,
    /// Open cases whose procedures have required steps neither done nor explained.
    pub steps_outstanding: Vec<StepsOutstanding>,
    /// Open cases with a procedure offered for their categories and not attached.
    pub procedures_suggested: Vec<ProcedureSuggested>,
    /// Learners' files sent to other settings, still awaiting the signed receipt (KCSIE:
    /// within five school days), oldest first.
    pub transfers_awaiting: Vec<super::transfers::Transfer>,
    /// Records due for review under their retention rule today (`read::retention::due`).
    pub retention_due: u32,
    /// When this computer last made a backup, and whether one is overdue.
    pub backup: crate::backup::BackupStatus,
    /// The online-safety policy's review, when it is due within [`POLICY_REVIEW_NOTICE_DAYS`]
    /// or already past; `None` otherwise or when no date is set.
    pub policy_review: Option<PolicyReview>,
}

/// How many days ahead the dashboard starts to say that the policy review is coming.
pub const POLICY_REVIEW_NOTICE_DAYS: i64 = 30;

/// The policy review the dashboard mentions, in one sentence.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReview {
    pub due_on: NaiveDate,
    pub overdue: bool,
    pub message: String,
}

/// The policy review to mention on `today`, if it is due within the notice period or past.
pub fn policy_review(conn: &Connection, today: NaiveDate) -> Result<Option<PolicyReview>> {
    let date: Option<String> =
        conn.query_row("SELECT policy_review_date FROM org WHERE id = 1", [], |r| {
            r.get(0)
        })?;
    let Some(due_on) = date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) else {
        return Ok(None);
    };
    let days = (due_on - today).num_days();
    if days > POLICY_REVIEW_NOTICE_DAYS {
        return Ok(None);
    }
    let shown = crate::domain::time::show_date(due_on);
    let message = match days {
        d if d < 0 => format!(
            "The online safety policy was due for review on {shown}: review it, then record the date of the next review."
        ),
        0 => "The online safety policy is due for review today.".to_string(),
        1 => format!("The online safety policy is due for review tomorrow ({shown})."),
        d => format!("The online safety policy is due for review on {shown}, in {d} days."),
    };
    Ok(Some(PolicyReview {
        due_on,
        overdue: days < 0,
        message,
    }))
}

/// An open case with a procedure its policy offers for its categories, not yet attached.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureSuggested {
    pub incident_id: String,
    pub reference: String,
    pub procedure_id: String,
    pub title: String,
}

/// An open case with required procedure steps outstanding.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepsOutstanding {
    pub incident_id: String,
    pub reference: String,
    pub steps: u32,
    /// Flagged for an urgent police referral (a nudes incident with an adult or under-13,
    /// or an immediate-referral trigger).
    pub flagged: bool,
}

/// The most cases the dashboard lists with steps outstanding (newest reported first).
const STEPS_LISTED: usize = 50;

const VISIBLE: &str = "(i.concerns_staff IS NULL OR i.concerns_staff <> ?1)";

/// The dashboard as of `today`.
pub fn dashboard(conn: &Connection, viewer: Uuid, today: NaiveDate) -> Result<Dashboard> {
    let v = viewer.to_string();
    let open_cases: u32 = conn.query_row(
        &format!("SELECT count(*) FROM incidents i WHERE i.status = 'open' AND {VISIBLE}"),
        [&v],
        |r| r.get(0),
    )?;
    let week = (today + Duration::days(7)).to_string();
    let actions = conn
        .prepare_cached(&format!(
            "SELECT i.id, i.reference, a.description, a.owner, a.due_on FROM actions a
             JOIN incidents i ON i.id = a.incident_id
             WHERE a.done_ms IS NULL AND a.due_on <= ?2 AND {VISIBLE}
               AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.entry = a.id)
             ORDER BY a.due_on, i.reference"
        ))?
        .query_map(params![v, week], |r| {
            let due: String = r.get(4)?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, due))
        })?
        .collect::<rusqlite::Result<Vec<(String, String, String, String, String)>>>()?
        .into_iter()
        .filter_map(|(incident_id, reference, description, owner, due)| {
            let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d").ok()?;
            Some(DueAction {
                incident_id,
                reference,
                description,
                owner,
                due,
                overdue: due < today,
            })
        })
        .collect();
    let since = (today - Duration::days(365)).to_string();
    let by_category = conn
        .prepare_cached(&format!(
            "SELECT c.code, c.name, count(*) FROM incident_categories ic
             JOIN incidents i ON i.id = ic.incident_id JOIN categories c ON c.code = ic.code
             WHERE substr(i.occurred_at, 1, 10) >= ?2 AND {VISIBLE}
             GROUP BY c.code ORDER BY count(*) DESC, c.name"
        ))?
        .query_map(params![v, since], |r| {
            Ok(CategoryCount {
                code: r.get(0)?,
                name: r.get(1)?,
                count: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let recent = conn
        .prepare_cached(&format!(
            "SELECT i.id, i.reference, c.at_ms, coalesce(s.name, 'Unknown member of staff'), c.text
             FROM chronology c JOIN incidents i ON i.id = c.incident_id
             LEFT JOIN staff s ON s.id = c.author_id
             WHERE {VISIBLE} ORDER BY c.at_ms DESC, c.at_count DESC LIMIT 10"
        ))?
        .query_map([&v], |r| {
            Ok(Activity {
                incident_id: r.get(0)?,
                reference: r.get(1)?,
                at_ms: r.get(2)?,
                author: r.get(3)?,
                text: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let steps_outstanding = steps_outstanding(conn, &v)?;
    let procedures_suggested = procedures_suggested(conn, &v)?;
    let transfers_awaiting = super::transfers::awaiting(conn, today)?;
    let retention_due = super::retention::count_due(conn, viewer, today)?;
    Ok(Dashboard {
        open_cases,
        urgent: super::urgent::open_cases(conn, viewer)?,
        actions,
        by_category,
        recent,
        steps_outstanding,
        procedures_suggested,
        transfers_awaiting,
        retention_due,
        backup: crate::backup::backup_status(conn)?,
        policy_review: policy_review(conn, today)?,
    })
}

/// For each procedure offered by category, the open cases in those categories that do not
/// follow it, newest reported first, at most [`STEPS_LISTED`] in all.
fn procedures_suggested(conn: &Connection, viewer: &str) -> Result<Vec<ProcedureSuggested>> {
    let mut out = Vec::new();
    for def in crate::domain::procedures::all(conn)? {
        if def.offered_for.is_empty() {
            continue;
        }
        let categories = serde_json::to_string(&def.offered_for)
            .map_err(|e| crate::Error::Integrity(e.to_string()))?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT i.id, i.reference FROM incidents i
             WHERE i.status = 'open' AND {VISIBLE}
               AND EXISTS (SELECT 1 FROM incident_categories c WHERE c.incident_id = i.id
                           AND c.code IN (SELECT value FROM json_each(?2)))
               AND NOT EXISTS (SELECT 1 FROM incident_procedures p WHERE p.incident_id = i.id
                               AND p.procedure_id = ?3)
             ORDER BY i.reported_at DESC, i.reference LIMIT ?4"
        ))?;
        let rows = stmt.query_map(
            rusqlite::params![viewer, categories, def.id, STEPS_LISTED as i64],
            |r| {
                Ok(ProcedureSuggested {
                    incident_id: r.get(0)?,
                    reference: r.get(1)?,
                    procedure_id: def.id.clone(),
                    title: def.title.clone(),
                })
            },
        )?;
        for row in rows {
            out.push(row?);
        }
    }
    out.truncate(STEPS_LISTED);
    Ok(out)
}

fn steps_outstanding(conn: &Connection, viewer: &str) -> Result<Vec<StepsOutstanding>> {
    // Candidates by SQL; whether a step is required may depend on the case's flags, which
    // `read::procedures` works out.
    let candidates = conn
        .prepare_cached(&format!(
            "SELECT i.id, i.reference FROM incidents i
             WHERE i.status = 'open' AND {VISIBLE} AND EXISTS (
                 SELECT 1 FROM procedure_steps ps WHERE ps.incident_id = i.id
                 AND ps.state = 'outstanding' AND (ps.required = 1 OR ps.required_when_flagged = 1))
             ORDER BY i.reported_at DESC, i.reference"
        ))?
        .query_map([viewer], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, reference) in candidates {
        let Ok(uuid) = Uuid::parse_str(&id) else {
            continue;
        };
        let steps = super::procedures::outstanding_required(conn, uuid)?.len();
        if steps == 0 {
            continue;
        }
        out.push(StepsOutstanding {
            incident_id: id,
            reference,
            steps: steps as u32,
            flagged: !super::procedures::flags(conn, uuid)?.is_empty(),
        });
        if out.len() == STEPS_LISTED {
            break;
        }
    }
    Ok(out)
}
