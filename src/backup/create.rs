//! Making a backup while Harbour is open and in use.
//!
//! The database is copied with SQLite's online backup (page by page, inside one read
//! transaction on a second connection, so the copy is one consistent moment and the app's
//! own connection goes on writing in WAL mode meanwhile), never by copying the live file. The
//! copy is a SQLCipher file under the same key, kept beside the database only until it has
//! been streamed into the backup. Evidence files are listed after the copy is taken: every
//! file the copy refers to was written before its event, so it is there.
//!
//! The backup is written to a hidden temporary name in the chosen folder, synced and renamed,
//! so a backup cut off by a full disk, a pulled USB stick or a killed process never replaces
//! a good one.

use crate::code::Code;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use harbour_evidence::{AtomicFile, MasterKey};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use super::archive::{self, ArchiveReader};
use super::format::{self, Header};
use super::{refused, status, EXTENSION};
use crate::error::plain_io;
use crate::store::db;
use crate::{Error, Harbour, Result};

/// The database copy's name in the data folder while a backup is being made.
pub const COPY_NAME: &str = "harbour.db.backup.partial";

/// Pages copied per step of the online backup (16 MiB at Harbour's page size).
const PAGES_PER_STEP: i32 = 1024;

/// What a backup wrote.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupMade {
    pub file: PathBuf,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub evidence_files: usize,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub made_ms: i64,
    /// One sentence for the coordinator: where the backup is and what to do with it.
    pub message: String,
}

impl BackupMade {
    fn new(file: PathBuf, bytes: u64, evidence_files: usize, made_ms: i64) -> BackupMade {
        let message = format!(
            "Backed up to {} ({} evidence file{}, {:.1} MB). Keep it somewhere other than this computer.",
            file.display(),
            evidence_files,
            if evidence_files == 1 { "" } else { "s" },
            bytes as f64 / 1_000_000.0
        );
        BackupMade {
            file,
            bytes,
            evidence_files,
            made_ms,
            message,
        }
    }
}

