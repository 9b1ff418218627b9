//! The throwaway database `verify` rebuilds the tables into, to compare them with the stored
//! ones.
//!
//! It lives on disk beside the database it checks, not in memory: the rebuilt tables are as
//! large as the stored ones, and held in memory they made `verify` (and checking or restoring
//! a backup) grow with the case log, past 500 MiB at 20,000 incidents. On disk it is a
//! SQLCipher file under a fresh random key that is never written anywhere, so nothing in it is
//! readable even while it exists; it is removed when the check ends, and a check killed
//! part-way leaves only an unreadable file, which the next open removes
//! ([`crate::leftovers`]). Durability does not matter for a file that is thrown away, so it
//! keeps no journal and is never synced.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::db;
use crate::keys::DataKey;
use crate::Result;

/// What a scratch file's name starts with, after the database's own name.
pub const SUFFIX: &str = ".rebuilt-";

/// The page cache of the scratch database: enough for the rebuild's hot pages (the indexes
/// being filled), small enough that memory stays flat whatever the case log's size.
const CACHE_KIB: i64 = -8_000;

/// A scratch database, removed when dropped.
pub struct Scratch {
    conn: Option<Connection>,
    path: Option<PathBuf>,
}

impl Scratch {
    /// A scratch database beside `stored`'s file, or in memory when `stored` has no file.
    pub fn beside(stored: &Connection) -> Result<Scratch> {
        let Some(db_path) = stored.path().filter(|p| !p.is_empty()).map(PathBuf::from) else {
            return Scratch::in_memory();
        };
        let name = db_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "harbour.db".into());
        let path = db_path.with_file_name(format!("{name}{SUFFIX}{}", uuid::Uuid::now_v7()));
        let mut scratch = Scratch {
            conn: None,
            path: Some(path.clone()),
        };
        create_private(&path)?;
        let mut conn = Connection::open(&path)?;
        db::apply_key(&conn, &DataKey::generate())?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        db::migrate(&mut conn)?;
        // After the migrations, which choose the stored database's journal.
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        scratch.conn = Some(conn);
        Ok(scratch)
    }

    /// A scratch database in memory: for a database with no file, and for a full disk.
    pub fn in_memory() -> Result<Scratch> {
        Ok(Scratch {
            conn: Some(db::open_scratch()?),
            path: None,
        })
    }

    /// The scratch database's connection.
    pub fn conn(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a scratch database holds its connection until dropped")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        drop(self.conn.take());
        if let Some(path) = &self.path {
            for side in ["", "-wal", "-shm", "-journal"] {
                let mut name = path.clone().into_os_string();
                name.push(side);
                let _ = std::fs::remove_file(name);
            }
        }
    }
}

/// Makes the empty file, readable by its owner only, before SQLite opens it (SQLite gives
/// the database's own mode to any journal it makes beside it).
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| crate::Error::io(path, &e))
}

/// Whether `name` is a scratch file left beside the database `db_name` by a killed check.
pub fn is_leftover(db_name: &str, name: &str) -> bool {
    let name = ["-wal", "-shm", "-journal"]
        .iter()
        .find_map(|side| name.strip_suffix(side))
        .unwrap_or(name);
    name.strip_prefix(db_name)
        .and_then(|rest| rest.strip_prefix(SUFFIX))
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .is_some()
}

/// Removes scratch files a killed check left in `dir` beside `db_name`; returns how many.
pub fn remove_leftovers(dir: &Path, db_name: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|name| is_leftover(db_name, name))
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_a_check_makes_count_as_leftovers() {
        let id = uuid::Uuid::now_v7();
        assert!(is_leftover(
            "harbour.db",
            &format!("harbour.db.rebuilt-{id}")
        ));
        assert!(is_leftover(
            "harbour.db",
            &format!("harbour.db.rebuilt-{id}-wal")
        ));
        assert!(!is_leftover("harbour.db", "harbour.db"));
        assert!(!is_leftover("harbour.db", "harbour.db.rebuilt-notes"));
        assert!(!is_leftover(
            "harbour.db",
            &format!("other.db.rebuilt-{id}")
        ));
    }

    #[test]
    fn a_scratch_database_is_encrypted_and_gone_once_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let stored = db::open(&dir.path().join("harbour.db"), &DataKey::generate()).expect("db");
        let scratch = Scratch::beside(&stored).expect("scratch");
        scratch
            .conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES ('marker-in-plain-sight', 1)",
                [],
            )
            .expect("write");
        let path = scratch.path.clone().expect("on disk");
        let bytes = std::fs::read(&path).expect("read");
        assert!(!bytes.is_empty());
        assert!(!bytes
            .windows(b"marker-in-plain-sight".len())
            .any(|w| w == b"marker-in-plain-sight"));
        assert!(!bytes.starts_with(b"SQLite format 3"));
        drop(scratch);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(SUFFIX))
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}
