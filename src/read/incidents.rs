//! Incident lists and the full incident page.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::time::age_on;
use crate::{Error, Result};

/// One line of an incident list.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentSummary {
    pub id: String,
    pub reference: String,
    pub centre: String,
    pub status: String,
    pub risk_level: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub categories: Vec<String>,
    pub restricted: bool,
    /// The fields (`status`, `risk`) changed on two devices and not yet settled.
    pub in_conflict: Vec<String>,
    /// The names of the learners involved, in alphabetical order.
    pub learners: Vec<String>,
}

/// Which incidents a list shows.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct IncidentFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub centre: Option<String>,
    pub learner: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

/// A learner as involved in one incident.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvolvedLearner {
    pub id: String,
    pub name: String,
    pub role: String,
    pub age_at_incident: Option<u32>,
}

/// One chronology entry, with who made it and any corrections made to it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    pub author: String,
    pub kind: String,
    pub text: String,
    pub corrects: Option<String>,
    pub corrected_by: Vec<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Referral {
    /// Its id, to withdraw it by.
    pub id: String,
    pub agency: String,
    pub date: String,
    pub person: String,
    pub reference: Option<String>,
    /// Why it was withdrawn, if it was recorded in error.
    pub withdrawn: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Its id, to withdraw it by.
    pub id: String,
    pub decision: String,
    pub reason: String,
    pub not_to_refer: bool,
    /// Why it was withdrawn, if it was recorded in error.
    pub withdrawn: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: String,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub done: bool,
    /// Why it was withdrawn, if it was recorded in error.
    pub withdrawn: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub id: String,
    pub reference: String,
    pub reason: Option<String>,
}

/// Everything on an incident's page.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentDetail {
    pub summary: IncidentSummary,
    pub reported_at: DateTime<Utc>,
    pub reporter_name: String,
    pub reporter_title: String,
    pub place: Option<String>,
    pub account: String,
    pub risk_reason: Option<String>,
    pub status_reason: Option<String>,
    pub outcome: Option<String>,
    pub learners: Vec<InvolvedLearner>,
    pub chronology: Vec<Entry>,
    pub referrals: Vec<Referral>,
    pub decisions: Vec<Decision>,
    pub actions: Vec<Action>,
    pub links: Vec<Link>,
    /// Why an urgent police referral is needed and not yet recorded (`read::urgent`).
    pub urgent: Vec<super::procedures::Flag>,
}

const SUMMARY_COLUMNS: &str = "i.id, i.reference, i.centre_code, i.status, i.risk_level, i.occurred_at, \
     (SELECT group_concat(code, ',') FROM (SELECT code FROM incident_categories c WHERE c.incident_id = i.id ORDER BY code)), \
     i.concerns_staff IS NOT NULL, \
     (SELECT group_concat(field, ',') FROM (SELECT field FROM field_heads g WHERE g.incident_id = i.id \
      GROUP BY field HAVING count(DISTINCT value) > 1 ORDER BY field)), \
     (SELECT group_concat(name, char(31)) FROM (SELECT l.name FROM incident_learners il \
      JOIN learners l ON l.id = il.learner_id WHERE il.incident_id = i.id ORDER BY l.name))";

