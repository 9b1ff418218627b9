//! Induction forms, consent records and the reports: printing a cohort's forms, recording a
//! returned form or a withdrawal, answering "may we use this learner's photograph for…?",
//! who is missing which form, and the quarterly figures and report.

use std::collections::BTreeMap;

use harbour::api::forms::{self as api, PrintFormsRequest, PrintedForms};
use harbour::domain::forms::{self, FormTemplate};
use harbour::domain::time::{parse_date, today};
use harbour::ops::consent::{self as ops, NewConsent};
use harbour::print::report as print_report;
use harbour::read::consent::{self as read, ConsentCheck, MissingForm};
use harbour::read::reports::{self, Figures, Period};
use harbour::Error;
use serde::Deserialize;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_forms(state: State<'_, AppState>) -> AppResult<Vec<FormTemplate>> {
    state.with(|h| forms::all(h.log().conn()))
}

#[tauri::command]
#[specta::specta]
pub async fn print_forms(
    state: State<'_, AppState>,
    input: PrintFormsRequest,
) -> AppResult<PrintedForms> {
    state.with(|h| api::print_forms(h, input))
}

/// A returned form as typed in from paper.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ConsentInput {
    pub learner: String,
    pub form: String,
    pub signed_by: String,
    pub relationship: String,
    /// 2026-09-07
    pub signed_on: String,
    /// Each purpose the form asks about: true for yes.
    pub answers: BTreeMap<String, bool>,
}

#[tauri::command]
#[specta::specta]
pub async fn record_consent(state: State<'_, AppState>, input: ConsentInput) -> AppResult<()> {
    state.with(|h| {
        ops::record(
            h.log_mut(),
            NewConsent {
                learner: input.learner,
                form: input.form,
                form_version: None,
                signed_by: input.signed_by,
                relationship: input.relationship,
                signed_on: parse_date(&input.signed_on)?,
                answers: input.answers,
            },
        )
        .map(|_| ())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn withdraw_consent(
    state: State<'_, AppState>,
    learner: String,
    form: String,
    purpose: Option<String>,
    withdrawn_on: String,
    note: Option<String>,
) -> AppResult<()> {
    state.with(|h| {
        let on = parse_date(&withdrawn_on)?;
        let purpose = purpose.filter(|p| !p.is_empty());
        let note = note.filter(|n| !n.trim().is_empty());
        ops::withdraw(h.log_mut(), &learner, &form, purpose.as_deref(), on, note).map(|_| ())
    })
}

/// "May we use … for this purpose?" today: yes, no, not recorded or not current, and why.
#[tauri::command]
#[specta::specta]
pub async fn check_consent(
    state: State<'_, AppState>,
    learner: String,
    purpose: String,
) -> AppResult<ConsentCheck> {
    state.with(|h| {
        let id = harbour::ops::resolve_learner(h.log(), &learner)?;
        read::check(h.log().conn(), id, &purpose, today())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn missing_forms(
    state: State<'_, AppState>,
    centre: Option<String>,
) -> AppResult<Vec<MissingForm>> {
    state.with(|h| {
        read::missing(
            h.log().conn(),
            centre.as_deref().filter(|c| !c.is_empty()),
            today(),
        )
    })
}

/// The period a report covers: a quarter (`2026-Q4`), or first and last days.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PeriodInput {
    pub quarter: Option<String>,
    pub first: Option<String>,
    pub last: Option<String>,
}

fn period(p: &PeriodInput) -> harbour::Result<Period> {
    match (&p.quarter, &p.first, &p.last) {
        (Some(q), _, _) if !q.is_empty() => reports::parse_quarter(q),
        (_, Some(first), Some(last)) => Period::between(parse_date(first)?, parse_date(last)?),
        _ => Err(Error::invalid(
            "Give a quarter such as 2026-Q4, or the first and last days of the period.",
        )),
    }
}

/// The report's figures for any period, as the reports screen shows them.
#[tauri::command]
#[specta::specta]
pub async fn report_figures(
    state: State<'_, AppState>,
    period_input: PeriodInput,
    named: bool,
) -> AppResult<Figures> {
    state.with(|h| {
        let p = period(&period_input)?;
        reports::figures(h.log().conn(), h.log().device().author, &p, named)
    })
}

/// Writes the report to the executive team as a PDF.
#[tauri::command]
#[specta::specta]
pub async fn print_report(
    state: State<'_, AppState>,
    period_input: PeriodInput,
    named: bool,
    path: String,
) -> AppResult<String> {
    state.with(|h| {
        let p = period(&period_input)?;
        let figures = reports::figures(h.log().conn(), h.log().device().author, &p, named)?;
        let path = harbour::api::output::file_to_write(
            &path,
            "pdf",
            harbour::api::output::default_folder().as_deref(),
        )?;
        print_report::render(&figures)?.write_to(&path)?;
        Ok(path.display().to_string())
    })
}
