//! What an event says: one variant per thing a coordinator can do.
//!
//! Stored as JSON tagged by `kind`, with `KIND_VERSION` beside it. New fields are added as
//! optional so older events still read; a kind this build does not know means the event came
//! from a newer Harbour.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{Agency, Carer, ContactRole, FourC, LearnerRole, Reporter, RiskLevel};

/// The payload version this build writes.
pub const KIND_VERSION: u32 = 1;

/// A single-valued field of an incident that two devices can change at once.
///
/// Every event that sets one names the setting events it replaces (those this device had
/// seen). Two settings neither of which replaces the other were made without either device
/// seeing the other's: both are kept, and shown as changed on two devices until a
/// coordinator chooses. Narrative entries (notes, decisions…) never conflict.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Status,
    Risk,
}

impl Field {
    pub fn code(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Risk => "risk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Risk => "risk level",
        }
    }

    pub fn parse(text: &str) -> crate::Result<Field> {
        match text.trim().to_lowercase().as_str() {
            "status" => Ok(Field::Status),
            "risk" | "risk-level" | "risk level" => Ok(Field::Risk),
            _ => Err(crate::Error::invalid(format!(
                "\"{}\" is not a field that can be changed on two devices; use status or risk.",
                text.trim()
            ))),
        }
    }
}

/// The opening record of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentOpened {
    pub incident_id: Uuid,
    pub reference: String,
    pub centre: String,
    pub categories: Vec<String>,
    pub learners: Vec<(Uuid, LearnerRole)>,
    pub occurred_at: DateTime<Utc>,
    pub reported_at: DateTime<Utc>,
    pub reporter: Reporter,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The account, in the learner's own words.
    pub account: String,
    /// For an allegation about a member of staff: whom it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concerns_staff: Option<Uuid>,
}

/// One step of a procedure, as the procedure's data file describes it. Kept inside the event
/// that attaches the procedure, so a case always shows the version it followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureStep {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub required: bool,
    /// Required once the incident is flagged for an urgent police referral.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required_when_flagged: bool,
}

/// A file taken into the evidence store: what it is, what it shows and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceCaptured {
    pub incident_id: Uuid,
    pub item_id: Uuid,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shows: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_held_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_location: Option<String>,
    pub captured_by: String,
    pub captured_at: DateTime<Utc>,
    pub file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_modified: Option<DateTime<Utc>>,
    pub size: u64,
    pub sha256: String,
    /// What looking into the file when it was captured found: an image or video in it, or
    /// why it could not be checked (`domain::imagery`). None when it held neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imagery: Option<String>,
    /// Whether the file was looked into when captured (false from an older Harbour).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub looked_into: bool,
}

/// What was done with a stored evidence item (its chain of custody).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyAction {
    Opened,
    Exported,
    HandedOver,
    Returned,
    /// Harbour's copy deleted, as the guidance requires for imagery (after any hand-over to
    /// the police). The record of it stays.
    Erased,
}

impl CustodyAction {
    pub fn code(self) -> &'static str {
        match self {
            CustodyAction::Opened => "opened",
            CustodyAction::Exported => "exported",
            CustodyAction::HandedOver => "handed_over",
            CustodyAction::Returned => "returned",
            CustodyAction::Erased => "erased",
        }
    }
}

/// To whom an item was handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub officer: String,
    pub agency: String,
    pub reference: String,
    pub date: NaiveDate,
}

/// A record that retention applies to: a learner's child-protection file (their record and
/// every incident they appear in), one incident (an allegation about a member of staff, or
/// one that names no learner), or a learner's consent records.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordRef {
    LearnerFile(Uuid),
    Incident(Uuid),
    Consent(Uuid),
}

impl RecordRef {
    /// The type stored in the tables: `learner_file`, `incident` or `consent`.
    pub fn code(self) -> &'static str {
        match self {
            RecordRef::LearnerFile(_) => "learner_file",
            RecordRef::Incident(_) => "incident",
            RecordRef::Consent(_) => "consent",
        }
    }

    /// The learner's or incident's id.
    pub fn id(self) -> Uuid {
        match self {
            RecordRef::LearnerFile(id) | RecordRef::Incident(id) | RecordRef::Consent(id) => id,
        }
    }

    /// Reads back a stored type and id.
    pub fn from_parts(code: &str, id: &str) -> Option<RecordRef> {
        let id = Uuid::parse_str(id).ok()?;
        match code {
            "learner_file" => Some(RecordRef::LearnerFile(id)),
            "incident" => Some(RecordRef::Incident(id)),
            "consent" => Some(RecordRef::Consent(id)),
            _ => None,
        }
    }
}

