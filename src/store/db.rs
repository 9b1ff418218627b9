//! Opening the SQLCipher database.
//!
//! The raw 256-bit data key is given to SQLCipher directly (`x'…'`), so there is no second,
//! slow key derivation on every open. A wrong key fails on the first read; that is mapped to
//! a plain error by the caller. `open_plain` exists only so benchmarks can compare the same
//! schema and workload without encryption.

use std::path::Path;

use rusqlite::Connection;

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

fn migrate(conn: &mut Connection) -> Result<()> {
    // The first read proves the key: a wrong one fails here with NotADatabase.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    tune(conn)?;
    schema::migrations().to_latest(conn)?;
    Ok(())
}

/// Opens (or creates) the encrypted database at `path` with `key`.
pub fn open(path: &Path, key: &DataKey) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    apply_key(&conn, key)?;
    migrate(&mut conn)?;
    Ok(conn)
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
