//! Learners: the list, a learner's page, adding one, and importing a CSV of new starters.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use harbour::api::learners::{self as api, AddLearnerRequest};
use harbour::ops::learners::{self as ops, CsvPreview};
use harbour::read::learners::{self as read, LearnerDetail, LearnerSummary};
use harbour::Error;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::error::AppResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_learners(
    state: State<'_, AppState>,
    name: Option<String>,
) -> AppResult<Vec<LearnerSummary>> {
    state.with(|h| {
        read::list(
            h.log().conn(),
            None,
            name.as_deref().filter(|n| !n.is_empty()),
        )
    })
}

#[tauri::command]
#[specta::specta]
pub async fn get_learner(state: State<'_, AppState>, id: String) -> AppResult<LearnerDetail> {
    state.with(|h| {
        let id = harbour::ops::resolve_learner(h.log(), &id)?;
        read::detail(h.log().conn(), h.log().device().author, id)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn add_learner(
    state: State<'_, AppState>,
    input: AddLearnerRequest,
) -> AppResult<String> {
    state.with(|h| api::add_learner(h, input).map(|id| id.to_string()))
}

fn open_csv(path: &str) -> harbour::Result<std::fs::File> {
    let path = PathBuf::from(path);
    std::fs::File::open(&path).map_err(|e| Error::ReadFile {
        reason: harbour::error::plain_io(&e),
        path,
    })
}

/// Checks a CSV file and shows what would be imported, and any bad rows by line.
#[tauri::command]
#[specta::specta]
pub async fn preview_learner_csv(
    state: State<'_, AppState>,
    path: String,
) -> AppResult<CsvPreview> {
    state.with(|h| ops::preview_csv(h.log(), open_csv(&path)?))
}

/// Imports a CSV file: every row, or none if any row is bad.
#[tauri::command]
#[specta::specta]
pub async fn import_learner_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> AppResult<u32> {
    state.with_cancellable(|h, cancel| {
        let preview = ops::preview_csv(h.log(), open_csv(&path)?)?;
        ops::import_with(h.log_mut(), preview, &mut |done, total| {
            if done % 50 == 0 || done == total {
                let _ = app.emit(
                    IMPORT_PROGRESS,
                    ImportProgress {
                        done: done as u32,
                        total: total as u32,
                    },
                );
            }
            !cancel.load(Ordering::Relaxed)
        })
        .map(|ids| ids.len() as u32)
    })
}

/// The event that carries a learner import's progress to the window.
pub const IMPORT_PROGRESS: &str = "import-progress";

/// How far a learner import has got, in rows.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}
