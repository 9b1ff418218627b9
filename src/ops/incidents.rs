//! Recording incidents and everything that follows: notes, corrections, referrals, decisions,
//! actions, risk, links and closing.
//!
//! Nothing is ever edited in place. A correction is a new entry naming the entry it corrects;
//! a reopened case keeps its closing entry. An allegation about a member of staff records
//! whom it concerns, and that person's own device never finds it.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use super::dates;
use crate::domain::text::{block, line, optional_block, optional_line};
use crate::domain::{reference, Agency, LearnerRole, Reporter, RiskLevel, Status};
use crate::log::{Body, Field, IncidentOpened};
use crate::store::CaseLog;
use crate::{Error, Result};

/// An incident about to be recorded, in the order a coordinator thinks of it.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// Learners as typed (id or its beginning) with each one's role.
    pub learners: Vec<(String, LearnerRole)>,
    pub categories: Vec<String>,
    /// The account, in the learner's own words.
    pub account: String,
    pub occurred_at: DateTime<Utc>,
    /// When it was reported; now if not given.
    pub reported_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub reporter: Reporter,
    /// The centre; if absent, the first learner's centre, or with no learner (an
    /// allegation about a member of staff) this device's own centre.
    pub centre: Option<String>,
    /// For an allegation about a member of staff: whom it concerns (id or its beginning).
    pub concerns_staff: Option<String>,
    /// What was done straight away, recorded as the first chronology note in the same
    /// transaction (so an incident is never saved without the note the coordinator typed).
    pub first_actions: Option<String>,
    /// Procedures to follow besides those its categories attach: those offered for its
    /// categories that the coordinator said apply (by id, as the policy files name them).
    pub procedures: Vec<String>,
}

/// What recording an incident gave back.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opened {
    pub id: Uuid,
    pub reference: String,
}

