//! The app's one piece of state: the data folder and, while unlocked, the open Harbour.
//!
//! Locking drops the open `Harbour`, which zeroises the data key and releases the folder.

use std::path::PathBuf;
use std::sync::Mutex;

use harbour::Harbour;

use crate::error::{AppError, AppResult};

pub struct AppState {
    pub dir: PathBuf,
    open: Mutex<Option<Harbour>>,
}

impl AppState {
    pub fn new(dir: PathBuf) -> Self {
        AppState {
            dir,
            open: Mutex::new(None),
        }
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, Option<Harbour>> {
        // A panic in another command must not leave Harbour unusable.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set(&self, h: Harbour) {
        *self.guard() = Some(h);
    }

    pub fn lock(&self) {
        *self.guard() = None;
    }

    pub fn is_unlocked(&self) -> bool {
        self.guard().is_some()
    }

    /// Runs `f` with the open Harbour, or says it is locked.
    pub fn with<T>(&self, f: impl FnOnce(&mut Harbour) -> harbour::Result<T>) -> AppResult<T> {
        let mut g = self.guard();
        let h = g.as_mut().ok_or_else(AppError::locked)?;
        f(h).map_err(|e| AppError::from(harbour::folder::explain(&self.dir, e)))
    }
}
