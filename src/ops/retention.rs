//! Retention: adapting a rule, reviewing a record (keep it until a new date, or destroy it,
//! with the reason), and placing or lifting a legal hold.
//!
//! Destroying is recorded as a decision (`retention_reviewed`): the case log is signed and
//! append-only, so Harbour cannot yet erase a learner's file from it; the decision, who made
//! it, when and why, is what is kept, as the record of destruction must be. A record under a
//! legal hold is never destroyed, and destroying before the review date needs the explicit
//! override (`early`) as well as the reason.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::domain::retention::{self as rules, parse_template, RetentionRule};
use crate::domain::text;
use crate::domain::time::show_date;
use crate::log::{Body, RecordRef, RetentionDecision};
use crate::read::retention as read;
use crate::store::CaseLog;
use crate::{Error, Result};

/// The furthest ahead a record may be kept until, in years from today.
pub const MAX_KEEP_YEARS: i32 = 150;

/// The current rule for a kind of record (adapted or built-in) as TOML to edit.
pub fn copy(log: &CaseLog, record: &str) -> Result<String> {
    rules::to_toml(&rules::find_in(log.conn(), record)?)
}

/// Records an organisation's own version of a retention rule, read from TOML. It must pass
/// the rule checks (a known kind of record, a source, periods that are not negative) and
/// carry a version higher than the current one.
pub fn adapt(log: &mut CaseLog, text: &str) -> Result<RetentionRule> {
    let rule = parse_template(text)?;
    let current = rules::find_in(log.conn(), &rule.record)?;
    if rule.version <= current.version {
        return Err(Error::RetentionRule(format!(
            "Version {} of the retention rule for {} is not newer than the current version {}, so nothing was changed; raise the version number and try again.",
            rule.version, rule.record, current.version
        )));
    }
    log.append(Body::RetentionRuleAdapted { rule: rule.clone() })?;
    Ok(rule)
}

/// Finds a record: an incident's reference (or `incident:REF`), a learner's id for their
/// file (or `learner:ID`), or `consent:ID` for a learner's consent records.
pub fn resolve_record(log: &CaseLog, text: &str) -> Result<RecordRef> {
    let t = text.trim();
    if let Some((kind, rest)) = t.split_once(':') {
        match kind.trim().to_lowercase().as_str() {
            "incident" => return Ok(RecordRef::Incident(super::incidents::resolve(log, rest)?)),
            "learner" | "file" => {
                return Ok(RecordRef::LearnerFile(super::resolve_learner(log, rest)?))
            }
            "consent" => return Ok(RecordRef::Consent(super::resolve_learner(log, rest)?)),
            _ => {}
        }
    }
    if let Ok(i) = super::incidents::resolve(log, t) {
        return Ok(RecordRef::Incident(i));
    }
    super::resolve_learner(log, t)
        .map(RecordRef::LearnerFile)
        .map_err(|_| Error::NotFound {
            what: "record (an incident's reference or a learner's id)",
            key: t.to_string(),
        })
}

fn status(log: &CaseLog, record: RecordRef) -> Result<read::Retention> {
    let viewer = log.device().author;
    match read::of(log.conn(), viewer, record)? {
        Some(r) => Ok(r),
        None => match record {
            RecordRef::Incident(_) => Err(Error::invalid(format!(
                "{} is part of the files of the learners in it, so it is reviewed with them; review a learner's file instead.",
                read::label(log.conn(), record)?
            ))),
            _ => Err(Error::invalid(format!(
                "{} has no consent records to review.",
                read::label(log.conn(), RecordRef::LearnerFile(record.id()))?
            ))),
        },
    }
}

/// What a review decides, as given.
#[derive(Debug, Clone)]
pub struct Review {
    pub decision: RetentionDecision,
    pub reason: String,
    /// The explicit override for destroying before the review date.
    pub early: bool,
}