/// The centre this device was set up for (failing that, its user's centre): where an
/// incident recorded here belongs when nothing else says, so its reference is this
/// centre's. Never simply the first centre known, which may be another site's.
pub fn own_centre(log: &CaseLog) -> Result<String> {
    let code: Option<String> = log
        .conn()
        .query_row(
            "SELECT c.code FROM local_device l
               LEFT JOIN devices d ON d.id = l.device_id
               LEFT JOIN staff s ON s.id = l.author_id
               JOIN centres c ON c.code = coalesce(d.centre_code, s.centre_code)
             WHERE l.id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    code.ok_or_else(|| {
        Error::invalid(
            "This device has no centre of its own recorded; say which centre the incident belongs to.",
        )
    })
}

/// Finds an incident by reference or id, as this device's user may see it.
pub fn resolve(log: &CaseLog, text: &str) -> Result<Uuid> {
    let t = text.trim();
    let viewer = log.device().author.to_string();
    let by_ref: Option<String> = log
        .conn()
        .query_row(
            "SELECT id FROM incidents WHERE upper(reference) = upper(?1)
               AND (concerns_staff IS NULL OR concerns_staff <> ?2)",
            params![t, viewer],
            |r| r.get(0),
        )
        .optional()?;
    let not_found = || Error::NotFound {
        what: "incident",
        key: t.to_string(),
    };
    let id = match by_ref {
        Some(id) => Uuid::parse_str(&id).map_err(|_| not_found())?,
        None => {
            super::resolve_id(log.conn(), "incidents", "incident", t).map_err(|_| not_found())?
        }
    };
    let hidden: Option<String> = log
        .conn()
        .query_row(
            "SELECT concerns_staff FROM incidents WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if hidden.as_deref() == Some(viewer.as_str()) {
        return Err(not_found());
    }
    Ok(id)
}

fn open_status(log: &CaseLog, id: Uuid) -> Result<Status> {
    let code: String = log.conn().query_row(
        "SELECT status FROM incidents WHERE id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )?;
    Status::parse(&code)
}

fn next_reference(log: &CaseLog, centre: &str, year: i32) -> Result<String> {
    let home: Option<String> = log
        .conn()
        .query_row(
            "SELECT home_device FROM centres WHERE code = ?1",
            [centre],
            |r| r.get(0),
        )
        .optional()?;
    let tag = match home {
        Some(h) if h == log.device().id.to_string() => None,
        _ => Some(reference::device_tag(&log.device().id)),
    };
    let prefix = format!("{centre}-{year}-");
    let mut stmt = log
        .conn()
        .prepare_cached("SELECT reference FROM incidents WHERE reference LIKE ?1 || '%'")?;
    let refs = stmt.query_map([&prefix], |r| r.get::<_, String>(0))?;
    let mut highest = 0;
    for r in refs {
        if let Some(n) = reference::number_of(&r?, centre, year, tag.as_deref()) {
            highest = highest.max(n);
        }
    }
    Ok(reference::format(centre, year, highest + 1, tag.as_deref()))
}

/// Records a new incident and returns its id and reference.
pub fn open(log: &mut CaseLog, n: NewIncident) -> Result<Opened> {
    let account = block("The account", &n.account)?;
    let reporter = Reporter {
        name: line("The reporter's name", &n.reporter.name)?,
        job_title: line("The reporter's job title", &n.reporter.job_title)?,
    };
    let place = optional_line("The place", n.place.as_deref())?;
    let first_actions = match n.first_actions.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Some(block("The first actions", t)?),
        _ => None,
    };
    let reported_at = dates::check_times(n.occurred_at, n.reported_at)?;
    if n.categories.is_empty() {
        return Err(Error::invalid("Choose at least one category."));
    }
    let mut categories = Vec::new();
    let mut restricted = false;
    for c in &n.categories {
        let code = c.trim().to_lowercase();
        let r: Option<bool> = log
            .conn()
            .query_row(
                "SELECT restricted FROM categories WHERE code = ?1",
                [&code],
                |r| r.get(0),
            )
            .optional()?;
        match r {
            Some(r) => restricted |= r,
            None => return Err(Error::UnknownCategory(c.to_string())),
        }
        if !categories.contains(&code) {
            categories.push(code);
        }
    }
    let concerns_staff = match &n.concerns_staff {
        Some(s) => Some(super::resolve_id(
            log.conn(),
            "staff",
            "member of staff",
            s,
        )?),
        None => None,
    };
    if restricted && concerns_staff.is_none() {
        return Err(Error::Required {
            field: "concerns_staff",
            sentence: "An allegation about a member of staff must say whom it concerns.",
        });
    }
    if concerns_staff == Some(log.device().author) {
        return Err(Error::invalid(
            "An allegation about you must be recorded by someone else: the DSL, the General Manager or the named alternate.",
        ));
    }
    let mut learners: Vec<(Uuid, LearnerRole)> = Vec::new();
    for (text, role) in &n.learners {
        let id = super::resolve_id(log.conn(), "learners", "learner", text)?;
        if learners.iter().any(|(l, _)| *l == id) {
            return Err(Error::invalid(
                "The same learner is listed twice; give each learner once, with their role.",
            ));
        }
        dates::occurred_after_birth(log, n.occurred_at, id)?;
        learners.push((id, *role));
    }
    if learners.is_empty() && concerns_staff.is_none() {
        return Err(Error::invalid(
            "Name at least one learner involved, with their role.",
        ));
    }
    let centre = match &n.centre {
        Some(c) => super::org::existing_centre(log, c)?,
        None => match learners.first() {
            Some((l, _)) => log.conn().query_row(
                "SELECT centre_code FROM learners WHERE id = ?1",
                [l.to_string()],
                |r| r.get(0),
            )?,
            None => own_centre(log)?,
        },
    };
    let year = crate::domain::time::today().year();
    let reference = next_reference(log, &centre, year)?;
    let id = Uuid::now_v7();
    let mut follows = crate::domain::procedures::for_categories_in(log.conn(), &categories)?;
    for extra in &n.procedures {
        let def = crate::domain::procedures::find_in(log.conn(), extra)?;
        if !follows.iter().any(|d| d.id == def.id) {
            follows.push(def);
        }
    }
    let mut bodies = vec![Body::IncidentOpened(IncidentOpened {
        incident_id: id,
        reference: reference.clone(),
        centre,
        categories,
        learners,
        occurred_at: n.occurred_at,
        reported_at,
        reporter,
        place,
        account,
        concerns_staff,
    })];
    // The procedures its categories call for, with the version followed, in the same
    // transaction: an incident is never recorded without them.
    for def in follows {
        bodies.push(super::procedures::attach_body(id, def));
    }
    if let Some(first) = first_actions {
        bodies.push(Body::NoteAdded {
            incident_id: id,
            text: format!("First actions: {first}"),
        });
    }
    log.append_all(bodies)?;
    Ok(Opened { id, reference })
}

/// Adds a chronology note.
pub fn note(log: &mut CaseLog, incident: Uuid, text: &str) -> Result<Uuid> {
    let text = block("The note", text)?;
    Ok(log
        .append(Body::NoteAdded {
            incident_id: incident,
            text,
        })?
        .header
        .id)
}

/// Adds a correction to an earlier chronology entry; the entry itself stays as it was.
pub fn correct(
    log: &mut CaseLog,
    incident: Uuid,
    entry: &str,
    text: &str,
    reason: &str,
) -> Result<Uuid> {
    let text = block("The corrected text", text)?;
    let reason = block("The reason for the correction", reason)?;
    let t = entry.trim().to_lowercase();
    let mut stmt = log.conn().prepare(
        "SELECT event_id FROM chronology WHERE incident_id = ?1
           AND (event_id LIKE ?2 || '%' OR event_id LIKE '%' || ?2) LIMIT 2",
    )?;
    let found: Vec<String> = stmt
        .query_map(params![incident.to_string(), t], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    let corrects = match found.as_slice() {
        [one] if t.len() >= 8 => {
            Uuid::parse_str(one).map_err(|_| Error::invalid("That entry id is not valid."))?
        }
        [_, _] => {
            return Err(Error::invalid(
                "More than one entry starts with that id; give more of it.",
            ))
        }
        _ => {
            return Err(Error::NotFound {
                what: "chronology entry of this incident",
                key: entry.trim().to_string(),
            })
        }
    };
    Ok(log
        .append(Body::EntryCorrected {
            incident_id: incident,
            corrects,
            text,
            reason,
        })?
        .header
        .id)
}

/// Adds a learner to an incident with their role.
pub fn involve(log: &mut CaseLog, incident: Uuid, learner: &str, role: LearnerRole) -> Result<()> {
    let learner_id = super::resolve_id(log.conn(), "learners", "learner", learner)?;
    dates::occurred_after_birth(log, dates::occurred_at(log, incident)?, learner_id)?;
    log.append(Body::LearnerInvolved {
        incident_id: incident,
        learner_id,
        role,
    })?;
    Ok(())
}

/// Withdraws a referral, decision or action recorded in error, with the reason: `entry` is
/// its id as the incident shows it (or the id's unique beginning or end). It stays on the page,
/// marked withdrawn, and is no longer counted. Returns the withdrawn entry's id.
pub fn withdraw(log: &mut CaseLog, incident: Uuid, entry: &str, reason: &str) -> Result<Uuid> {
    let reason = block("The reason for withdrawing it", reason)?;
    let typed = entry.trim().to_lowercase();
    if typed.len() < 4 || !typed.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::NotFound {
            what: "referral, decision or action",
            key: entry.trim().to_string(),
        });
    }
    let mut stmt = log.conn().prepare(
        "SELECT id FROM (
             SELECT event_id AS id FROM referrals WHERE incident_id = ?1
             UNION ALL SELECT event_id FROM decisions WHERE incident_id = ?1
             UNION ALL SELECT id FROM actions WHERE incident_id = ?1)
         WHERE id LIKE ?2 || '%' OR id LIKE '%' || ?2 LIMIT 2",
    )?;
    let found = stmt
        .query_map(params![incident.to_string(), typed], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    let id = match found.as_slice() {
        [one] => Uuid::parse_str(one).map_err(|e| Error::Integrity(e.to_string()))?,
        [] => {
            return Err(Error::NotFound {
                what: "referral, decision or action on this incident",
                key: entry.trim().to_string(),
            })
        }
        _ => {
            return Err(Error::invalid(
                "More than one entry starts with that; give more of its id.",
            ))
        }
    };
    let already: bool = log.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM withdrawals WHERE entry = ?1)",
        [id.to_string()],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::invalid(
            "That entry has already been withdrawn; nothing was changed.",
        ));
    }
    log.append(Body::EntryWithdrawn {
        incident_id: incident,
        entry: id,
        reason,
    })?;
    Ok(id)
}

