//! An incident's procedures: steps done or not applicable, more procedures attached, and the
//! immediate-referral triggers that make an urgent police referral required.

use harbour::domain::procedures::{all, TRIGGERS};
use harbour::ops::incidents::resolve;
use harbour::ops::procedures::{self as ops, StepOutcome};
use harbour::read::procedures::{self as read, IncidentProcedures};
use serde::Serialize;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn get_procedures(
    state: State<'_, AppState>,
    reference: String,
) -> AppResult<IncidentProcedures> {
    state.with(|h| {
        let id = resolve(h.log(), &reference)?;
        read::show(h.log().conn(), id)
    })
}

/// Marks a step done (with an optional note) or, when `not_applicable_reason` is given,
/// not applicable for that reason.
#[tauri::command]
#[specta::specta]
pub async fn record_step(
    state: State<'_, AppState>,
    reference: String,
    step: String,
    note: Option<String>,
    not_applicable_reason: Option<String>,
) -> AppResult<()> {
    state.with(|h| {
        let log = h.log_mut();
        let id = resolve(log, &reference)?;
        let outcome = match not_applicable_reason {
            Some(reason) => StepOutcome::NotApplicable { reason },
            None => StepOutcome::Done {
                note: note.filter(|n| !n.trim().is_empty()),
            },
        };
        ops::step(log, id, &step, outcome)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn attach_procedure(
    state: State<'_, AppState>,
    reference: String,
    procedure: String,
) -> AppResult<String> {
    state.with(|h| {
        let log = h.log_mut();
        let id = resolve(log, &reference)?;
        ops::attach(log, id, &procedure)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn record_trigger(
    state: State<'_, AppState>,
    reference: String,
    trigger: String,
) -> AppResult<()> {
    state.with(|h| {
        let log = h.log_mut();
        let id = resolve(log, &reference)?;
        ops::trigger(log, id, &trigger).map(|_| ())
    })
}

/// A procedure template or trigger as offered in a list.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// What can be attached and which triggers can be recorded.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProcedureChoices {
    pub procedures: Vec<Choice>,
    pub triggers: Vec<Choice>,
}

/// The organisation's procedures (built-in, or as it adapted them) and the triggers.
#[tauri::command]
#[specta::specta]
pub async fn procedure_choices(state: State<'_, AppState>) -> AppResult<ProcedureChoices> {
    let procedures = state
        .with(|h| all(h.log().conn()))?
        .into_iter()
        .map(|p| Choice {
            label: format!("{} (version {})", p.title, p.version),
            id: p.id,
        })
        .collect();
    let triggers = TRIGGERS
        .iter()
        .map(|(id, label)| Choice {
            id: (*id).to_string(),
            label: (*label).to_string(),
        })
        .collect();
    Ok(ProcedureChoices {
        procedures,
        triggers,
    })
}

/// The procedures the policy offers for these categories, each with the question that decides
/// whether it applies: asked while a new incident is being recorded.
#[tauri::command]
#[specta::specta]
pub async fn offered_procedures(
    state: State<'_, AppState>,
    categories: Vec<String>,
) -> AppResult<Vec<harbour::read::procedures::Suggestion>> {
    state.with(|h| harbour::read::procedures::offered(h.log().conn(), &categories))
}
