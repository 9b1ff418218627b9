//! `harbour backup verify`: checks a backup without restoring it.
//!
//! The backup's database is decrypted into a temporary folder (still a SQLCipher file under
//! the data key, so nothing there is readable) that is removed afterwards, whatever happens;
//! evidence files are decrypted as they are read out of the backup, only to take each one's
//! SHA-256, and never written anywhere. Then the same checks as `harbour verify` run on the
//! database — every chain and signature, every table rebuilt from the log and compared — and
//! each evidence file's SHA-256 is compared with the one recorded when it was captured.
//!
//! The temporary folder is in the user's cache folder, on disk, rather than the system's
//! temporary folder, which is held in memory on some systems (Debian 13 among them) and would
//! make checking a large backup take as much memory as its database.

use crate::code::Code;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::unpack;
use crate::store::{db, verify};
use crate::{Error, Result, Unlock};

/// What a sound backup holds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupChecked {
    pub organisation: String,
    pub centre: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub made_ms: i64,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub incidents: usize,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub evidence_files: usize,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub events: usize,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub devices: usize,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub newest_event_ms: Option<i64>,
    /// The one sentence that says what the backup holds (`describe`).
    pub message: String,
}

impl BackupChecked {
    /// The one sentence that says what the backup holds.
    pub fn describe(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let newest = self
            .newest_event_ms
            .map(|ms| {
                format!(
                    ", the newest recorded {}",
                    crate::domain::time::show_millis(ms)
                )
            })
            .unwrap_or_default();
        format!(
            "This backup of {} ({}), made {}, is sound: it holds {}, {} and {} from {}{newest}, and every chain, signature, table and evidence file checks.",
            self.organisation,
            self.centre,
            crate::domain::time::show_millis(self.made_ms),
            plural(self.incidents, "incident", "incidents"),
            plural(self.evidence_files, "evidence file", "evidence files"),
            plural(self.events, "event", "events"),
            plural(self.devices, "device", "devices"),
        )
    }
}

/// A temporary folder, removed when dropped.
pub(crate) struct Scratch(pub PathBuf);

/// How old a temporary folder must be to be taken for one a killed check left behind.
const STALE: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

impl Scratch {
    pub fn new(what: &str) -> Result<Scratch> {
        let base = dirs::cache_dir()
            .map(|d| d.join("harbour"))
            .unwrap_or_else(std::env::temp_dir);
        remove_stale(&base, what);
        let dir = base.join(format!("harbour-{what}-{}", uuid::Uuid::now_v7()));
        crate::fsutil::create_private_dir(&dir)?;
        Ok(Scratch(dir))
    }
}

/// Removes the folders of earlier checks that were killed (over a day old, so never one in
/// use by a check running now).
fn remove_stale(base: &Path, what: &str) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let prefix = format!("harbour-{what}-");
    for entry in entries.flatten() {
        let named = entry
            .file_name()
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok());
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE);
        if named && old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Checks the backup at `path` opened with `how`.
pub fn check_file(path: &Path, how: Unlock<'_>) -> Result<BackupChecked> {
    check_file_with(path, how, &mut |_, _| true)
}

/// As `check_file`, with progress (bytes of the backup read) and a way to stop.
pub fn check_file_with(
    path: &Path,
    how: Unlock<'_>,
    keep_going: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<BackupChecked> {
    let opened = unpack::open(path, how)?;
    let header = opened.header.clone();
    let key = crate::keys::DataKey::from_bytes(*opened.key.expose());
    let scratch = Scratch::new("backup-check")?;
    let db_path = scratch.0.join("harbour.db");
    let mut written = Vec::new();
    // Evidence files are checked as they are read and never written out: only the database
    // needs a file, to be opened.
    let unpacked = opened.unpack_into(db_path.clone(), None, &mut written, keep_going)?;
    let conn = db::open(&db_path, &key).map_err(|e| match e {
        Error::NotADatabase => super::damaged(),
        other => other,
    })?;
    // The database copied into the backup passes SQLite's own checks too: a backup of a
    // folder whose database was already damaged is no backup.
    if let Some(what) = db::integrity_findings(&conn).first() {
        return Err(super::refused(
            Code::BackupDatabaseDamaged,
            format!("The database inside this backup is damaged ({what}), so it cannot be trusted; use another backup. Nothing was changed."),
        ));
    }
    let report = verify::verify(&conn)?;
    super::evidence_check::compare(&conn, &unpacked.found)?;
    let count = |sql: &str| -> Result<usize> {
        Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as usize)
    };
    let mut checked = BackupChecked {
        organisation: header.organisation,
        centre: header.centre,
        made_ms: header.made_ms,
        incidents: count("SELECT count(*) FROM incidents")?,
        evidence_files: unpacked.evidence_files,
        events: report.events,
        devices: report.devices,
        newest_event_ms: conn.query_row("SELECT max(hlc_ms) FROM events", [], |r| r.get(0))?,
        message: String::new(),
    };
    checked.message = checked.describe();
    drop(conn);
    Ok(checked)
}
