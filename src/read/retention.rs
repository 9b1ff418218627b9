//! Retention as it stands: each record's review date and the rule behind it, the records due
//! for review on a date, the decisions made, and the legal holds in force.
//!
//! The records reviewed are a learner's child-protection file (their record and every
//! incident they appear in), an allegation about a member of staff (under its own rule,
//! whether or not it names a learner), and a learner's consent records. Every other
//! incident names a learner, so it is reviewed with their file. Evidence, referrals and transfers are kept with the record
//! they belong to. Incidents about the person using this device are left out, as everywhere.

use chrono::{DateTime, NaiveDate};
use chrono_tz::Europe::London;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::retention::{self as rules, RetentionRule};
use crate::domain::time::{show_date, show_millis};
use crate::log::RecordRef;
use crate::store::project_retention::holds_covering;
use crate::{Error, Result};

/// A legal hold in force.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub id: String,
    /// The record the hold was placed on (which may be another record that covers this one).
    pub on: RecordRef,
    pub on_label: String,
    pub reason: String,
    pub placed_by: String,
    /// `20/11/2026 15:30`, UK time.
    pub placed_at: String,
}

/// The latest review decision about a record.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionReview {
    /// `keep` or `destroy`.
    pub decision: String,
    pub keep_until: Option<NaiveDate>,
    pub reason: String,
    pub by: String,
    /// `20/11/2026 15:30`, UK time.
    pub at: String,
    /// Destroyed before its review date, by explicit override.
    pub early: bool,
    /// A destroy decision that met a legal hold (made on another device before it learnt of
    /// the hold): the hold overrides it, and the record is kept.
    pub overridden_by_hold: bool,
}

/// One record's retention: its rule, its review date and why, the latest decision, holds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub record: RecordRef,
    /// e.g. "Alex Example's file", "MAN-2026-0001".
    pub label: String,
    pub rule: String,
    pub rule_version: u32,
    pub rule_title: String,
    pub rule_source: String,
    /// None when Harbour cannot work it out yet (a learner who has not left, say).
    pub review_on: Option<NaiveDate>,
    /// How the review date was reached, e.g. "date of birth + 25 years".
    pub because: String,
    /// What Harbour could not count, said plainly.
    pub notes: Vec<String>,
    pub decision: Option<RetentionReview>,
    /// A destroy decision is in effect: the record is not listed as due again.
    pub destroyed: bool,
    pub holds: Vec<Hold>,
}

fn uk_date(rfc3339: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|d| d.with_timezone(&London).date_naive())
}

fn staff_name(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM staff WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "Unknown member of staff".to_string()))
}

