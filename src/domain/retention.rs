//! Retention rules: how long each kind of record Harbour holds is kept before it is reviewed.
//!
//! The rules are data (`assets/retention/*.toml`), one per kind of record, versioned, each
//! with the source its period comes from (the IRMS Records Management Toolkit for Schools,
//! KCSIE, the organisation's Retention of Records Policy). An organisation adapts one with a
//! higher version (`harbour retention copy` and `adapt`), recorded as a
//! `retention_rule_adapted` event, like procedures and forms.
//!
//! A rule either gives periods (`[[keep]]`: a starting point and a number of years; the
//! review date is the latest of them that Harbour can work out) or says the record is kept
//! with another (`kept_with`: evidence with its incident, a transfer with the learner's file).

use chrono::{Months, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const FILES: &[&str] = &[
    include_str!("../../assets/retention/learner-file.toml"),
    include_str!("../../assets/retention/staff-allegation.toml"),
    include_str!("../../assets/retention/consent.toml"),
    include_str!("../../assets/retention/evidence.toml"),
    include_str!("../../assets/retention/referral.toml"),
    include_str!("../../assets/retention/transfer.toml"),
];

/// Every kind of record Harbour holds, with the starting points its periods may count from.
pub const RECORD_KINDS: &[(&str, &[&str])] = &[
    (
        "learner-file",
        &["date-of-birth", "newest-incident", "leaving"],
    ),
    ("staff-allegation", &["allegation", "pension-age"]),
    ("consent", &["leaving"]),
    ("evidence", &[]),
    ("referral", &[]),
    ("transfer", &[]),
];

/// What a record may be kept with, instead of having periods of its own.
pub const KEPT_WITH: &[&str] = &["incident", "learner-file"];

/// The longest period a rule may give, in years (a typo guard: 250 years is not a rule).
pub const MAX_YEARS: i64 = 150;

/// One period of a rule: so many years from a starting point.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPeriod {
    /// `date-of-birth`, `newest-incident`, `leaving`, `allegation` or `pension-age` (years
    /// from the member of staff's date of birth).
    pub from: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub years: i64,
}

