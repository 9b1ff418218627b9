//! The command line's shape. Scripts depend on it: add options freely, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "harbour",
    version,
    about = "Harbour: the encrypted online-safety case log for safeguarding coordinators.",
    long_about = None
)]
pub struct Cli {
    /// The data folder (default: the platform's data folder for Harbour).
    #[arg(long, global = true, env = "HARBOUR_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Read the passphrase from the first line of this file (or set HARBOUR_PASSPHRASE).
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set Harbour up in a new data folder.
    Init(InitArgs),
    /// Record and look up learners.
    #[command(subcommand)]
    Learner(LearnerCmd),
    /// Record incidents and everything that follows.
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Organisation settings: centres, staff, key contacts, policy review date.
    #[command(subcommand)]
    Org(OrgCmd),
    /// Incident categories.
    #[command(subcommand)]
    Category(CategoryCmd),
    /// Evidence files: captured encrypted, every access logged (chain of custody).
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// The procedure (checklist) an incident follows, step by step.
    #[command(subcommand)]
    Procedure(ProcedureCmd),
    /// Evidence packs for the police or CEOP: export, and check one.
    #[command(subcommand)]
    Pack(PackCmd),
    /// Send a learner's file to a setting that does not use Harbour; record its receipt.
    #[command(subcommand)]
    Transfer(TransferCmd),
    /// How long records are kept: the rules, records due for review, decisions, legal holds.
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Subject access requests: release everything held about a learner, redacted.
    #[command(subcommand)]
    Sar(SarCmd),
    /// Check every chain and signature and that the tables match the case log.
    Verify,
    /// Change the passphrase (the database is not re-encrypted).
    #[command(subcommand)]
    Passphrase(PassphraseCmd),
    /// Set a new passphrase using the recovery key.
    Recover(RecoverArgs),
    /// Remember or forget the key in this computer's keyring.
    #[command(subcommand)]
    Keyring(KeyringCmd),
    /// Print the consent forms and agreements handed out at induction.
    #[command(subcommand)]
    Forms(FormsCmd),
    /// Record returned consent forms, withdrawals, and check what is in place.
    #[command(subcommand)]
    Consent(ConsentCmd),
    /// Reports for the executive team.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Print the recovery sheet (asks for the recovery key and checks it first).
    RecoverySheet(RecoverySheetArgs),
    /// Other coordinators' devices this one exchanges bundles with.
    #[command(subcommand)]
    Peer(PeerCmd),
    /// Keep centres in step: encrypted, signed bundles by file or shared folder.
    #[command(subcommand)]
    Sync(SyncCmd),
    /// Fields changed on two devices, and choosing between them.
    #[command(subcommand, alias = "conflicts")]
    Conflict(ConflictCmd),
    /// This computer's clock against the case log's.
    #[command(subcommand)]
    Clock(ClockCmd),
    /// Encrypted backups of the whole data folder: make one, check one, restore one.
    #[command(subcommand)]
    Backup(BackupCmd),
    /// When the last backup was made, and anything else that needs attention.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum ClockCmd {
    /// Show this computer's date and time beside the newest entry in the case log.
    Show,
    /// Confirm that today's date is right after more than six months without an entry.
    Confirm,
}

#[derive(Debug, Subcommand)]
pub enum BackupCmd {
    /// Back up the whole data folder (database and evidence) into one encrypted file.
    Create {
        /// The folder (or USB stick) to write the backup into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Check a backup without restoring it (needs its passphrase or recovery key).
    Verify {
        file: PathBuf,
        #[command(flatten)]
        key: BackupKeyArgs,
    },
    /// Restore a backup into a new, empty data folder (`--data-dir`), as a new device.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        key: BackupKeyArgs,
    },
}

