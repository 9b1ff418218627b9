//! Transferring a learner's child-protection file to a setting that does not use Harbour
//! (KCSIE: when a learner leaves, the file goes to the new setting within five school days,
//! separately from the main record, and a receipt is kept).
//!
//! The file is a pack in the same form as an evidence pack, encrypted with a passphrase that
//! is sent separately: `summary.pdf` covers every incident the learner appears in, the
//! evidence files are byte for byte as captured, and the manifest is signed. Incidents about
//! the person using this device are left out, as they are from every view on it. A receipt
//! form to sign and return is written beside the pack. Sending is logged (`transfer_sent`,
//! and an `exported` custody entry for each evidence item), and so is the receipt coming back.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use harbour_evidence::{PackMetadata, SafeNames};
use serde::Serialize;
use uuid::Uuid;

use super::evidence::items_of;
use super::pack_write::{self, Contents};
use super::packs::{made_by, Progress};
use crate::domain::time::{show_date, today};
use crate::keys::Passphrase;
use crate::log::{Body, CustodyAction};
use crate::print::transfer::{self as print, PackFile, Sending};
use crate::store::CaseLog;
use crate::{Error, Harbour, Result};

/// What sending a learner's file gave back.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub transfer_id: String,
    /// The short form shown to people and printed on the receipt.
    pub transfer: String,
    pub learner_name: String,
    pub to_setting: String,
    pub sent_on: NaiveDate,
    /// The encrypted pack (`….zip.age`).
    pub pack: PathBuf,
    /// The SHA-256 of the encrypted pack file, as printed on the receipt.
    pub pack_sha256: String,
    /// The receipt form to print, send with the file, and have signed and returned.
    pub receipt: PathBuf,
    /// The incidents in the file, by reference.
    pub incidents: Vec<String>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub evidence_files: usize,
    pub fingerprint: String,
}

/// The short form of a transfer id: its last eight hexadecimal digits, in capitals.
pub fn short(id: Uuid) -> String {
    let s = id.simple().to_string();
    s[s.len() - 8..].to_uppercase()
}

/// Sends a learner's file: see [`send_with`].
pub fn send(
    h: &mut Harbour,
    learner: Uuid,
    to_setting: &str,
    out_dir: &Path,
    passphrase: &Passphrase,
) -> Result<Sent> {
    send_with(h, learner, to_setting, out_dir, passphrase, |_| true)
}

/// Writes the learner's file, encrypted with `passphrase`, and its receipt form into
/// `out_dir`, then logs that it was sent. `report` hears how far the evidence has got and
/// can stop the export (nothing is left behind and nothing is logged).
pub fn send_with(
    h: &mut Harbour,
    learner: Uuid,
    to_setting: &str,
    out_dir: &Path,
    passphrase: &Passphrase,
    report: impl FnMut(Progress) -> bool,
) -> Result<Sent> {
    let to_setting = to_setting.trim();
    if to_setting.is_empty() {
        return Err(Error::Required {
            field: "to_setting",
            sentence: "Say which setting the learner's file is going to.",
        });
    }
    passphrase.check_new()?;
    if !out_dir.is_dir() {
        return Err(Error::invalid(format!(
            "The folder {} does not exist; choose a folder to write the file into.",
            out_dir.display()
        )));
    }
    let log = h.log();
    let conn = log.conn();
    let viewer = log.device().author;
    // Only the incidents this device's user may see: never one about themselves.
    let detail = crate::read::learners::detail(conn, viewer, learner)?;
    if detail.incidents.is_empty() {
        return Err(Error::invalid(format!(
            "{} appears in no incidents, so there is no child-protection file to transfer.",
            detail.learner.name
        )));
    }

    let transfer_id = Uuid::now_v7();
    let transfer = short(transfer_id);
    let sent_on = today();
    let stem = format!("transfer-{sent_on}-{transfer}");
    let pack_path = out_dir.join(format!("{stem}{}", harbour_evidence::SEALED_EXTENSION));
    let receipt_path = out_dir.join(format!("{stem}-receipt.pdf"));
    pack_write::refuse_existing(&pack_path)?;
    pack_write::refuse_existing(&receipt_path)?;

    let organisation = crate::read::org::organisation(conn)?.name;
    let made_by = made_by(log)?;
    let now = Utc::now();
    let fingerprint = log.key_fingerprint();
    let sending = Sending {
        organisation: &organisation,
        to_setting,
        transfer: &transfer,
        made_by: &made_by,
        at: now,
        sent_on,
        fingerprint: &fingerprint,
    };

    let mut names = SafeNames::new();
    let mut items = Vec::new();
    let mut references = Vec::new();
    for i in &detail.incidents {
        let id = Uuid::parse_str(&i.id)
            .map_err(|_| Error::Integrity("an incident id is damaged.".into()))?;
        references.push(i.reference.clone());
        for item in items_of(log, id)? {
            // Each evidence file's name starts with its incident's reference.
            let name = names.assign(&format!("{} {}", i.reference, item.file_name));
            items.push((name, item));
        }
    }
    let summary_pdf = print::summary(conn, viewer, &detail, &sending)?;
    let note = readme_note(&detail, &sending, sent_on);
    let written = pack_write::write(
        h,
        &pack_path,
        Contents {
            meta: PackMetadata {
                incident_reference: format!(
                    "Transfer {transfer} (a learner's child-protection file)"
                ),
                made_at: now.to_rfc3339(),
                made_by: made_by.clone(),
            },
            summary_pdf,
            items: items.clone(),
            readme_note: Some(note),
            passphrase: Some(passphrase),
        },
        report,
    )?;
    let remove_pack = || {
        let _ = std::fs::remove_file(&written.path);
    };
    let pack_sha256 = pack_write::file_sha256(&written.path).inspect_err(|_| remove_pack())?;
    let pack_name = written
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let receipt_pdf = print::receipt(
        &detail,
        &sending,
        &PackFile {
            name: &pack_name,
            sha256: &pack_sha256,
        },
    )
    .inspect_err(|_| remove_pack())?;
    if let Err(e) = crate::fsutil::write_atomically(&receipt_path, &receipt_pdf) {
        remove_pack();
        return Err(e);
    }

    let reason = format!(
        "Sent to {to_setting} with a learner's child-protection file (transfer {transfer})."
    );
    let mut bodies: Vec<Body> = items
        .iter()
        .map(|(_, item)| Body::EvidenceCustody {
            incident_id: item.incident,
            item_id: item.id,
            action: CustodyAction::Exported,
            reason: Some(reason.clone()),
            handover: None,
        })
        .collect();
    bodies.push(Body::TransferSent {
        transfer_id,
        learner_id: learner,
        to_setting: to_setting.to_string(),
        sent_on,
        pack_file: pack_name,
        pack_sha256: pack_sha256.clone(),
    });
    if let Err(e) = h.log_mut().append_all(bodies) {
        remove_pack();
        let _ = std::fs::remove_file(&receipt_path);
        return Err(e);
    }
    Ok(Sent {
        transfer_id: transfer_id.to_string(),
        transfer,
        learner_name: detail.learner.name,
        to_setting: to_setting.to_string(),
        sent_on,
        pack: written.path,
        pack_sha256,
        receipt: receipt_path,
        incidents: references,
        evidence_files: items.len(),
        fingerprint,
    })
}

