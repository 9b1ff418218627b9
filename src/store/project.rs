//! Applying one event to the tables the app reads.
//!
//! Events are applied in the log's total order (clock, device, sequence). Every rule here
//! depends only on the event and on what earlier events built, so the same set of events
//! gives the same tables on every device. An event about an incident that has not arrived
//! (its device's chain has a gap) changes nothing until a rebuild includes both.

use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::{reference, Status};
use crate::log::{Body, Event, Field, IncidentOpened};
use crate::Result;

/// Applies `event` (whose payload is `body`) to the projections.
pub fn apply(conn: &Connection, event: &Event, body: &Body) -> Result<()> {
    let h = &event.header;
    let device = h.device_id.to_string();
    match body {
        Body::DeviceRegistered {
            verifying_key,
            label,
            centre,
        } => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO devices (id, verifying_key, label, centre_code) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![device, verifying_key, label, centre])?;
        }
        Body::DeviceRetired {
            device_id,
            replaced_by,
            ..
        } => {
            conn.prepare_cached(
                "UPDATE devices SET retired_by = ?1, retired_ms = ?2 WHERE id = ?3",
            )?
            .execute(params![
                replaced_by.to_string(),
                h.hlc.ms,
                device_id.to_string()
            ])?;
        }
        Body::BackupIntervalSet { days } => {
            conn.prepare_cached(
                "INSERT INTO org (id, name, backup_interval_days) VALUES (1, '', ?1)
                 ON CONFLICT (id) DO UPDATE SET backup_interval_days = excluded.backup_interval_days",
            )?
            .execute([*days])?;
        }
        Body::OrganisationNamed { name } => {
            conn.prepare_cached(
                "INSERT INTO org (id, name) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )?
            .execute([name])?;
        }
        Body::PolicyReviewDue { date } => {
            conn.prepare_cached(
                "INSERT INTO org (id, name, policy_review_date) VALUES (1, '', ?1)
                 ON CONFLICT (id) DO UPDATE SET policy_review_date = excluded.policy_review_date",
            )?
            .execute([date.to_string()])?;
        }
        Body::CentreAdded { code, name } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO centres (code, name, home_device) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![code, name, device])?;
        }
        Body::StaffAdded {
            staff_id,
            name,
            job_title,
            centre,
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO staff (id, name, job_title, centre_code) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![staff_id.to_string(), name, job_title, centre])?;
        }
        Body::ContactAssigned { role, staff_id } => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO contacts (role, staff_id) VALUES (?1, ?2)",
            )?
            .execute(params![role.code(), staff_id.to_string()])?;
        }
        Body::CategoryAdded {
            code,
            name,
            four_c,
            restricted,
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO categories (code, name, four_c, restricted) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![code, name, four_c.code(), restricted])?;
        }
        Body::LearnerAdded {
            learner_id,
            name,
            dob,
            centre,
            employer,
            carers,
        } => {
            let id = learner_id.to_string();
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO learners (id, name, dob, centre_code, employer, added_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, name, dob.to_string(), centre, employer, h.hlc.ms])?;
            if added == 1 {
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO carers (learner_id, position, name, relationship, phone) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for (i, c) in carers.iter().enumerate() {
                    stmt.execute(params![id, i as i64, c.name, c.relationship, c.phone])?;
                }
            }
        }
        Body::IncidentOpened(opened) => open_incident(conn, event, opened)?,
        Body::ProcedureAdapted { procedure } => {
            // The highest version of each id wins; of two with the same version, the one
            // first in the log's order is kept, so every device agrees.
            let json = serde_json::to_string(procedure).map_err(|e| {
                crate::Error::Integrity(format!("an adapted procedure could not be stored: {e}"))
            })?;
            conn.prepare_cached(
                "INSERT INTO procedure_templates (id, version, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body
                 WHERE excluded.version > procedure_templates.version",
            )?
            .execute(params![procedure.id, procedure.version, json])?;
        }
        Body::ConsentRecorded { .. } | Body::ConsentWithdrawn { .. } => {
            super::project_consent::apply(conn, event, body)?
        }
        Body::FormAdapted { form } => super::project_forms::apply(conn, event, form)?,
        Body::TransferSent { .. } | Body::TransferReceiptRecorded { .. } => {
            super::project_transfers::apply(conn, event, body)?
        }
        Body::SubjectAccessDisclosed { .. } => {
            super::project_disclosures::apply(conn, event, body)?
        }
        Body::RetentionRuleAdapted { .. }
        | Body::RetentionReviewed { .. }
        | Body::LegalHoldPlaced { .. }
        | Body::LegalHoldLifted { .. } => super::project_retention::apply(conn, event, body)?,
        Body::DeviceRevoked {
            device_id,
            last_seq,
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO revocations (event_id, device_id, last_seq, revoked_by, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                h.id.to_string(),
                device_id.to_string(),
                *last_seq as i64,
                device,
                h.hlc.ms
            ])?;
        }
        other => {
            let Some(incident_id) = other.incident_id() else {
                return Ok(());
            };
            let incident = incident_id.to_string();
            let exists = conn
                .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
                .query_row([&incident], |_| Ok(()))
                .optional()?
                .is_some();
            if !exists {
                return Ok(());
            }
            apply_to_incident(conn, event, other, &incident)?;
            conn.prepare_cached(
                "UPDATE incidents SET updated_ms = max(updated_ms, ?2) WHERE id = ?1",
            )?
            .execute(params![incident, h.hlc.ms])?;
        }
    }
    Ok(())
}

