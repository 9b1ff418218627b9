//! Full-text search over incidents and their chronology, inside the encrypted database.
//!
//! The index holds every three-character sequence of the text (SQLite's trigram tokenizer),
//! so a word typed is found anywhere inside a word: "bullying" in "cyberbullying", "Insta"
//! in "Instagram", "LEE/2026/0417" in a police reference. Each typed word is quoted before it
//! reaches FTS5, so punctuation or words like AND and NEAR are searched for, never read as
//! query syntax; every word must appear (in the account, the reference, a category, a
//! learner's name, a place, a note, a correction, a referral…), case and accents aside.
//! Words of one or two characters cannot be looked up in such an index and are left out. A
//! trailing `*` is accepted and ignored: every word is already found as part of a longer one.
//! Results come newest first.

use rusqlite::Connection;
use uuid::Uuid;

use super::incidents::{summaries, IncidentSummary};
use crate::{Error, Result};

/// The shortest word the index can look up.
const SHORTEST: usize = 3;

/// Turns typed words into a safe FTS5 query, or None if there are no words to look up.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter_map(|w| {
            // Punctuation around a word is not part of it; inside it ("CRIME-1") it is.
            let word = w.replace('"', "");
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            (word.chars().count() >= SHORTEST).then(|| format!("\"{word}\""))
        })
        .collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

/// Incidents whose text matches every word, most recently recorded match first.
///
/// The index is read newest first and reading stops as soon as `limit` incidents are found,
/// so a common word costs no more than a rare one: there is no ranking of every match.
pub fn search(
    conn: &Connection,
    viewer: Uuid,
    text: &str,
    limit: usize,
) -> Result<Vec<IncidentSummary>> {
    let query = fts_query(text)
        .ok_or_else(|| Error::invalid("Type a word of at least three letters to search for."))?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.incident_id FROM search s JOIN incidents i ON i.id = s.incident_id
         WHERE search MATCH ?1 AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?2)
         ORDER BY s.rowid DESC",
    )?;
    let mut rows = stmt.query(rusqlite::params![query, viewer.to_string()])?;
    let mut ids: Vec<String> = Vec::new();
    while ids.len() < limit {
        let Some(row) = rows.next()? else { break };
        let id: String = row.get(0)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    drop(rows);
    summaries(conn, &ids)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn query_syntax_is_neutralised() {
        assert_eq!(
            fts_query("screenshots NEAR bus").as_deref(),
            Some("\"screenshots\" \"NEAR\" \"bus\"")
        );
        assert_eq!(
            fts_query("\"quoted\" (paren) OR").as_deref(),
            Some("\"quoted\" \"paren\"")
        );
        assert_eq!(fts_query("snap*").as_deref(), Some("\"snap\""));
        assert_eq!(
            fts_query("LEE/2026/0417").as_deref(),
            Some("\"LEE/2026/0417\"")
        );
        assert_eq!(fts_query("  ()  "), None);
        assert_eq!(fts_query("PC on"), None);
    }
}
