//! What consent is in place for a learner, and who is missing which form.
//!
//! The current record of a form is the one signed most recently (ties broken by the log's
//! order). A withdrawal dated after it — for one purpose or the whole form — turns a yes into
//! a no. Consent is reviewed yearly: a record a year old or more is not current, and the
//! answer says when its review was due.
//!
//! Forms are read in the organisation's current wording; a record keeps the version it was
//! signed on, and every answer names it.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::forms::{self, FormTemplate};
use crate::domain::time::{age_on, show_date};
use crate::Result;

/// A returned form as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConsentRecord {
    pub event_id: String,
    pub form: String,
    pub form_version: String,
    pub signed_on: NaiveDate,
    pub signed_by: String,
    pub relationship: String,
    pub answers: BTreeMap<String, bool>,
    /// A year after it was signed.
    pub review_due: NaiveDate,
    #[serde(skip)]
    order: (i64, i64, String, i64),
}

/// A withdrawal as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Withdrawal {
    pub form: String,
    pub purpose: Option<String>,
    pub withdrawn_on: NaiveDate,
    pub note: Option<String>,
    #[serde(skip)]
    order: (i64, i64, String, i64),
}

/// The answer to "may we use this learner's image for this purpose?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotRecorded,
    NotCurrent,
}

impl Answer {
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotRecorded => "not recorded",
            Answer::NotCurrent => "not current",
        }
    }
}

/// A consent check with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConsentCheck {
    pub learner_id: String,
    pub learner_name: String,
    pub purpose: String,
    pub form: String,
    pub answer: Answer,
    /// The answer in words: yes, no, not recorded, not current.
    pub answer_label: String,
    /// Why, in one sentence.
    pub basis: String,
    pub record: Option<ConsentRecord>,
    pub withdrawn_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
}

/// A year after `date` (29 February gives 28 February).
pub fn review_date(date: NaiveDate) -> NaiveDate {
    date.checked_add_months(Months::new(12)).unwrap_or(date)
}

fn parse_date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

/// The current record of `form` for a learner, if any.
pub fn current_record(
    conn: &Connection,
    learner: Uuid,
    form: &str,
) -> Result<Option<ConsentRecord>> {
    record_as_of(conn, learner, form, None)
}

/// The record of `form` that was current for a learner on `on`: the one signed most recently
/// on or before that day, so a later form does not hide the one in force then.
pub fn current_record_on(
    conn: &Connection,
    learner: Uuid,
    form: &str,
    on: NaiveDate,
) -> Result<Option<ConsentRecord>> {
    record_as_of(conn, learner, form, Some(on))
}