/// Records a referral to an agency.
pub fn refer(
    log: &mut CaseLog,
    incident: Uuid,
    agency: Agency,
    date: NaiveDate,
    person: &str,
    reference: Option<&str>,
) -> Result<()> {
    dates::check_referral(log, incident, date)?;
    let person = line("Who made the referral", person)?;
    let reference = optional_line("The referral's reference", reference)?;
    // The same referral twice (a second click, a command run again) would be counted twice
    // in every report; a genuine second referral differs in its date, person or reference.
    let already: bool = log.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM referrals r WHERE incident_id = ?1 AND agency = ?2
             AND referred_on = ?3 AND person = ?4 AND reference IS ?5
             AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.entry = r.event_id))",
        params![
            incident.to_string(),
            agency.code(),
            date.to_string(),
            person,
            reference
        ],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::invalid(format!(
            "This referral to {} on {}, made by {person}, is already recorded.",
            agency.label(),
            crate::domain::time::show_date(date)
        )));
    }
    log.append(Body::ReferralMade {
        incident_id: incident,
        agency,
        date,
        person,
        reference,
    })?;
    Ok(())
}

/// Records a decision and its reasons (a decision not to refer included).
pub fn decide(
    log: &mut CaseLog,
    incident: Uuid,
    decision: &str,
    reason: &str,
    not_to_refer: bool,
) -> Result<()> {
    log.append(Body::DecisionRecorded {
        incident_id: incident,
        decision: block("The decision", decision)?,
        reason: block("The reason for the decision", reason)?,
        not_to_refer,
    })?;
    Ok(())
}