pub(super) fn chronicle(
    conn: &Connection,
    event: &Event,
    incident: &str,
    text: &str,
    corrects: Option<String>,
) -> Result<()> {
    let h = &event.header;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO chronology (event_id, incident_id, at_ms, at_count, device_id, seq, author_id, kind, text, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        h.id.to_string(),
        incident,
        h.hlc.ms,
        h.hlc.count,
        h.device_id.to_string(),
        h.seq as i64,
        h.author_id.to_string(),
        h.kind,
        text,
        corrects
    ])?;
    index(conn, incident, text)
}

fn index(conn: &Connection, incident: &str, text: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO search (incident_id, body) VALUES (?1, ?2)")?
        .execute(params![incident, text])?;
    Ok(())
}

fn open_incident(conn: &Connection, event: &Event, o: &IncidentOpened) -> Result<()> {
    let h = &event.header;
    let id = o.incident_id.to_string();
    let already = conn
        .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
        .query_row([&id], |_| Ok(()))
        .optional()?
        .is_some();
    if already {
        return Ok(());
    }
    // References are unique by construction; if two ever meet (a device tag shared by
    // chance), the later one in the log's order is told apart by its device's tag.
    let taken = conn
        .prepare_cached("SELECT 1 FROM incidents WHERE reference = ?1")?
        .query_row([&o.reference], |_| Ok(()))
        .optional()?
        .is_some();
    let reference = if taken {
        format!("{}-{}", o.reference, reference::device_tag(&h.device_id))
    } else {
        o.reference.clone()
    };
    conn.prepare_cached(
        "INSERT INTO incidents (id, reference, centre_code, occurred_at, reported_at, reporter_name,
            reporter_title, place, account, status, concerns_staff, opened_ms, opened_count, opened_by, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?12)",
    )?
    .execute(params![
        id,
        reference,
        o.centre,
        o.occurred_at.to_rfc3339(),
        o.reported_at.to_rfc3339(),
        o.reporter.name,
        o.reporter.job_title,
        o.place,
        o.account,
        Status::Open.code(),
        o.concerns_staff.map(|s| s.to_string()),
        h.hlc.ms,
        h.hlc.count,
        h.author_id.to_string(),
    ])?;
    let mut cat = conn.prepare_cached(
        "INSERT OR IGNORE INTO incident_categories (incident_id, code) VALUES (?1, ?2)",
    )?;
    for c in &o.categories {
        cat.execute(params![id, c])?;
    }
    let mut learner = conn.prepare_cached(
        "INSERT OR REPLACE INTO incident_learners (incident_id, learner_id, role) VALUES (?1, ?2, ?3)",
    )?;
    for (l, role) in &o.learners {
        learner.execute(params![id, l.to_string(), role.code()])?;
    }
    let mut text = format!(
        "Incident recorded. Reported by {} ({}).",
        o.reporter.name, o.reporter.job_title
    );
    if let Some(place) = &o.place {
        text.push_str(&format!(" Where or platform: {place}."));
    }
    text.push_str(&format!(" Account: \u{201c}{}\u{201d}", o.account));
    chronicle(conn, event, &id, &text, None)?;
    // The reference, the categories' names and the learners' names are searched too.
    let mut words = vec![reference];
    let mut category = conn.prepare_cached("SELECT name FROM categories WHERE code = ?1")?;
    for c in &o.categories {
        words.extend(
            category
                .query_row([c], |r| r.get::<_, String>(0))
                .optional()?,
        );
    }
    let mut name = conn.prepare_cached("SELECT name FROM learners WHERE id = ?1")?;
    for (l, _) in &o.learners {
        words.extend(
            name.query_row([l.to_string()], |r| r.get::<_, String>(0))
                .optional()?,
        );
    }
    index(conn, &id, &words.join(" \u{b7} "))
}

