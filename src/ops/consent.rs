//! Recording the consent forms and agreements that come back signed, and withdrawals.
//!
//! A parent or carer signs the consent forms for a learner under 18 on the date of signing; a
//! learner aged 18 or over on that date signs for themselves, and a parent's signature is
//! refused. The Acceptable Use agreement is always signed by the learner.
//!
//! A form is checked against the organisation's current wording (`forms::find_in`), and the
//! record carries the version printed on the paper: the current one unless another version
//! Harbour printed is named.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::domain::forms::{self, Signer, ADULT_AGE};
use crate::domain::required;
use crate::domain::time::{age_on, show_date, today};
use crate::log::Body;
use crate::store::CaseLog;
use crate::{Error, Result};

/// A signed form as typed in from paper.
#[derive(Debug, Clone)]
pub struct NewConsent {
    /// The learner's id or a unique beginning of it.
    pub learner: String,
    pub form: String,
    /// The printed version, if not the current one.
    pub form_version: Option<String>,
    pub signed_by: String,
    pub relationship: String,
    pub signed_on: NaiveDate,
    /// Each purpose the form asks about, with the answer.
    pub answers: BTreeMap<String, bool>,
}

fn learner(log: &CaseLog, text: &str) -> Result<(Uuid, String, NaiveDate)> {
    let id = super::resolve_learner(log, text)?;
    let (name, dob): (String, String) = log.conn().query_row(
        "SELECT name, dob FROM learners WHERE id = ?1",
        [id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let dob = NaiveDate::parse_from_str(&dob, "%Y-%m-%d")
        .map_err(|_| Error::Integrity(format!("learner {id} has a damaged date of birth.")))?;
    Ok((id, name, dob))
}

fn check_date(date: NaiveDate, dob: NaiveDate, what: &str) -> Result<()> {
    if date > today() {
        return Err(Error::invalid(format!("The date {what} is in the future.")));
    }
    if date < dob {
        return Err(Error::invalid(format!(
            "The date {what} is before the learner was born."
        )));
    }
    Ok(())
}

/// A version typed for a returned form, checked against the versions Harbour has had.
fn known_version(log: &CaseLog, form: &forms::FormTemplate, typed: &str) -> Result<String> {
    let versions = crate::read::forms::versions(log.conn(), &form.id)?;
    if versions.iter().any(|v| v == typed) {
        return Ok(typed.to_string());
    }
    Err(Error::invalid(format!(
        "The {} form has no version \"{typed}\"; its versions are {}.",
        form.id,
        versions.join(", ")
    )))
}

/// Records a returned form; returns the event's id.
pub fn record(log: &mut CaseLog, c: NewConsent) -> Result<Uuid> {
    let (id, name, dob) = learner(log, &c.learner)?;
    let form = forms::find_in(log.conn(), &c.form)?;
    if form.audience != forms::Audience::Learner {
        return Err(Error::invalid(format!(
            "The {} is for staff, not learners.",
            form.title
        )));
    }
    check_date(c.signed_on, dob, "it was signed")?;
    let signed_by = required("The name of the person who signed", &c.signed_by)?;
    let relationship = required("Their relationship to the learner", &c.relationship)?;
    let age = age_on(dob, c.signed_on).unwrap_or(0);
    let on = show_date(c.signed_on);
    if !form.applies_to_age(age) {
        return Err(Error::invalid(format!(
            "The {} form is only for learners under {ADULT_AGE}, and {name} was {age} on {on}.",
            form.title.to_lowercase()
        )));
    }
    let is_self = forms::is_self(&relationship);
    match form.signer {
        Signer::Parent if age >= ADULT_AGE && !is_self => {
            return Err(Error::invalid(format!(
                "{name} was {age} on {on}, so they sign this form themselves: a parent's or carer's signature cannot be recorded (give the relationship as Self)."
            )));
        }
        Signer::Parent if age < ADULT_AGE && is_self => {
            return Err(Error::invalid(format!(
                "{name} was {age} on {on}, so a parent or carer must sign this form, not the learner."
            )));
        }
        Signer::Learner if !is_self => {
            return Err(Error::invalid(format!(
                "The {} is signed by the learner themselves: give the relationship as Self.",
                form.title
            )));
        }
        _ => {}
    }
    for purpose in c.answers.keys() {
        if form.question(purpose).is_none() {
            return Err(Error::invalid(if form.questions.is_empty() {
                format!(
                    "The {} asks no questions, so there are no answers to record.",
                    form.title
                )
            } else {
                format!(
                    "The {} form does not ask about \"{purpose}\"; it asks about {}.",
                    form.title.to_lowercase(),
                    form.questions
                        .iter()
                        .map(|q| q.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }));
        }
    }
    let unanswered: Vec<&str> = form
        .questions
        .iter()
        .filter(|q| !c.answers.contains_key(&q.id))
        .map(|q| q.id.as_str())
        .collect();
    if !unanswered.is_empty() {
        return Err(Error::invalid(format!(
            "Give an answer (yes or no) for every purpose on the form; missing: {}.",
            unanswered.join(", ")
        )));
    }
    let form_version = match c.form_version {
        Some(v) => known_version(log, &form, &required("The form version", &v)?)?,
        None => form.version.clone(),
    };
    let event = log.append(Body::ConsentRecorded {
        learner_id: id,
        form: form.id,
        form_version,
        signed_on: c.signed_on,
        signed_by,
        relationship,
        answers: c.answers,
    })?;
    Ok(event.header.id)
}

/// Records that consent was withdrawn, for one purpose or the whole form.
pub fn withdraw(
    log: &mut CaseLog,
    learner_text: &str,
    form_id: &str,
    purpose: Option<&str>,
    on: NaiveDate,
    note: Option<String>,
) -> Result<Uuid> {
    let (id, name, dob) = learner(log, learner_text)?;
    let form = forms::find_in(log.conn(), form_id)?;
    if form.questions.is_empty() {
        return Err(Error::invalid(format!(
            "The {} is an agreement, not a consent, so it cannot be withdrawn.",
            form.title
        )));
    }
    check_date(on, dob, "of withdrawal")?;
    let purpose = match purpose {
        Some(p) => {
            let p = p.trim().to_lowercase().replace([' ', '_'], "-");
            if form.question(&p).is_none() {
                return Err(Error::invalid(format!(
                    "The {} form does not ask about \"{p}\".",
                    form.title.to_lowercase()
                )));
            }
            Some(p)
        }
        None => None,
    };
    let recorded = log
        .conn()
        .query_row(
            "SELECT 1 FROM consents WHERE learner_id = ?1 AND form = ?2 AND signed_on <= ?3",
            rusqlite::params![id.to_string(), form.id, on.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !recorded {
        return Err(Error::invalid(format!(
            "No {} form is recorded for {name} on or before {}, so there is nothing to withdraw.",
            form.title.to_lowercase(),
            show_date(on)
        )));
    }
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let event = log.append(Body::ConsentWithdrawn {
        learner_id: id,
        form: form.id,
        purpose,
        withdrawn_on: on,
        note,
    })?;
    Ok(event.header.id)
}
