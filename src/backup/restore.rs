//! Restoring a backup onto a new laptop.
//!
//! The identity rule: a restored folder is a *new device*. It holds every event of the
//! backup, gets a new device id and signing key (the old key is overwritten, with SQLite's
//! secure delete), registers that key as the first event of its own chain, and records that
//! the old device is retired and replaced by it. Two computers never write as one device, so
//! a restored backup used beside a surviving original does not fork anything; peers see the
//! old device retired and send the new one whatever it lacks once they trust its new card.
//!
//! Nothing half-restored is ever mistaken for a data folder: the target must be empty (or
//! hold only what an interrupted restore left, marked by `restore.partial`), the database is
//! written as `harbour.db.partial` and renamed, and `keys.json` — what makes a folder a data
//! folder — is written last. On failure everything written is removed.

use crate::code::Code;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use serde::Serialize;
use uuid::Uuid;

use super::{refused, status, unpack};
use crate::keys::{Passphrase, RecoveryKey};
use crate::log::{Body, DeviceSigner};
use crate::store::{db, verify, CaseLog};
use crate::{Error, Harbour, Result, Unlock};

/// Marks a folder that a restore is filling (removed when it is complete).
pub const MARKER: &str = "restore.partial";

/// What a restore did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRestored {
    pub dir: PathBuf,
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
    pub old_device: Uuid,
    pub new_device: Uuid,
    /// What the coordinator must know: what a backup cannot bring back, and what to do.
    pub message: String,
}

/// Whether `dir` may receive a restore: missing, empty, or left by an interrupted restore.
fn check_target(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        if dir.exists() {
            return Err(refused(
                Code::RestoreTargetNotEmpty,
                format!("{} is not a folder; choose a new, empty folder to restore into. Nothing was changed.", dir.display()),
            ));
        }
        return Ok(());
    };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let only_lock = names.iter().all(|n| n == "harbour.lock");
    if only_lock || names.iter().any(|n| n == MARKER) && !crate::folder::is_set_up(dir) {
        return Ok(());
    }
    let what = if crate::folder::is_set_up(dir) {
        "already holds a Harbour data folder"
    } else {
        "is not empty"
    };
    Err(refused(
        Code::RestoreTargetNotEmpty,
        format!("The folder {} {what}; restore into a new, empty folder so that nothing is overwritten. Nothing was changed.", dir.display()),
    ))
}

/// Removes what an interrupted restore left (only called when the marker is there).
fn clear_leftovers(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, &e))? {
        let entry = entry.map_err(|e| Error::io(dir, &e))?;
        let path = entry.path();
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        result.map_err(|e| Error::io(&path, &e))?;
    }
    Ok(())
}

