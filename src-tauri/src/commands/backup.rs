//! Backups: made from Settings, checked without restoring, restored on the first-run screen.
//! Each a thin wrapper over `harbour::backup`; progress goes to the window as
//! `backup-progress` events, and "Stop" is `cancel_work`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use harbour::backup::restore::{restore_and_open, RestoreKey};
use harbour::backup::{self, BackupChecked, BackupMade, BackupRestored, BackupStatus};
use harbour::keys::{Passphrase, RecoveryKey};
use harbour::ops::packs::Progress;
use harbour::Unlock;
use serde::Deserialize;
use tauri::{AppHandle, Emitter, State};

use crate::error::AppResult;
use crate::state::AppState;

pub const BACKUP_PROGRESS: &str = "backup-progress";

/// How a backup's key is opened: the passphrase in use when it was made, or the recovery
/// key with a new passphrase for the restored folder.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "with", rename_all = "snake_case")]
pub enum BackupKey {
    Passphrase {
        passphrase: String,
    },
    RecoveryKey {
        recovery_key: String,
        new_passphrase: String,
    },
}

/// Tells the window how far the work is, about once per percent, and whether to go on.
fn progress<'a>(app: &'a AppHandle, cancel: &'a AtomicBool) -> impl FnMut(u64, u64) -> bool + 'a {
    let mut shown = u64::MAX;
    move |done, total| {
        let percent = done.saturating_mul(100) / total.max(1);
        if percent != shown {
            shown = percent;
            let _ = app.emit(BACKUP_PROGRESS, Progress { done, total });
        }
        !cancel.load(Ordering::Relaxed)
    }
}

#[tauri::command]
#[specta::specta]
pub async fn backup_status(state: State<'_, AppState>) -> AppResult<BackupStatus> {
    state.with(|h| backup::backup_status(h.log().conn()))
}

#[tauri::command]
#[specta::specta]
pub async fn set_backup_interval(state: State<'_, AppState>, days: u32) -> AppResult<()> {
    state.with(|h| backup::status::set_interval(h.log_mut(), days))
}

/// Backs the open folder up into `folder` (a USB stick, say).
#[tauri::command]
#[specta::specta]
pub async fn create_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    folder: String,
) -> AppResult<BackupMade> {
    state.with_cancellable(|h, cancel| {
        backup::create::create_with(
            h,
            &PathBuf::from(folder.trim()),
            &mut progress(&app, cancel),
        )
    })
}

/// Decrypts and checks a backup without restoring it.
#[tauri::command]
#[specta::specta]
pub async fn check_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
) -> AppResult<BackupChecked> {
    let cancel = state.fresh_cancel();
    let p = Passphrase::new(passphrase);
    let mut keep_going = progress(&app, &cancel);
    let checked = backup::check::check_file_with(
        &PathBuf::from(path.trim()),
        Unlock::Passphrase(&p),
        &mut keep_going,
    )?;
    Ok(checked)
}

/// Restores a backup into this app's (empty) data folder as a new device, and leaves it
/// unlocked.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    key: BackupKey,
) -> AppResult<BackupRestored> {
    state.lock();
    let cancel = state.fresh_cancel();
    let file = PathBuf::from(path.trim());
    let (restored, h) = match key {
        BackupKey::Passphrase { passphrase } => restore_and_open(
            &file,
            RestoreKey::Passphrase(&Passphrase::new(passphrase)),
            &state.dir,
            &mut progress(&app, &cancel),
        ),
        BackupKey::RecoveryKey {
            recovery_key,
            new_passphrase,
        } => restore_and_open(
            &file,
            RestoreKey::Recovery {
                key: &RecoveryKey::parse(&recovery_key)?,
                new_passphrase: &Passphrase::new(new_passphrase),
            },
            &state.dir,
            &mut progress(&app, &cancel),
        ),
    }?;
    state.set(h);
    Ok(restored)
}
