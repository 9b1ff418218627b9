//! Set-up, unlocking, recovery and locking.

use harbour::api::output;
use harbour::keys::{Passphrase, RecoveryKey};
use harbour::{folder, Harbour, Setup, Unlock};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppStatus {
    pub set_up: bool,
    pub unlocked: bool,
    pub data_dir: String,
}

#[tauri::command]
#[specta::specta]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    AppStatus {
        set_up: folder::is_set_up(&state.dir),
        unlocked: state.is_unlocked(),
        data_dir: state.dir.display().to_string(),
    }
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct SetupInput {
    pub organisation: String,
    pub centre_code: String,
    pub centre_name: String,
    pub coordinator: String,
    pub role: String,
    pub passphrase: String,
}

/// Sets Harbour up, leaves it unlocked, and returns the recovery key's groups to show once.
#[tauri::command]
#[specta::specta]
pub async fn set_up(state: State<'_, AppState>, input: SetupInput) -> AppResult<Vec<String>> {
    let setup = Setup {
        organisation: input.organisation,
        centre_code: input.centre_code,
        centre_name: input.centre_name,
        coordinator: input.coordinator,
        role: input.role,
        device_label: None,
    };
    let (h, recovery) = Harbour::init(&state.dir, &setup, &Passphrase::new(input.passphrase))?;
    let groups = recovery.groups().to_vec();
    state.set(h);
    Ok(groups)
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct UnlockOutcome {
    /// A plain sentence when "remember on this computer" could not be done.
    pub keyring_note: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn unlock(
    state: State<'_, AppState>,
    passphrase: String,
    remember: bool,
) -> AppResult<UnlockOutcome> {
    state.lock();
    let h = Harbour::open(&state.dir, Unlock::Passphrase(&Passphrase::new(passphrase)))?;
    let keyring_note = if remember {
        h.remember_in_keyring().err().map(|e| e.to_string())
    } else {
        None
    };
    state.set(h);
    Ok(UnlockOutcome { keyring_note })
}

/// Unlocks with the key this computer's keyring remembers, if any.
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_keyring(state: State<'_, AppState>) -> AppResult<()> {
    state.lock();
    let h = Harbour::open(&state.dir, Unlock::Keyring)?;
    state.set(h);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn recover(
    state: State<'_, AppState>,
    recovery_key: String,
    new_passphrase: String,
) -> AppResult<()> {
    state.lock();
    let key = RecoveryKey::parse(&recovery_key)?;
    let h = Harbour::recover(&state.dir, &key, &Passphrase::new(new_passphrase))?;
    state.set(h);
    Ok(())
}

/// Locks: the open folder and its key are dropped from memory.
#[tauri::command]
#[specta::specta]
pub fn lock(state: State<'_, AppState>) {
    state.lock();
}

/// Where a recovery sheet was saved, and whether the key is on it.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct SavedSheet {
    pub path: String,
    pub with_key: bool,
}

/// Writes the recovery sheet to `path` (a bare name goes into Documents/Harbour, `.pdf` is
/// added): with the key when it is given (checked against this folder first, as the key is
/// never stored), or with a blank box to write it in by hand.
#[tauri::command]
#[specta::specta]
pub async fn print_recovery_sheet(
    state: State<'_, AppState>,
    path: String,
    recovery_key: Option<String>,
) -> AppResult<SavedSheet> {
    use harbour::print::recovery;
    state.with(|h| {
        let details = recovery::details(h)?;
        let path = output::file_to_write(&path, "pdf", output::default_folder().as_deref())?;
        let with_key = match recovery_key.filter(|k| !k.trim().is_empty()) {
            Some(text) => {
                let key = RecoveryKey::parse(&text)?;
                h.check_recovery_key(&key)?;
                recovery::render(&details, Some(&key.groups()))?.write_to(&path)?;
                true
            }
            None => {
                recovery::render(&details, None)?.write_to(&path)?;
                false
            }
        };
        Ok(SavedSheet {
            path: path.display().to_string(),
            with_key,
        })
    })
}