fn take_lock(dir: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("harbour.lock"))
        .map_err(|e| Error::io(dir, &e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::AlreadyOpen(dir.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(Error::io(dir, &e)),
    }
}

/// Restores the backup at `file` into the new data folder `dir`.
pub fn restore(file: &Path, how: Unlock<'_>, dir: &Path) -> Result<BackupRestored> {
    restore_with(file, how, dir, &mut |_, _| true)
}

/// The key that opens a backup to go on working with it: the passphrase in use when it was
/// made, or the recovery key with a new passphrase for the restored folder.
pub enum RestoreKey<'a> {
    Passphrase(&'a Passphrase),
    Recovery {
        key: &'a RecoveryKey,
        new_passphrase: &'a Passphrase,
    },
}

/// Restores the backup at `file` into `dir` and opens the folder, ready to use (the app's
/// first-run screen). With the recovery key, the restored folder takes the new passphrase,
/// which is checked before anything is written.
pub fn restore_and_open(
    file: &Path,
    key: RestoreKey<'_>,
    dir: &Path,
    keep_going: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<(BackupRestored, Harbour)> {
    match key {
        RestoreKey::Passphrase(p) => {
            let restored = restore_with(file, Unlock::Passphrase(p), dir, keep_going)?;
            Ok((restored, Harbour::open(dir, Unlock::Passphrase(p))?))
        }
        RestoreKey::Recovery {
            key,
            new_passphrase,
        } => {
            new_passphrase.check_new()?;
            let restored = restore_with(file, Unlock::Recovery(key), dir, keep_going)?;
            Ok((restored, Harbour::recover(dir, key, new_passphrase)?))
        }
    }
}

/// As `restore`, with progress (bytes of the backup read) and a way to stop; stopped or
/// failed, the folder is left as it was found.
pub fn restore_with(
    file: &Path,
    how: Unlock<'_>,
    dir: &Path,
    keep_going: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<BackupRestored> {
    check_target(dir)?;
    let opened = unpack::open(file, how)?;
    let existed = dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
    let lock = take_lock(dir)?;
    if dir.join(MARKER).exists() {
        clear_leftovers(dir)?;
    }
    let result = (|| -> Result<BackupRestored> {
        File::create(dir.join(MARKER)).map_err(|e| Error::io(dir, &e))?;
        let header = opened.header.clone();
        let key = crate::keys::DataKey::from_bytes(*opened.key.expose());
        let partial = dir.join("harbour.db.partial");
        let mut written = Vec::new();
        let unpacked = opened.unpack_into(
            partial.clone(),
            Some(dir.join(crate::ops::evidence::EVIDENCE_DIR)),
            &mut written,
            keep_going,
        )?;
        let conn = db::open(&partial, &key).map_err(|e| match e {
            Error::NotADatabase => super::damaged(),
            other => other,
        })?;
        let (old_device, new_device) = become_new_device(conn, &header)?;
        let conn = db::open(&partial, &key)?;
        let report = verify::verify(&conn)?;
        super::evidence_check::compare(&conn, &unpacked.found)?;
        let incidents =
            conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get::<_, i64>(0))? as usize;
        conn.close().map_err(|(_, e)| Error::from(e))?;
        std::fs::rename(&partial, dir.join("harbour.db")).map_err(|e| Error::io(dir, &e))?;
        header.keys.write(&dir.join("keys.json"))?;
        std::fs::remove_file(dir.join(MARKER)).map_err(|e| Error::io(dir, &e))?;
        sync_dir(dir);
        let made = crate::domain::time::show_millis(header.made_ms);
        let message = format!(
            "Restored {} from the backup made {made}: {} incident{} and {} evidence file{}. This computer is now a new device and the old one is recorded as retired. A backup cannot bring back anything recorded on the old laptop after {made} that no other centre received: import a bundle from each centre you sync with to get back what they hold, and give them this device's new card, because they will not accept its bundles until they trust it.",
            unpack::describe(&header).split(", made").next().unwrap_or_default(),
            incidents,
            if incidents == 1 { "" } else { "s" },
            unpacked.evidence_files,
            if unpacked.evidence_files == 1 { "" } else { "s" },
        );
        Ok(BackupRestored {
            dir: dir.to_path_buf(),
            organisation: header.organisation,
            centre: header.centre,
            made_ms: header.made_ms,
            incidents,
            evidence_files: unpacked.evidence_files,
            events: report.events,
            old_device,
            new_device,
            message,
        })
    })();
    if result.is_err() {
        drop(lock);
        let _ = clear_leftovers(dir);
        if !existed {
            let _ = std::fs::remove_dir(dir);
        }
    }
    result
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Gives the restored database a new device id and signing key, registered as its first
/// event, and records the old device as retired. Returns (old, new).
fn become_new_device(
    mut conn: rusqlite::Connection,
    header: &super::format::Header,
) -> Result<(Uuid, Uuid)> {
    conn.pragma_update(None, "secure_delete", true)?;
    let (old, label, centre): (String, String, Option<String>) = conn.query_row(
        "SELECT l.device_id, coalesce(d.label, ''), d.centre_code FROM local_device l
         LEFT JOIN devices d ON d.id = l.device_id WHERE l.id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let old = Uuid::parse_str(&old)
        .map_err(|_| Error::Integrity("the backup's device identity is damaged.".into()))?;
    let signer = DeviceSigner::generate();
    let new = Uuid::now_v7();
    {
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE local_device SET device_id = ?1, signing_key = ?2 WHERE id = 1",
            rusqlite::params![new.to_string(), signer.secret_bytes().as_slice()],
        )?;
        // A new device has its own sync identity; what was written to shared folders was
        // the old device's.
        tx.execute("DELETE FROM sync_identity", [])?;
        tx.execute("DELETE FROM bundles_out", [])?;
        status::record_backup(&tx, header.made_ms)?;
        tx.commit()?;
    }
    let mut log = CaseLog::load(conn)?;
    let made = crate::domain::time::show_millis(header.made_ms);
    let label = if label.is_empty() {
        format!("Restored {made}")
    } else {
        format!("{label} (restored)")
    };
    log.append_all(vec![
        Body::DeviceRegistered {
            verifying_key: hex::encode(signer.verifying_key().as_bytes()),
            label,
            centre,
        },
        Body::DeviceRetired {
            device_id: old,
            replaced_by: new,
            reason: format!("Restored from the backup made {made} onto another computer."),
        },
    ])?;
    // Closing checkpoints the WAL into the file and removes it.
    log.into_conn().close().map_err(|(_, e)| Error::from(e))?;
    Ok((old, new))
}