/// What a retention review decided.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionDecision {
    /// Kept, and reviewed again on this date.
    Keep { until: NaiveDate },
    /// To be destroyed. The decision is what Harbour records (see `docs/architecture.md`).
    Destroy,
}

/// Everything that can happen in the case log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// The first event of every device's chain: its public key.
    DeviceRegistered {
        verifying_key: String,
        label: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        centre: Option<String>,
    },
    OrganisationNamed {
        name: String,
    },
    PolicyReviewDue {
        date: NaiveDate,
    },
    CentreAdded {
        code: String,
        name: String,
    },
    StaffAdded {
        staff_id: Uuid,
        name: String,
        job_title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        centre: Option<String>,
    },
    ContactAssigned {
        role: ContactRole,
        staff_id: Uuid,
    },
    CategoryAdded {
        code: String,
        name: String,
        four_c: FourC,
        #[serde(default)]
        restricted: bool,
    },
    LearnerAdded {
        learner_id: Uuid,
        name: String,
        dob: NaiveDate,
        centre: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        employer: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        carers: Vec<Carer>,
    },
    IncidentOpened(IncidentOpened),
    NoteAdded {
        incident_id: Uuid,
        text: String,
    },
    /// A correction names the entry it corrects; the original is never removed.
    EntryCorrected {
        incident_id: Uuid,
        corrects: Uuid,
        text: String,
        reason: String,
    },
    LearnerInvolved {
        incident_id: Uuid,
        learner_id: Uuid,
        role: LearnerRole,
    },
    ReferralMade {
        incident_id: Uuid,
        agency: Agency,
        date: NaiveDate,
        person: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// A decision and its reasons, including a decision not to refer.
    DecisionRecorded {
        incident_id: Uuid,
        decision: String,
        reason: String,
        #[serde(default)]
        not_to_refer: bool,
    },
    ActionAdded {
        incident_id: Uuid,
        action_id: Uuid,
        description: String,
        owner: String,
        due: NaiveDate,
    },
    /// A referral, decision or action recorded in error, withdrawn with the reason. The entry
    /// stays in the log and on the incident's page, marked as withdrawn, and is no longer
    /// counted (reports, the urgent police referral, actions due). `entry` is the referral's
    /// or decision's event id, or the action's id.
    EntryWithdrawn {
        incident_id: Uuid,
        entry: Uuid,
        reason: String,
    },
    ActionDone {
        incident_id: Uuid,
        action_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    RiskAssessed {
        incident_id: Uuid,
        level: RiskLevel,
        reason: String,
        /// The value-setting events of this field that this device had seen and this one
        /// replaces (see `Field`); absent on events written before sync existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Vec<Uuid>>,
    },
    IncidentsLinked {
        incident_id: Uuid,
        other_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    IncidentClosed {
        incident_id: Uuid,
        outcome: String,
        reason: String,
        /// The value-setting events of this field that this device had seen and this one
        /// replaces (see `Field`); absent on events written before sync existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Vec<Uuid>>,
    },
    IncidentReopened {
        incident_id: Uuid,
        reason: String,
        /// The value-setting events of this field that this device had seen and this one
        /// replaces (see `Field`); absent on events written before sync existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Vec<Uuid>>,
    },
    EvidenceCaptured(EvidenceCaptured),
    /// An access to a stored item: opened, exported, handed over or returned.
    EvidenceCustody {
        incident_id: Uuid,
        item_id: Uuid,
        action: CustodyAction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handover: Option<Handover>,
    },
    /// Imagery that Harbour must never store: that it exists, where, and who holds it.
    ImageryRecorded {
        incident_id: Uuid,
        location: String,
        held_by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device_owner: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action_taken: Option<String>,
    },
    /// The procedure (and its version) an incident follows.
    ProcedureAttached {
        incident_id: Uuid,
        procedure_id: String,
        version: u32,
        title: String,
        steps: Vec<ProcedureStep>,
    },
    /// A procedure step done (with a note) or not applicable (with the reason).
    ProcedureStepRecorded {
        incident_id: Uuid,
        procedure_id: String,
        step_id: String,
        done: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A field changed on two devices, settled: the value of `chosen` is kept, and every
    /// value in `replaces` (the sides shown) is replaced by it.
    ConflictResolved {
        incident_id: Uuid,
        field: Field,
        chosen: Uuid,
        /// The chosen side's value (a `RiskLevel` or `Status` code).
        value: String,
        replaces: Vec<Uuid>,
        reason: String,
    },
    /// An immediate-referral trigger (UKCIS), e.g. an adult involved.
    ReferralTriggerRecorded {
        incident_id: Uuid,
        trigger: String,
    },
    /// An organisation's own version of a procedure template (a built-in one adapted, or a
    /// new one). Incidents opened afterwards follow the highest version of each id; incidents
    /// opened before keep the version recorded when they were opened.
    ProcedureAdapted {
        procedure: crate::domain::procedures::ProcedureDef,
    },
    /// A signed consent form or agreement returned, with its answers.
    ConsentRecorded {
        learner_id: Uuid,
        form: String,
        form_version: String,
        signed_on: NaiveDate,
        signed_by: String,
        relationship: String,
        /// Each purpose asked about and the answer (true = yes).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        answers: BTreeMap<String, bool>,
    },
    /// Consent withdrawn: for one purpose, or for the whole form.
    ConsentWithdrawn {
        learner_id: Uuid,
        form: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purpose: Option<String>,
        withdrawn_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// An organisation's own wording of a consent form or agreement, with a higher version.
    /// Forms printed and consent recorded afterwards use the highest version of each form;
    /// consent already recorded keeps the version it was signed on.
    FormAdapted {
        form: crate::domain::forms::FormTemplate,
    },
    /// A learner's child-protection file sent to a setting that does not use Harbour, as an
    /// encrypted pack (its file name and SHA-256), with a receipt form to sign and return.
    /// Names no incident, so it reveals nothing restricted wherever it syncs.
    TransferSent {
        transfer_id: Uuid,
        learner_id: Uuid,
        to_setting: String,
        sent_on: NaiveDate,
        pack_file: String,
        pack_sha256: String,
    },
    /// The signed receipt for a transfer came back.
    TransferReceiptRecorded {
        transfer_id: Uuid,
        received_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signed_by: Option<String>,
    },
    /// A device's key is no longer trusted (lost, stolen, or its coordinator left): every
    /// device that learns of this refuses the events it signed after `last_seq`, the last
    /// event of its chain the revoking device had accepted (see `store::revocation`).
    DeviceRevoked {
        device_id: Uuid,
        last_seq: u64,
    },
    /// A device will write no more: its data folder was restored from a backup onto another
    /// computer (`replaced_by`), or the folder found itself forked and went on as a new
    /// device. Peers stop expecting events from it.
    DeviceRetired {
        device_id: Uuid,
        replaced_by: Uuid,
        reason: String,
    },
    /// How often the organisation wants a backup, in days (the reminder's interval).
    BackupIntervalSet {
        days: u32,
    },
    /// A category added to an incident after it was opened, as what happened became
    /// clearer (it turned out to be about sharing nudes, say).
    IncidentCategorised {
        incident_id: Uuid,
        code: String,
    },
    /// An organisation's own version of a retention rule (one kind of record), with a higher
    /// version; reviews from now on follow it.
    RetentionRuleAdapted {
        rule: crate::domain::retention::RetentionRule,
    },
    /// A record reviewed under its retention rule: kept until a new date, or to be
    /// destroyed, with the reason. `early` is the explicit override for destroying before
    /// the review date.
    RetentionReviewed {
        record: RecordRef,
        /// The rule and its version the review was made under, and the review date then.
        rule: String,
        rule_version: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_on: Option<NaiveDate>,
        decision: RetentionDecision,
        reason: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        early: bool,
    },
    /// A legal hold: the record may be relevant to a statutory inquiry or legal
    /// proceedings, and may not be destroyed until the hold is lifted.
    LegalHoldPlaced {
        hold_id: Uuid,
        record: RecordRef,
        reason: String,
    },
    /// A legal hold lifted, with the reason.
    LegalHoldLifted {
        hold_id: Uuid,
        record: RecordRef,
        reason: String,
    },
    /// A subject access request answered (UK GDPR article 15): a learner's records released
    /// as a redacted document, to whom (None: to the person who asked, not named) and when,
    /// with what it held. Names no incident, so it reveals nothing restricted wherever it
    /// syncs; the evidence files released are each an `exported` custody entry of their own.
    SubjectAccessDisclosed {
        disclosure_id: Uuid,
        learner_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        released_on: NaiveDate,
        /// The document's file name and the SHA-256 of its bytes, so the copy released can
        /// be told apart from any other.
        document: String,
        document_sha256: String,
        incidents: u32,
        consent_records: u32,
        evidence_described: u32,
        evidence_files: u32,
        redactions: u32,
    },
}

impl Body {
    /// The tag stored in the `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::DeviceRegistered { .. } => "device_registered",
            Body::OrganisationNamed { .. } => "organisation_named",
            Body::PolicyReviewDue { .. } => "policy_review_due",
            Body::CentreAdded { .. } => "centre_added",
            Body::StaffAdded { .. } => "staff_added",
            Body::ContactAssigned { .. } => "contact_assigned",
            Body::CategoryAdded { .. } => "category_added",
            Body::LearnerAdded { .. } => "learner_added",
            Body::IncidentOpened(_) => "incident_opened",
            Body::NoteAdded { .. } => "note_added",
            Body::EntryCorrected { .. } => "entry_corrected",
            Body::LearnerInvolved { .. } => "learner_involved",
            Body::ReferralMade { .. } => "referral_made",
            Body::DecisionRecorded { .. } => "decision_recorded",
            Body::ActionAdded { .. } => "action_added",
            Body::ActionDone { .. } => "action_done",
            Body::EntryWithdrawn { .. } => "entry_withdrawn",
            Body::RiskAssessed { .. } => "risk_assessed",
            Body::IncidentsLinked { .. } => "incidents_linked",
            Body::IncidentClosed { .. } => "incident_closed",
            Body::IncidentReopened { .. } => "incident_reopened",
            Body::EvidenceCaptured(_) => "evidence_captured",
            Body::EvidenceCustody { .. } => "evidence_custody",
            Body::ImageryRecorded { .. } => "imagery_recorded",
            Body::ProcedureAttached { .. } => "procedure_attached",
            Body::ProcedureStepRecorded { .. } => "procedure_step_recorded",
            Body::ReferralTriggerRecorded { .. } => "referral_trigger_recorded",
            Body::ConflictResolved { .. } => "conflict_resolved",
            Body::ConsentRecorded { .. } => "consent_recorded",
            Body::ConsentWithdrawn { .. } => "consent_withdrawn",
            Body::ProcedureAdapted { .. } => "procedure_adapted",
            Body::FormAdapted { .. } => "form_adapted",
            Body::TransferSent { .. } => "transfer_sent",
            Body::TransferReceiptRecorded { .. } => "transfer_receipt_recorded",
            Body::DeviceRevoked { .. } => "device_revoked",
            Body::DeviceRetired { .. } => "device_retired",
            Body::BackupIntervalSet { .. } => "backup_interval_set",
            Body::IncidentCategorised { .. } => "incident_categorised",
            Body::RetentionRuleAdapted { .. } => "retention_rule_adapted",
            Body::RetentionReviewed { .. } => "retention_reviewed",
            Body::LegalHoldPlaced { .. } => "legal_hold_placed",
            Body::LegalHoldLifted { .. } => "legal_hold_lifted",
            Body::SubjectAccessDisclosed { .. } => "subject_access_disclosed",
        }
    }

    /// The incident this event belongs to, if any.
    pub fn incident_id(&self) -> Option<Uuid> {
        match self {
            Body::IncidentOpened(o) => Some(o.incident_id),
            Body::EvidenceCaptured(c) => Some(c.incident_id),
            Body::NoteAdded { incident_id, .. }
            | Body::EntryCorrected { incident_id, .. }
            | Body::LearnerInvolved { incident_id, .. }
            | Body::ReferralMade { incident_id, .. }
            | Body::DecisionRecorded { incident_id, .. }
            | Body::ActionAdded { incident_id, .. }
            | Body::ActionDone { incident_id, .. }
            | Body::EntryWithdrawn { incident_id, .. }
            | Body::RiskAssessed { incident_id, .. }
            | Body::IncidentsLinked { incident_id, .. }
            | Body::IncidentClosed { incident_id, .. }
            | Body::IncidentReopened { incident_id, .. }
            | Body::EvidenceCustody { incident_id, .. }
            | Body::ImageryRecorded { incident_id, .. }
            | Body::ProcedureAttached { incident_id, .. }
            | Body::ProcedureStepRecorded { incident_id, .. }
            | Body::ReferralTriggerRecorded { incident_id, .. }
            | Body::ConflictResolved { incident_id, .. }
            | Body::IncidentCategorised { incident_id, .. } => Some(*incident_id),
            // A review or hold of one incident travels as that incident's events do (withheld
            // from the device of the person an allegation is about).
            Body::RetentionReviewed {
                record: RecordRef::Incident(id),
                ..
            }
            | Body::LegalHoldPlaced {
                record: RecordRef::Incident(id),
                ..
            }
            | Body::LegalHoldLifted {
                record: RecordRef::Incident(id),
                ..
            } => Some(*id),
            _ => None,
        }
    }
}

/// The events that record Harbour's built-in categories (from `assets/categories.toml`), as
/// set-up appends them.
pub fn built_in_categories() -> crate::Result<Vec<Body>> {
    Ok(crate::domain::categories::built_in()?
        .into_iter()
        .map(|c| Body::CategoryAdded {
            code: c.code,
            name: c.name,
            four_c: c.four_c,
            restricted: c.restricted,
        })
        .collect())
}
