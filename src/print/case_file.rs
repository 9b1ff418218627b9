//! One incident set out on paper: the facts, the account, the learners, flags, referrals,
//! decisions, procedures, evidence with its chain of custody, imagery records, the
//! chronology and the outcome. Shared by the evidence pack's summary (one incident) and the
//! transfer file's summary (every incident a learner appears in), so both read the same.

use chrono::{DateTime, Utc};
use harbour_pdf::{Column, DocumentBuilder, Table};
use rusqlite::Connection;
use uuid::Uuid;

use crate::domain::time::{show_instant, show_millis};
use crate::domain::{Agency, LearnerRole};
use crate::read::incidents::IncidentDetail;
use crate::{Error, Result};

pub(crate) fn pdf_error(e: harbour_pdf::PdfError) -> Error {
    Error::Evidence(format!("The pack summary could not be produced: {e}"))
}

/// The line added at the end of each item's chain of custody for the hand-over the document
/// goes with, e.g. "Exported in this evidence pack.".
pub(crate) struct Handing<'a> {
    pub by: &'a str,
    pub at: DateTime<Utc>,
    pub what: &'a str,
}

/// Which learners are named: all (an evidence pack), or only one, the others being shown by
/// their role alone (a learner's file sent to another setting).
#[derive(Clone, Copy)]
pub(crate) enum Naming {
    All,
    Only(Uuid),
}

/// The centre's name and code as shown, e.g. "Manchester (MAN)".
pub(crate) fn centre_label(conn: &Connection, code: &str) -> Result<String> {
    let org = crate::read::org::organisation(conn)?;
    Ok(org
        .centres
        .iter()
        .find(|c| c.code == code)
        .map(|c| format!("{} ({})", c.name, c.code))
        .unwrap_or_else(|| code.to_string()))
}

/// The incident's facts as key–value lines: centre, reference, status, categories, when it
/// happened and was reported, and where.
pub(crate) fn facts(
    doc: &mut DocumentBuilder,
    conn: &Connection,
    d: &IncidentDetail,
) -> Result<()> {
    let s = &d.summary;
    doc.key_value("Centre", &centre_label(conn, &s.centre)?);
    doc.key_value("Reference", &s.reference);
    doc.key_value(
        "Status",
        if s.status == "closed" {
            "Closed"
        } else {
            "Open"
        },
    );
    let all = crate::read::org::categories(conn)?;
    let names: Vec<&str> = s
        .categories
        .iter()
        .map(|code| {
            all.iter()
                .find(|c| &c.code == code)
                .map_or(code.as_str(), |c| c.name.as_str())
        })
        .collect();
    doc.key_value("Categories", &names.join(", "));
    doc.key_value("Happened", &show_instant(s.occurred_at));
    doc.key_value(
        "Reported",
        &format!(
            "{} by {} ({})",
            show_instant(d.reported_at),
            d.reporter_name,
            d.reporter_title
        ),
    );
    if let Some(p) = &d.place {
        doc.key_value("Where or platform", p);
    }
    Ok(())
}

