//! An organisation's own wording of a consent form: reading and checking an edited template,
//! comparing versions, and reading the adapted versions back from `form_templates`.
//!
//! Consent records, withdrawals and `consent check` are kept by form id and question id, and
//! the consent rules decide who signs and at what ages. So an adapted form may change its
//! wording (title, purpose, notes, question text, retention, how to withdraw) but must keep
//! its id, its questions, who signs it and the ages it is for, and must carry a version
//! higher than the current one, so a signed paper form always names the wording it showed.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use rusqlite::{params, Connection};

use super::forms::{self, FormTemplate};
use crate::{Error, Result};

/// Shorthand for a refused template.
fn refused(sentence: impl Into<String>) -> Error {
    Error::FormTemplate(sentence.into())
}

/// A form version's numbers, e.g. `2026.1` is `[2026, 1]`; `2026.1` and `2026.1.0` are equal.
#[derive(Debug, Clone)]
pub struct FormVersion(Vec<u64>);

impl FormVersion {
    /// Reads a version written as numbers separated by dots.
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let parts: Option<Vec<u64>> = t
            .split('.')
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect();
        parts.map(FormVersion).ok_or_else(|| {
            refused(format!(
                "The form version \"{t}\" is not a version number; write it as numbers separated by dots, such as \"2026.2\"."
            ))
        })
    }

    fn trimmed(&self) -> &[u64] {
        let end = self
            .0
            .iter()
            .rposition(|n| *n != 0)
            .map(|i| i + 1)
            .unwrap_or(0);
        &self.0[..end]
    }
}

impl PartialEq for FormVersion {
    fn eq(&self, other: &Self) -> bool {
        self.trimmed() == other.trimmed()
    }
}

impl Eq for FormVersion {}

impl Ord for FormVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.trimmed().cmp(other.trimmed())
    }
}

impl PartialOrd for FormVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What the TOML parser said, in one sentence, with the line when it knows it.
fn toml_problem(text: &str, e: &toml::de::Error) -> Error {
    let what = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
    let line = e
        .span()
        .map(|s| {
            let before = text.get(..s.start).unwrap_or(text);
            format!(" on line {}", before.matches('\n').count() + 1)
        })
        .unwrap_or_default();
    refused(format!(
        "That file is not a form template Harbour can read: {}{line}.",
        what.trim_end_matches('.')
    ))
}

/// Reads an edited form template and tidies it (trimmed text, lower-case ids, no empty
/// notes). It is checked against the built-in form by `check_shape`.
pub fn parse_template(text: &str) -> Result<FormTemplate> {
    let mut form: FormTemplate = toml::from_str(text).map_err(|e| {
        // A version typed without quotes reads as a number, and 2026.10 would become 2026.1.
        let unquoted = toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| t.get("version").cloned())
            .is_some_and(|v| v.is_float() || v.is_integer());
        if unquoted {
            refused("Write the form's version in quotes, such as version = \"2026.2\".")
        } else {
            toml_problem(text, &e)
        }
    })?;
    form.id = form.id.trim().to_lowercase();
    form.version = form.version.trim().to_string();
    for text in [
        &mut form.title,
        &mut form.purpose,
        &mut form.retention,
        &mut form.withdraw,
    ] {
        *text = text.trim().to_string();
    }
    form.notes = form
        .notes
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    for q in &mut form.questions {
        q.id = q.id.trim().to_lowercase();
        q.text = q.text.trim().to_string();
    }
    Ok(form)
}

/// The checks that need only the template and the built-in form of the same id: a known id,
/// a version number, the text every form needs, the same questions, signer and ages.
pub fn check_shape(form: &FormTemplate) -> Result<()> {
    let built_in = forms::built_in()?
        .into_iter()
        .find(|f| f.id == form.id)
        .ok_or_else(|| {
            refused(format!(
                "There is no form called \"{}\"; an organisation can reword the forms {} but cannot add new ones.",
                form.id,
                forms::ids().join(", ")
            ))
        })?;
    FormVersion::parse(&form.version)?;
    for (text, name, what) in [
        (&form.title, "title", "its title"),
        (&form.purpose, "purpose", "what the form is for"),
        (&form.retention, "retention", "how long the record is kept"),
        (&form.withdraw, "withdraw", "how to withdraw"),
    ] {
        if text.trim().is_empty() {
            return Err(refused(format!(
                "The adapted form needs some text under `{name}` ({what})."
            )));
        }
    }
    if built_in.questions.is_empty() && form.notes.iter().all(|n| n.trim().is_empty()) {
        return Err(refused(
            "The adapted agreement needs at least one point under `notes`: the things the signer agrees to.",
        ));
    }
    if form.signer != built_in.signer || form.audience != built_in.audience {
        return Err(refused(
            "The adapted form changes who signs it or whom it is for (`signer`, `audience`); these follow the consent rules and cannot be changed.",
        ));
    }
    if form.min_age != built_in.min_age || form.max_age != built_in.max_age {
        return Err(refused(
            "The adapted form changes the ages it is given to (`min_age`, `max_age`); these follow the consent rules and cannot be changed.",
        ));
    }
    check_questions(form, &built_in)
}

