//! Evidence packs: a ZIP that police or CEOP can check with standard tools. Evidence is
//! decrypted straight into the pack (never to disk), each item checked against the SHA-256
//! recorded at capture; `summary.pdf` sets out the case; the manifest is signed with this
//! device's key. Every item exported is logged in its chain of custody.
//!
//! If any item no longer matches, the pack stops, nothing is left under the final name, and
//! the item is named. Records about the person using this device are never exported.

use std::path::{Path, PathBuf};

use chrono::Utc;
use harbour_evidence::{PackBuilder, PackError, PackMetadata, SafeNames};
use harbour_pdf::{Column, DocumentBuilder, Table};
use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

use super::evidence::{author_name, changed, decrypt_unhashed, items_of, master_key};
use crate::domain::time::{show_instant, show_millis};
use crate::domain::{Agency, LearnerRole};
use crate::log::{Body, CustodyAction};
use crate::{Error, Harbour, Result};

/// What exporting a pack gave back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Exported {
    pub path: PathBuf,
    pub reference: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub items: usize,
    pub fingerprint: String,
    pub files: Vec<(String, String)>,
}

/// What checking a pack found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Checked {
    pub reference: String,
    pub made_at: String,
    pub made_by: String,
    pub fingerprint: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub files: usize,
}

fn pack_error(e: PackError) -> Error {
    match e {
        PackError::ReadEvidence { source, .. } => match source.downcast::<Error>() {
            Ok(inner) => *inner,
            Err(other) => Error::Evidence(other.to_string()),
        },
        PackError::Create { path, source } => super::evidence::cannot_write(&path, &source),
        PackError::Write(source) if source.kind() == std::io::ErrorKind::StorageFull => {
            Error::DiskFull
        }
        other => Error::Evidence(other.to_string()),
    }
}

/// How far an export has got, in bytes of evidence written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub done: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub total: u64,
}

/// How often (in bytes written) an export reports its progress and may be cancelled.
const PROGRESS_EVERY: u64 = 4 * 1024 * 1024;

/// Passes writes through, reporting progress every few megabytes; stops the export when the
/// report says so.
struct Reporting<'a, F: FnMut(Progress) -> bool> {
    inner: &'a mut dyn std::io::Write,
    progress: &'a mut Progress,
    next: &'a mut u64,
    report: &'a mut F,
    cancelled: &'a mut bool,
}

impl<F: FnMut(Progress) -> bool> std::io::Write for Reporting<'_, F> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.progress.done >= *self.next {
            *self.next = self.progress.done + PROGRESS_EVERY;
            if !(self.report)(*self.progress) {
                *self.cancelled = true;
                return Err(std::io::Error::other("the export was cancelled"));
            }
        }
        let n = self.inner.write(buf)?;
        self.progress.done += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the evidence pack for an incident to `out`.
pub fn export(
    h: &mut Harbour,
    incident: Uuid,
    out: &Path,
    reason: Option<&str>,
) -> Result<Exported> {
    export_with(h, incident, out, reason, |_| true)
}

