//! Things a coordinator does, each checked and then recorded as events in the case log.
//!
//! Every function here validates its input against the current tables first and returns a
//! plain-sentence error before anything is written; the write itself is one transaction.

pub mod conflicts;
pub mod consent;
pub mod dates;
pub mod disclosures;
pub mod evidence;
pub mod forms;
pub mod imagery;
pub mod incidents;
pub mod learners;
pub mod org;
pub mod pack_write;
pub mod packs;
pub mod procedures;
pub mod retention;
pub mod transfers;

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::{Error, Result};

/// Finds an id in `table` from the full id or a unique beginning of it (at least 8 characters).
pub(crate) fn resolve_id(
    conn: &Connection,
    table: &str,
    what: &'static str,
    text: &str,
) -> Result<Uuid> {
    let t = text.trim().to_lowercase();
    let not_found = || Error::NotFound {
        what,
        key: text.trim().to_string(),
    };
    if let Ok(id) = Uuid::parse_str(&t) {
        let found = conn
            .query_row(
                &format!("SELECT 1 FROM {table} WHERE id = ?1"),
                [id.to_string()],
                |_| Ok(()),
            )
            .optional()?;
        return found.map(|_| id).ok_or_else(not_found);
    }
    if t.len() < 8 || !t.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(not_found());
    }
    // Ids are UUID v7, whose beginnings are a timestamp: the end is what tells them apart,
    // so either a beginning or an end is accepted.
    let mut stmt = conn.prepare(&format!(
        "SELECT id FROM {table} WHERE id LIKE ?1 || '%' OR id LIKE '%' || ?1 LIMIT 2"
    ))?;
    let ids: Vec<String> = stmt
        .query_map([&t], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [one] => Uuid::parse_str(one).map_err(|_| not_found()),
        [] => Err(not_found()),
        _ => Err(Error::invalid(format!(
            "More than one {what} starts with \"{}\"; give more of the id.",
            text.trim()
        ))),
    }
}

/// Finds a learner by id or a unique beginning of it.
pub fn resolve_learner(log: &crate::store::CaseLog, text: &str) -> Result<Uuid> {
    resolve_id(log.conn(), "learners", "learner", text)
}

/// Finds a member of staff by id or a unique beginning of it.
pub fn resolve_staff(log: &crate::store::CaseLog, text: &str) -> Result<Uuid> {
    resolve_id(log.conn(), "staff", "member of staff", text)
}