/// One retention rule, as its data file describes it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRule {
    /// The kind of record (see `RECORD_KINDS`); one rule per kind.
    pub record: String,
    pub version: u32,
    pub title: String,
    /// Where the period comes from. Required.
    #[serde(default)]
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Kept as long as the record it belongs to (`incident`, `learner-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_with: Option<String>,
    /// The review date is the latest of these that can be worked out.
    #[serde(default, rename = "keep", skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<RetentionPeriod>,
}

impl RetentionPeriod {
    /// The words shown for this period, e.g. "date of birth + 25 years".
    pub fn describe(&self) -> String {
        let from = match self.from.as_str() {
            "date-of-birth" => "date of birth",
            "newest-incident" => "the newest incident they appear in",
            "leaving" => "leaving the centre",
            "allegation" => "the allegation",
            "pension-age" => {
                return format!("normal pension age ({} years of age)", self.years);
            }
            other => other,
        };
        let unit = if self.years == 1 { "year" } else { "years" };
        format!("{from} + {} {unit}", self.years)
    }

    /// `start` plus this period's years (29 February becomes 28 February).
    pub fn after(&self, start: NaiveDate) -> Option<NaiveDate> {
        let months = u32::try_from(self.years.checked_mul(12)?).ok()?;
        start.checked_add_months(Months::new(months))
    }
}

fn refused(sentence: impl Into<String>) -> Error {
    Error::RetentionRule(sentence.into())
}

/// Checks a rule on its own: a known kind of record, a title and a source, periods that are
/// not negative and count from a starting point that kind has, or a record it is kept with.
pub fn check_shape(rule: &RetentionRule) -> Result<()> {
    let Some((_, starts)) = RECORD_KINDS.iter().find(|(k, _)| *k == rule.record) else {
        let all: Vec<&str> = RECORD_KINDS.iter().map(|(k, _)| *k).collect();
        return Err(refused(format!(
            "\u{201c}{}\u{201d} is not a kind of record Harbour holds, so the rule was not adopted; use one of: {}.",
            rule.record,
            all.join(", ")
        )));
    };
    if rule.title.trim().is_empty() {
        return Err(refused(format!(
            "The retention rule for {} needs a title, so it was not adopted.",
            rule.record
        )));
    }
    if rule.source.trim().is_empty() {
        return Err(refused(format!(
            "The retention rule for {} has no source, so it was not adopted; say where its period comes from (the IRMS toolkit, KCSIE or your own policy).",
            rule.record
        )));
    }
    for p in &rule.periods {
        if p.years < 0 {
            return Err(refused(format!(
                "The retention rule for {} gives a negative period ({} years from {}), so it was not adopted; a record cannot be kept for less than no time.",
                rule.record, p.years, p.from
            )));
        }
        if p.years > MAX_YEARS {
            return Err(refused(format!(
                "The retention rule for {} gives {} years from {}, which is more than {MAX_YEARS}, so it was not adopted; check the number.",
                rule.record, p.years, p.from
            )));
        }
        if !starts.contains(&p.from.as_str()) {
            let what = if starts.is_empty() {
                "none: it is kept with another record".to_string()
            } else {
                starts.join(", ")
            };
            return Err(refused(format!(
                "A period of the retention rule for {} counts from \u{201c}{}\u{201d}, which that record does not have, so it was not adopted; it may count from {what}.",
                rule.record, p.from
            )));
        }
    }
    match (&rule.kept_with, rule.periods.is_empty()) {
        (Some(with), true) if KEPT_WITH.contains(&with.as_str()) => Ok(()),
        (Some(with), true) => Err(refused(format!(
            "The retention rule for {} is kept with \u{201c}{with}\u{201d}, which is not a record Harbour holds, so it was not adopted; use {}.",
            rule.record,
            KEPT_WITH.join(" or ")
        ))),
        (Some(_), false) => Err(refused(format!(
            "The retention rule for {} gives both periods and a record it is kept with, so it was not adopted; give one or the other.",
            rule.record
        ))),
        (None, true) => Err(refused(format!(
            "The retention rule for {} gives no period, so it was not adopted; add a [[keep]] period or say what it is kept with.",
            rule.record
        ))),
        (None, false) => Ok(()),
    }
}

/// Reads and checks an edited rule file, tidying its text.
pub fn parse_template(text: &str) -> Result<RetentionRule> {
    let mut rule: RetentionRule = toml::from_str(text).map_err(|e| {
        let what = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        let line = e
            .span()
            .map(|s| {
                let before = text.get(..s.start).unwrap_or(text);
                format!(" on line {}", before.matches('\n').count() + 1)
            })
            .unwrap_or_default();
        refused(format!(
            "That file is not a retention rule Harbour can read: {}{line}.",
            what.trim_end_matches('.')
        ))
    })?;
    rule.record = rule.record.trim().to_lowercase();
    rule.title = rule.title.trim().to_string();
    rule.source = rule.source.trim().to_string();
    rule.note = rule
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    rule.kept_with = rule.kept_with.map(|k| k.trim().to_lowercase());
    for p in &mut rule.periods {
        p.from = p.from.trim().to_lowercase();
    }
    check_shape(&rule)?;
    Ok(rule)
}

/// Every built-in rule, in file order.
pub fn built_in() -> Result<Vec<RetentionRule>> {
    FILES
        .iter()
        .map(|text| {
            toml::from_str::<RetentionRule>(text).map_err(|e| {
                Error::Integrity(format!("a built-in retention rule file is damaged: {e}"))
            })
        })
        .collect()
}

/// Every rule as this organisation follows it: each built-in rule replaced by the highest
/// adapted version of the same kind of record.
pub fn all(conn: &Connection) -> Result<Vec<RetentionRule>> {
    let mut all = built_in()?;
    let mut stmt = conn.prepare_cached("SELECT body FROM retention_rules ORDER BY record")?;
    let bodies = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for body in bodies {
        let rule: RetentionRule = serde_json::from_str(&body).map_err(|e| {
            Error::Integrity(format!("an adapted retention rule could not be read: {e}"))
        })?;
        if let Some(slot) = all.iter_mut().find(|r| r.record == rule.record) {
            *slot = rule;
        }
    }
    Ok(all)
}

/// The rule for one kind of record, as this organisation follows it.
pub fn find_in(conn: &Connection, record: &str) -> Result<RetentionRule> {
    let record = record.trim().to_lowercase();
    all(conn)?
        .into_iter()
        .find(|r| r.record == record)
        .ok_or(Error::NotFound {
            what: "retention rule",
            key: record,
        })
}

/// A rule as a TOML file an organisation can edit and adapt.
pub fn to_toml(rule: &RetentionRule) -> Result<String> {
    toml::to_string(rule).map_err(|e| {
        Error::Integrity(format!(
            "a retention rule could not be written as TOML: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_rule_passes_the_checks_and_every_kind_has_one() {
        let rules = built_in().expect("rules");
        for r in &rules {
            check_shape(r).unwrap_or_else(|e| panic!("{}: {e}", r.record));
        }
        for (kind, _) in RECORD_KINDS {
            assert_eq!(
                rules.iter().filter(|r| r.record == *kind).count(),
                1,
                "{kind} needs exactly one built-in rule"
            );
        }
    }

    #[test]
    fn the_child_protection_file_is_reviewed_at_25_and_a_leap_day_lands_on_28_february() {
        let rule = built_in()
            .expect("rules")
            .into_iter()
            .find(|r| r.record == "learner-file")
            .expect("learner-file");
        let dob = NaiveDate::from_ymd_opt(2008, 2, 29).expect("date");
        let p = &rule.periods[0];
        assert_eq!(p.from, "date-of-birth");
        assert_eq!(p.after(dob), NaiveDate::from_ymd_opt(2033, 2, 28));
    }

    #[test]
    fn a_rule_with_an_unknown_starting_point_is_refused() {
        let text = "record = \"consent\"\nversion = 2\ntitle = \"t\"\nsource = \"s\"\n[[keep]]\nfrom = \"allegation\"\nyears = 1\n";
        let e = parse_template(text).expect_err("refused");
        assert!(e.to_string().contains("does not have"), "{e}");
    }
}
