//! `harbour backup verify`: checks a backup without restoring it.
//!
//! The backup is decrypted into a temporary folder (every byte there is still encrypted: the
//! database is SQLCipher, evidence files are as stored) that is removed afterwards, whatever
//! happens. Then the same checks as `harbour verify` run on it — every chain and signature,
//! every table rebuilt from the log and compared — and every evidence file is decrypted and
//! its SHA-256 compared with the one recorded when it was captured.

use std::path::{Path, PathBuf};

use harbour_evidence::MasterKey;
use rusqlite::Connection;
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

impl Scratch {
    pub fn new(what: &str) -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("harbour-{what}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
        Ok(Scratch(dir))
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
    let master = MasterKey::from_bytes(*opened.key.expose());
    let key = crate::keys::DataKey::from_bytes(*opened.key.expose());
    let scratch = Scratch::new("backup-check")?;
    let db_path = scratch.0.join("harbour.db");
    let evidence_dir = scratch.0.join(crate::ops::evidence::EVIDENCE_DIR);
    let mut written = Vec::new();
    let unpacked = opened.unpack_into(db_path.clone(), evidence_dir, &mut written, keep_going)?;
    let conn = db::open(&db_path, &key).map_err(|e| match e {
        Error::NotADatabase => super::damaged(),
        other => other,
    })?;
    // The database copied into the backup passes SQLite's own checks too: a backup of a
    // folder whose database was already damaged is no backup.
    if let Some(what) = db::integrity_findings(&conn).first() {
        return Err(super::refused(
            "backup_database_damaged",
            format!("The database inside this backup is damaged ({what}), so it cannot be trusted; use another backup. Nothing was changed."),
        ));
    }
    let report = verify::verify(&conn)?;
    check_evidence(&conn, &scratch.0, &master)?;
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

/// Every evidence item the log records has its file, and the file decrypts to the SHA-256
/// recorded at capture.
fn check_evidence(conn: &Connection, dir: &Path, master: &MasterKey) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT id, description, sha256 FROM evidence_items ORDER BY id")?;
    let items = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (id, description, sha256) in items {
        let path = dir
            .join(crate::ops::evidence::EVIDENCE_DIR)
            .join(format!("{id}.hbev"));
        let changed = || Error::EvidenceChanged {
            item: id.clone(),
            description: description.clone(),
        };
        let file = std::fs::File::open(&path).map_err(|_| {
            super::refused(
                "backup_evidence_missing",
                format!("The backup does not hold the file of evidence item {id} (\u{201c}{description}\u{201d}), so it is not a whole backup."),
            )
        })?;
        let summary = harbour_evidence::decrypt_stream(
            master,
            &id,
            std::io::BufReader::new(file),
            std::io::sink(),
        )
        .map_err(|_| changed())?;
        if summary.sha256 != sha256 {
            return Err(changed());
        }
    }
    Ok(())
}
