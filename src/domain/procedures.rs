//! The built-in procedures (evidence-preservation checklists), read from
//! `assets/procedures/*.toml`, and the immediate-referral triggers.
//!
//! Procedures are data an organisation can adapt. Each has an id and a version; the version an
//! incident follows is recorded in the case log with its steps, so the case keeps showing the
//! checklist it was handled under after the data file changes.

use std::collections::BTreeSet;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::log::ProcedureStep;
use crate::{Error, Result};

const FILES: &[&str] = &[
    include_str!("../../assets/procedures/bullying-email-mobile.toml"),
    include_str!("../../assets/procedures/malicious-comments.toml"),
    include_str!("../../assets/procedures/sharing-nudes.toml"),
    include_str!("../../assets/procedures/upskirting.toml"),
    include_str!("../../assets/procedures/staff-allegation.toml"),
    include_str!("../../assets/procedures/prevent.toml"),
];

/// One procedure as its data file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureDef {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub source: String,
    /// Incident categories that follow this procedure as soon as they are recorded.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Incident categories for which this procedure is offered rather than attached: it
    /// applies to some incidents of the category, and `question` asks which.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_for: Vec<String>,
    /// The question the policy asks to decide whether the procedure applies, e.g. "Did it
    /// happen by e-mail or mobile phone?".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(rename = "step")]
    pub steps: Vec<ProcedureStep>,
}

/// Every built-in procedure.
pub fn built_in() -> Result<Vec<ProcedureDef>> {
    FILES
        .iter()
        .map(|text| {
            toml::from_str::<ProcedureDef>(text)
                .map_err(|e| Error::Integrity(format!("a built-in procedure file is damaged: {e}")))
        })
        .collect()
}

/// The procedure with this id.
pub fn find(id: &str) -> Result<ProcedureDef> {
    let id = id.trim().to_lowercase();
    built_in()?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound {
            what: "procedure",
            key: id,
        })
}

/// The procedures that incidents in these categories follow, in file order.
pub fn for_categories(categories: &[String]) -> Result<Vec<ProcedureDef>> {
    Ok(built_in()?
        .into_iter()
        .filter(|p| p.categories.iter().any(|c| categories.contains(c)))
        .collect())
}

/// Every procedure this organisation follows: the built-in ones, each replaced by the highest
/// adapted version of the same id, then procedures the organisation added, by id.
pub fn all(conn: &Connection) -> Result<Vec<ProcedureDef>> {
    let mut all = built_in()?;
    let mut stmt = conn.prepare("SELECT body FROM procedure_templates ORDER BY id")?;
    let bodies = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for body in bodies {
        let def: ProcedureDef = serde_json::from_str(&body).map_err(|e| {
            Error::Integrity(format!("an adapted procedure could not be read: {e}"))
        })?;
        match all.iter_mut().find(|p| p.id == def.id) {
            Some(slot) => *slot = def,
            None => all.push(def),
        }
    }
    Ok(all)
}

/// The procedure with this id, as this organisation follows it (adapted or built-in).
pub fn find_in(conn: &Connection, id: &str) -> Result<ProcedureDef> {
    let id = id.trim().to_lowercase();
    all(conn)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound {
            what: "procedure",
            key: id,
        })
}

/// The procedures that incidents in these categories follow, adapted ones included.
pub fn for_categories_in(conn: &Connection, categories: &[String]) -> Result<Vec<ProcedureDef>> {
    Ok(all(conn)?
        .into_iter()
        .filter(|p| p.categories.iter().any(|c| categories.contains(c)))
        .collect())
}

/// The procedures offered (not attached at once) to incidents in these categories, leaving out
/// those the categories attach anyway, in file order.
pub fn offered_for_categories_in(
    conn: &Connection,
    categories: &[String],
) -> Result<Vec<ProcedureDef>> {
    let all = all(conn)?;
    let attached: Vec<&str> = all
        .iter()
        .filter(|p| p.categories.iter().any(|c| categories.contains(c)))
        .map(|p| p.id.as_str())
        .collect();
    Ok(all
        .iter()
        .filter(|p| p.offered_for.iter().any(|c| categories.contains(c)))
        .filter(|p| !attached.contains(&p.id.as_str()))
        .cloned()
        .collect())
}

