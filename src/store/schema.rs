//! The database schema, as versioned migrations.
//!
//! `events` (and `pending_events`, `local_device`) hold the source of truth; every other
//! table is a projection built from the events, listed in `PROJECTION_TABLES` so that a
//! rebuild can clear them and `verify` can compare them.

use rusqlite_migration::{Migrations, M};

/// The version of the rules in `project.rs`. Raise it whenever they change what a table
/// holds: a data folder built by other rules is then rebuilt from its log when opened, so
/// `verify` compares like with like.
pub const PROJECTION_VERSION: i64 = 12;

const V1: &str = r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE local_device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    signing_key BLOB NOT NULL,
    author_id TEXT NOT NULL
);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hlc_ms INTEGER NOT NULL,
    hlc_count INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    kind_version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    payload_sha256 BLOB NOT NULL,
    prev_hash BLOB,
    hash BLOB NOT NULL,
    signature BLOB NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX events_order ON events (hlc_ms, hlc_count, device_id, seq);

-- Events whose predecessor in their device's chain has not arrived: held, never applied.
CREATE TABLE pending_events (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event_json TEXT NOT NULL,
    UNIQUE (device_id, seq)
);

CREATE TABLE org (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    policy_review_date TEXT
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    verifying_key TEXT NOT NULL,
    label TEXT NOT NULL,
    centre_code TEXT
);
CREATE TABLE centres (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    home_device TEXT NOT NULL
);
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    job_title TEXT NOT NULL,
    centre_code TEXT
);
CREATE TABLE contacts (
    role TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL
);
CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    four_c TEXT NOT NULL,
    restricted INTEGER NOT NULL
);
CREATE TABLE learners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    centre_code TEXT NOT NULL,
    employer TEXT,
    added_ms INTEGER NOT NULL
);
CREATE INDEX learners_name ON learners (name);
CREATE TABLE carers (
    learner_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    relationship TEXT NOT NULL,
    phone TEXT,
    PRIMARY KEY (learner_id, position)
);
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    centre_code TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_title TEXT NOT NULL,
    place TEXT,
    account TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    outcome TEXT,
    risk_level TEXT,
    risk_reason TEXT,
    concerns_staff TEXT,
    opened_ms INTEGER NOT NULL,
    opened_count INTEGER NOT NULL,
    opened_by TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX incidents_newest ON incidents (opened_ms DESC, opened_count DESC);
