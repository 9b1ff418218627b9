//! Recording a subject access disclosure in the case log: the `subject_access_disclosed`
//! event and an `exported` custody entry for each evidence file released with it, in one
//! transaction, so the log never says a file went out without the disclosure, nor the
//! reverse.

use chrono::NaiveDate;
use uuid::Uuid;

use super::evidence::Item;
use crate::log::{Body, CustodyAction};
use crate::store::CaseLog;
use crate::Result;

/// What was released, as the event records it.
pub struct Disclosed {
    pub disclosure_id: Uuid,
    pub learner_id: Uuid,
    pub to: Option<String>,
    pub released_on: NaiveDate,
    pub document: String,
    pub document_sha256: String,
    pub incidents: u32,
    pub consent_records: u32,
    pub evidence_described: u32,
    pub redactions: u32,
}

/// The short form of a disclosure id shown to people: its last eight hexadecimal digits.
pub fn short(id: Uuid) -> String {
    super::transfers::short(id)
}

/// Appends the disclosure and the custody entries of the files released with it.
pub fn record(log: &mut CaseLog, d: Disclosed, released: &[Item]) -> Result<()> {
    let to = d.to.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let reason = format!(
        "Released with subject access disclosure {} to {}.",
        short(d.disclosure_id),
        to.as_deref().unwrap_or("the person who asked")
    );
    let mut bodies: Vec<Body> = released
        .iter()
        .map(|item| Body::EvidenceCustody {
            incident_id: item.incident,
            item_id: item.id,
            action: CustodyAction::Exported,
            reason: Some(reason.clone()),
            handover: None,
        })
        .collect();
    bodies.push(Body::SubjectAccessDisclosed {
        disclosure_id: d.disclosure_id,
        learner_id: d.learner_id,
        to,
        released_on: d.released_on,
        document: d.document,
        document_sha256: d.document_sha256,
        incidents: d.incidents,
        consent_records: d.consent_records,
        evidence_described: d.evidence_described,
        evidence_files: released.len() as u32,
        redactions: d.redactions,
    });
    log.append_all(bodies)?;
    Ok(())
}