/// The paragraph at the top of the pack's README.txt.
fn readme_note(
    detail: &crate::read::learners::LearnerDetail,
    s: &Sending<'_>,
    sent_on: NaiveDate,
) -> String {
    format!(
        "\
CHILD-PROTECTION FILE - TRANSFER {transfer}
==========================================

Learner:       {name}, born {dob}
From:          {org}
To:            {to}
Sent on:       {sent}
Sent by:       {by}

This pack is the learner's whole child-protection file as {org} keeps
it: summary.pdf sets out every incident they appear in (what happened,
the chronology, procedures, referrals, and decisions with their reasons),
and evidence/ holds the evidence files exactly as captured, each name
starting with its incident's reference. Other learners are shown by
their role only. Keep it as securely as your own child-protection
records, apart from the learner's main record.

Please sign the receipt form that came with this file and return it to
{org}. The passphrase for the file was sent separately, by another
route; never keep or send it with the file.

The steps below check that nothing has changed since the file was made.",
        transfer = s.transfer,
        name = detail.learner.name,
        dob = show_date(detail.learner.dob),
        org = s.organisation,
        to = s.to_setting,
        sent = show_date(sent_on),
        by = s.made_by,
    )
}

/// Records that the signed receipt for a transfer came back.
pub fn record_receipt(
    log: &mut CaseLog,
    transfer: Uuid,
    received_on: NaiveDate,
    signed_by: Option<&str>,
) -> Result<()> {
    let sent: String = log
        .conn()
        .query_row(
            "SELECT sent_on FROM transfers WHERE id = ?1",
            [transfer.to_string()],
            |r| r.get(0),
        )
        .map_err(|_| Error::NotFound {
            what: "transfer",
            key: short(transfer),
        })?;
    if let Ok(sent) = NaiveDate::parse_from_str(&sent, "%Y-%m-%d") {
        if received_on < sent {
            return Err(Error::invalid(format!(
                "The receipt date {} is before the file was sent on {}.",
                show_date(received_on),
                show_date(sent)
            )));
        }
    }
    if received_on > today() {
        return Err(Error::invalid(format!(
            "The receipt date {} is in the future.",
            show_date(received_on)
        )));
    }
    let signed_by = signed_by
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    log.append(Body::TransferReceiptRecorded {
        transfer_id: transfer,
        received_on,
        signed_by,
    })?;
    Ok(())
}

/// Finds a transfer from its id (or a unique beginning or end of it, such as the short form
/// on the receipt), or from a learner with exactly one transfer awaiting its receipt.
pub fn resolve(log: &CaseLog, text: &str) -> Result<Uuid> {
    if let Ok(id) = super::resolve_id(log.conn(), "transfers", "transfer", text) {
        return Ok(id);
    }
    let learner = super::resolve_learner(log, text).map_err(|_| Error::NotFound {
        what: "transfer or learner",
        key: text.trim().to_string(),
    })?;
    let ids: Vec<String> = log
        .conn()
        .prepare(
            "SELECT id FROM transfers WHERE learner_id = ?1 AND received_on IS NULL
             ORDER BY sent_on, sent_ms, id",
        )?
        .query_map([learner.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [one] => Uuid::parse_str(one)
            .map_err(|_| Error::Integrity("a transfer id is damaged.".into())),
        [] => Err(Error::invalid(
            "No transfer of this learner's file is awaiting a receipt.",
        )),
        _ => Err(Error::invalid(
            "More than one transfer of this learner's file is awaiting a receipt; give the transfer's id as `harbour transfer list` shows it.",
        )),
    }
}