CREATE INDEX incidents_status ON incidents (status);
CREATE TABLE incident_categories (
    incident_id TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (incident_id, code)
);
CREATE INDEX incident_categories_code ON incident_categories (code);
CREATE TABLE incident_learners (
    incident_id TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (incident_id, learner_id)
);
CREATE INDEX incident_learners_learner ON incident_learners (learner_id);
CREATE TABLE chronology (
    event_id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    corrects TEXT
);
CREATE INDEX chronology_incident ON chronology (incident_id, at_ms, at_count, device_id, seq);
CREATE INDEX chronology_recent ON chronology (at_ms, at_count);
CREATE TABLE referrals (
    event_id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    agency TEXT NOT NULL,
    referred_on TEXT NOT NULL,
    person TEXT NOT NULL,
    reference TEXT
);
CREATE INDEX referrals_incident ON referrals (incident_id);
CREATE TABLE decisions (
    event_id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    not_to_refer INTEGER NOT NULL
);
CREATE INDEX decisions_incident ON decisions (incident_id);
CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_ms INTEGER,
    done_note TEXT
);
CREATE INDEX actions_incident ON actions (incident_id);
CREATE TABLE incident_links (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (a, b)
);
CREATE VIRTUAL TABLE search USING fts5 (
    incident_id UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
"#;

/// Evidence, its chain of custody, imagery records and procedures.
const V2: &str = r#"
CREATE TABLE evidence_items (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    description TEXT NOT NULL,
    shows TEXT,
    source TEXT,
    username TEXT,
    platform TEXT,
    device_held_by TEXT,
    device_location TEXT,
    captured_by TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_modified TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX evidence_items_incident ON evidence_items (incident_id);
CREATE TABLE evidence_custody (
    event_id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX evidence_custody_item ON evidence_custody (item_id, at_ms, at_count);
CREATE TABLE imagery_records (
    event_id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    location TEXT NOT NULL,
    held_by TEXT NOT NULL,
    device_owner TEXT,
    action_taken TEXT
);
CREATE INDEX imagery_records_incident ON imagery_records (incident_id);
CREATE TABLE incident_procedures (
    incident_id TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    attached_ms INTEGER NOT NULL,
    PRIMARY KEY (incident_id, procedure_id)
);
CREATE TABLE procedure_steps (
    incident_id TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    required INTEGER NOT NULL,
    required_when_flagged INTEGER NOT NULL,
    state TEXT NOT NULL,
    note TEXT,
    by_author TEXT,
    at_ms INTEGER,
    PRIMARY KEY (incident_id, procedure_id, step_id)
);
CREATE TABLE incident_triggers (
    incident_id TEXT NOT NULL,
    trigger_code TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (incident_id, trigger_code)
);
"#;

/// Consent forms returned and withdrawals, each row keyed by the event that recorded it and
/// carrying the event's place in the log's order.
const V3: &str = r#"
CREATE TABLE consents (
    event_id TEXT PRIMARY KEY,
    learner_id TEXT NOT NULL,
    form TEXT NOT NULL,
    form_version TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    relationship TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX consents_learner ON consents (learner_id, form);
CREATE TABLE consent_answers (
    event_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    answer INTEGER NOT NULL,
    PRIMARY KEY (event_id, purpose)
);
CREATE TABLE consent_withdrawals (
    event_id TEXT PRIMARY KEY,
    learner_id TEXT NOT NULL,
    form TEXT NOT NULL,
    purpose TEXT,
    withdrawn_on TEXT NOT NULL,
    note TEXT,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX consent_withdrawals_learner ON consent_withdrawals (learner_id, form);
"#;

/// Sync: the current values of single-valued fields (a projection: more than one row with
/// different values for one field is a change made on two devices), and this device's own
/// knowledge of its peers, which is local and never synced (see `sync`).
const V4: &str = r#"
CREATE TABLE field_heads (
    incident_id TEXT NOT NULL,
    field TEXT NOT NULL,
    event_id TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT,
    outcome TEXT,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    PRIMARY KEY (incident_id, field, event_id)
);

-- This device's key for receiving bundles (age X25519), inside the encrypted database.
CREATE TABLE sync_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    x25519_secret TEXT NOT NULL
);
CREATE TABLE peers (
    device_id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    coordinator TEXT NOT NULL,
    coordinator_id TEXT NOT NULL,
    label TEXT NOT NULL,
    verifying_key TEXT NOT NULL,
    x25519 TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    added_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
-- What each peer last told us it holds: per device, the highest contiguous sequence.
CREATE TABLE peer_frontiers (
    peer TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (peer, device_id)
);
-- Bundles already imported, by the SHA-256 of their length and signature (`sync::import`).
CREATE TABLE bundles_in (
    sha256 TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    bundle_seq INTEGER NOT NULL,
    imported_ms INTEGER NOT NULL
);
-- The last bundle written for each peer into a shared folder, so an unchanged one is not
-- written again.
CREATE TABLE bundles_out (
    peer TEXT PRIMARY KEY,
    content_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL
);
"#;

/// Procedure templates an organisation adapted or added (a projection: the highest version
/// of each id, its `ProcedureDef` as JSON in `body`).
const V5: &str = r#"
CREATE TABLE procedure_templates (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
);
"#;

/// Consent forms an organisation reworded (a projection: every adapted version of each
/// form, its `FormTemplate` as JSON in `body`, with the event that recorded it, who and
/// when; the current version is the highest, worked out when read).
const V6: &str = r#"
CREATE TABLE form_templates (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (id, version)
);
"#;

/// Learners' files sent to settings that do not use Harbour, and their receipts (a
/// projection of `transfer_sent` and `transfer_receipt_recorded`).
const V7: &str = r#"
CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    learner_id TEXT NOT NULL,
    to_setting TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    pack_file TEXT NOT NULL,
    pack_sha256 TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    received_on TEXT,
    receipt_signed_by TEXT,
    receipt_event TEXT
);
CREATE INDEX transfers_learner ON transfers (learner_id);
CREATE INDEX transfers_awaiting ON transfers (received_on, sent_on);
"#;

/// Devices revoked, by whom and up to which event of their chain (a projection of
/// `device_revoked`; see `store::revocation`).
const V8: &str = r#"
CREATE TABLE revocations (
    event_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    revoked_by TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX revocations_device ON revocations (device_id, last_seq);
"#;

/// Backups and forks: a device retired (restored elsewhere, or forked), the organisation's
/// backup interval, and events set aside because another event already holds their device
/// and number (a fork: kept, never applied, shown by `verify`). `forked_events` is this
/// device's own knowledge, like `pending_events`, not a projection.
const V9: &str = r#"
ALTER TABLE devices ADD COLUMN retired_by TEXT;
ALTER TABLE devices ADD COLUMN retired_ms INTEGER;
ALTER TABLE org ADD COLUMN backup_interval_days INTEGER;
CREATE TABLE forked_events (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event_json TEXT NOT NULL,
    found_ms INTEGER NOT NULL,
    own INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX forked_events_device ON forked_events (device_id, seq);
"#;

/// What each bundle written into a shared folder was (its length and signature, as
/// `sync::import::digest`), so the writer can tell when the service carrying the folder
/// has replaced or renamed it and write it again.
const V10: &str = r#"
ALTER TABLE bundles_out ADD COLUMN file_digest TEXT;
"#;

/// What looking into an evidence file at capture found (imagery on an incident where it
/// must never be kept is shown on the incident and cannot be opened), and whether it was
/// looked into at all (not by an older Harbour).
const V11: &str = r#"
ALTER TABLE evidence_items ADD COLUMN imagery TEXT;
ALTER TABLE evidence_items ADD COLUMN looked_into INTEGER NOT NULL DEFAULT 0;
"#;

/// Retention: the organisation's own retention rules (the highest version of each kind of
/// record), every review decision (keep until a date, or destroy) with its reason, and legal
/// holds placed and lifted (projections of `retention_rule_adapted`, `retention_reviewed`,
/// `legal_hold_placed` and `legal_hold_lifted`).
const V12: &str = r#"
CREATE TABLE retention_rules (
    record TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE retention_reviews (
    event_id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    rule_version INTEGER NOT NULL,
    due_on TEXT,
    decision TEXT NOT NULL,
    keep_until TEXT,
    reason TEXT NOT NULL,
    early INTEGER NOT NULL,
    held INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    at_count INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX retention_reviews_record ON retention_reviews (record_type, record_id, at_ms, at_count);
CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_ms INTEGER NOT NULL,
    lifted_reason TEXT,
    lifted_by TEXT,
    lifted_ms INTEGER,
    lifted_event TEXT
);
CREATE INDEX legal_holds_record ON legal_holds (record_type, record_id);
"#;

/// Search finds any part of a word, as people type it ("bullying" in "cyberbullying",
/// "Insta" in "Instagram", a crime reference with its slashes): the index is of every
/// three-character sequence instead of whole words. The tables are rebuilt on open
/// (`PROJECTION_VERSION`), which fills it.
const V13: &str = r#"
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5 (
    incident_id UNINDEXED,
    body,
    tokenize = 'trigram remove_diacritics 1'
);
"#;

/// A referral, decision or action recorded in error and withdrawn with a reason. A table of
/// its own (not a column on each), so that a withdrawal that arrives by sync before the
/// entry it withdraws still applies when the entry comes.
const V14: &str = r#"
CREATE TABLE withdrawals (
    event_id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    entry TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX withdrawals_entry ON withdrawals (entry);
"#;

/// Subject access requests answered: a learner's records released, to whom, when, and what
/// the document held (a projection of `subject_access_disclosed`).
const V15: &str = r#"
CREATE TABLE subject_access_disclosures (
    id TEXT PRIMARY KEY,
    learner_id TEXT NOT NULL,
    to_whom TEXT,
    released_on TEXT NOT NULL,
    document TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    incidents INTEGER NOT NULL,
    consent_records INTEGER NOT NULL,
    evidence_described INTEGER NOT NULL,
    evidence_files INTEGER NOT NULL,
    redactions INTEGER NOT NULL,
    released_by TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX subject_access_disclosures_learner ON subject_access_disclosures (learner_id);
"#;

/// Tables built from the events: cleared by a rebuild, compared by `verify`, with the
/// columns that order their rows.
pub const PROJECTION_TABLES: &[(&str, &str)] = &[
    ("org", "id"),
    ("devices", "id"),
    ("centres", "code"),
    ("staff", "id"),
    ("contacts", "role"),
    ("categories", "code"),
    ("learners", "id"),
    ("carers", "learner_id, position"),
    ("incidents", "id"),
    ("incident_categories", "incident_id, code"),
    ("incident_learners", "incident_id, learner_id"),
    ("chronology", "event_id"),
    ("referrals", "event_id"),
    ("decisions", "event_id"),
    ("actions", "id"),
    ("incident_links", "a, b"),
    ("search", "incident_id, body"),
    ("evidence_items", "id"),
    ("evidence_custody", "event_id"),
    ("imagery_records", "event_id"),
    ("incident_procedures", "incident_id, procedure_id"),
    ("procedure_steps", "incident_id, procedure_id, step_id"),
    ("incident_triggers", "incident_id, trigger_code"),
    ("consents", "event_id"),
    ("consent_answers", "event_id, purpose"),
    ("consent_withdrawals", "event_id"),
    ("field_heads", "incident_id, field, event_id"),
    ("procedure_templates", "id"),
    ("form_templates", "id, version"),
    ("transfers", "id"),
    ("revocations", "event_id"),
    ("retention_rules", "record"),
    ("retention_reviews", "event_id"),
    ("legal_holds", "id"),
    ("withdrawals", "event_id"),
    ("subject_access_disclosures", "id"),
];

/// Every schema version, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
        M::up(V9),
        M::up(V10),
        M::up(V11),
        M::up(V12),
        M::up(V13),
        M::up(V14),
        M::up(V15),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
