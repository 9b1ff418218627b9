//! Opening the SQLCipher database.
//!
//! The raw 256-bit data key is given to SQLCipher directly (`x'…'`), so there is no second,
//! slow key derivation on every open. A wrong key fails on the first read; that is mapped to
//! a plain error by the caller. `open_plain` exists only so benchmarks can compare the same
//! schema and workload without encryption.
//!
//! A database is made only by [`create`] (set-up). [`open_existing`] refuses a file that is
//! empty or holds no Harbour schema, before anything is written to it: SQLite would otherwise
//! treat a file truncated to 0 bytes as a new database, and Harbour would silently put a
//! fresh, empty case log in place of the damaged one. The file is made readable by its owner
//! only (SQLite gives the WAL and shared-memory files the database file's mode).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::schema;
use crate::keys::DataKey;
use crate::{Error, Result};

/// The database page size, encrypted and plain alike. Fewer, larger pages mean fewer
/// per-page encryptions and MACs.
pub const PAGE_SIZE: i64 = 16_384;

/// The page cache, as SQLite's negative-means-KiB setting: 32 MB.
pub const CACHE_KIB: i64 = -32_000;

fn tune(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    Ok(())
}

pub(crate) fn apply_key(conn: &Connection, key: &DataKey) -> Result<()> {
    // Quieten SQLCipher's own stderr messages about a wrong key; Harbour says it plainly.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    conn.pragma_update(None, "key", key.sqlcipher_literal().as_str())?;
    // Not stored in the file: every open must use the same value.
    conn.pragma_update(None, "cipher_page_size", PAGE_SIZE)?;
    Ok(())
}

/// The schema version recorded in the file (0 for a file with no schema). The first read
/// proves the key: a wrong one fails here with NotADatabase.
fn schema_version(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    schema_version(conn)?;
    tune(conn)?;
    schema::migrations().to_latest(conn)?;
    Ok(())
}

fn damaged(detail: &str) -> Error {
    Error::DatabaseDamaged(detail.into())
}

/// Makes a new, empty file readable and writable by its owner only.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| Error::io(path, &e))
}

/// Creates a new encrypted database at `path` (which must not exist) with the full schema.
pub fn create(path: &Path, key: &DataKey) -> Result<Connection> {
    create_private(path)?;
    let mut conn = Connection::open(path)?;
    apply_key(&conn, key)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Opens the existing encrypted database at `path` with `key`, bringing an older schema up
/// to date. An empty file, or one with no Harbour schema in it, is refused unchanged.
pub fn open_existing(path: &Path, key: &DataKey) -> Result<Connection> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, &e))?
        .len();
    if len == 0 {
        return Err(damaged("its file is empty"));
    }
    // Without SQLITE_OPEN_CREATE: a file removed in the meantime is not made anew.
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    apply_key(&conn, key)?;
    if schema_version(&conn)? == 0 {
        return Err(damaged("its file holds no case log"));
    }
    migrate(&mut conn)?;
    Ok(conn)
}

/// Opens the encrypted database at `path`, creating it when there is no file yet: for tests
/// and benchmarks. Harbour itself creates only at set-up ([`create`]) and otherwise opens
/// with [`open_existing`].
pub fn open(path: &Path, key: &DataKey) -> Result<Connection> {
    if path.exists() {
        open_existing(path, key)
    } else {
        create(path, key)
    }
}

/// An encrypted database held only in memory (for `verify`'s rebuild and simulations).
pub fn open_in_memory(key: &DataKey) -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    apply_key(&conn, key)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// A scratch database in memory, never written to disk: `verify` rebuilds the tables here
/// to compare them with the stored ones.
pub fn open_scratch() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Opens an unencrypted database with the same schema: for benchmarks only.
pub fn open_plain(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Confirms the database really is encrypted: SQLCipher reports its version only when linked.
pub fn cipher_version(conn: &Connection) -> Result<String> {
    conn.query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .map_err(|_| Error::Database("SQLCipher is not available in this build".into()))
}

/// What SQLCipher's page check (`cipher_integrity_check`: every page's MAC) and SQLite's own
/// structure check (`integrity_check`) find, each finding in plain words; empty when the
/// file is sound. A check that cannot read the file through is itself a finding.
pub fn integrity_findings(conn: &Connection) -> Vec<String> {
    let mut found = Vec::new();
    match pragma_rows(conn, "cipher_integrity_check") {
        Ok(rows) => found.extend(rows.iter().map(|r| page_finding(r))),
        Err(e) => found.push(format!(
            "its pages could not all be checked ({})",
            error_words(&e)
        )),
    }
    match pragma_rows(conn, "integrity_check") {
        Ok(rows) => {
            let problems: Vec<&String> = rows.iter().filter(|r| r.as_str() != "ok").collect();
            if !problems.is_empty() {
                found.push(format!(
                    "its structure is inconsistent ({}{})",
                    problems[0],
                    if problems.len() > 1 {
                        format!(", and {} more problems", problems.len() - 1)
                    } else {
                        String::new()
                    }
                ));
            }
        }
        // A page that fails its MAC stops SQLite's own check; that page is named above.
        Err(_) if !found.is_empty() => {}
        Err(e) => found.push(format!(
            "its structure could not be checked ({})",
            error_words(&e)
        )),
    }
    found
}

fn pragma_rows(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// SQLCipher's page-check message in plain words.
fn page_finding(row: &str) -> String {
    let page = row
        .rsplit_once("page ")
        .and_then(|(_, n)| n.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    match page {
        Some(n) if row.contains("invalid size") => {
            format!("the file is cut short inside page {n}")
        }
        Some(n) if row.contains("HMAC") => {
            format!("page {n} of the file has been changed or damaged")
        }
        _ => row.to_string(),
    }
}

fn error_words(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ffi::ErrorCode::DatabaseCorrupt) => "part of the file is unreadable".into(),
        Some(rusqlite::ffi::ErrorCode::NotADatabase) => {
            "the file is not readable with its key".into()
        }
        _ => e.to_string(),
    }
}