#[derive(Debug, Args)]
pub struct BackupKeyArgs {
    /// Open the backup with the recovery key (HARBOUR_RECOVERY_KEY, or typed) instead of
    /// the passphrase.
    #[arg(long)]
    pub recovery_key: bool,
    /// Read the recovery key from this file.
    #[arg(long, value_name = "FILE")]
    pub recovery_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PeerCmd {
    /// Write this device's contact card (public keys only) to give another coordinator.
    Card {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Trust another device from its card, once its fingerprint is confirmed by phone.
    Add {
        card: PathBuf,
        /// The fingerprint the other coordinator read out (or answer yes when asked).
        #[arg(long, value_name = "FINGERPRINT")]
        confirm: Option<String>,
    },
    /// List peers, trusted and revoked.
    List,
    /// Stop trusting a peer: its new bundles are refused.
    Revoke { peer: String },
}

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// Write one bundle for these peers.
    Export {
        /// A peer: device id (or its start), centre code or coordinator's name.
        #[arg(long, required = true, num_args = 1..)]
        to: Vec<String>,
        /// The folder to write it into (default: the current folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Import bundles from peers.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Exchange through a shared folder: write this device's bundles, import the others'.
    Folder { path: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ConflictCmd {
    /// List fields changed on two devices.
    List,
    /// Keep one side: REFERENCE FIELD (status or risk) --keep ENTRY --reason "…".
    Resolve {
        reference: String,
        field: String,
        /// The entry id of the side to keep, as `conflict list` prints it.
        #[arg(long)]
        keep: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FormsCmd {
    /// List the forms: each one's version, and whether it is built-in or the organisation's
    /// own wording (who adapted it, and when).
    List,
    /// Write a form (its current version) as TOML for the organisation to reword.
    Copy {
        /// photo-video, online-learning, learner-aup or staff-aup.
        form: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Adopt a reworded form with a higher version: forms printed from now on use it.
    Adapt { file: PathBuf },
    /// Print each learner's forms, pre-filled, into one PDF; and the staff Acceptable Use
    /// agreement for each member of staff given with --staff.
    Print {
        /// A learner's id (repeatable).
        #[arg(long = "learner", required_unless_present_any = ["cohort", "staff"])]
        learners: Vec<String>,
        /// A member of staff's id (repeatable): prints the staff Acceptable Use agreement.
        #[arg(long = "staff")]
        staff: Vec<String>,
        /// A CSV file of new starters: they are imported (all or nothing), then printed with
        /// any learners given with --learner.
        #[arg(long)]
        cohort: Option<PathBuf>,
        /// The induction date, e.g. 2026-09-07: which forms follow age on this date.
        #[arg(long)]
        induction: String,
        /// The PDF file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCmd {
    /// Record a signed form that has come back.
    Record {
        /// The learner's id.
        learner: String,
        /// photo-video, online-learning or learner-aup.
        #[arg(long)]
        form: String,
        /// The version printed on the form (default: the current version).
        #[arg(long)]
        form_version: Option<String>,
        /// Who signed it.
        #[arg(long)]
        signed_by: String,
        /// Their relationship to the learner: Mother, Father, Carer… for a learner under 18;
        /// Self when the learner signs (always from 18, and for the Acceptable Use agreement).
        #[arg(long)]
        relationship: String,
        /// The date it was signed, e.g. 2026-09-07.
        #[arg(long)]
        date: String,
        /// Photographs and video: internal use (yes or no).
        #[arg(long)]
        internal: Option<String>,
        /// Photographs and video: the website (yes or no).
        #[arg(long)]
        website: Option<String>,
        /// Photographs and video: social media (yes or no).
        #[arg(long)]
        social_media: Option<String>,
        /// Photographs and video: the press (yes or no).
        #[arg(long)]
        press: Option<String>,
        /// The answer on a form with one question, e.g. online learning (yes or no).
        #[arg(long)]
        consent: Option<String>,
        /// Any purpose's answer as PURPOSE=yes or PURPOSE=no (repeatable).
        #[arg(long = "answer")]
        answers: Vec<String>,
    },
    /// Record that consent was withdrawn, for one purpose or the whole form.
    Withdraw {
        learner: String,
        #[arg(long)]
        form: String,
        /// Only this purpose, e.g. website.
        #[arg(long)]
        purpose: Option<String>,
        /// The date it was withdrawn.
        #[arg(long)]
        date: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Whether consent is in place for a purpose: yes, no, not recorded or not current.
    Check {
        learner: String,
        /// internal, website, social-media, press or online-learning.
        purpose: String,
        /// The date to check on (default: today).
        #[arg(long)]
        on: Option<String>,
    },
    /// Who is missing which form, by the age rules.
    Missing {
        #[arg(long)]
        centre: Option<String>,
        /// The date to check on (default: today).
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The quarterly report as a PDF.
    Quarterly {
        /// e.g. 2026-Q4.
        #[arg(long)]
        quarter: String,
        #[arg(long)]
        out: PathBuf,
        /// Add an appendix naming the learners in each incident.
        #[arg(long)]
        named: bool,
    },
}

#[derive(Debug, Args)]
pub struct RecoverySheetArgs {
    /// The PDF file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Print the sheet without the key (a blank box to write it in by hand).
    #[arg(long)]
    pub without_key: bool,
    /// Read the recovery key from this file (or set HARBOUR_RECOVERY_KEY, or type it).
    #[arg(long)]
    pub recovery_key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The organisation's name.
    #[arg(long)]
    pub org: String,
    /// The first centre: its short code and name, e.g. --centre MAN "Manchester".
    #[arg(long, num_args = 2, value_names = ["CODE", "NAME"])]
    pub centre: Vec<String>,
    /// The coordinator's full name.
    #[arg(long)]
    pub coordinator: String,
    /// The coordinator's role, e.g. "Designated Safeguarding Lead".
    #[arg(long)]
    pub role: String,
    /// A name for this computer, e.g. "Manchester laptop".
    #[arg(long)]
    pub device_label: Option<String>,
    /// Also remember the key in this computer's keyring.
    #[arg(long)]
    pub remember: bool,
    /// Also print the recovery sheet, with the recovery key, to this PDF file.
    #[arg(long, value_name = "FILE.pdf")]
    pub recovery_sheet: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LearnerCmd {
    /// Record a learner; prints the new id.
    Add {
        #[arg(long)]
        name: String,
        /// Date of birth, e.g. 2009-04-17.
        #[arg(long)]
        dob: String,
        /// Centre code (may be left out where there is only one centre).
        #[arg(long, default_value = "")]
        centre: String,
        #[arg(long)]
        employer: Option<String>,
        /// A parent or carer as "Name:Relationship" or "Name:Relationship:Phone" (repeatable).
        #[arg(long = "carer")]
        carers: Vec<String>,
        /// Add the learner even though one with the same name and date of birth is recorded.
        #[arg(long)]
        even_if_duplicate: bool,
    },
    /// List learners.
    List {
        #[arg(long)]
        centre: Option<String>,
        /// Only names containing this text.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show a learner and every incident they appear in.
    Show { id: String },
    /// Import learners from a CSV file with a header row (name, dob, centre, …).
    Import {
        file: PathBuf,
        /// Check the file and report, without importing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IncidentCmd {
    /// Record a new incident; prints its reference.
    New(NewIncidentArgs),
    /// List incidents, newest first.
    List(ListArgs),
    /// Show an incident with its full chronology.
    Show { reference: String },
    /// Add a note to the chronology.
    Note { reference: String, text: String },
    /// Add a category to an incident (with the procedures it calls for).
    Categorise {
        reference: String,
        /// Category code; `harbour category list` shows them.
        #[arg(long)]
        category: String,
    },
    /// Correct an earlier chronology entry (the entry itself is kept).
    Correct {
        reference: String,
        /// The id of the entry being corrected (as `incident show` prints it).
        entry: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        reason: String,
    },
    /// Add a learner to an incident: ID:subject, ID:alleged or ID:witness.
    Involve {
        reference: String,
        #[arg(long)]
        learner: String,
    },
    /// Record a referral.
    Refer {
        reference: String,
        /// police, ceop, social-care, lado, prevent, parents, local-authority, provider, other.
        #[arg(long)]
        agency: String,
        /// The date of the referral (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Who made the referral.
        #[arg(long)]
        person: String,
        /// The agency's reference (crime number, case number).
        #[arg(long = "reference", id = "agency_reference")]
        agency_reference: Option<String>,
    },
    /// Withdraw a referral, decision or action recorded in error, with the reason; it stays
    /// in the record, marked withdrawn, and is no longer counted.
    Withdraw {
        reference: String,
        /// The entry's id as `incident show` gives it (its beginning or end is enough).
        entry: String,
        #[arg(long)]
        reason: String,
    },
    /// Record a decision and its reasons.
    Decide {
        reference: String,
        #[arg(long)]
        decision: String,
        #[arg(long)]
        reason: String,
        /// This is a decision not to refer.
        #[arg(long)]
        not_to_refer: bool,
    },
    /// Add an action with an owner and a due date.
    Action {
        reference: String,
        #[arg(long)]
        description: String,
        #[arg(long)]
        owner: String,
        #[arg(long)]
        due: String,
    },
    /// Mark an action done.
    ActionDone {
        reference: String,
        action: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Set the risk level (low, medium, high, immediate) with a reason.
    Risk {
        reference: String,
        level: String,
        #[arg(long)]
        reason: String,
    },
    /// Link two incidents.
    Link {
        reference: String,
        other: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Close an incident with its outcome and the reason.
    Close {
        reference: String,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        reason: String,
    },
    /// Reopen a closed incident.
    Reopen {
        reference: String,
        #[arg(long)]
        reason: String,
    },
    /// Search incidents and their chronology.
    Search {
        #[arg(required = true, num_args = 1..)]
        words: Vec<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Debug, Args)]
pub struct NewIncidentArgs {
    /// Category code (repeatable); `harbour category list` shows them.
    #[arg(long = "category", required = true)]
    pub categories: Vec<String>,
    /// A learner and their role: ID:subject, ID:alleged or ID:witness (repeatable).
    #[arg(long = "learner")]
    pub learners: Vec<String>,
    /// When it happened, e.g. 2026-11-20T15:30 (UK time).
    #[arg(long)]
    pub occurred: String,
    /// When it was reported (default: now).
    #[arg(long)]
    pub reported: Option<String>,
    /// Who reported it: "Full name, Job title".
    #[arg(long)]
    pub reporter: String,
    /// The account, in the learner's own words.
    #[arg(long, required_unless_present = "account_file")]
    pub account: Option<String>,
    /// Read the account from a file instead.
    #[arg(long)]
    pub account_file: Option<PathBuf>,
    /// Where it happened, or on which platform.
    #[arg(long)]
    pub place: Option<String>,
    /// The centre (default: the first learner's centre, or with no learner this device's own).
    #[arg(long)]
    pub centre: Option<String>,
    /// For an allegation about a member of staff: whom it concerns (staff id).
    #[arg(long)]
    pub concerns: Option<String>,
    /// What was done straight away: recorded as the first note, with the incident.
    #[arg(long, value_name = "TEXT")]
    pub first_actions: Option<String>,
    /// A procedure offered for its categories that applies (repeatable), e.g.
    /// bullying-email-mobile when cyberbullying happened by e-mail or mobile phone.
    #[arg(long = "procedure", value_name = "ID")]
    pub procedures: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// open or closed.
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub centre: Option<String>,
    /// A learner's id.
    #[arg(long)]
    pub learner: Option<String>,
    /// Happened on or after this date.
    #[arg(long)]
    pub from: Option<String>,
    /// Happened before this date.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Show the organisation's settings.
    Show,
    /// Rename the organisation.
    Rename { name: String },
    /// How often a backup is wanted, in days (the reminder; 7 unless set).
    BackupInterval { days: u32 },
    /// Add a centre.
    AddCentre { code: String, name: String },
    /// Add a member of staff; prints the new id.
    AddStaff {
        #[arg(long)]
        name: String,
        #[arg(long)]
        job_title: String,
        #[arg(long)]
        centre: Option<String>,
    },
    /// Name who holds a key role: dsl, deputy-dsl, general-manager, online-safety, alternate.
    Contact { role: String, staff: String },
    /// Set when the policy is next reviewed.
    PolicyReview { date: String },
}

#[derive(Debug, Subcommand)]
pub enum CategoryCmd {
    /// List the categories.
    List,
    /// Add a category of the organisation's own.
    Add {
        code: String,
        name: String,
        /// content, contact, conduct or commerce.
        #[arg(long)]
        area: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PassphraseCmd {
    /// Change the passphrase (new one from HARBOUR_NEW_PASSPHRASE, --new-passphrase-file or a prompt).
    Change {
        #[arg(long)]
        new_passphrase_file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Read the recovery key from this file (or set HARBOUR_RECOVERY_KEY, or type it).
    #[arg(long)]
    pub recovery_key_file: Option<PathBuf>,
    /// Read the new passphrase from this file (or set HARBOUR_NEW_PASSPHRASE, or type it).
    #[arg(long)]
    pub new_passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeyringCmd {
    /// Remember the key so this computer unlocks without the passphrase.
    Remember,
    /// Forget the key on this computer.
    Forget,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCmd {
    /// Capture a file as evidence (stored encrypted); prints the item id and its SHA-256.
    Add {
        reference: String,
        file: PathBuf,
        /// What the file is, e.g. "Screenshot of the group chat".
        #[arg(long)]
        description: String,
        /// What it shows.
        #[arg(long)]
        shows: Option<String>,
        /// Where it came from: a page or profile address.
        #[arg(long)]
        source: Option<String>,
        /// The user name concerned.
        #[arg(long)]
        username: Option<String>,
        /// The platform or service.
        #[arg(long)]
        platform: Option<String>,
        /// Who holds the device it came from.
        #[arg(long)]
        device_held_by: Option<String>,
        /// Where that device is.
        #[arg(long)]
        device_location: Option<String>,
    },
    /// List an incident's evidence with its chain of custody.
    List { reference: String },
    /// Record that imagery exists (never stored): where it is and who holds the device.
    Imagery {
        reference: String,
        #[arg(long = "where")]
        location: String,
        #[arg(long)]
        held_by: String,
        #[arg(long)]
        device_owner: Option<String>,
        #[arg(long)]
        action_taken: Option<String>,
    },
    /// Decrypt an item to a file (checked against its SHA-256); logged as opened.
    Open {
        item: String,
        #[arg(long)]
        out: PathBuf,
        /// Why it is being opened.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record that an item was handed over to an officer.
    Handover {
        item: String,
        /// The officer's name.
        #[arg(long)]
        to: String,
        /// The force or agency.
        #[arg(long)]
        agency: String,
        /// The crime or case reference.
        #[arg(long = "reference", id = "crime_reference")]
        crime_reference: String,
        /// The date of the hand-over (default: today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Record that a handed-over item came back.
    Returned { item: String },
    /// Erase Harbour's copy of imagery on a sharing-nudes or up-skirting incident (after
    /// any hand-over to the police); the record of it stays.
    Erase {
        item: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProcedureCmd {
    /// Show an incident's procedures: each step, who did it and when, and any flags.
    Show { reference: String },
    /// Record a step as done (with an optional note) or not applicable (with the reason).
    Step {
        reference: String,
        /// The step id, as `procedure show` prints it (or PROCEDURE/STEP).
        step: String,
        #[arg(
            long,
            conflicts_with = "not_applicable",
            required_unless_present = "not_applicable"
        )]
        done: bool,
        #[arg(long, requires = "done")]
        note: Option<String>,
        /// The step does not apply, for this reason.
        #[arg(long, value_name = "REASON")]
        not_applicable: Option<String>,
    },
    /// Attach a procedure to an incident.
    Attach {
        reference: String,
        procedure: String,
    },
    /// Record an immediate-referral trigger: adult-involved, coercion, capacity,
    /// unusual-or-violent, under-13, immediate-risk.
    Trigger { reference: String, trigger: String },
    /// List the procedures Harbour knows (adapted ones in place of the built-in ones).
    List,
    /// Write a procedure template (its current version) as TOML for the organisation to edit.
    Copy {
        procedure: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Adopt an edited procedure template: incidents opened from now on follow it.
    Adapt { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum PackCmd {
    /// Write an incident's evidence pack (a ZIP) for the police or CEOP.
    Export {
        reference: String,
        #[arg(long)]
        out: PathBuf,
        /// Why the pack is being made.
        #[arg(long)]
        reason: Option<String>,
        /// Encrypt the pack with a passphrase (age format; the name ends in .zip.age).
        /// The passphrase is typed twice, or read with --pack-passphrase-file.
        #[arg(long)]
        encrypt: bool,
        /// Read the pack's passphrase from the first line of this file (or set
        /// HARBOUR_PACK_PASSPHRASE). Not the passphrase of the data folder.
        #[arg(long, value_name = "FILE", requires = "encrypt")]
        pack_passphrase_file: Option<PathBuf>,
    },
    /// Check a pack using nothing but the pack (no data folder needed).
    Verify {
        pack: PathBuf,
        /// For an encrypted pack: read its passphrase from the first line of this file (or
        /// set HARBOUR_PACK_PASSPHRASE, or type it when asked).
        #[arg(long, value_name = "FILE")]
        pack_passphrase_file: Option<PathBuf>,
        /// The sender's signing key fingerprint, as they read it to you by phone: a pack
        /// signed by any other key is refused.
        #[arg(long, value_name = "FINGERPRINT")]
        expect: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TransferCmd {
    /// Send a learner's whole child-protection file to a setting that does not use Harbour:
    /// an encrypted pack and a receipt form to have signed and returned.
    Export {
        /// The learner's id (or a unique beginning or end of it).
        learner: String,
        /// The setting the learner is moving to.
        #[arg(long)]
        to: String,
        /// The folder to write the pack and the receipt form into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Read the pack's passphrase from the first line of this file (or set
        /// HARBOUR_PACK_PASSPHRASE, or type it twice). Send it by another route.
        #[arg(long, value_name = "FILE")]
        pack_passphrase_file: Option<PathBuf>,
    },
    /// Record that the signed receipt came back: LEARNER or TRANSFER (its id or short form).
    Receipt {
        transfer: String,
        /// The date on the signed receipt, e.g. 2026-11-27.
        #[arg(long)]
        date: String,
        /// Who signed it.
        #[arg(long)]
        signed_by: Option<String>,
    },
    /// List transfers: school days since sending, and whether the receipt has come back.
    List {
        /// Only those still awaiting their receipt.
        #[arg(long)]
        awaiting: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SarCmd {
    /// Write everything held about a learner as a redacted PDF, with a list of the
    /// redactions to review before release, and record the disclosure.
    Export {
        /// The learner's id (or a unique beginning of it).
        learner: String,
        /// The folder to write the document, the redaction list and any evidence files into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// To whom the records are released, e.g. --to "Alex Example".
        #[arg(long, value_name = "NAME")]
        to: Option<String>,
        /// Evidence items (their ids) whose files are released too, decrypted and checked.
        #[arg(long = "include-evidence", value_name = "ITEM", num_args = 1..)]
        include_evidence: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionCmd {
    /// The retention rule for each kind of record, with its source.
    Rules,
    /// Write the current rule for a kind of record (e.g. learner-file) as TOML to edit.
    Copy {
        record: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Adopt an edited rule (its version must be higher): reviews from now on follow it.
    Adapt { file: PathBuf },
    /// Records due for review: which record, the rule, the date.
    Due {
        /// Due on or before this date instead of today, e.g. 2034-04-17.
        #[arg(long)]
        on: Option<String>,
        /// Every record with its review date, due or not.
        #[arg(long)]
        all: bool,
    },
    /// A record's review date, the rule behind it, its latest decision and any hold.
    /// RECORD is an incident's reference, a learner's id (their file), or consent:ID.
    Show { record: String },
    /// Record a review decision: keep until a new date, or destroy; always with the reason.
    Review {
        record: String,
        /// Keep the record and review it again on this date.
        #[arg(long, conflicts_with = "destroy", required_unless_present = "destroy")]
        keep_until: Option<String>,
        /// Decide to destroy the record (refused while a legal hold covers it).
        #[arg(long)]
        destroy: bool,
        #[arg(long)]
        reason: String,
        /// Destroy before the review date: the explicit override (the reason says why).
        #[arg(long, requires = "destroy")]
        early: bool,
    },
    /// Place a legal hold (a statutory inquiry, legal proceedings): never destroyed while held.
    Hold {
        record: String,
        #[arg(long)]
        reason: String,
    },
    /// Lift the legal holds placed on a record, with the reason.
    Lift {
        record: String,
        #[arg(long)]
        reason: String,
    },
    /// Legal holds in force.
    Holds,
}