/// A procedure as a TOML file an organisation can edit and adapt.
pub fn to_toml(def: &ProcedureDef) -> Result<String> {
    toml::to_string(def)
        .map_err(|e| Error::Integrity(format!("a procedure could not be written as TOML: {e}")))
}

/// Reads and checks an edited procedure template: it must parse, have a title and at least
/// one step, and give every step an id and text, with no step id repeated.
pub fn parse_template(text: &str) -> Result<ProcedureDef> {
    let mut def: ProcedureDef = toml::from_str(text).map_err(|e| {
        let what = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        let line = e
            .span()
            .map(|s| {
                let before = text.get(..s.start).unwrap_or(text);
                format!(" on line {}", before.matches('\n').count() + 1)
            })
            .unwrap_or_default();
        Error::invalid(format!(
            "That file is not a procedure template Harbour can read: {}{line}.",
            what.trim_end_matches('.')
        ))
    })?;
    def.id = def.id.trim().to_lowercase();
    def.title = def.title.trim().to_string();
    def.source = def.source.trim().to_string();
    if def.id.is_empty() {
        return Err(Error::invalid("The procedure template needs an id."));
    }
    if def.title.is_empty() {
        return Err(Error::invalid("The procedure template needs a title."));
    }
    if def.steps.is_empty() {
        return Err(Error::invalid(
            "The procedure template needs at least one step.",
        ));
    }
    let mut seen = BTreeSet::new();
    for step in &mut def.steps {
        step.id = step.id.trim().to_lowercase();
        step.text = step.text.trim().to_string();
        if step.id.is_empty() || step.text.is_empty() {
            return Err(Error::invalid(
                "Every step of the procedure template needs an id and some text.",
            ));
        }
        if !seen.insert(step.id.clone()) {
            return Err(Error::invalid(format!(
                "The step id \u{201c}{}\u{201d} is used more than once in the procedure template.",
                step.id
            )));
        }
    }
    Ok(def)
}

/// The immediate-referral triggers (UKCIS), by code, with the words shown.
pub const TRIGGERS: &[(&str, &str)] = &[
    ("adult-involved", "an adult is involved"),
    ("coercion", "coercion, blackmail or grooming"),
    ("capacity", "concerns about a young person's capacity"),
    (
        "unusual-or-violent",
        "sexual acts unusual for the age, or violent",
    ),
    ("under-13", "a child under 13 is involved"),
    ("immediate-risk", "immediate risk of harm"),
];

/// Checks a trigger code.
pub fn parse_trigger(text: &str) -> Result<&'static str> {
    let t = text.trim().to_lowercase();
    TRIGGERS
        .iter()
        .find(|(code, _)| *code == t)
        .map(|(code, _)| *code)
        .ok_or_else(|| {
            let all: Vec<&str> = TRIGGERS.iter().map(|(c, _)| *c).collect();
            Error::invalid(format!(
                "\"{}\" is not an immediate-referral trigger; use one of: {}.",
                text.trim(),
                all.join(", ")
            ))
        })
}

/// The words shown for a trigger code.
pub fn trigger_label(code: &str) -> &str {
    TRIGGERS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
        .unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_procedures_read_and_map_categories() {
        let all = built_in().expect("procedures");
        assert_eq!(all.len(), 6);
        for p in &all {
            assert!(!p.steps.is_empty(), "{} has no steps", p.id);
            assert!(
                p.steps.iter().any(|s| s.required),
                "{} has no required step",
                p.id
            );
            let mut ids: Vec<_> = p.steps.iter().map(|s| s.id.clone()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), p.steps.len(), "{} repeats a step id", p.id);
        }
        let cats = built_in_categories();
        for p in &all {
            for c in &p.categories {
                assert!(cats.contains(c), "{} names unknown category {c}", p.id);
            }
        }
        let nudes = for_categories(&["nudes".into()]).expect("nudes");
        assert_eq!(nudes[0].id, "sharing-nudes");
        assert!(nudes[0].steps.iter().any(|s| s.required_when_flagged));
    }

    fn built_in_categories() -> Vec<String> {
        crate::domain::categories::built_in()
            .expect("categories")
            .into_iter()
            .map(|c| c.code)
            .collect()
    }
}
