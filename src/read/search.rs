//! Full-text search over incidents and their chronology, inside the encrypted database.
//!
//! The words a person types are each quoted before they reach FTS5, so punctuation or words
//! like AND and NEAR are searched for, never read as query syntax. Every word must appear
//! (in the account, the reference, a note, a correction…); a trailing `*` keeps its meaning
//! as "begins with".

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
                .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '\'' || *c == '.' || *c == '@')
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

/// Incidents whose text matches every word, best match first.
pub fn search(conn: &Connection, viewer: Uuid, text: &str, limit: usize) -> Result<Vec<IncidentSummary>> {
    let query = fts_query(text).ok_or_else(|| Error::invalid("Type at least one word to search for."))?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.incident_id FROM search s JOIN incidents i ON i.id = s.incident_id
         WHERE search MATCH ?1 AND (i.concerns_staff IS NULL OR i.concerns_staff <> ?2)
         GROUP BY s.incident_id ORDER BY min(s.rank), i.opened_ms DESC LIMIT ?3",
    )?;
    let ids = stmt
        .query_map(rusqlite::params![query, viewer.to_string(), limit as i64], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    summaries(conn, &ids)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn query_syntax_is_neutralised() {
        assert_eq!(fts_query("screenshots NEAR bus").as_deref(), Some("\"screenshots\" \"NEAR\" \"bus\""));
        assert_eq!(fts_query("\"quoted\" (paren) OR").as_deref(), Some("\"quoted\" \"paren\" \"OR\""));
        assert_eq!(fts_query("snap*").as_deref(), Some("\"snap\"*"));
        assert_eq!(fts_query("  ()  "), None);
    }
}
