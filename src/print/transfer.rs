//! The two documents of a transfer to a setting that does not use Harbour: the file's
//! `summary.pdf` (every incident the learner appears in, set out as in an evidence pack,
//! with other learners shown by their role only) and the receipt form the receiving setting
//! signs and returns (which names the pack file and its SHA-256 so they can check it).

use chrono::{DateTime, NaiveDate, Utc};
use harbour_pdf::{Column, DocumentBuilder, Table};
use rusqlite::Connection;
use uuid::Uuid;

use crate::domain::time::{show_date, show_instant};
use crate::domain::LearnerRole;
use crate::print::case_file::{self, pdf_error, Handing, Naming};
use crate::read::learners::LearnerDetail;
use crate::Result;

/// Who sent what to whom: shared by both documents.
pub(crate) struct Sending<'a> {
    pub organisation: &'a str,
    pub to_setting: &'a str,
    pub transfer: &'a str,
    pub made_by: &'a str,
    pub at: DateTime<Utc>,
    pub sent_on: NaiveDate,
    pub fingerprint: &'a str,
}

/// `summary.pdf` of a transfer: the learner, then each incident in full.
pub(crate) fn summary(
    conn: &Connection,
    viewer: Uuid,
    learner: &LearnerDetail,
    s: &Sending<'_>,
) -> Result<Vec<u8>> {
    let l = &learner.learner;
    let learner_id = Uuid::parse_str(&l.id).unwrap_or_default();
    let mut doc = DocumentBuilder::new(&format!("Child-protection file {}", s.transfer))
        .map_err(pdf_error)?;
    doc.footer_text(&format!(
        "{} – transfer {} – confidential",
        s.organisation, s.transfer
    ));
    doc.title(&format!("Child-protection file: {}", l.name));
    doc.key_value("Learner", &l.name);
    doc.key_value("Date of birth", &show_date(l.dob));
    doc.key_value("Centre", &case_file::centre_label(conn, &l.centre)?);
    if let Some(e) = &l.employer {
        doc.key_value("Employer", e);
    }
    doc.key_value("From", s.organisation);
    doc.key_value("To", s.to_setting);
    doc.key_value("Transfer", s.transfer);
    doc.key_value("Prepared by", s.made_by);
    doc.key_value("Prepared at", &show_instant(s.at));
    doc.key_value("Device key fingerprint", s.fingerprint);
    doc.paragraph(&format!(
        "This is the whole child-protection file {org} holds for {name}, sent to {to} because \
         the learner is moving there. It sets out every incident they appear in: what happened, \
         the chronology, procedures followed, referrals, and decisions with their reasons. The \
         evidence files are in the evidence folder of this pack, exactly as captured. Other \
         learners are shown by their role only. Keep it as securely as your own \
         child-protection records.",
        org = s.organisation,
        name = l.name,
        to = s.to_setting,
    ));
    if !learner.carers.is_empty() {
        doc.heading("Parents and carers");
        for c in &learner.carers {
            let mut text = format!("{} ({})", c.name, c.relationship);
            if let Some(p) = &c.phone {
                text.push_str(&format!(", {p}"));
            }
            doc.paragraph(&text);
        }
    }
    doc.heading("Incidents in this file");
    let mut t = Table::new(vec![
        Column::new("Reference", 2.0),
        Column::new("Role of this learner", 2.0),
        Column::new("Status", 1.2),
    ]);
    for i in &learner.incidents {
        let role = LearnerRole::parse(&i.role).map(|r| r.label()).unwrap_or("");
        let status = if i.status == "closed" {
            "Closed"
        } else {
            "Open"
        };
        t.add_row([i.reference.clone(), role.to_string(), status.to_string()]);
    }
    doc.table(&t).map_err(pdf_error)?;

    for i in &learner.incidents {
        let Ok(id) = Uuid::parse_str(&i.id) else {
            continue;
        };
        let d = crate::read::incidents::detail(conn, viewer, id)?;
        doc.page_break();
        doc.title(&format!("Incident {}", i.reference));
        case_file::facts(&mut doc, conn, &d)?;
        case_file::body(
            &mut doc,
            conn,
            id,
            &d,
            &Handing {
                by: s.made_by,
                at: s.at,
                what: &format!("Sent to {} in this transfer file.", s.to_setting),
            },
            Naming::Only(learner_id),
        )?;
    }
    doc.finish().map_err(pdf_error)
}

/// The pack a receipt is for: its file name and SHA-256.
pub(crate) struct PackFile<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
}

/// The receipt form, to be signed by the receiving setting and returned.
pub(crate) fn receipt(
    learner: &LearnerDetail,
    s: &Sending<'_>,
    pack: &PackFile<'_>,
) -> Result<Vec<u8>> {
    let l = &learner.learner;
    let mut doc = DocumentBuilder::new("Receipt for a child-protection file")?;
    doc.footer_text(&format!(
        "{} – transfer {} – receipt",
        s.organisation, s.transfer
    ));
    doc.title("Receipt for a child-protection file");
    doc.paragraph(&format!(
        "{org} has sent the child-protection file of the learner below to {to}. Please check \
         that you have received it and can open it, then sign this form and return it to \
         {org}. Keeping Children Safe in Education expects the file to be transferred within \
         five school days, and the receipt to be kept.",
        org = s.organisation,
        to = s.to_setting
    ));
    doc.key_value("Learner", &l.name);
    doc.key_value("Date of birth", &show_date(l.dob));
    doc.key_value("From organisation", s.organisation);
    doc.key_value("Sent by", s.made_by);
    doc.key_value("To setting", s.to_setting);
    doc.key_value("Date sent", &show_date(s.sent_on));
    doc.key_value("Transfer", s.transfer);
    doc.key_value("Pack file", pack.name);
    doc.key_value("SHA-256 of the pack file", pack.sha256);
    doc.heading("Opening and checking the file");
    for line in [
        "The file is encrypted. Its passphrase is sent to you separately, by another route (for example by telephone); it is never sent with the file.",
        &format!(
            "Decrypt it with the free age tool (https://age-encryption.org) or rage: age -d -o file.zip {}. It asks for the passphrase.",
            pack.name
        ),
        &format!(
            "To check it is the file that was sent, sha256sum {} should print the SHA-256 above.",
            pack.name
        ),
        "Unzip file.zip; its README.txt explains how to check every file and the signature, and summary.pdf sets out the learner's file.",
    ] {
        doc.paragraph(&format!("\u{2022}  {line}"));
    }
    doc.heading("Received by");
    doc.signature_block(&["Signature", "Name", "Role", "Setting", "Date received"]);
    Ok(doc.finish()?)
}
