//! The consent forms as this organisation uses them: for each, the version printed now, and
//! whether it is Harbour's built-in wording or the organisation's own (when and by whom).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::domain::form_templates::{adapted_versions, current_adapted};
use crate::domain::forms;
use crate::domain::time::show_millis;
use crate::Result;

/// Who adapted a form, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormAdaptation {
    /// The coordinator's name (or their staff id, if that record has not arrived).
    pub by: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    /// `20/11/2026 15:30`, UK time.
    pub at: String,
    /// The version Harbour itself ships, which the organisation's version replaces.
    pub built_in_version: String,
}

/// One form in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormSummary {
    pub id: String,
    pub title: String,
    /// The version printed now.
    pub version: String,
    /// Absent for Harbour's built-in wording.
    pub adapted: Option<FormAdaptation>,
}

fn staff_name(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM staff WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| id.to_string()))
}

/// Every form, in print order, with the version printed now and who adapted it.
pub fn list(conn: &Connection) -> Result<Vec<FormSummary>> {
    forms::built_in()?
        .into_iter()
        .map(|built_in| {
            Ok(match current_adapted(conn, &built_in.id)? {
                Some(a) => FormSummary {
                    id: a.form.id,
                    title: a.form.title,
                    version: a.form.version,
                    adapted: Some(FormAdaptation {
                        by: staff_name(conn, &a.author_id)?,
                        at_ms: a.at_ms,
                        at: show_millis(a.at_ms),
                        built_in_version: built_in.version,
                    }),
                },
                None => FormSummary {
                    id: built_in.id,
                    title: built_in.title,
                    version: built_in.version,
                    adapted: None,
                },
            })
        })
        .collect()
}

/// Every version of a form that Harbour has printed or could print: the built-in one, then
/// each adapted version, lowest first.
pub fn versions(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let built_in = forms::find(id)?;
    let mut out = vec![built_in.version];
    for a in adapted_versions(conn, &built_in.id)? {
        if !out.contains(&a.form.version) {
            out.push(a.form.version);
        }
    }
    Ok(out)
}
