//! The app's one piece of state: the data folder and, while unlocked, the open Harbour.
//!
//! Locking drops the open `Harbour`, which zeroises the data key and releases the folder,
//! and removes every evidence copy opened in the session (they live in one private
//! temporary folder, made only when something is first opened).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use harbour::Harbour;

use crate::error::{AppError, AppResult};

pub struct AppState {
    pub dir: PathBuf,
    open: Mutex<Option<Harbour>>,
    copies: Mutex<Option<PathBuf>>,
    cancel: Mutex<Arc<AtomicBool>>,
}

impl AppState {
    pub fn new(dir: PathBuf) -> Self {
        AppState {
            dir,
            open: Mutex::new(None),
            copies: Mutex::new(None),
            cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
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
        self.remove_copies();
    }

    /// Asks the long work under way to stop.
    pub fn cancel(&self) {
        self.cancel
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .store(true, Ordering::Relaxed);
    }

    /// Removes the session's folder of opened evidence copies, if there is one.
    pub fn remove_copies(&self) {
        let mut g = self.copies.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dir) = g.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// A fresh path, under the session's private temporary folder, for a copy of a file
    /// originally called `original`.
    fn copy_path(&self, original: &str) -> harbour::Result<PathBuf> {
        let mut g = self.copies.lock().unwrap_or_else(|p| p.into_inner());
        let dir = match g.as_ref() {
            Some(d) => d.clone(),
            None => {
                let d = private_dir()?;
                *g = Some(d.clone());
                d
            }
        };
        let sub = dir.join(uuid::Uuid::now_v7().simple().to_string());
        std::fs::create_dir(&sub).map_err(|e| cannot_make(&sub, &e))?;
        Ok(sub.join(harbour_evidence::safe_name(original, &mut HashSet::new())))
    }

    /// Runs `f` to write an evidence copy to a fresh private path, and returns the path.
    pub fn with_opened_copy(
        &self,
        item: &str,
        f: impl FnOnce(&mut Harbour, &Path) -> harbour::Result<()>,
    ) -> AppResult<PathBuf> {
        self.with(|h| {
            let found = harbour::ops::evidence::resolve_item(h.log(), item)?;
            let out = self.copy_path(&found.file_name)?;
            f(h, &out)?;
            Ok(out)
        })
    }

    pub fn is_unlocked(&self) -> bool {
        self.guard().is_some()
    }

    /// Runs long work `f` with the open Harbour and a fresh flag that `cancel` raises.
    ///
    /// The flag is made only once the folder is this command's: work waiting for another
    /// to finish (a shared-folder sync starting during an export, say) must not take over
    /// the flag, or "Cancel" would stop the wrong work.
    pub fn with_cancellable<T>(
        &self,
        f: impl FnOnce(&mut Harbour, &AtomicBool) -> harbour::Result<T>,
    ) -> AppResult<T> {
        let mut g = self.guard();
        let h = g.as_mut().ok_or_else(AppError::locked)?;
        let flag = self.fresh_cancel();
        f(h, &flag).map_err(|e| AppError::from(harbour::folder::explain(&self.dir, e)))
    }

    /// A fresh flag for long work that needs no open folder (checking or restoring a
    /// backup), raised by `cancel`.
    pub fn fresh_cancel(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = flag.clone();
        flag
    }

    /// Runs `f` with the open Harbour, or says it is locked.
    pub fn with<T>(&self, f: impl FnOnce(&mut Harbour) -> harbour::Result<T>) -> AppResult<T> {
        let mut g = self.guard();
        let h = g.as_mut().ok_or_else(AppError::locked)?;
        f(h).map_err(|e| AppError::from(harbour::folder::explain(&self.dir, e)))
    }
}

fn cannot_make(path: &Path, e: &std::io::Error) -> harbour::Error {
    harbour::ops::evidence::cannot_write(path, e)
}

/// A new folder readable only by this user, in the runtime folder if there is one (memory
/// on most Linux systems) or else the temporary folder.
fn private_dir() -> harbour::Result<PathBuf> {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("harbour-opened-{}", uuid::Uuid::now_v7().simple()));
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(&dir).map_err(|e| cannot_make(&dir, &e))?;
    Ok(dir)
}
