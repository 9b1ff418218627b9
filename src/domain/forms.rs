//! The consent forms and agreements handed out at induction, read from `assets/forms/`.
//!
//! Each form is data (TOML): its id, version, title, purpose, what happens to the record,
//! how to withdraw, its points and its yes/no questions. Which forms a learner is given
//! follows their age on the induction date: a parent or carer signs for a learner under 18;
//! a learner aged 18 or over signs for themselves.
//!
//! An organisation can reword a form (`harbour forms adapt`, see `form_templates`): the
//! `*_in` functions read the `form_templates` projection and give the organisation's current
//! version of each form in place of the built-in one. Printing and recording consent use
//! those, so a printed form and the consent recorded from it carry the same version.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const BUILT_IN: &[(&str, &str)] = &[
    (
        "photo-video",
        include_str!("../../assets/forms/photo-video.toml"),
    ),
    (
        "online-learning",
        include_str!("../../assets/forms/online-learning.toml"),
    ),
    (
        "learner-aup",
        include_str!("../../assets/forms/learner-aup.toml"),
    ),
    (
        "staff-aup",
        include_str!("../../assets/forms/staff-aup.toml"),
    ),
];

/// Who is asked to sign a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    /// A parent or carer for a learner under 18; the learner themself from 18.
    Parent,
    /// The learner themself at any age.
    Learner,
    /// A member of staff.
    Staff,
}

/// Whom a form is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Learner,
    Staff,
}

/// One yes/no question: a purpose the signer agrees to or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Question {
    /// The purpose's id, e.g. `website`.
    pub id: String,
    pub text: String,
}

/// A form as its data file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormTemplate {
    pub id: String,
    pub version: String,
    pub title: String,
    pub signer: Signer,
    pub audience: Audience,
    /// Given to learners of at least this age on the induction date.
    #[serde(default)]
    pub min_age: Option<u32>,
    /// Given to learners of at most this age on the induction date.
    #[serde(default)]
    pub max_age: Option<u32>,
    pub purpose: String,
    #[serde(default)]
    pub notes: Vec<String>,
    /// How long the record is kept.
    pub retention: String,
    /// How to withdraw.
    pub withdraw: String,
    #[serde(default)]
    pub questions: Vec<Question>,
}

/// The age from which a learner signs consent forms for themselves.
pub const ADULT_AGE: u32 = 18;

impl FormTemplate {
    /// Whether a learner of `age` on the induction date is given this form.
    pub fn applies_to_age(&self, age: u32) -> bool {
        self.audience == Audience::Learner
            && self.min_age.is_none_or(|m| age >= m)
            && self.max_age.is_none_or(|m| age <= m)
    }

    /// Whether a parent or carer must sign this form for a learner of `age`.
    pub fn parent_signs(&self, age: u32) -> bool {
        self.signer == Signer::Parent && age < ADULT_AGE
    }

    /// The question for a purpose, if this form asks it.
    pub fn question(&self, purpose: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == purpose)
    }
}

/// Every built-in form, in the order they are printed.
pub fn built_in() -> Result<Vec<FormTemplate>> {
    BUILT_IN
        .iter()
        .map(|(name, text)| {
            toml::from_str::<FormTemplate>(text)
                .map_err(|e| Error::Integrity(format!("the built-in form {name} is damaged: {e}")))
        })
        .collect()
}

/// One form by its id.
pub fn find(id: &str) -> Result<FormTemplate> {
    let id = id.trim().to_lowercase();
    built_in()?.into_iter().find(|f| f.id == id).ok_or_else(|| {
        Error::invalid(format!(
            "There is no form called \"{id}\"; the forms are {}.",
            ids().join(", ")
        ))
    })
}

/// The ids of the built-in forms.
pub fn ids() -> Vec<String> {
    BUILT_IN.iter().map(|(id, _)| id.to_string()).collect()
}

/// The learner forms given to a learner of `age` on the induction date, in print order.
pub fn for_learner_age(age: u32) -> Result<Vec<FormTemplate>> {
    Ok(built_in()?
        .into_iter()
        .filter(|f| f.applies_to_age(age))
        .collect())
}

/// The form that asks about a purpose (e.g. `website` is on the photo and video form).
pub fn form_for_purpose(purpose: &str) -> Result<(FormTemplate, String)> {
    let p = purpose.trim().to_lowercase().replace([' ', '_'], "-");
    for f in built_in()? {
        if f.question(&p).is_some() {
            return Ok((f, p));
        }
    }
    let all: Vec<String> = built_in()?
        .into_iter()
        .flat_map(|f| f.questions.into_iter().map(|q| q.id))
        .collect();
    Err(Error::invalid(format!(
        "No form asks about \"{purpose}\"; the purposes are {}.",
        all.join(", ")
    )))
}

/// Every form as this organisation uses it, in print order: each built-in form, or the
/// highest version the organisation adapted of it.
pub fn all(conn: &Connection) -> Result<Vec<FormTemplate>> {
    let mut all = built_in()?;
    for slot in &mut all {
        if let Some(adapted) = super::form_templates::current_adapted(conn, &slot.id)? {
            *slot = adapted.form;
        }
    }
    Ok(all)
}

/// One form by its id, as this organisation uses it (adapted or built-in).
pub fn find_in(conn: &Connection, id: &str) -> Result<FormTemplate> {
    let id = id.trim().to_lowercase();
    all(conn)?.into_iter().find(|f| f.id == id).ok_or_else(|| {
        Error::invalid(format!(
            "There is no form called \"{id}\"; the forms are {}.",
            ids().join(", ")
        ))
    })
}

/// The learner forms (as this organisation uses them) for a learner of `age`, in print order.
pub fn for_learner_age_in(conn: &Connection, age: u32) -> Result<Vec<FormTemplate>> {
    Ok(all(conn)?
        .into_iter()
        .filter(|f| f.applies_to_age(age))
        .collect())
}

/// The form (as this organisation uses it) that asks about a purpose, and the purpose's id.
pub fn form_for_purpose_in(conn: &Connection, purpose: &str) -> Result<(FormTemplate, String)> {
    let (built_in, p) = form_for_purpose(purpose)?;
    Ok((find_in(conn, &built_in.id)?, p))
}

/// The current version of a form as a TOML file to edit, then adapt.
pub fn template_toml(conn: &Connection, id: &str) -> Result<String> {
    super::form_templates::to_toml(&find_in(conn, id)?)
}

/// Whether a relationship typed for a signature means the learner themself.
pub fn is_self(relationship: &str) -> bool {
    matches!(
        relationship.trim().to_lowercase().as_str(),
        "self" | "learner" | "the learner" | "themself" | "themselves" | "myself"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_reads_and_has_its_parts() {
        let forms = built_in().expect("forms");
        assert_eq!(forms.len(), 4);
        for (f, (id, _)) in forms.iter().zip(BUILT_IN) {
            assert_eq!(&f.id, id);
            assert!(!f.version.is_empty() && !f.retention.is_empty() && !f.withdraw.is_empty());
        }
        let photo = find("photo-video").expect("photo");
        let purposes: Vec<&str> = photo.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(purposes, ["internal", "website", "social-media", "press"]);
    }

    #[test]
    fn forms_follow_age() {
        let ids = |age| {
            for_learner_age(age)
                .expect("forms")
                .into_iter()
                .map(|f| f.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(16), ["photo-video", "online-learning", "learner-aup"]);
        assert_eq!(ids(18), ["photo-video", "learner-aup"]);
        assert!(!find("photo-video").expect("f").parent_signs(18));
        assert!(find("photo-video").expect("f").parent_signs(17));
    }
}
