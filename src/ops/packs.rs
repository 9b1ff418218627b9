//! Evidence packs: a ZIP that police or CEOP can check with standard tools. Evidence is
//! decrypted straight into the pack (never to disk), each item checked against the SHA-256
//! recorded at capture; `summary.pdf` sets out the case; the manifest is signed with this
//! device's key. Every item exported is logged in its chain of custody.
//!
//! If any item no longer matches, the pack stops, nothing is left under the final name, and
//! the item is named. Records about the person using this device are never exported.

use std::path::{Path, PathBuf};

use chrono::Utc;
use harbour_evidence::{PackMetadata, SafeNames};
use harbour_pdf::DocumentBuilder;
use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

use super::evidence::{author_name, items_of};
use super::pack_write::{self, Contents};
use crate::domain::time::show_instant;
use crate::keys::Passphrase;
use crate::log::{Body, CustodyAction};
use crate::print::case_file::{self, pdf_error, Handing, Naming};
use crate::store::CaseLog;
use crate::{Error, Harbour, Result};

pub use super::pack_write::sealed_name;

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

/// How far an export has got, in bytes of evidence written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub done: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub total: u64,
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
    report: impl FnMut(Progress) -> bool,
) -> Result<Exported> {
    write_incident_pack(h, incident, out, reason, None, report)
}

/// Writes the evidence pack encrypted with `passphrase` (age format, scrypt passphrase
/// recipient, so the free `age` or `rage` tools decrypt it), under `out` made to end in
/// `.zip.age` (see [`sealed_name`]). Otherwise as [`export_with`].
pub fn export_sealed(
    h: &mut Harbour,
    incident: Uuid,
    out: &Path,
    reason: Option<&str>,
    passphrase: &Passphrase,
    report: impl FnMut(Progress) -> bool,
) -> Result<Exported> {
    passphrase.check_new()?;
    write_incident_pack(
        h,
        incident,
        &sealed_name(out),
        reason,
        Some(passphrase),
        report,
    )
}

/// Who is making a pack, as it is printed: "Name (job title)".
pub(crate) fn made_by(log: &CaseLog) -> Result<String> {
    let author = log.device().author.to_string();
    let title: Option<String> = log
        .conn()
        .query_row(
            "SELECT job_title FROM staff WHERE id = ?1",
            [&author],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match title {
        Some(t) => format!("{} ({t})", author_name(log)?),
        None => author_name(log)?,
    })
}

/// Whether the incident is an allegation about the person using this device.
pub(crate) fn concerns_user(log: &CaseLog, incident: Uuid) -> Result<bool> {
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
    Ok(concerns.as_deref() == Some(author.as_str()))
}

fn write_incident_pack(
    h: &mut Harbour,
    incident: Uuid,
    out: &Path,
    reason: Option<&str>,
    passphrase: Option<&Passphrase>,
    report: impl FnMut(Progress) -> bool,
) -> Result<Exported> {
    let log = h.log();
    if concerns_user(log, incident)? {
        return Err(Error::NotFound {
            what: "incident",
            key: incident.to_string(),
        });
    }
    pack_write::refuse_existing(out)?;
    let detail = crate::read::incidents::detail(log.conn(), log.device().author, incident)?;
    let reference = detail.summary.reference.clone();
    let made_by = made_by(log)?;
    let now = Utc::now();
    let fingerprint = log.key_fingerprint();
    let items = items_of(log, incident)?;
    let summary_pdf = summary(h, incident, &made_by, now, &fingerprint)?;
    let mut names = SafeNames::new();
    let named = items
        .iter()
        .map(|item| (names.assign(&item.file_name), item.clone()))
        .collect();
    let written = pack_write::write(
        h,
        out,
        Contents {
            meta: PackMetadata {
                incident_reference: reference.clone(),
                made_at: now.to_rfc3339(),
                made_by: made_by.clone(),
            },
            summary_pdf,
            items: named,
            readme_note: None,
            passphrase,
        },
        report,
    )?;

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

/// Checks a pack using nothing but the pack itself. An encrypted pack needs its
/// passphrase: see [`verify_sealed`] and [`is_sealed`].
pub fn verify(path: &Path) -> Result<Checked> {
    verify_expecting(path, None)
}

/// Checks a pack and, given `expect` (the fingerprint the recipient was told by phone, as
/// typed: any case, with or without spaces or dashes), that it was signed by that key. The
/// fingerprint's form is checked before the pack is opened.
pub fn verify_expecting(path: &Path, expect: Option<&str>) -> Result<Checked> {
    let expected = expected(expect)?;
    if is_sealed(path)? {
        return Err(Error::PackPassphraseNeeded);
    }
    let report =
        harbour_evidence::verify_pack_expecting(path, expected.as_ref()).map_err(check_error)?;
    Ok(checked(report))
}

/// Checks a pack encrypted with a passphrase, decrypting it as it is read (nothing
/// decrypted is written to disk).
pub fn verify_sealed(path: &Path, passphrase: &Passphrase) -> Result<Checked> {
    verify_sealed_expecting(path, passphrase, None)
}

/// [`verify_sealed`], and that the pack was signed by the key `expect` names.
pub fn verify_sealed_expecting(
    path: &Path,
    passphrase: &Passphrase,
    expect: Option<&str>,
) -> Result<Checked> {
    let expected = expected(expect)?;
    let report = harbour_evidence::verify_sealed_pack_expecting(
        path,
        passphrase.expose(),
        expected.as_ref(),
    )
    .map_err(check_error)?;
    Ok(checked(report))
}

/// The fingerprint a recipient gave, or why it cannot be used.
pub fn expected(expect: Option<&str>) -> Result<Option<harbour_evidence::Expected>> {
    expect
        .map(|text| {
            harbour_evidence::Expected::parse(text).map_err(|e| Error::invalid(e.to_string()))
        })
        .transpose()
}

fn check_error(e: harbour_evidence::VerifyError) -> Error {
    match e {
        harbour_evidence::VerifyError::WrongPassphrase => Error::PackPassphrase,
        e @ harbour_evidence::VerifyError::WrongSigner { .. } => Error::PackSigner(e.to_string()),
        other => Error::PackCheck(other.to_string()),
    }
}

/// Whether the file is a pack encrypted with a passphrase (by its first bytes).
pub fn is_sealed(path: &Path) -> Result<bool> {
    harbour_evidence::is_sealed(path).map_err(|e| Error::ReadFile {
        path: path.to_path_buf(),
        reason: crate::error::plain_io(&e),
    })
}

fn checked(report: harbour_evidence::VerifyReport) -> Checked {
    Checked {
        reference: report.metadata.incident_reference,
        made_at: report.metadata.made_at,
        made_by: report.metadata.made_by,
        fingerprint: report.fingerprint,
        files: report.files.len(),
    }
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

    let mut doc =
        DocumentBuilder::new(&format!("Evidence pack {}", s.reference)).map_err(pdf_error)?;
    doc.footer_text(&format!("{} – {} – confidential", org.name, s.reference));
    doc.title(&format!("Evidence pack: incident {}", s.reference));
    doc.key_value("Organisation", &org.name);
    case_file::facts(&mut doc, conn, &d)?;
    doc.key_value("Prepared by", made_by);
    doc.key_value("Prepared at", &show_instant(now));
    doc.key_value("Device key fingerprint", fingerprint);
    case_file::body(
        &mut doc,
        conn,
        incident,
        &d,
        &Handing {
            by: made_by,
            at: now,
            what: "Exported in this evidence pack.",
        },
        Naming::All,
    )?;
    doc.finish().map_err(pdf_error)
}