/// The words naming a record.
pub fn label(conn: &Connection, record: RecordRef) -> Result<String> {
    let id = record.id().to_string();
    Ok(match record {
        RecordRef::Incident(_) => conn
            .prepare_cached("SELECT reference FROM incidents WHERE id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| "An incident not yet received".to_string()),
        RecordRef::LearnerFile(_) | RecordRef::Consent(_) => {
            let name: String = conn
                .prepare_cached("SELECT name FROM learners WHERE id = ?1")?
                .query_row([&id], |r| r.get(0))
                .optional()?
                .unwrap_or_else(|| "A learner not yet received".to_string());
            match record {
                RecordRef::Consent(_) => format!("{name}'s consent records"),
                _ => format!("{name}'s file"),
            }
        }
    })
}

/// The holds in force that cover a record.
pub fn holds(conn: &Connection, record: RecordRef) -> Result<Vec<Hold>> {
    let mut out = Vec::new();
    for (id, on_type, on_id, reason) in holds_covering(conn, record)? {
        let Some(on) = RecordRef::from_parts(&on_type, &on_id) else {
            continue;
        };
        let (by, at): (String, i64) = conn
            .prepare_cached("SELECT placed_by, placed_ms FROM legal_holds WHERE id = ?1")?
            .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        out.push(Hold {
            id,
            on,
            on_label: label(conn, on)?,
            reason,
            placed_by: staff_name(conn, &by)?,
            placed_at: show_millis(at),
        });
    }
    Ok(out)
}

fn latest_decision(conn: &Connection, record: RecordRef) -> Result<Option<RetentionReview>> {
    let row = conn
        .prepare_cached(
            "SELECT decision, keep_until, reason, author_id, at_ms, early, held FROM retention_reviews
             WHERE record_type = ?1 AND record_id = ?2
             ORDER BY at_ms DESC, at_count DESC, device_id DESC, seq DESC LIMIT 1",
        )?
        .query_row(params![record.code(), record.id().to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })
        .optional()?;
    let Some((decision, until, reason, by, at, early, held)) = row else {
        return Ok(None);
    };
    Ok(Some(RetentionReview {
        overridden_by_hold: held && decision == "destroy",
        decision,
        keep_until: until.and_then(|u| NaiveDate::parse_from_str(&u, "%Y-%m-%d").ok()),
        reason,
        by: staff_name(conn, &by)?,
        at: show_millis(at),
        early,
    }))
}

/// The dates a rule's periods count from, for one record: Some(date) when known, None
/// (with the note to show) when not.
struct Starts {
    dob: Option<NaiveDate>,
    newest_incident: Option<NaiveDate>,
    leaving: Option<NaiveDate>,
    allegation: Option<NaiveDate>,
}

fn review_date(
    rule: &RetentionRule,
    s: &Starts,
    notes: &mut Vec<String>,
) -> (Option<NaiveDate>, String) {
    let mut best: Option<(NaiveDate, String)> = None;
    for p in &rule.periods {
        let start = match p.from.as_str() {
            "date-of-birth" => s.dob,
            "newest-incident" => s.newest_incident,
            "leaving" => {
                if s.leaving.is_none() {
                    notes.push("Harbour knows a learner has left only when their file is sent to another setting, so this is kept until then.".into());
                }
                s.leaving
            }
            "allegation" => s.allegation,
            "pension-age" => {
                notes.push(format!(
                    "The member of staff's date of birth is not recorded in Harbour, so their normal pension age ({} years of age) could not be counted: the date is counted from the allegation alone. Check their pension age before deciding.",
                    p.years
                ));
                None
            }
            _ => None,
        };
        let Some(date) = start.and_then(|d| p.after(d)) else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| date > *b) {
            best = Some((date, p.describe()));
        }
    }
    match best {
        Some((d, why)) => (Some(d), why),
        None => (None, "no date to count from yet".to_string()),
    }
}

fn finish(
    conn: &Connection,
    record: RecordRef,
    rule: RetentionRule,
    (mut review_on, mut because): (Option<NaiveDate>, String),
    notes: Vec<String>,
) -> Result<Retention> {
    let decision = latest_decision(conn, record)?;
    let mut destroyed = false;
    if let Some(d) = &decision {
        match (d.decision.as_str(), d.keep_until) {
            ("keep", Some(until)) if review_on.is_none_or(|r| until > r) => {
                review_on = Some(until);
                because = format!("kept until then by the review of {}", d.at);
            }
            ("destroy", _) if !d.overridden_by_hold => destroyed = true,
            _ => {}
        }
    }
    // A hold overrides any decision until it is lifted, in whichever order they arrived.
    let holds = holds(conn, record)?;
    if !holds.is_empty() {
        destroyed = false;
    }
    Ok(Retention {
        record,
        label: label(conn, record)?,
        rule: rule.record,
        rule_version: rule.version,
        rule_title: rule.title,
        rule_source: rule.source,
        review_on,
        because,
        notes,
        decision,
        destroyed,
        holds,
    })
}

/// A learner's child-protection file: their record and every incident they appear in (that
/// this viewer may see), under the `learner-file` rule.
pub fn learner_file(conn: &Connection, viewer: Uuid, learner: Uuid) -> Result<Retention> {
    learner_file_in(conn, &rules::all(conn)?, viewer, learner)
}

/// The rule for a kind of record among those the organisation follows.
fn rule_for(all: &[RetentionRule], record: &str) -> Result<RetentionRule> {
    all.iter()
        .find(|r| r.record == record)
        .cloned()
        .ok_or(Error::NotFound {
            what: "retention rule",
            key: record.to_string(),
        })
}