/// Everything after the facts, each under its own heading.
pub(crate) fn body(
    doc: &mut DocumentBuilder,
    conn: &Connection,
    incident: Uuid,
    d: &IncidentDetail,
    handing: &Handing<'_>,
    naming: Naming,
) -> Result<()> {
    let procedures = crate::read::procedures::show(conn, incident)?;
    let evidence = crate::read::evidence::for_incident(conn, incident)?;

    doc.heading("Account, in the learner's own words");
    doc.paragraph(&d.account);

    doc.heading("Learners involved");
    let mut t = Table::new(vec![
        Column::new("Name", 3.0),
        Column::new("Role", 2.0),
        Column::new("Age at the time", 1.5),
    ]);
    for l in &d.learners {
        let role = LearnerRole::parse(&l.role).map(|r| r.label()).unwrap_or("");
        let age = l.age_at_incident.map(|a| a.to_string()).unwrap_or_default();
        let name = match naming {
            Naming::Only(id) if l.id != id.to_string() => "Another learner".to_string(),
            _ => l.name.clone(),
        };
        t.add_row([name, role.to_string(), age]);
    }
    if d.learners.is_empty() {
        doc.paragraph("No learners are recorded.");
    } else {
        doc.table(&t).map_err(pdf_error)?;
    }

    if !procedures.flags.is_empty() {
        doc.heading("Flags");
        for f in &procedures.flags {
            doc.paragraph(&f.text);
        }
    }

    doc.heading("Referrals");
    if d.referrals.is_empty() {
        doc.paragraph("No referrals are recorded.");
    }
    for r in &d.referrals {
        let agency = Agency::parse(&r.agency).map(|a| a.label()).unwrap_or("");
        let mut text = format!("{agency}, {}, by {}", r.date, r.person);
        if let Some(x) = &r.reference {
            text.push_str(&format!(", reference {x}"));
        }
        doc.paragraph(&text);
    }

    doc.heading("Decisions and their reasons");
    if d.decisions.is_empty() {
        doc.paragraph("No decisions are recorded.");
    }
    for x in &d.decisions {
        let lead = if x.not_to_refer {
            "Decision not to refer"
        } else {
            "Decision"
        };
        doc.paragraph(&format!("{lead}: {} Reason: {}", x.decision, x.reason));
    }

    doc.heading("Procedures followed");
    if procedures.procedures.is_empty() {
        doc.paragraph("No procedure is attached to this incident.");
    }
    for p in &procedures.procedures {
        doc.paragraph(&format!("{} (version {})", p.title, p.version));
        let mut t = Table::new(vec![
            Column::new("Step", 4.0),
            Column::new("Status", 1.5),
            Column::new("By and when", 2.0),
            Column::new("Note or reason", 2.5),
        ]);
        for st in &p.steps {
            let state = match st.state.as_str() {
                "done" => "Done",
                "not_applicable" => "Not applicable",
                _ if st.required => "Outstanding (required)",
                _ => "Outstanding",
            };
            let by = match (&st.by, st.at_ms) {
                (Some(b), Some(at)) => format!("{b}, {}", show_millis(at)),
                _ => String::new(),
            };
            t.add_row([
                st.text.clone(),
                state.to_string(),
                by,
                st.note.clone().unwrap_or_default(),
            ]);
        }
        doc.table(&t).map_err(pdf_error)?;
    }

    doc.heading("Evidence");
    if evidence.items.is_empty() {
        doc.paragraph("No evidence files are held for this incident.");
    }
    for (i, e) in evidence.items.iter().enumerate() {
        doc.paragraph(&format!("Item {}: {}", i + 1, e.description));
        doc.key_value("File", &format!("{} ({} bytes)", e.file_name, e.size));
        doc.key_value("SHA-256", &e.sha256);
        if let Some(x) = &e.shows {
            doc.key_value("What it shows", x);
        }
        if let Some(x) = &e.source {
            doc.key_value("Source", x);
        }
        if let Some(x) = &e.username {
            doc.key_value("User name", x);
        }
        if let Some(x) = &e.platform {
            doc.key_value("Platform", x);
        }
        if let Some(x) = &e.device_held_by {
            doc.key_value("Device held by", x);
        }
        if let Some(x) = &e.device_location {
            doc.key_value("Device location", x);
        }
        doc.paragraph("Chain of custody:");
        let mut t = Table::new(vec![
            Column::new("When", 1.6),
            Column::new("Who", 1.6),
            Column::new("What", 4.0),
        ]);
        for c in &e.custody {
            t.add_row([show_millis(c.at_ms), c.by.clone(), c.detail.clone()]);
        }
        t.add_row([
            show_instant(handing.at),
            handing.by.to_string(),
            handing.what.to_string(),
        ]);
        doc.table(&t).map_err(pdf_error)?;
    }
    if !evidence.imagery.is_empty() {
        doc.heading("Imagery recorded as existing (not stored)");
        for im in &evidence.imagery {
            let mut text = format!(
                "{}, recorded by {}: where: {}; device held by: {}.",
                show_millis(im.at_ms),
                im.recorded_by,
                im.location,
                im.held_by
            );
            if let Some(o) = &im.device_owner {
                text.push_str(&format!(" Device owner: {o}."));
            }
            if let Some(a) = &im.action_taken {
                text.push_str(&format!(" Action taken: {a}"));
            }
            doc.paragraph(&text);
        }
    }

    doc.heading("Chronology");
    for e in &d.chronology {
        doc.paragraph(&format!(
            "{} – {}: {}",
            show_millis(e.at_ms),
            e.author,
            e.text
        ));
    }
    if let Some(o) = &d.outcome {
        doc.heading("Outcome");
        doc.paragraph(o);
    }
    Ok(())
}
