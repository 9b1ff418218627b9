//! Applying `form_adapted` events: an organisation's own wording of a consent form.
//!
//! Every adapted version is kept (keyed by form and version), with the event, who and when,
//! so `forms list` can say who adapted a form and `consent record` can accept any version
//! that was ever printed. Of two events with the same version the first in the log's order
//! is kept, and a template that breaks the form rules (which a damaged or foreign event
//! could carry) changes nothing: both depend only on the event, so every device agrees.

use rusqlite::{params, Connection};

use crate::domain::form_templates::check_shape;
use crate::domain::forms::FormTemplate;
use crate::log::Event;
use crate::Result;

/// Records one adapted form version.
pub fn apply(conn: &Connection, event: &Event, form: &FormTemplate) -> Result<()> {
    if check_shape(form).is_err() {
        return Ok(());
    }
    let h = &event.header;
    let json = serde_json::to_string(form).map_err(|e| {
        crate::Error::Integrity(format!("an adapted form could not be stored: {e}"))
    })?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO form_templates
            (id, version, body, event_id, author_id, device_id, at_ms, at_count, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        form.id,
        form.version,
        json,
        h.id.to_string(),
        h.author_id.to_string(),
        h.device_id.to_string(),
        h.hlc.ms,
        h.hlc.count,
        h.seq as i64
    ])?;
    Ok(())
}