/// Records a review of `record` on `today`. Keeping needs a date after today; destroying is
/// refused while a legal hold covers the record, and before the review date without the
/// override. Returns the record's retention as it now stands.
pub fn review(
    log: &mut CaseLog,
    record: RecordRef,
    given: Review,
    today: NaiveDate,
) -> Result<read::Retention> {
    let reason = text::block("The reason for the decision", &given.reason)?;
    let current = status(log, record)?;
    if current.destroyed {
        return Err(Error::invalid(format!(
            "{} has already been decided for destruction, so nothing was changed.",
            current.label
        )));
    }
    match given.decision {
        RetentionDecision::Keep { until } => {
            if until <= today {
                return Err(Error::invalid(format!(
                    "To keep {} the new review date must be after today, and {} is not; nothing was changed.",
                    current.label,
                    show_date(until)
                )));
            }
            let latest = today
                .checked_add_months(chrono::Months::new(MAX_KEEP_YEARS as u32 * 12))
                .unwrap_or(today);
            if until > latest {
                return Err(Error::invalid(format!(
                    "The new review date {} is more than {MAX_KEEP_YEARS} years ahead; check the year.",
                    show_date(until)
                )));
            }
        }
        RetentionDecision::Destroy => {
            if !current.holds.is_empty() {
                return Err(Error::Held(format!(
                    "{} is under a legal hold, so it cannot be destroyed and nothing was changed.",
                    current.label
                )));
            }
            if !given.early {
                match current.review_on {
                    Some(d) if d <= today => {}
                    Some(d) => {
                        return Err(Error::invalid(format!(
                            "{} is not due for review until {}, so it was not destroyed; destroying it earlier needs an explicit override and its reason.",
                            current.label,
                            show_date(d)
                        )))
                    }
                    None => {
                        return Err(Error::invalid(format!(
                            "{} has no review date yet, so it was not destroyed; destroying it needs an explicit override and its reason.",
                            current.label
                        )))
                    }
                }
            }
        }
    }
    let early = matches!(given.decision, RetentionDecision::Destroy)
        && given.early
        && current.review_on.is_none_or(|d| d > today);
    log.append(Body::RetentionReviewed {
        record,
        rule: current.rule.clone(),
        rule_version: current.rule_version,
        due_on: current.review_on,
        decision: given.decision,
        reason,
        early,
    })?;
    status(log, record)
}

/// Places a legal hold on a record, with the reason (the inquiry or proceedings). Returns
/// the hold's id.
pub fn hold(log: &mut CaseLog, record: RecordRef, reason: &str) -> Result<Uuid> {
    let reason = text::block("The reason for the hold", reason)?;
    // Checks the record exists and may be seen here.
    match record {
        RecordRef::Incident(id) => {
            let visible: bool = log.conn().query_row(
                "SELECT count(*) > 0 FROM incidents WHERE id = ?1
                   AND (concerns_staff IS NULL OR concerns_staff <> ?2)",
                rusqlite::params![id.to_string(), log.device().author.to_string()],
                |r| r.get(0),
            )?;
            if !visible {
                return Err(Error::NotFound {
                    what: "incident",
                    key: id.to_string(),
                });
            }
        }
        RecordRef::LearnerFile(_) | RecordRef::Consent(_) => {
            read::learner_file(log.conn(), log.device().author, record.id())?;
        }
    }
    let hold_id = Uuid::now_v7();
    log.append(Body::LegalHoldPlaced {
        hold_id,
        record,
        reason,
    })?;
    Ok(hold_id)
}

/// Lifts every legal hold placed on this record, with the reason. Returns how many.
pub fn lift(log: &mut CaseLog, record: RecordRef, reason: &str) -> Result<usize> {
    let reason = text::block("The reason for lifting the hold", reason)?;
    let ids: Vec<String> = log
        .conn()
        .prepare_cached(
            "SELECT id FROM legal_holds WHERE record_type = ?1 AND record_id = ?2 AND lifted_event IS NULL
             ORDER BY placed_ms, id",
        )?
        .query_map(
            rusqlite::params![record.code(), record.id().to_string()],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        let label = read::label(log.conn(), record)?;
        let through = read::holds(log.conn(), record)?;
        return Err(match through.first() {
            Some(h) => Error::invalid(format!(
                "{label} is held through the hold on {}, so that is the one to lift; nothing was changed.",
                h.on_label
            )),
            None => Error::invalid(format!(
                "There is no legal hold on {label} to lift; nothing was changed."
            )),
        });
    }
    let bodies = ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .map(|hold_id| Body::LegalHoldLifted {
            hold_id,
            record,
            reason: reason.clone(),
        })
        .collect::<Vec<_>>();
    let n = bodies.len();
    log.append_all(bodies)?;
    Ok(n)
}
