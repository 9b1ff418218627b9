//! Incidents: the dashboard, lists, search, the incident page and everything recorded on it.

use harbour::domain::time::{parse_date, parse_instant, today};
use harbour::domain::{Agency, LearnerRole, Reporter, RiskLevel};
use harbour::ops::incidents::{self as ops, NewIncident, Opened};
use harbour::read::dashboard::{self, Dashboard};
use harbour::read::incidents::{self as read, IncidentDetail, IncidentFilter, IncidentSummary};
use harbour::read::search;
use serde::Deserialize;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn get_dashboard(state: State<'_, AppState>) -> AppResult<Dashboard> {
    state.with(|h| dashboard::dashboard(h.log().conn(), h.log().device().author, today()))
}

#[tauri::command]
#[specta::specta]
pub async fn list_incidents(
    state: State<'_, AppState>,
    filter: IncidentFilter,
) -> AppResult<Vec<IncidentSummary>> {
    state.with(|h| read::list(h.log().conn(), h.log().device().author, &filter))
}

#[tauri::command]
#[specta::specta]
pub async fn search_incidents(
    state: State<'_, AppState>,
    words: String,
) -> AppResult<Vec<IncidentSummary>> {
    state.with(|h| search::search(h.log().conn(), h.log().device().author, &words, 100))
}

#[tauri::command]
#[specta::specta]
pub async fn get_incident(
    state: State<'_, AppState>,
    reference: String,
) -> AppResult<IncidentDetail> {
    state.with(|h| {
        let id = ops::resolve(h.log(), &reference)?;
        read::detail(h.log().conn(), h.log().device().author, id)
    })
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct InvolvedInput {
    pub learner_id: String,
    pub role: LearnerRole,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct NewIncidentInput {
    pub learners: Vec<InvolvedInput>,
    pub categories: Vec<String>,
    pub account: String,
    /// Local UK time, e.g. 2026-11-20T15:30.
    pub occurred_at: String,
    pub reported_at: Option<String>,
    pub place: Option<String>,
    pub reporter_name: String,
    pub reporter_title: String,
    pub first_actions: Option<String>,
    pub concerns_staff: Option<String>,
    /// Procedures offered for its categories that the coordinator said apply, by id.
    pub procedures: Vec<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn new_incident(
    state: State<'_, AppState>,
    input: NewIncidentInput,
) -> AppResult<Opened> {
    state.with(|h| {
        let n = NewIncident {
            learners: input
                .learners
                .into_iter()
                .map(|l| (l.learner_id, l.role))
                .collect(),
            categories: input.categories,
            account: input.account,
            occurred_at: parse_instant(&input.occurred_at)?,
            reported_at: input
                .reported_at
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(parse_instant)
                .transpose()?,
            place: input.place,
            reporter: Reporter {
                name: input.reporter_name,
                job_title: input.reporter_title,
            },
            centre: None,
            concerns_staff: input.concerns_staff.filter(|s| !s.is_empty()),
            first_actions: input.first_actions,
            procedures: input.procedures,
        };
        ops::open(h.log_mut(), n)
    })
}

fn with_incident<T>(
    state: &State<'_, AppState>,
    reference: &str,
    f: impl FnOnce(&mut harbour::Harbour, uuid::Uuid) -> harbour::Result<T>,
) -> AppResult<T> {
    state.with(|h| {
        let id = ops::resolve(h.log(), reference)?;
        f(h, id)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn add_note(
    state: State<'_, AppState>,
    reference: String,
    text: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::note(h.log_mut(), id, &text).map(|_| ())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn correct_entry(
    state: State<'_, AppState>,
    reference: String,
    entry_id: String,
    text: String,
    reason: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::correct(h.log_mut(), id, &entry_id, &text, &reason).map(|_| ())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn refer(
    state: State<'_, AppState>,
    reference: String,
    agency: Agency,
    date: String,
    person: String,
    agency_reference: Option<String>,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        let date = parse_date(&date)?;
        ops::refer(
            h.log_mut(),
            id,
            agency,
            date,
            &person,
            agency_reference.as_deref(),
        )
    })
}

#[tauri::command]
#[specta::specta]
pub async fn decide(
    state: State<'_, AppState>,
    reference: String,
    decision: String,
    reason: String,
    not_to_refer: bool,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::decide(h.log_mut(), id, &decision, &reason, not_to_refer)
    })
}

/// Withdraws a referral, decision or action recorded in error, with the reason.
#[tauri::command]
#[specta::specta]
pub async fn withdraw_entry(
    state: State<'_, AppState>,
    reference: String,
    entry: String,
    reason: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::withdraw(h.log_mut(), id, &entry, &reason).map(|_| ())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn add_action(
    state: State<'_, AppState>,
    reference: String,
    description: String,
    owner: String,
    due: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        let due = parse_date(&due)?;
        ops::add_action(h.log_mut(), id, &description, &owner, due).map(|_| ())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn complete_action(
    state: State<'_, AppState>,
    reference: String,
    action_id: String,
    note: Option<String>,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::action_done(h.log_mut(), id, &action_id, note.as_deref())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn set_risk(
    state: State<'_, AppState>,
    reference: String,
    level: RiskLevel,
    reason: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::set_risk(h.log_mut(), id, level, &reason)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn link_incidents(
    state: State<'_, AppState>,
    reference: String,
    other: String,
    reason: Option<String>,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::link(h.log_mut(), id, &other, reason.as_deref())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn close_incident(
    state: State<'_, AppState>,
    reference: String,
    outcome: String,
    reason: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::close(h.log_mut(), id, &outcome, &reason)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn reopen_incident(
    state: State<'_, AppState>,
    reference: String,
    reason: String,
) -> AppResult<()> {
    with_incident(&state, &reference, |h, id| {
        ops::reopen(h.log_mut(), id, &reason)
    })
}
