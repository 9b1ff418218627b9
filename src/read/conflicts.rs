//! Fields changed on two devices: each side with its value, who set it, on which device and
//! when, until a coordinator chooses one.

use rusqlite::{params, Connection};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{RiskLevel, Status};
use crate::log::Field;
use crate::Result;

/// One value of a field changed on two devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Side {
    /// The event that set it: give its id (or the start of it) to keep this side.
    pub event_id: String,
    pub value: String,
    /// The value in words.
    pub label: String,
    pub reason: Option<String>,
    pub by: String,
    pub device: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
}

/// A field of one incident changed on two devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Conflict {
    pub incident_id: String,
    pub reference: String,
    pub field: String,
    /// The field in words.
    pub field_label: String,
    pub sides: Vec<Side>,
}

fn label(field: &str, value: &str) -> String {
    match field {
        "risk" => RiskLevel::parse(value)
            .map(|l| l.label().to_string())
            .unwrap_or_else(|_| value.to_string()),
        _ => Status::parse(value)
            .map(|s| s.label().to_string())
            .unwrap_or_else(|_| value.to_string()),
    }
}

/// Every open conflict this device's user may see, or those of one incident.
pub fn list(conn: &Connection, viewer: Uuid, incident: Option<Uuid>) -> Result<Vec<Conflict>> {
    let mut stmt = conn.prepare(
        "SELECT f.incident_id, i.reference, f.field, f.event_id, f.value, f.reason,
                coalesce(s.name, 'someone'), coalesce(d.label, f.device_id), f.at_ms
         FROM field_heads f
         JOIN incidents i ON i.id = f.incident_id
         LEFT JOIN staff s ON s.id = f.author_id
         LEFT JOIN devices d ON d.id = f.device_id
         WHERE (i.concerns_staff IS NULL OR i.concerns_staff <> ?1)
           AND (?2 IS NULL OR f.incident_id = ?2)
           AND (SELECT count(DISTINCT g.value) FROM field_heads g
                WHERE g.incident_id = f.incident_id AND g.field = f.field) > 1
         ORDER BY i.reference, f.field, f.at_ms, f.at_count, f.device_id",
    )?;
    let rows = stmt.query_map(
        params![viewer.to_string(), incident.map(|i| i.to_string())],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                Side {
                    event_id: r.get(3)?,
                    value: r.get(4)?,
                    label: String::new(),
                    reason: r.get(5)?,
                    by: r.get(6)?,
                    device: r.get(7)?,
                    at_ms: r.get(8)?,
                },
            ))
        },
    )?;
    let mut out: Vec<Conflict> = Vec::new();
    for row in rows {
        let (incident_id, reference, field, mut side) = row?;
        side.label = label(&field, &side.value);
        match out.last_mut() {
            Some(c) if c.incident_id == incident_id && c.field == field => c.sides.push(side),
            _ => out.push(Conflict {
                field_label: Field::parse(&field)
                    .map(|f| f.label().to_string())
                    .unwrap_or_else(|_| field.clone()),
                incident_id,
                reference,
                field,
                sides: vec![side],
            }),
        }
    }
    Ok(out)
}

/// The conflict in a few plain lines.
pub fn describe(c: &Conflict) -> String {
    let mut s = format!(
        "{}: the {} was changed on two devices:\n",
        c.reference, c.field_label
    );
    for side in &c.sides {
        s.push_str(&format!(
            "  {} — by {} on {}, {} (entry {}){}\n",
            side.label,
            side.by,
            side.device,
            crate::domain::time::show_millis(side.at_ms),
            side.event_id,
            side.reason
                .as_ref()
                .map(|r| format!(". Reason: {r}"))
                .unwrap_or_default()
        ));
    }
    s
}
