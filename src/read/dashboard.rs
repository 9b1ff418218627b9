//! The dashboard: what needs the coordinator's attention today.
//!
//! Open cases, actions overdue or due within the next seven days, cases by category over the
//! last twelve months, and the most recent chronology entries. Incidents about the person
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
    pub actions: Vec<DueAction>,
    pub by_category: Vec<CategoryCount>,
    pub recent: Vec<Activity>,
}

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
    Ok(Dashboard {
        open_cases,
        actions,
        by_category,
        recent,
    })
}