/// Adds an action with its owner and due date.
pub fn add_action(
    log: &mut CaseLog,
    incident: Uuid,
    description: &str,
    owner: &str,
    due: NaiveDate,
) -> Result<Uuid> {
    let description = block("The action", description)?;
    let owner = line("Who owns the action", owner)?;
    dates::check_due(log, incident, due)?;
    let action_id = Uuid::now_v7();
    log.append(Body::ActionAdded {
        incident_id: incident,
        action_id,
        description,
        owner,
        due,
    })?;
    Ok(action_id)
}

/// Marks an action done.
pub fn action_done(
    log: &mut CaseLog,
    incident: Uuid,
    action: &str,
    note: Option<&str>,
) -> Result<()> {
    let action_id = super::resolve_id(log.conn(), "actions", "action", action)?;
    let (owner_incident, done): (String, Option<i64>) = log.conn().query_row(
        "SELECT incident_id, done_ms FROM actions WHERE id = ?1",
        [action_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if owner_incident != incident.to_string() {
        return Err(Error::invalid("That action belongs to another incident."));
    }
    if done.is_some() {
        return Err(Error::invalid("That action is already done."));
    }
    log.append(Body::ActionDone {
        incident_id: incident,
        action_id,
        note: optional_block("The note", note)?,
    })?;
    Ok(())
}

/// Sets the risk level, with the reason for the change.
pub fn set_risk(log: &mut CaseLog, incident: Uuid, level: RiskLevel, reason: &str) -> Result<()> {
    log.append(Body::RiskAssessed {
        incident_id: incident,
        level,
        reason: block("The reason for the risk level", reason)?,
        replaces: Some(super::conflicts::current(log, incident, Field::Risk)?),
    })?;
    Ok(())
}

/// Links two incidents.
pub fn link(log: &mut CaseLog, incident: Uuid, other: &str, reason: Option<&str>) -> Result<()> {
    let other_id = resolve(log, other)?;
    if other_id == incident {
        return Err(Error::invalid("An incident cannot be linked to itself."));
    }
    log.append(Body::IncidentsLinked {
        incident_id: incident,
        other_id,
        reason: optional_block("The reason for the link", reason)?,
    })?;
    Ok(())
}

/// Closes an open incident with its outcome and the reason for closing.
pub fn close(log: &mut CaseLog, incident: Uuid, outcome: &str, reason: &str) -> Result<()> {
    if open_status(log, incident)? == Status::Closed {
        return Err(Error::invalid("This incident is already closed."));
    }
    let outstanding = crate::read::procedures::outstanding_required(log.conn(), incident)?;
    if !outstanding.is_empty() {
        let names: Vec<String> = outstanding
            .iter()
            .map(|s| format!("{} ({})", s.id, s.text.trim_end_matches('.')))
            .collect();
        return Err(Error::invalid(format!(
            "This incident cannot be closed while required procedure steps are outstanding: {}. Record each with `harbour procedure step` as done, or as not applicable with the reason.",
            names.join("; ")
        )));
    }
    log.append(Body::IncidentClosed {
        incident_id: incident,
        outcome: block("The outcome", outcome)?,
        reason: block("The reason for closing", reason)?,
        replaces: Some(super::conflicts::current(log, incident, Field::Status)?),
    })?;
    Ok(())
}

/// Reopens a closed incident.
pub fn reopen(log: &mut CaseLog, incident: Uuid, reason: &str) -> Result<()> {
    if open_status(log, incident)? == Status::Open {
        return Err(Error::invalid("This incident is already open."));
    }
    log.append(Body::IncidentReopened {
        incident_id: incident,
        reason: block("The reason for reopening", reason)?,
        replaces: Some(super::conflicts::current(log, incident, Field::Status)?),
    })?;
    Ok(())
}

/// What adding a category gave back.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Categorised {
    /// The category's name.
    pub category: String,
    /// Procedures the category calls for that the incident now follows.
    pub procedures: Vec<String>,
    /// Evidence now locked because it is (or may be) imagery and the incident is about
    /// sharing nudes or up-skirting: file names, with what was found.
    pub imagery_held: Vec<String>,
}

/// Adds a category to an open record, as what happened becomes clearer, with the
/// procedures it calls for. An allegation about a member of staff cannot be made one
/// afterwards (it must say whom it concerns from the start).
pub fn add_category(log: &mut CaseLog, incident: Uuid, category: &str) -> Result<Categorised> {
    let code = category.trim().to_lowercase();
    let found: Option<(String, bool)> = log
        .conn()
        .query_row(
            "SELECT name, restricted FROM categories WHERE code = ?1",
            [&code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((name, restricted)) = found else {
        return Err(Error::UnknownCategory(category.trim().to_string()));
    };
    if restricted {
        return Err(Error::invalid(
            "An allegation about a member of staff cannot be added to an incident afterwards; record it as a new incident that says whom it concerns.",
        ));
    }
    let already: bool = log.conn().query_row(
        "SELECT count(*) > 0 FROM incident_categories WHERE incident_id = ?1 AND code = ?2",
        params![incident.to_string(), code],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::invalid(format!(
            "This incident is already in the category \u{201c}{name}\u{201d}."
        )));
    }
    let attached: Vec<String> = {
        let mut stmt = log
            .conn()
            .prepare("SELECT procedure_id FROM incident_procedures WHERE incident_id = ?1")?;
        let rows = stmt.query_map([incident.to_string()], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let follows: Vec<_> =
        crate::domain::procedures::for_categories_in(log.conn(), std::slice::from_ref(&code))?
            .into_iter()
            .filter(|p| !attached.contains(&p.id))
            .collect();
    let procedures = follows
        .iter()
        .map(|d| format!("{} (version {})", d.title, d.version))
        .collect();
    let mut bodies = vec![Body::IncidentCategorised {
        incident_id: incident,
        code,
    }];
    for def in follows {
        bodies.push(super::procedures::attach_body(incident, def));
    }
    log.append_all(bodies)?;
    let imagery_held = crate::read::incidents::imagery_held(log.conn(), incident)?
        .into_iter()
        .map(|i| format!("\u{201c}{}\u{201d}: {}", i.file_name, i.what))
        .collect();
    Ok(Categorised {
        category: name,
        procedures,
        imagery_held,
    })
}
