//! Full-text search over incidents and their chronology, inside the encrypted database.
//!
//! The words a person types are each quoted before they reach FTS5, so punctuation or words
//! like AND and NEAR are searched for, never read as query syntax. Every word must appear
//! (in the account, the reference, a note, a correction…); a trailing `*` keeps its meaning
//! as "begins with". Results come newest first.

use rusqlite::Connection;
use uuid::Uuid;

use super::incidents::{summaries, IncidentSummary};
use crate::{Error, Result};

/// Turns typed words into a safe FTS5 query, or None if there are no words.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter_map(|w| {
            let prefix = w.ends_with('*');
            let word: String = w
                .trim_end_matches('*')
                .chars()
                .filter(|c| {
                    c.is_alphanumeric() || *c == '-' || *c == '\'' || *c == '.' || *c == '@'
                })
                .collect();
            if word.is_empty() {
                return None;
            }
            let quoted = format!("\"{}\"", word.replace('"', ""));
            Some(if prefix { format!("{quoted}*") } else { quoted })
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
    let query =
        fts_query(text).ok_or_else(|| Error::invalid("Type at least one word to search for."))?;
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
            Some("\"quoted\" \"paren\" \"OR\"")
        );
        assert_eq!(fts_query("snap*").as_deref(), Some("\"snap\"*"));
        assert_eq!(fts_query("  ()  "), None);
    }
}
