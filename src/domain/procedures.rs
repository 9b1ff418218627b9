//! The built-in procedures (evidence-preservation checklists), read from
//! `assets/procedures/*.toml`, and the immediate-referral triggers.
//!
//! Procedures are data an organisation can adapt. Each has an id and a version; the version an
//! incident follows is recorded in the case log with its steps, so the case keeps showing the
//! checklist it was handled under after the data file changes.

use serde::Deserialize;

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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProcedureDef {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub source: String,
    /// Incident categories that follow this procedure as soon as they are recorded.
    #[serde(default)]
    pub categories: Vec<String>,
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