fn check_questions(form: &FormTemplate, built_in: &FormTemplate) -> Result<()> {
    let mut seen = BTreeSet::new();
    for q in &form.questions {
        if q.id.trim().is_empty() || q.text.trim().is_empty() {
            return Err(refused(
                "Every question of the adapted form needs an id and some text.",
            ));
        }
        if !seen.insert(q.id.as_str()) {
            return Err(refused(format!(
                "The adapted form asks the question \"{}\" more than once.",
                q.id
            )));
        }
    }
    if let Some(gone) = built_in
        .questions
        .iter()
        .find(|q| !seen.contains(q.id.as_str()))
    {
        return Err(refused(format!(
            "The adapted form removes the question \"{}\"; questions can be reworded but not removed.",
            gone.id
        )));
    }
    if let Some(new) = form
        .questions
        .iter()
        .find(|q| built_in.question(&q.id).is_none())
    {
        return Err(refused(format!(
            "The adapted form adds the question \"{}\"; questions can be reworded but not added or renamed, because consent is recorded and checked by question.",
            new.id
        )));
    }
    Ok(())
}

/// Checks an edited template against the form as the organisation uses it now: its shape,
/// and a version higher than the current one.
pub fn check_adaptation(form: &FormTemplate, current: &FormTemplate) -> Result<()> {
    check_shape(form)?;
    if FormVersion::parse(&form.version)? <= FormVersion::parse(&current.version)? {
        return Err(refused(format!(
            "Version {} of the {} form is not newer than the current version {}, so nothing was changed; raise the version number and try again.",
            form.version, form.id, current.version
        )));
    }
    Ok(())
}

/// The note at the top of a copied template.
const TOML_HEADER: &str = "\
# A Harbour form template. Reword the title, purpose, notes, question texts, retention and
# withdraw text, raise `version` (in quotes, e.g. \"2026.2\"), then run
# `harbour forms adapt THIS-FILE`. The id, the question ids, who signs it (`signer`,
# `audience`) and the ages it is for (`min_age`, `max_age`) cannot change.

";

/// A form as a TOML file an organisation can edit and adapt.
pub fn to_toml(form: &FormTemplate) -> Result<String> {
    let body = toml::to_string_pretty(form)
        .map_err(|e| Error::Integrity(format!("a form could not be written as TOML: {e}")))?;
    Ok(format!("{TOML_HEADER}{body}"))
}

/// One adapted version of a form, as the case log recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdaptedForm {
    pub form: FormTemplate,
    pub event_id: String,
    /// The staff id of the coordinator who adapted it.
    pub author_id: String,
    pub device_id: String,
    /// When, by the case log's clock (milliseconds since 1970).
    pub at_ms: i64,
    order: (i64, i64, String, i64),
}

/// Every adapted version of a form, lowest version first, so the last is the current one (of
/// two equal versions such as 2026.1 and 2026.1.0, the one first in the log's order is last).
pub fn adapted_versions(conn: &Connection, id: &str) -> Result<Vec<AdaptedForm>> {
    let mut stmt = conn.prepare_cached(
        "SELECT body, event_id, author_id, device_id, at_ms, at_count, seq
         FROM form_templates WHERE id = ?1",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (body, event_id, author_id, device_id, at_ms, at_count, seq) = row?;
        let form: FormTemplate = serde_json::from_str(&body)
            .map_err(|e| Error::Integrity(format!("an adapted form could not be read: {e}")))?;
        let version = FormVersion::parse(&form.version).map_err(|_| {
            Error::Integrity(format!("an adapted {id} form has a damaged version."))
        })?;
        out.push((
            version,
            AdaptedForm {
                form,
                event_id,
                author_id,
                order: (at_ms, at_count, device_id.clone(), seq),
                device_id,
                at_ms,
            },
        ));
    }
    out.sort_by(|(va, a), (vb, b)| va.cmp(vb).then_with(|| b.order.cmp(&a.order)));
    Ok(out.into_iter().map(|(_, a)| a).collect())
}

/// The organisation's current version of a form, if it has adapted it: the highest version,
/// and of two equal versions the one first in the log's order.
pub fn current_adapted(conn: &Connection, id: &str) -> Result<Option<AdaptedForm>> {
    Ok(adapted_versions(conn, id)?.pop())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> FormVersion {
        FormVersion::parse(text).expect("version")
    }

    #[test]
    fn versions_compare_by_number() {
        assert!(v("2026.10") > v("2026.9"));
        assert!(v("2026.2") > v("2026.1"));
        assert!(v("2027") > v("2026.9"));
        assert_eq!(v("2026.1"), v("2026.1.0"));
        for bad in ["", "two", "2026.", "2026.a", "-1", "2026 1"] {
            assert!(FormVersion::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_copied_template_reads_back_unchanged() {
        for form in forms::built_in().expect("forms") {
            let text = to_toml(&form).expect("toml");
            let back = parse_template(&text).expect("parse");
            assert_eq!(back, form);
            check_shape(&back).expect("shape");
            assert!(check_adaptation(&back, &form).is_err());
        }
    }

    #[test]
    fn questions_can_be_reworded_not_removed_or_added() {
        let current = forms::find("photo-video").expect("form");
        let mut form = current.clone();
        form.version = "2026.2".into();
        form.questions[3].text = "Newspapers only.".into();
        check_adaptation(&form, &current).expect("reworded");

        let mut removed = form.clone();
        removed.questions.remove(3);
        let err = check_adaptation(&removed, &current).expect_err("removed");
        assert_eq!(
            err.to_string(),
            "The adapted form removes the question \"press\"; questions can be reworded but not removed."
        );

        let mut renamed = form.clone();
        renamed.questions[3].id = "newspapers".into();
        let err = check_adaptation(&renamed, &current).expect_err("renamed");
        assert!(err.to_string().contains("\"press\""), "{err}");

        let mut signer = form.clone();
        signer.signer = forms::Signer::Learner;
        assert!(check_adaptation(&signer, &current).is_err());

        let mut ages = form;
        ages.min_age = Some(16);
        assert!(check_adaptation(&ages, &current).is_err());
    }
}