fn record_as_of(
    conn: &Connection,
    learner: Uuid,
    form: &str,
    on: Option<NaiveDate>,
) -> Result<Option<ConsentRecord>> {
    let row = conn
        .prepare_cached(
            "SELECT event_id, form_version, signed_on, signed_by, relationship, at_ms, at_count, device_id, seq
             FROM consents WHERE learner_id = ?1 AND form = ?2 AND (?3 IS NULL OR signed_on <= ?3)
             ORDER BY signed_on DESC, at_ms DESC, at_count DESC, device_id DESC, seq DESC LIMIT 1",
        )?
        .query_row(params![learner.to_string(), form, on.map(|d| d.to_string())], |r| {
            let signed_on = parse_date(&r.get::<_, String>(2)?);
            Ok(ConsentRecord {
                event_id: r.get(0)?,
                form: form.to_string(),
                form_version: r.get(1)?,
                signed_on,
                signed_by: r.get(3)?,
                relationship: r.get(4)?,
                answers: BTreeMap::new(),
                review_due: review_date(signed_on),
                order: (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?),
            })
        })
        .optional()?;
    let Some(mut record) = row else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT purpose, answer FROM consent_answers WHERE event_id = ?1")?;
    let answers = stmt.query_map([&record.event_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    for a in answers {
        let (purpose, answer): (String, bool) = a?;
        record.answers.insert(purpose, answer);
    }
    Ok(Some(record))
}

/// Withdrawals of `form` for a learner that came after `record`, oldest first.
pub fn withdrawals_after(
    conn: &Connection,
    learner: Uuid,
    record: &ConsentRecord,
) -> Result<Vec<Withdrawal>> {
    let mut stmt = conn.prepare_cached(
        "SELECT purpose, withdrawn_on, note, at_ms, at_count, device_id, seq
         FROM consent_withdrawals WHERE learner_id = ?1 AND form = ?2 AND withdrawn_on >= ?3
         ORDER BY withdrawn_on, at_ms, at_count, device_id, seq",
    )?;
    let rows = stmt.query_map(
        params![
            learner.to_string(),
            record.form,
            record.signed_on.to_string()
        ],
        |r| {
            Ok(Withdrawal {
                form: record.form.clone(),
                purpose: r.get(0)?,
                withdrawn_on: parse_date(&r.get::<_, String>(1)?),
                note: r.get(2)?,
                order: (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?),
            })
        },
    )?;
    let mut out = Vec::new();
    for w in rows {
        let w = w?;
        // Withdrawn the same day as signing: only if recorded after the form itself.
        if w.withdrawn_on > record.signed_on || w.order > record.order {
            out.push(w);
        }
    }
    Ok(out)
}

fn learner_name(conn: &Connection, learner: Uuid) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM learners WHERE id = ?1")?
        .query_row([learner.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "This learner".into()))
}

/// Whether a learner's consent for `purpose` is in place on `on`, and why.
pub fn check(
    conn: &Connection,
    learner: Uuid,
    purpose: &str,
    on: NaiveDate,
) -> Result<ConsentCheck> {
    let (form, purpose) = forms::form_for_purpose_in(conn, purpose)?;
    let name = learner_name(conn, learner)?;
    let mut result = ConsentCheck {
        learner_id: learner.to_string(),
        learner_name: name.clone(),
        purpose: purpose.clone(),
        form: form.id.clone(),
        answer: Answer::NotRecorded,
        answer_label: String::new(),
        basis: String::new(),
        record: None,
        withdrawn_on: None,
        review_due: None,
    };
    let record = current_record_on(conn, learner, &form.id, on)?;
    let Some(record) = record else {
        result.basis = format!(
            "No {} form is recorded for {name}.",
            form.title.to_lowercase()
        );
        result.answer_label = result.answer.label().into();
        return Ok(result);
    };
    let signed = format!(
        "form version {}, signed on {} by {} ({})",
        record.form_version,
        show_date(record.signed_on),
        record.signed_by,
        record.relationship
    );
    let withdrawn = withdrawals_after(conn, learner, &record)?
        .into_iter()
        .filter(|w| w.withdrawn_on <= on)
        .find(|w| w.purpose.is_none() || w.purpose.as_deref() == Some(purpose.as_str()));
    result.review_due = Some(record.review_due);
    if let Some(w) = withdrawn {
        result.answer = Answer::No;
        result.withdrawn_on = Some(w.withdrawn_on);
        result.basis = format!(
            "Withdrawn on {}{}; it had been given on the {signed}.",
            show_date(w.withdrawn_on),
            w.note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    } else if on >= record.review_due {
        result.answer = Answer::NotCurrent;
        result.basis = format!(
            "Expired: review was due {}; the last form was {signed}.",
            show_date(record.review_due)
        );
    } else {
        let given = record.answers.get(&purpose).copied().unwrap_or(false);
        result.answer = if given { Answer::Yes } else { Answer::No };
        result.basis = format!(
            "{} on the {signed}; review due {}.",
            if given { "Given" } else { "Refused" },
            show_date(record.review_due)
        );
    }
    result.answer_label = result.answer.label().into();
    result.record = Some(record);
    Ok(result)
}

/// A form a learner should have returned but has not (or whose yearly review is due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MissingForm {
    pub learner_id: String,
    pub name: String,
    pub centre: String,
    pub age: u32,
    pub form: String,
    pub form_title: String,
    /// "not returned", or "review due since dd/mm/yyyy".
    pub reason: String,
}

/// Who is missing which form on `on`, by the age rules, optionally for one centre.
pub fn missing(conn: &Connection, centre: Option<&str>, on: NaiveDate) -> Result<Vec<MissingForm>> {
    let templates = forms::all(conn)?;
    let mut stmt = conn.prepare(
        "SELECT id, name, dob, centre_code FROM learners
         WHERE (?1 IS NULL OR centre_code = upper(?1)) ORDER BY centre_code, name, id",
    )?;
    let learners: Vec<(String, String, String, String)> = stmt
        .query_map([centre], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, name, dob, centre) in learners {
        let Ok(learner) = Uuid::parse_str(&id) else {
            continue;
        };
        let Some(age) = age_on(parse_date(&dob), on) else {
            continue;
        };
        for form in templates.iter().filter(|f| f.applies_to_age(age)) {
            let record = current_record_on(conn, learner, &form.id, on)?;
            let reason = match record {
                None => "not returned".to_string(),
                Some(r) if on >= r.review_due => {
                    format!("review due since {}", show_date(r.review_due))
                }
                Some(_) => continue,
            };
            out.push(MissingForm {
                learner_id: id.clone(),
                name: name.clone(),
                centre: centre.clone(),
                age,
                form: form.id.clone(),
                form_title: form.title.clone(),
                reason,
            });
        }
    }
    Ok(out)
}

/// The forms (in the organisation's current wording) a learner of this date of birth is
/// given at an induction on `induction`, with their age that day.
pub fn forms_for(
    conn: &Connection,
    dob: NaiveDate,
    induction: NaiveDate,
) -> Result<(u32, Vec<FormTemplate>)> {
    let age = age_on(dob, induction).unwrap_or(0);
    Ok((age, forms::for_learner_age_in(conn, age)?))
}