fn summary(row: &Row<'_>) -> rusqlite::Result<IncidentSummary> {
    let occurred: String = row.get(5)?;
    let cats: Option<String> = row.get(6)?;
    Ok(IncidentSummary {
        id: row.get(0)?,
        reference: row.get(1)?,
        centre: row.get(2)?,
        status: row.get(3)?,
        risk_level: row.get(4)?,
        occurred_at: DateTime::parse_from_rfc3339(&occurred)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default(),
        categories: cats
            .map(|c| c.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        restricted: row.get(7)?,
        in_conflict: row
            .get::<_, Option<String>>(8)?
            .map(|c| c.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        learners: row
            .get::<_, Option<String>>(9)?
            .map(|c| c.split('\u{1f}').map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

/// Incidents matching `filter`, newest recorded first.
pub fn list(
    conn: &Connection,
    viewer: Uuid,
    filter: &IncidentFilter,
) -> Result<Vec<IncidentSummary>> {
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM incidents i WHERE (i.concerns_staff IS NULL OR i.concerns_staff <> ?1)"
    );
    let mut args: Vec<String> = vec![viewer.to_string()];
    let mut arg = |sql: &mut String, clause: &str, value: String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(s) = &filter.status {
        arg(&mut sql, " AND i.status = ?", s.clone());
    }
    if let Some(c) = &filter.centre {
        arg(&mut sql, " AND i.centre_code = ?", c.to_uppercase());
    }
    if let Some(c) = &filter.category {
        arg(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM incident_categories c WHERE c.incident_id = i.id AND c.code = ?)",
            c.clone(),
        );
    }
    if let Some(l) = &filter.learner {
        arg(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM incident_learners l WHERE l.incident_id = i.id AND l.learner_id = ?)",
            l.to_string(),
        );
    }
    if let Some(f) = &filter.from {
        arg(&mut sql, " AND i.occurred_at >= ?", f.to_rfc3339());
    }
    if let Some(t) = &filter.to {
        arg(&mut sql, " AND i.occurred_at < ?", t.to_rfc3339());
    }
    sql.push_str(" ORDER BY i.opened_ms DESC, i.opened_count DESC");
    if let Some(n) = filter.limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), summary)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Summaries for the given incident ids, in the given order (for search results).
pub fn summaries(conn: &Connection, ids: &[String]) -> Result<Vec<IncidentSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM incidents i WHERE i.id = ?1"
    ))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = stmt.query_row([id], summary).optional()? {
            out.push(s);
        }
    }
    Ok(out)
}

fn staff_name(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM staff WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "Unknown member of staff".into()))
}

/// The chronology of one incident, oldest first, each entry with its corrections.
pub fn chronology(conn: &Connection, incident: &str) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, at_ms, author_id, kind, text, corrects FROM chronology
         WHERE incident_id = ?1 ORDER BY at_ms, at_count, device_id, seq",
    )?;
    let raw = stmt
        .query_map([incident], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut entries = Vec::with_capacity(raw.len());
    for (id, at_ms, author, kind, text, corrects) in &raw {
        entries.push(Entry {
            id: id.clone(),
            at_ms: *at_ms,
            author: staff_name(conn, author)?,
            kind: kind.clone(),
            text: text.clone(),
            corrects: corrects.clone(),
            corrected_by: raw
                .iter()
                .filter(|r| r.5.as_deref() == Some(id.as_str()))
                .map(|r| r.0.clone())
                .collect(),
        });
    }
    Ok(entries)
}