fn learner_file_in(
    conn: &Connection,
    all: &[RetentionRule],
    viewer: Uuid,
    learner: Uuid,
) -> Result<Retention> {
    let key = learner.to_string();
    let dob: String = conn
        .prepare_cached("SELECT dob FROM learners WHERE id = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound {
            what: "learner",
            key: key.clone(),
        })?;
    let occurred: Vec<String> = conn
        .prepare_cached(
            "SELECT i.occurred_at FROM incident_learners il JOIN incidents i ON i.id = il.incident_id
             WHERE il.learner_id = ?1 AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?2)",
        )?
        .query_map(params![key, viewer.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let starts = Starts {
        dob: NaiveDate::parse_from_str(&dob, "%Y-%m-%d").ok(),
        newest_incident: occurred.iter().filter_map(|o| uk_date(o)).max(),
        leaving: leaving(conn, &key)?,
        allegation: None,
    };
    let rule = rule_for(all, "learner-file")?;
    let mut notes = Vec::new();
    let date = review_date(&rule, &starts, &mut notes);
    finish(conn, RecordRef::LearnerFile(learner), rule, date, notes)
}

fn leaving(conn: &Connection, learner: &str) -> Result<Option<NaiveDate>> {
    let first: Option<String> = conn
        .prepare_cached("SELECT min(sent_on) FROM transfers WHERE learner_id = ?1")?
        .query_row([learner], |r| r.get(0))?;
    Ok(first.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// A learner's consent records, under the `consent` rule; None when none are recorded.
pub fn consent(conn: &Connection, learner: Uuid) -> Result<Option<Retention>> {
    consent_in(conn, &rules::all(conn)?, learner)
}

fn consent_in(
    conn: &Connection,
    all: &[RetentionRule],
    learner: Uuid,
) -> Result<Option<Retention>> {
    let key = learner.to_string();
    let any: bool = conn
        .prepare_cached("SELECT count(*) > 0 FROM consents WHERE learner_id = ?1")?
        .query_row([&key], |r| r.get(0))?;
    if !any {
        return Ok(None);
    }
    let starts = Starts {
        dob: None,
        newest_incident: None,
        leaving: leaving(conn, &key)?,
        allegation: None,
    };
    let rule = rule_for(all, "consent")?;
    let mut notes = Vec::new();
    let date = review_date(&rule, &starts, &mut notes);
    finish(conn, RecordRef::Consent(learner), rule, date, notes).map(Some)
}

/// An allegation about a member of staff, under the `staff-allegation` rule. None for any
/// other incident (part of the files of the learners in it, reviewed with them), or one
/// this viewer may not see.
pub fn incident(conn: &Connection, viewer: Uuid, incident: Uuid) -> Result<Option<Retention>> {
    incident_in(conn, &rules::all(conn)?, viewer, incident)
}

fn incident_in(
    conn: &Connection,
    all: &[RetentionRule],
    viewer: Uuid,
    incident: Uuid,
) -> Result<Option<Retention>> {
    let key = incident.to_string();
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT reported_at, concerns_staff FROM incidents WHERE id = ?1")?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((reported, Some(concerns))) = row else {
        return Ok(None);
    };
    if concerns == viewer.to_string() {
        return Ok(None);
    }
    let starts = Starts {
        dob: None,
        newest_incident: None,
        leaving: None,
        allegation: uk_date(&reported),
    };
    let rule = rule_for(all, "staff-allegation")?;
    let mut notes = Vec::new();
    let date = review_date(&rule, &starts, &mut notes);
    finish(conn, RecordRef::Incident(incident), rule, date, notes).map(Some)
}

/// The retention of any record; None for an incident reviewed with learners' files, or
/// consent records when none are recorded.
pub fn of(conn: &Connection, viewer: Uuid, record: RecordRef) -> Result<Option<Retention>> {
    match record {
        RecordRef::LearnerFile(l) => learner_file(conn, viewer, l).map(Some),
        RecordRef::Incident(i) => incident(conn, viewer, i),
        RecordRef::Consent(l) => consent(conn, l),
    }
}

/// Every record Harbour reviews (not those already decided to destroy), with its review
/// date, soonest first; those Harbour cannot date yet come last.
pub fn all(conn: &Connection, viewer: Uuid) -> Result<Vec<Retention>> {
    let rules = rules::all(conn)?;
    let learners: Vec<String> = conn
        .prepare_cached("SELECT id FROM learners ORDER BY name, id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let incidents: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM incidents WHERE concerns_staff IS NOT NULL ORDER BY reference",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in learners {
        let Ok(l) = Uuid::parse_str(&id) else {
            continue;
        };
        out.push(learner_file_in(conn, &rules, viewer, l)?);
        if let Some(c) = consent_in(conn, &rules, l)? {
            out.push(c);
        }
    }
    for id in incidents {
        let Ok(i) = Uuid::parse_str(&id) else {
            continue;
        };
        if let Some(r) = incident_in(conn, &rules, viewer, i)? {
            out.push(r);
        }
    }
    out.retain(|r| !r.destroyed);
    out.sort_by(|a, b| match (a.review_on, b.review_on) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.label.cmp(&b.label)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.label.cmp(&b.label),
    });
    Ok(out)
}

/// The records due for review on `on` (review date on or before it), soonest first.
pub fn due(conn: &Connection, viewer: Uuid, on: NaiveDate) -> Result<Vec<Retention>> {
    let mut all = all(conn, viewer)?;
    all.retain(|r| r.review_on.is_some_and(|d| d <= on));
    Ok(all)
}

/// How many records are due for review on `on` (the dashboard's line).
pub fn count_due(conn: &Connection, viewer: Uuid, on: NaiveDate) -> Result<u32> {
    Ok(due(conn, viewer, on)?.len() as u32)
}

/// The review date and its reason as one line, e.g. "17/04/2034 (date of birth + 25 years)".
pub fn shown_review(r: &Retention) -> String {
    match r.review_on {
        Some(d) => format!("{} ({})", show_date(d), r.because),
        None => format!("not yet known ({})", r.because),
    }
}

/// Every legal hold in force, oldest first.
pub fn holds_in_force(conn: &Connection, viewer: Uuid) -> Result<Vec<Hold>> {
    let rows: Vec<(String, String, String, String, String, i64)> = conn
        .prepare_cached(
            "SELECT h.id, h.record_type, h.record_id, h.reason, h.placed_by, h.placed_ms FROM legal_holds h
             LEFT JOIN incidents i ON h.record_type = 'incident' AND i.id = h.record_id
             WHERE h.lifted_event IS NULL AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?1)
             ORDER BY h.placed_ms, h.id",
        )?
        .query_map([viewer.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, t, rid, reason, by, at) in rows {
        let Some(on) = RecordRef::from_parts(&t, &rid) else {
            continue;
        };
        out.push(Hold {
            id,
            on,
            on_label: label(conn, on)?,
            reason,
            placed_by: staff_name(conn, &by)?,
            placed_at: show_millis(at),
        });
    }
    Ok(out)
}

/// One rule as the organisation follows it, and whether it is its own version.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSummary {
    pub rule: RetentionRule,
    /// Each period in words, or what it is kept with.
    pub keeps: String,
    pub adapted: bool,
}

/// Every retention rule, as the organisation follows it.
pub fn rules(conn: &Connection) -> Result<Vec<RuleSummary>> {
    let built_in = rules::built_in()?;
    Ok(rules::all(conn)?
        .into_iter()
        .map(|rule| {
            let adapted = !built_in.contains(&rule);
            let keeps = match &rule.kept_with {
                Some(with) if with == "learner-file" => "kept with the learner's file".to_string(),
                Some(with) => format!("kept with its {}", with.replace('-', " ")),
                None => {
                    let parts: Vec<String> = rule.periods.iter().map(|p| p.describe()).collect();
                    format!("until {}", parts.join(" or "))
                        + if parts.len() > 1 {
                            ", whichever is later"
                        } else {
                            ""
                        }
                }
            };
            RuleSummary {
                rule,
                keeps,
                adapted,
            }
        })
        .collect())
}