/// Writes the evidence pack, telling `report` how far it has got every few megabytes. If
/// `report` returns false the export stops: nothing is left under `out` and nothing is
/// logged.
pub fn export_with(
    h: &mut Harbour,
    incident: Uuid,
    out: &Path,
    reason: Option<&str>,
    mut report: impl FnMut(Progress) -> bool,
) -> Result<Exported> {
    let log = h.log();
    let author = log.device().author.to_string();
    let concerns: Option<String> = log
        .conn()
        .query_row(
            "SELECT concerns_staff FROM incidents WHERE id = ?1",
            [incident.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if concerns.as_deref() == Some(author.as_str()) {
        return Err(Error::NotFound {
            what: "incident",
            key: incident.to_string(),
        });
    }
    if out.exists() {
        return Err(Error::invalid(format!(
            "{} already exists; choose another name so nothing is overwritten.",
            out.display()
        )));
    }
    let detail = crate::read::incidents::detail(log.conn(), log.device().author, incident)?;
    let reference = detail.summary.reference.clone();
    let made_by = {
        let title: Option<String> = log
            .conn()
            .query_row(
                "SELECT job_title FROM staff WHERE id = ?1",
                [&author],
                |r| r.get(0),
            )
            .optional()?;
        match title {
            Some(t) => format!("{} ({t})", author_name(log)?),
            None => author_name(log)?,
        }
    };
    let now = Utc::now();
    let fingerprint = log.key_fingerprint();
    let items = items_of(log, incident)?;
    let summary_pdf = summary(h, incident, &made_by, now, &fingerprint)?;
    let master = master_key(h);
    let signer = h.log().pack_signer();

    let mut builder = PackBuilder::create(
        out,
        PackMetadata {
            incident_reference: reference.clone(),
            made_at: now.to_rfc3339(),
            made_by: made_by.clone(),
        },
    )
    .map_err(pack_error)?;
    let mut names = SafeNames::new();
    let mut progress = Progress {
        done: 0,
        total: stored_sizes(h, &items)?,
    };
    let mut next = 0;
    let mut cancelled = false;
    for item in &items {
        let name = names.assign(&item.file_name);
        // The pack hashes what it stores: that hash is checked against the one recorded at
        // capture, so the bytes are hashed once, not twice.
        let added = builder.add_evidence_expecting(&name, &item.sha256, |w| {
            let mut w = Reporting {
                inner: w,
                progress: &mut progress,
                next: &mut next,
                report: &mut report,
                cancelled: &mut cancelled,
            };
            decrypt_unhashed(h.dir(), &master, item, &mut w)
        });
        if cancelled {
            return Err(Error::Cancelled);
        }
        added.map_err(|e| match e {
            PackError::Changed { .. } => changed(item),
            other => pack_error(other),
        })?;
    }
    if !report(progress) {
        return Err(Error::Cancelled);
    }
    let written = builder.finish(&summary_pdf, &signer).map_err(pack_error)?;

    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let bodies: Vec<Body> = items
        .iter()
        .map(|item| Body::EvidenceCustody {
            incident_id: incident,
            item_id: item.id,
            action: CustodyAction::Exported,
            reason: reason.clone(),
            handover: None,
        })
        .collect();
    if !bodies.is_empty() {
        if let Err(e) = h.log_mut().append_all(bodies) {
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
    }
    Ok(Exported {
        path: written.path,
        reference,
        items: items.len(),
        fingerprint,
        files: written
            .files
            .into_iter()
            .map(|f| (f.path, f.sha256))
            .collect(),
    })
}

/// The evidence bytes an export will write: each item's recorded size.
fn stored_sizes(h: &Harbour, items: &[super::evidence::Item]) -> Result<u64> {
    let mut total = 0u64;
    for item in items {
        let size: i64 = h.log().conn().query_row(
            "SELECT size FROM evidence_items WHERE id = ?1",
            [item.id.to_string()],
            |r| r.get(0),
        )?;
        total += size.max(0) as u64;
    }
    Ok(total)
}

/// Checks a pack using nothing but the pack itself.
pub fn verify(path: &Path) -> Result<Checked> {
    let report =
        harbour_evidence::verify_pack(path).map_err(|e| Error::PackCheck(e.to_string()))?;
    Ok(Checked {
        reference: report.metadata.incident_reference,
        made_at: report.metadata.made_at,
        made_by: report.metadata.made_by,
        fingerprint: report.fingerprint,
        files: report.files.len(),
    })
}

fn pdf_error(e: harbour_pdf::PdfError) -> Error {
    Error::Evidence(format!("The pack summary could not be produced: {e}"))
}

/// `summary.pdf`: the case as the receiving officer needs it.
fn summary(
    h: &Harbour,
    incident: Uuid,
    made_by: &str,
    now: chrono::DateTime<Utc>,
    fingerprint: &str,
) -> Result<Vec<u8>> {
    let log = h.log();
    let conn = log.conn();
    let d = crate::read::incidents::detail(conn, log.device().author, incident)?;
    let s = &d.summary;
    let org = crate::read::org::organisation(conn)?;
    let centre = org
        .centres
        .iter()
        .find(|c| c.code == s.centre)
        .map(|c| format!("{} ({})", c.name, c.code))
        .unwrap_or_else(|| s.centre.clone());
    let procedures = crate::read::procedures::show(conn, incident)?;
    let evidence = crate::read::evidence::for_incident(conn, incident)?;

    let mut doc =
        DocumentBuilder::new(&format!("Evidence pack {}", s.reference)).map_err(pdf_error)?;
    doc.footer_text(&format!("{} – {} – confidential", org.name, s.reference));
    doc.title(&format!("Evidence pack: incident {}", s.reference));
    doc.key_value("Organisation", &org.name);
    doc.key_value("Centre", &centre);
    doc.key_value("Reference", &s.reference);
    doc.key_value(
        "Status",
        if s.status == "closed" {
            "Closed"
        } else {
            "Open"
        },
    );
    doc.key_value("Categories", &s.categories.join(", "));
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
    doc.key_value("Prepared by", made_by);
    doc.key_value("Prepared at", &show_instant(now));
    doc.key_value("Device key fingerprint", fingerprint);

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
        t.add_row([l.name.clone(), role.to_string(), age]);
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
            show_instant(now),
            made_by.to_string(),
            "Exported in this evidence pack.".to_string(),
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
    doc.finish().map_err(pdf_error)
}