/// The full page for one incident.
pub fn detail(conn: &Connection, viewer: Uuid, id: Uuid) -> Result<IncidentDetail> {
    let key = id.to_string();
    let not_found = || Error::NotFound {
        what: "incident",
        key: key.clone(),
    };
    let summary = conn
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM incidents i WHERE i.id = ?1
               AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?2)"
        ))?
        .query_row(params![key, viewer.to_string()], summary)
        .optional()?
        .ok_or_else(not_found)?;
    #[allow(clippy::type_complexity)]
    let (reported, reporter_name, reporter_title, place, account, risk_reason, status_reason, outcome): (
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = conn.query_row(
        "SELECT reported_at, reporter_name, reporter_title, place, account, risk_reason, status_reason, outcome
         FROM incidents WHERE id = ?1",
        [&key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
    )?;
    let occurred_on = summary
        .occurred_at
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive();
    let learners = conn
        .prepare_cached(
            "SELECT l.id, l.name, il.role, l.dob FROM incident_learners il JOIN learners l ON l.id = il.learner_id
             WHERE il.incident_id = ?1 ORDER BY il.role DESC, l.name",
        )?
        .query_map([&key], |r| {
            let dob: String = r.get(3)?;
            Ok(InvolvedLearner {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                age_at_incident: NaiveDate::parse_from_str(&dob, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| age_on(d, occurred_on)),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let referrals = conn
        .prepare_cached(
            "SELECT r.agency, r.referred_on, r.person, r.reference, r.event_id,
                    (SELECT reason FROM withdrawals w WHERE w.entry = r.event_id ORDER BY w.event_id LIMIT 1)
             FROM referrals r JOIN chronology c ON c.event_id = r.event_id
             WHERE r.incident_id = ?1 ORDER BY c.at_ms, c.at_count",
        )?
        .query_map([&key], |r| {
            Ok(Referral {
                id: r.get(4)?,
                agency: r.get(0)?,
                date: r.get(1)?,
                person: r.get(2)?,
                reference: r.get(3)?,
                withdrawn: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let decisions = conn
        .prepare_cached(
            "SELECT d.decision, d.reason, d.not_to_refer, d.event_id,
                    (SELECT reason FROM withdrawals w WHERE w.entry = d.event_id ORDER BY w.event_id LIMIT 1)
             FROM decisions d JOIN chronology c ON c.event_id = d.event_id
             WHERE d.incident_id = ?1 ORDER BY c.at_ms, c.at_count",
        )?
        .query_map([&key], |r| {
            Ok(Decision {
                id: r.get(3)?,
                decision: r.get(0)?,
                reason: r.get(1)?,
                not_to_refer: r.get(2)?,
                withdrawn: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let actions = conn
        .prepare_cached(
            "SELECT a.id, a.description, a.owner, a.due_on, a.done_ms IS NOT NULL,
                    (SELECT reason FROM withdrawals w WHERE w.entry = a.id ORDER BY w.event_id LIMIT 1)
             FROM actions a WHERE a.incident_id = ?1 ORDER BY a.due_on, a.id",
        )?
        .query_map([&key], |r| {
            Ok(Action {
                id: r.get(0)?,
                description: r.get(1)?,
                owner: r.get(2)?,
                due: r.get(3)?,
                done: r.get(4)?,
                withdrawn: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let links = conn
        .prepare_cached(
            "SELECT i.id, i.reference, k.reason FROM incident_links k
             JOIN incidents i ON i.id = CASE WHEN k.a = ?1 THEN k.b ELSE k.a END
             WHERE (k.a = ?1 OR k.b = ?1) AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?2)
             ORDER BY i.reference",
        )?
        .query_map(params![key, viewer.to_string()], |r| {
            Ok(Link {
                id: r.get(0)?,
                reference: r.get(1)?,
                reason: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(IncidentDetail {
        reported_at: DateTime::parse_from_rfc3339(&reported)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default(),
        reporter_name,
        reporter_title,
        place,
        account,
        risk_reason,
        status_reason,
        outcome,
        learners,
        chronology: chronology(conn, &key)?,
        referrals,
        decisions,
        actions,
        links,
        urgent: super::urgent::awaiting(conn, id)?,
        summary,
    })
}

/// An evidence item that is (or may be) imagery, held on an incident about sharing nudes or
/// up-skirting — which happens when the category is added after the item was stored. It is
/// shown on the incident and cannot be opened; what is left is the hand-over to the police
/// (if they ask) and erasing Harbour's copy.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldImagery {
    pub item_id: String,
    pub description: String,
    pub file_name: String,
    /// What looking into it found, as the middle of a sentence.
    pub what: String,
    /// `held` or `handed_over`.
    pub status: String,
}

/// What Harbour should not be holding on this incident (empty unless it is about sharing
/// nudes or up-skirting). An item stored by an older Harbour, which looked only at a file's
/// first bytes, is listed as not checked: opening it checks it then.
pub fn imagery_held(conn: &Connection, incident: Uuid) -> Result<Vec<HeldImagery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.description, e.file_name, e.imagery, e.status
         FROM evidence_items e JOIN events ev ON ev.id = e.event_id
         WHERE e.incident_id = ?1 AND e.status <> 'erased'
           AND (e.imagery IS NOT NULL OR e.looked_into = 0)
           AND EXISTS (SELECT 1 FROM incident_categories c
                       WHERE c.incident_id = e.incident_id AND c.code IN ('nudes', 'upskirting'))
         ORDER BY ev.hlc_ms, ev.hlc_count, ev.device_id, ev.seq",
    )?;
    let rows = stmt
        .query_map([incident.to_string()], |r| {
            Ok(HeldImagery {
                item_id: r.get(0)?,
                description: r.get(1)?,
                file_name: r.get(2)?,
                what: r.get::<_, Option<String>>(3)?.unwrap_or_else(|| {
                    "it was stored before Harbour looked inside files, so it may hold an image or video"
                        .into()
                }),
                status: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The warning an incident shows while `imagery_held` is not empty, in plain words.
pub fn imagery_warning(held: &[HeldImagery]) -> Option<String> {
    if held.is_empty() {
        return None;
    }
    let names: Vec<String> = held
        .iter()
        .map(|i| format!("\u{201c}{}\u{201d}", i.file_name))
        .collect();
    Some(format!(
        "This incident is about sharing nudes or up-skirting, and Harbour holds evidence that is or may be imagery: {}. No one may open or copy it. If the police ask for it, hand it over and record the hand-over; then erase Harbour\u{2019}s copy.",
        names.join(", ")
    ))
}
