//! Retention: records due for review, a record's review date and rule, review decisions,
//! legal holds, and the rules. A record is named as the command line names it: an
//! incident's reference, a learner's id (their file), or `consent:ID`.

use harbour::domain::time::{parse_date, today};
use harbour::log::RetentionDecision;
use harbour::ops::retention::{self as ops, Review};
use harbour::read::retention::{self as read, Hold, Retention, RuleSummary};
use serde::Deserialize;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// Records due for review on `on` (2034-04-17; today when absent).
#[tauri::command]
#[specta::specta]
pub async fn retention_due(
    state: State<'_, AppState>,
    on: Option<String>,
) -> AppResult<Vec<Retention>> {
    state.with(|h| {
        let on = match on.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => parse_date(d)?,
            None => today(),
        };
        read::due(h.log().conn(), h.log().device().author, on)
    })
}

/// A record's review date, the rule behind it, its latest decision and any hold.
#[tauri::command]
#[specta::specta]
pub async fn record_retention(
    state: State<'_, AppState>,
    record: String,
) -> AppResult<Option<Retention>> {
    state.with(|h| {
        let record = ops::resolve_record(h.log(), &record)?;
        read::of(h.log().conn(), h.log().device().author, record)
    })
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ReviewInput {
    pub record: String,
    /// Keep until this date (2031-06-30); absent to destroy.
    pub keep_until: Option<String>,
    pub reason: String,
    /// Destroy before the review date: the explicit override.
    pub early: bool,
}

/// Records a review decision: keep until a new date, or destroy, with the reason.
#[tauri::command]
#[specta::specta]
pub async fn review_record(state: State<'_, AppState>, input: ReviewInput) -> AppResult<Retention> {
    state.with(|h| {
        let record = ops::resolve_record(h.log(), &input.record)?;
        let decision = match input.keep_until.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => RetentionDecision::Keep {
                until: parse_date(d)?,
            },
            None => RetentionDecision::Destroy,
        };
        ops::review(
            h.log_mut(),
            record,
            Review {
                decision,
                reason: input.reason,
                early: input.early,
            },
            today(),
        )
    })
}

/// Places a legal hold on a record; returns the hold's id.
#[tauri::command]
#[specta::specta]
pub async fn place_hold(
    state: State<'_, AppState>,
    record: String,
    reason: String,
) -> AppResult<String> {
    state.with(|h| {
        let record = ops::resolve_record(h.log(), &record)?;
        ops::hold(h.log_mut(), record, &reason).map(|id| id.to_string())
    })
}

/// Lifts the legal holds placed on a record, with the reason; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn lift_hold(
    state: State<'_, AppState>,
    record: String,
    reason: String,
) -> AppResult<u32> {
    state.with(|h| {
        let record = ops::resolve_record(h.log(), &record)?;
        ops::lift(h.log_mut(), record, &reason).map(|n| n as u32)
    })
}

/// Legal holds in force.
#[tauri::command]
#[specta::specta]
pub async fn list_holds(state: State<'_, AppState>) -> AppResult<Vec<Hold>> {
    state.with(|h| read::holds_in_force(h.log().conn(), h.log().device().author))
}

/// The retention rule for each kind of record, with its source.
#[tauri::command]
#[specta::specta]
pub async fn retention_rules(state: State<'_, AppState>) -> AppResult<Vec<RuleSummary>> {
    state.with(|h| read::rules(h.log().conn()))
}
