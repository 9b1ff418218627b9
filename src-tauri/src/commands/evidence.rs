//! Evidence on an incident's page: capture, imagery recorded (never stored), opening a copy,
//! hand-over and return; and the evidence pack for the police or CEOP.

use std::path::PathBuf;

use harbour::domain::time::{parse_date, today};
use harbour::ops::evidence::{self as ops, Captured, NewEvidence};
use harbour::ops::incidents::resolve;
use std::sync::atomic::Ordering;

use harbour::ops::packs::{self, Checked, Exported, Progress};
use harbour::read::evidence::{self as read, IncidentEvidence};
use serde::Deserialize;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn get_evidence(
    state: State<'_, AppState>,
    reference: String,
) -> AppResult<IncidentEvidence> {
    state.with(|h| {
        let id = resolve(h.log(), &reference)?;
        read::for_incident_in(h, id)
    })
}

/// A file chosen in the dialog and what the coordinator says about it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct EvidenceInput {
    pub path: String,
    pub description: String,
    pub shows: Option<String>,
    pub source: Option<String>,
    pub username: Option<String>,
    pub platform: Option<String>,
    pub device_held_by: Option<String>,
    pub device_location: Option<String>,
}

fn given(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// Streams the file into the encrypted store (refused for imagery on a nudes or up-skirting
/// incident, whatever the file is called).
#[tauri::command]
#[specta::specta]
pub async fn add_evidence(
    state: State<'_, AppState>,
    reference: String,
    input: EvidenceInput,
) -> AppResult<Captured> {
    state.with(|h| {
        let id = resolve(h.log(), &reference)?;
        ops::add(
            h,
            id,
            NewEvidence {
                file: PathBuf::from(input.path),
                description: input.description,
                shows: given(input.shows),
                source: given(input.source),
                username: given(input.username),
                platform: given(input.platform),
                device_held_by: given(input.device_held_by),
                device_location: given(input.device_location),
            },
        )
    })
}

#[tauri::command]
#[specta::specta]
pub async fn record_imagery(
    state: State<'_, AppState>,
    reference: String,
    location: String,
    held_by: String,
    device_owner: Option<String>,
    action_taken: Option<String>,
) -> AppResult<()> {
    state.with(|h| {
        let log = h.log_mut();
        let id = resolve(log, &reference)?;
        ops::record_imagery(
            log,
            id,
            &location,
            &held_by,
            given(device_owner),
            given(action_taken),
        )
    })
}

/// Decrypts a copy into this session's private temporary folder (checked against its
/// SHA-256 and logged) and opens it with the computer's viewer. The folder is removed when
/// Harbour locks or closes.
#[tauri::command]
#[specta::specta]
pub async fn open_evidence(
    app: AppHandle,
    state: State<'_, AppState>,
    item: String,
    reason: Option<String>,
) -> AppResult<String> {
    let path = state.with_opened_copy(&item, |h, out| {
        ops::open(h, &item, out, given(reason).as_deref()).map(|_| ())
    })?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|_| AppError {
            code: harbour::Code::NoViewer,
            message: format!(
                "The copy was decrypted to {}, but no program on this computer would open it.",
                path.display()
            ),
        })?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
#[specta::specta]
pub async fn hand_over_evidence(
    state: State<'_, AppState>,
    item: String,
    officer: String,
    agency: String,
    crime_reference: String,
    date: Option<String>,
) -> AppResult<()> {
    state.with(|h| {
        let date = date
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(parse_date)
            .transpose()?
            .unwrap_or_else(today);
        ops::handover(
            h.log_mut(),
            &item,
            &officer,
            &agency,
            &crime_reference,
            date,
        )
        .map(|_| ())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn evidence_returned(state: State<'_, AppState>, item: String) -> AppResult<()> {
    state.with(|h| ops::returned(h.log_mut(), &item).map(|_| ()))
}

/// The event that carries an export's progress to the window.
pub const PACK_PROGRESS: &str = "pack-progress";

/// Writes the incident's evidence pack to the path chosen in the save dialog, sending its
/// progress as `pack-progress` events; `cancel_work` stops it with nothing left behind.
#[tauri::command]
#[specta::specta]
pub async fn export_pack(
    app: AppHandle,
    state: State<'_, AppState>,
    reference: String,
    path: String,
    reason: Option<String>,
) -> AppResult<Exported> {
    state.with_cancellable(|h, cancel| {
        let id = resolve(h.log(), &reference)?;
        packs::export_with(
            h,
            id,
            &PathBuf::from(path),
            given(reason).as_deref(),
            |p: Progress| {
                let _ = app.emit(PACK_PROGRESS, p);
                !cancel.load(Ordering::Relaxed)
            },
        )
    })
}

/// Asks the long work under way (an export or an import) to stop.
#[tauri::command]
#[specta::specta]
pub async fn cancel_work(state: State<'_, AppState>) -> AppResult<()> {
    state.cancel();
    Ok(())
}

/// Checks a pack as its recipient would; needs no unlocked folder.
#[tauri::command]
#[specta::specta]
pub async fn verify_pack(path: String) -> AppResult<Checked> {
    packs::verify(&PathBuf::from(path)).map_err(AppError::from)
}