/// The file name for a backup: organisation, centre and date, e.g.
/// `Northbridge-Training-MAN-2026-12-02.hbbackup`.
pub fn file_name(organisation: &str, centre: &str, date: chrono::NaiveDate) -> String {
    let slug = |s: &str| {
        let mut out = String::new();
        for c in s.chars() {
            if c.is_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-').to_string()
    };
    let org = match slug(organisation) {
        s if s.is_empty() => "Harbour".to_string(),
        s => s,
    };
    format!(
        "{org}-{}-{}.{EXTENSION}",
        slug(centre),
        date.format("%Y-%m-%d")
    )
}

/// Backs up the open data folder into `out_dir`.
pub fn create(h: &Harbour, out_dir: &Path) -> Result<BackupMade> {
    create_with(h, out_dir, &mut |_, _| true)
}

/// As `create`, telling `keep_going(done, total)` how many bytes are written; when it
/// answers false, the backup stops with `Error::Cancelled` and nothing is left behind.
pub fn create_with(
    h: &Harbour,
    out_dir: &Path,
    keep_going: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<BackupMade> {
    if !out_dir.is_dir() {
        return Err(refused(
            Code::BackupFolderMissing,
            format!(
                "The folder {} does not exist or is not a folder; choose another place for the backup.",
                out_dir.display()
            ),
        ));
    }
    let conn = h.log().conn();
    let organisation: String = conn
        .query_row("SELECT name FROM org WHERE id = 1", [], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let device_id = h.log().device().id;
    let centre: String = conn
        .query_row(
            "SELECT centre_code FROM devices WHERE id = ?1",
            [device_id.to_string()],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten()
        .unwrap_or_default();

    let copy = h.dir().join(COPY_NAME);
    remove_db_files(&copy);
    let made_ms = chrono::Utc::now().timestamp_millis();
    let result = (|| -> Result<BackupMade> {
        copy_database(h, &copy, keep_going)?;
        let mut files = vec![(
            archive::KIND_DATABASE,
            archive::DATABASE_NAME.to_string(),
            copy.clone(),
            size_of(&copy)?,
        )];
        files.extend(evidence_files(h.dir())?);
        let evidence_files = files.len() - 1;

        let header = Header {
            backup_id: Uuid::now_v7(),
            made_ms,
            organisation: organisation.clone(),
            centre: centre.clone(),
            device_id,
            keys: crate::keys::KeyFile::read(&h.dir().join("keys.json"))?,
        };
        let name = file_name(&organisation, &centre, crate::domain::time::today());
        let dest = out_dir.join(name);
        let mut out = AtomicFile::create(&dest).map_err(|e| cannot_write(out_dir, &e))?;
        let bytes = {
            let mut w = BufWriter::with_capacity(256 * 1024, out.file());
            let sum = format::write(&mut w, &header).map_err(|e| cannot_write(out_dir, &e))?;
            let master = MasterKey::from_bytes(*h.data_key().expose());
            let reader = ArchiveReader::new(files, keep_going);
            harbour_evidence::encrypt_stream_unhashed(
                &master,
                &Header::stream_item(&sum),
                reader,
                &mut w,
            )
            .map_err(|e| match e {
                harbour_evidence::StreamError::Read(e) if archive::is_stop(&e) => Error::Cancelled,
                harbour_evidence::StreamError::Read(e) => Error::io(h.dir(), &e),
                harbour_evidence::StreamError::Write(e) => cannot_write(out_dir, &e),
                other => Error::Evidence(other.to_string()),
            })?;
            let file = w
                .into_inner()
                .map_err(|e| cannot_write(out_dir, e.error()))?;
            file.metadata()
                .map_err(|e| cannot_write(out_dir, &e))?
                .len()
        };
        out.commit().map_err(|e| cannot_write(out_dir, &e))?;
        Ok(BackupMade::new(dest, bytes, evidence_files, made_ms))
    })();
    remove_db_files(&copy);
    let made = result?;
    status::record_backup(h.log().conn(), made_ms)?;
    Ok(made)
}

fn cannot_write(out_dir: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
        return Error::DiskFull;
    }
    refused(
        Code::BackupNotWritten,
        format!(
            "The backup could not be written to {}: {}; nothing was replaced.",
            out_dir.display(),
            plain_io(e)
        ),
    )
}

fn size_of(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .map_err(|e| Error::io(path, &e))?
        .len())
}

fn remove_db_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Copies the database with SQLite's online backup into a new SQLCipher file at `copy`.
fn copy_database(
    h: &Harbour,
    copy: &Path,
    keep_going: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<()> {
    let key = h.data_key();
    let source = Connection::open(h.dir().join("harbour.db"))?;
    db::apply_key(&source, key)?;
    // One read transaction for the whole copy: every step sees the same moment, and writers
    // on other connections are not held up (WAL).
    source.execute_batch("BEGIN")?;
    source.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    let mut target = Connection::open(copy)?;
    db::apply_key(&target, key)?;
    {
        let backup = Backup::new(&source, &mut target)?;
        loop {
            match backup.step(PAGES_PER_STEP)? {
                StepResult::Done => break,
                StepResult::More => {
                    let p = backup.progress();
                    if !keep_going(0, (p.pagecount as u64) * db::PAGE_SIZE as u64) {
                        return Err(Error::Cancelled);
                    }
                }
                StepResult::Busy | StepResult::Locked => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                _ => {}
            }
        }
    }
    source.execute_batch("COMMIT")?;
    // A single file: the copy must not depend on a WAL beside it.
    target.pragma_update(None, "journal_mode", "DELETE")?;
    target.close().map_err(|(_, e)| Error::from(e))?;
    let f = std::fs::File::open(copy).map_err(|e| Error::io(copy, &e))?;
    f.sync_all().map_err(|e| Error::io(copy, &e))?;
    Ok(())
}

/// Every stored evidence file (kind, name, path, size), by name.
fn evidence_files(dir: &Path) -> Result<Vec<(u8, String, PathBuf, u64)>> {
    let folder = dir.join(crate::ops::evidence::EVIDENCE_DIR);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&folder, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_item = name
            .strip_suffix(".hbev")
            .is_some_and(|s| Uuid::parse_str(s).is_ok());
        if !is_item {
            continue;
        }
        let size = entry.metadata().map_err(|e| Error::io(&folder, &e))?.len();
        out.push((archive::KIND_EVIDENCE, name, entry.path(), size));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
