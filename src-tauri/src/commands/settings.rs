//! Settings: the organisation, centres, staff, key contacts and categories.

use harbour::domain::{ContactRole, FourC};
use harbour::ops::org as ops;
use harbour::read::org::{self as read, Category, Organisation};
use harbour::read::vocabulary::{self, Vocabulary};
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// The words shown for roles, risk levels, agencies, key contacts, areas and statuses.
#[tauri::command]
#[specta::specta]
pub fn get_vocabulary() -> Vocabulary {
    vocabulary::vocabulary()
}

#[tauri::command]
#[specta::specta]
pub async fn get_organisation(state: State<'_, AppState>) -> AppResult<Organisation> {
    state.with(|h| read::organisation(h.log().conn()))
}

#[tauri::command]
#[specta::specta]
pub async fn list_categories(state: State<'_, AppState>) -> AppResult<Vec<Category>> {
    state.with(|h| read::categories(h.log().conn()))
}

#[tauri::command]
#[specta::specta]
pub async fn rename_organisation(state: State<'_, AppState>, name: String) -> AppResult<()> {
    state.with(|h| ops::rename_organisation(h.log_mut(), &name))
}

#[tauri::command]
#[specta::specta]
pub async fn add_centre(
    state: State<'_, AppState>,
    code: String,
    name: String,
) -> AppResult<String> {
    state.with(|h| ops::add_centre(h.log_mut(), &code, &name))
}

#[tauri::command]
#[specta::specta]
pub async fn add_staff(
    state: State<'_, AppState>,
    name: String,
    job_title: String,
) -> AppResult<String> {
    state.with(|h| ops::add_staff(h.log_mut(), &name, &job_title, None).map(|id| id.to_string()))
}

#[tauri::command]
#[specta::specta]
pub async fn assign_contact(
    state: State<'_, AppState>,
    role: ContactRole,
    staff_id: String,
) -> AppResult<()> {
    state.with(|h| ops::assign_contact(h.log_mut(), role, &staff_id))
}

#[tauri::command]
#[specta::specta]
pub async fn add_category(
    state: State<'_, AppState>,
    code: String,
    name: String,
    area: FourC,
) -> AppResult<String> {
    state.with(|h| ops::add_category(h.log_mut(), &code, &name, area))
}

#[tauri::command]
#[specta::specta]
pub async fn set_policy_review(state: State<'_, AppState>, date: String) -> AppResult<()> {
    state.with(|h| {
        let d = harbour::domain::time::parse_date(&date)?;
        ops::set_policy_review(h.log_mut(), d)
    })
}