fn apply_to_incident(conn: &Connection, event: &Event, body: &Body, incident: &str) -> Result<()> {
    let h = &event.header;
    match body {
        Body::IncidentCategorised { code, .. } => {
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO incident_categories (incident_id, code) VALUES (?1, ?2)",
                )?
                .execute(params![incident, code])?;
            if added == 1 {
                let name: Option<String> = conn
                    .prepare_cached("SELECT name FROM categories WHERE code = ?1")?
                    .query_row([code], |r| r.get(0))
                    .optional()?;
                let text = format!("Category added: {}.", name.as_deref().unwrap_or(code));
                chronicle(conn, event, incident, &text, None)?;
            }
        }
        Body::NoteAdded { text, .. } => chronicle(conn, event, incident, text, None)?,
        Body::EntryCorrected {
            corrects,
            text,
            reason,
            ..
        } => {
            let shown = format!("Correction: {text} (Reason: {reason})");
            chronicle(conn, event, incident, &shown, Some(corrects.to_string()))?;
        }
        Body::LearnerInvolved {
            learner_id, role, ..
        } => {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO incident_learners (incident_id, learner_id, role) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![incident, learner_id.to_string(), role.code()])?;
            let name: Option<String> = conn
                .prepare_cached("SELECT name FROM learners WHERE id = ?1")?
                .query_row([learner_id.to_string()], |r| r.get(0))
                .optional()?;
            let who = name.unwrap_or_else(|| "A learner".into());
            let text = format!("{who} added to the incident as {}.", role.label());
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::ReferralMade {
            agency,
            date,
            person,
            reference,
            ..
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO referrals (event_id, incident_id, agency, referred_on, person, reference)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                h.id.to_string(),
                incident,
                agency.code(),
                date.to_string(),
                person,
                reference
            ])?;
            let mut text = format!(
                "Referred to {} on {} by {}.",
                agency.label(),
                crate::domain::time::show_date(*date),
                person
            );
            if let Some(r) = reference {
                text.push_str(&format!(" Reference: {r}."));
            }
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::DecisionRecorded {
            decision,
            reason,
            not_to_refer,
            ..
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO decisions (event_id, incident_id, decision, reason, not_to_refer)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![h.id.to_string(), incident, decision, reason, not_to_refer])?;
            let lead = if *not_to_refer {
                "Decision not to refer"
            } else {
                "Decision"
            };
            let text = format!("{lead}: {decision} Reason: {reason}");
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::ActionAdded {
            action_id,
            description,
            owner,
            due,
            ..
        } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO actions (id, incident_id, description, owner, due_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![action_id.to_string(), incident, description, owner, due.to_string()])?;
            let text = format!(
                "Action for {owner}, due {}: {description}",
                crate::domain::time::show_date(*due)
            );
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::EntryWithdrawn { entry, reason, .. } => {
            let key = entry.to_string();
            conn.prepare_cached(
                "INSERT OR IGNORE INTO withdrawals (event_id, incident_id, entry, reason) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![h.id.to_string(), incident, key, reason])?;
            let what = withdrawn_entry(conn, &key)?;
            let text = format!("Withdrawn, recorded in error: {what} Reason: {reason}");
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::ActionDone {
            action_id, note, ..
        } => {
            let changed = conn
                .prepare_cached(
                    "UPDATE actions SET done_ms = ?2, done_note = ?3 WHERE id = ?1 AND done_ms IS NULL",
                )?
                .execute(params![action_id.to_string(), h.hlc.ms, note])?;
            if changed == 1 {
                let description: String = conn
                    .prepare_cached("SELECT description FROM actions WHERE id = ?1")?
                    .query_row([action_id.to_string()], |r| r.get(0))?;
                let mut text = format!("Action done: {description}");
                if let Some(n) = note {
                    text.push_str(&format!(" Note: {n}"));
                }
                chronicle(conn, event, incident, &text, None)?;
            }
        }
        Body::RiskAssessed {
            level,
            reason,
            replaces,
            ..
        } => {
            let side = Side {
                value: level.code(),
                reason: Some(reason),
                outcome: None,
            };
            set_field(
                conn,
                event,
                incident,
                Field::Risk,
                &side,
                replaces.as_deref(),
            )?;
            let text = format!("Risk level set to {}. Reason: {reason}", level.label());
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::IncidentsLinked {
            other_id, reason, ..
        } => {
            let other = other_id.to_string();
            let (a, b) = if incident < other.as_str() {
                (incident.to_string(), other.clone())
            } else {
                (other.clone(), incident.to_string())
            };
            conn.prepare_cached(
                "INSERT OR IGNORE INTO incident_links (a, b, reason) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![a, b, reason])?;
            let other_ref: Option<String> = conn
                .prepare_cached("SELECT reference FROM incidents WHERE id = ?1")?
                .query_row([&other], |r| r.get(0))
                .optional()?;
            let mut text = format!(
                "Linked to incident {}.",
                other_ref.unwrap_or_else(|| "(not yet received)".into())
            );
            if let Some(r) = reason {
                text.push_str(&format!(" Reason: {r}"));
            }
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::IncidentClosed {
            outcome,
            reason,
            replaces,
            ..
        } => {
            let side = Side {
                value: Status::Closed.code(),
                reason: Some(reason),
                outcome: Some(outcome),
            };
            set_field(
                conn,
                event,
                incident,
                Field::Status,
                &side,
                replaces.as_deref(),
            )?;
            let text = format!("Closed. Outcome: {outcome} Reason: {reason}");
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::IncidentReopened {
            reason, replaces, ..
        } => {
            let side = Side {
                value: Status::Open.code(),
                reason: Some(reason),
                outcome: None,
            };
            set_field(
                conn,
                event,
                incident,
                Field::Status,
                &side,
                replaces.as_deref(),
            )?;
            let text = format!("Reopened. Reason: {reason}");
            chronicle(conn, event, incident, &text, None)?;
        }
        Body::ConflictResolved {
            field,
            chosen,
            value,
            replaces,
            reason,
            ..
        } => resolve_field(
            conn, event, incident, *field, chosen, value, replaces, reason,
        )?,
        other => super::project_evidence::apply(conn, event, other, incident)?,
    }
    Ok(())
}

/// A value of a single-valued field as one event set it.
struct Side<'a> {
    value: &'a str,
    reason: Option<&'a str>,
    outcome: Option<&'a str>,
}

/// Records `event` as setting `field`: the settings it replaces stop being current, and it
/// becomes current beside any setting it had not seen (a change made on two devices). The
/// incident's own column shows the latest current value in the log's order, which is this
/// one, since events are applied in that order and a replaced setting always sorts before
/// the event that saw it. An event from before sync (`replaces` absent) replaces all.
fn set_field(
    conn: &Connection,
    event: &Event,
    incident: &str,
    field: Field,
    side: &Side<'_>,
    replaces: Option<&[uuid::Uuid]>,
) -> Result<()> {
    let h = &event.header;
    match replaces {
        None => {
            conn.prepare_cached("DELETE FROM field_heads WHERE incident_id = ?1 AND field = ?2")?
                .execute(params![incident, field.code()])?;
        }
        Some(ids) => {
            let mut stmt = conn.prepare_cached(
                "DELETE FROM field_heads WHERE incident_id = ?1 AND field = ?2 AND event_id = ?3",
            )?;
            for id in ids {
                stmt.execute(params![incident, field.code(), id.to_string()])?;
            }
        }
    }
    conn.prepare_cached(
        "INSERT OR REPLACE INTO field_heads (incident_id, field, event_id, value, reason, outcome, at_ms, at_count, device_id, author_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        incident,
        field.code(),
        h.id.to_string(),
        side.value,
        side.reason,
        side.outcome,
        h.hlc.ms,
        h.hlc.count,
        h.device_id.to_string(),
        h.author_id.to_string(),
    ])?;
    show_field(conn, incident, field, side)
}

fn show_field(conn: &Connection, incident: &str, field: Field, side: &Side<'_>) -> Result<()> {
    match field {
        Field::Risk => conn
            .prepare_cached("UPDATE incidents SET risk_level = ?2, risk_reason = ?3 WHERE id = ?1")?
            .execute(params![incident, side.value, side.reason])?,
        Field::Status if side.value == Status::Closed.code() => conn
            .prepare_cached(
                "UPDATE incidents SET status = ?2, status_reason = ?3, outcome = ?4 WHERE id = ?1",
            )?
            .execute(params![incident, side.value, side.reason, side.outcome])?,
        Field::Status => conn
            .prepare_cached("UPDATE incidents SET status = ?2, status_reason = ?3 WHERE id = ?1")?
            .execute(params![incident, side.value, side.reason])?,
    };
    Ok(())
}

/// A coordinator's choice between the sides of a change made on two devices: the chosen
/// value becomes the one current value, set by this event, replacing every side it saw.
/// The value travels in the event itself, so the result does not depend on which sides are
/// still current here; the chosen side's reason and outcome are kept if it still is.
#[allow(clippy::too_many_arguments)]
fn resolve_field(
    conn: &Connection,
    event: &Event,
    incident: &str,
    field: Field,
    chosen: &uuid::Uuid,
    value: &str,
    replaces: &[uuid::Uuid],
    reason: &str,
) -> Result<()> {
    let picked: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT reason, outcome FROM field_heads WHERE incident_id = ?1 AND field = ?2 AND event_id = ?3",
        )?
        .query_row(params![incident, field.code(), chosen.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (side_reason, outcome) = picked.unwrap_or((Some(reason.to_string()), None));
    let side = Side {
        value,
        reason: side_reason.as_deref(),
        outcome: outcome.as_deref(),
    };
    set_field(conn, event, incident, field, &side, Some(replaces))?;
    let shown = match field {
        Field::Risk => crate::domain::RiskLevel::parse(value)
            .map(|l| l.label().to_string())
            .unwrap_or_else(|_| value.to_string()),
        Field::Status => Status::parse(value)
            .map(|s| s.label().to_string())
            .unwrap_or_else(|_| value.to_string()),
    };
    let text = format!(
        "The {} had been changed on two devices; {shown} was kept. Reason: {reason}",
        field.label()
    );
    chronicle(conn, event, incident, &text, None)
}

/// What a withdrawal withdraws, in words for the chronology: the referral, decision or action
/// as recorded, or "An entry" if it has not arrived yet (sync may bring it later).
fn withdrawn_entry(conn: &rusqlite::Connection, entry: &str) -> crate::Result<String> {
    let referral: Option<(String, String)> = conn
        .prepare_cached("SELECT agency, referred_on FROM referrals WHERE event_id = ?1")?
        .query_row([entry], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((agency, on)) = referral {
        let agency = crate::domain::Agency::parse(&agency)
            .map(|a| a.label().to_string())
            .unwrap_or(agency);
        let on = chrono::NaiveDate::parse_from_str(&on, "%Y-%m-%d")
            .map(crate::domain::time::show_date)
            .unwrap_or(on);
        return Ok(format!("the referral to {agency} on {on}."));
    }
    let decision: Option<String> = conn
        .prepare_cached("SELECT decision FROM decisions WHERE event_id = ?1")?
        .query_row([entry], |r| r.get(0))
        .optional()?;
    if let Some(d) = decision {
        return Ok(format!("the decision \u{201c}{d}\u{201d}."));
    }
    let action: Option<String> = conn
        .prepare_cached("SELECT description FROM actions WHERE id = ?1")?
        .query_row([entry], |r| r.get(0))
        .optional()?;
    Ok(match action {
        Some(a) => format!("the action \u{201c}{a}\u{201d}."),
        None => "an entry.".to_string(),
    })
}
