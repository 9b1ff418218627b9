//! Errors the core can return, each one plain sentence a coordinator can act on.
//!
//! Every variant has a stable `code()` so that the app and scripts can tell them apart
//! without parsing text, and a `Display` that is the sentence shown to people. Nothing here
//! carries a secret: a passphrase, a key or a record's text never appears in an error.

use std::path::PathBuf;

use crate::code::Code;

/// What went wrong, in words a coordinator can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("That passphrase is not right for this Harbour data folder.")]
    WrongPassphrase,
    #[error("That recovery key does not unlock this Harbour data folder.")]
    WrongRecoveryKey,
    #[error(
        "Group {group} of the recovery key looks mistyped: please check it against the sheet."
    )]
    RecoveryKeyTypo { group: usize },
    #[error(
        "The recovery key should have {expected} groups of {chars} characters; {found} were given."
    )]
    RecoveryKeyShape {
        expected: usize,
        chars: usize,
        found: usize,
    },
    #[error("Harbour is already open in another window or program using {}; close it and try again.", .0.display())]
    AlreadyOpen(PathBuf),
    #[error("Harbour has not been set up in {}.", .0.display())]
    NotSetUp(PathBuf),
    #[error("Harbour is already set up in {}; nothing was changed.", .0.display())]
    AlreadySetUp(PathBuf),
    #[error("The Harbour data folder {} could not be used: {reason}.", .path.display())]
    DataFolder { path: PathBuf, reason: String },
    #[error("The file {} could not be read: {reason}.", .path.display())]
    ReadFile { path: PathBuf, reason: String },
    #[error("The disk is full, so nothing was saved; free some space and try again.")]
    DiskFull,
    #[error("The Harbour database is damaged or is not a Harbour database.")]
    NotADatabase,
    /// The database file itself is damaged; what was found, in a few words.
    #[error("The Harbour database is damaged ({0}), so Harbour changed nothing: restore the data folder from a backup, or from a centre you sync with.")]
    DatabaseDamaged(String),
    #[error("The key file in the Harbour data folder is damaged: {0}.")]
    KeyFile(String),
    #[error("This data folder was made by a newer version of Harbour; please update Harbour.")]
    NewerVersion,
    #[error("The passphrase is too short: use at least {min} characters.")]
    WeakPassphrase { min: usize },
    #[error("The passphrases do not match.")]
    PassphraseMismatch,
    #[error("Harbour needs the passphrase to open this data folder.")]
    PassphraseNeeded,
    #[error("This computer's keyring could not be used ({0}); Harbour will ask for the passphrase instead.")]
    KeyringUnavailable(String),
    #[error("Nothing is remembered in this computer's keyring for this data folder.")]
    KeyringEmpty,
    #[error("{0}")]
    Invalid(String),
    /// Something a request must give was not given. `field` names it as the request does
    /// (`concerns_staff`), so that each front end can point at its own control or flag; the
    /// sentence names it as a person would.
    #[error("{sentence}")]
    Required {
        field: &'static str,
        sentence: &'static str,
    },
    /// A learner with the same name and date of birth is already recorded: shown before a
    /// second record of the same person is made. `centre` is the existing record's centre.
    #[error("A learner called {name}, born {dob}, is already recorded at {centre}, so nothing was added. If this is a different learner, add them anyway.")]
    PossibleDuplicate {
        name: String,
        dob: String,
        centre: String,
    },
    /// A category code that is not one of the organisation's categories.
    #[error("\"{0}\" is not a category.")]
    UnknownCategory(String),
    /// An edited form template refused by `harbour forms adapt`, and why.
    #[error("{0}")]
    FormTemplate(String),
    /// An edited retention rule refused by `harbour retention adapt`, and why.
    #[error("{0}")]
    RetentionRule(String),
    /// Destroying a record under a legal hold, refused.
    #[error("{0}")]
    Held(String),
    #[error("No {what} matches \"{key}\".")]
    NotFound { what: &'static str, key: String },
    #[error("The case log failed its check: {0}")]
    Integrity(String),
    /// What `verify` found damaged: one sentence a line, each saying what to do.
    #[error("{0}")]
    Damaged(String),
    #[error("The database could not be read or written: {0}.")]
    Database(String),
    /// A file that is, holds or may hold imagery, on an incident where imagery must never be
    /// stored. `what` says what was found ("it holds a JPEG image (…)"); `hint` is empty
    /// from the core, and where the command line adds how to record the imagery there.
    #[error("Harbour will not store this file: {what}, and incident {reference} is about sharing nudes or up-skirting. Staff must never view, copy, print, share, store, save or delete the imagery, nor ask anyone else to; refer it to the Designated Safeguarding Lead (DSL), and record instead that the imagery exists, where it is and who holds the device.{hint}")]
    ImageryRefused {
        what: String,
        reference: String,
        hint: String,
    },
    /// An evidence item that is (or may be) imagery, on an incident where imagery must never
    /// be kept: no one may open a copy of it.
    #[error("Evidence item “{description}” cannot be opened: {what}, and incident {reference} is about sharing nudes or up-skirting, so no one may view or copy it. If the police ask for it, hand it over and record the hand-over; then erase Harbour’s copy.")]
    ImageryLocked {
        description: String,
        what: String,
        reference: String,
    },
    #[error("Evidence item {item} (“{description}”) no longer matches the SHA-256 recorded when it was captured, so it has been changed or damaged; nothing was written.")]
    EvidenceChanged { item: String, description: String },
    #[error("{0}")]
    Evidence(String),
    #[error("The evidence pack failed its check: {0}")]
    PackCheck(String),
    /// A pack signed by another key than the one the recipient was told of.
    #[error("{0}")]
    PackSigner(String),
    #[error("That passphrase does not open this encrypted pack.")]
    PackPassphrase,
    #[error("This pack is encrypted: Harbour needs the passphrase it was encrypted with.")]
    PackPassphraseNeeded,
    #[error("Cancelled; nothing was written and nothing was logged.")]
    Cancelled,
    #[error("The PDF could not be made: {0}.")]
    Print(String),
    /// A sync bundle or peer card refused, with a code saying why (see `sync::Refusal`).
    #[error("{message}")]
    Sync { code: Code, message: String },
    /// This computer's clock is too far from the case log's to record anything (`store::clock`).
    #[error("{0}")]
    ClockWrong(String),
    /// A backup refused or not made, with a code saying why (see `backup::Refusal`).
    #[error("{message}")]
    Backup { code: Code, message: String },
}

impl Error {
    /// A stable, machine-readable code for the kind of error.
    pub fn code(&self) -> Code {
        match self {
            Error::WrongPassphrase => Code::WrongPassphrase,
            Error::WrongRecoveryKey => Code::WrongRecoveryKey,
            Error::RecoveryKeyTypo { .. } => Code::RecoveryKeyTypo,
            Error::RecoveryKeyShape { .. } => Code::RecoveryKeyShape,
            Error::AlreadyOpen(_) => Code::AlreadyOpen,
            Error::NotSetUp(_) => Code::NotSetUp,
            Error::AlreadySetUp(_) => Code::AlreadySetUp,
            Error::DataFolder { .. } => Code::DataFolder,
            Error::ReadFile { .. } => Code::ReadFile,
            Error::DiskFull => Code::DiskFull,
            Error::NotADatabase => Code::NotADatabase,
            Error::DatabaseDamaged(_) => Code::DatabaseDamaged,
            Error::KeyFile(_) => Code::KeyFile,
            Error::NewerVersion => Code::NewerVersion,
            Error::WeakPassphrase { .. } => Code::WeakPassphrase,
            Error::PassphraseMismatch => Code::PassphraseMismatch,
            Error::PassphraseNeeded => Code::PassphraseNeeded,
            Error::KeyringUnavailable(_) => Code::KeyringUnavailable,
            Error::KeyringEmpty => Code::KeyringEmpty,
            Error::Invalid(_) | Error::Required { .. } | Error::UnknownCategory(_) => Code::Invalid,
            Error::FormTemplate(_) => Code::FormTemplate,
            Error::RetentionRule(_) => Code::RetentionRule,
            Error::Held(_) => Code::Held,
            Error::PossibleDuplicate { .. } => Code::PossibleDuplicate,
            Error::NotFound { .. } => Code::NotFound,
            Error::Integrity(_) => Code::Integrity,
            Error::Damaged(_) => Code::Damaged,
            Error::Database(_) => Code::Database,
            Error::ImageryRefused { .. } => Code::ImageryRefused,
            Error::ImageryLocked { .. } => Code::ImageryLocked,
            Error::EvidenceChanged { .. } => Code::EvidenceChanged,
            Error::Evidence(_) => Code::Evidence,
            Error::PackCheck(_) => Code::PackCheckFailed,
            Error::PackSigner(_) => Code::PackWrongSigner,
            Error::Print(_) => Code::Print,
            Error::PackPassphrase => Code::WrongPackPassphrase,
            Error::PackPassphraseNeeded => Code::PackPassphraseNeeded,
            Error::Cancelled => Code::Cancelled,
            Error::Sync { code, .. } => *code,
            Error::ClockWrong(_) => Code::ClockWrong,
            Error::Backup { code, .. } => *code,
        }
    }

    /// Shorthand for a validation failure with its sentence.
    pub fn invalid(sentence: impl Into<String>) -> Self {
        Error::Invalid(sentence.into())
    }

    /// Maps an I/O error on a path to the plain sentence a person needs.
    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::StorageFull {
            return Error::DiskFull;
        }
        Error::DataFolder {
            path: path.to_path_buf(),
            reason: plain_io(err),
        }
    }
}

/// An I/O error in a few plain words, without the OS error number.
pub fn plain_io(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "it does not exist".into(),
        PermissionDenied => "permission was refused".into(),
        StorageFull => "the disk is full".into(),
        ReadOnlyFilesystem => "the disk is read-only".into(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text.to_lowercase(),
            }
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match err.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => Error::NotADatabase,
            Some(ErrorCode::DiskFull) => Error::DiskFull,
            Some(ErrorCode::DatabaseCorrupt) => {
                Error::DatabaseDamaged("part of its file no longer reads back as written".into())
            }
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                Error::Database("another program is using the database".into())
            }
            _ => Error::Database(err.to_string()),
        }
    }
}

impl From<rusqlite_migration::Error> for Error {
    fn from(err: rusqlite_migration::Error) -> Self {
        match err {
            rusqlite_migration::Error::RusqliteError { err, .. } => err.into(),
            rusqlite_migration::Error::MigrationDefinition(
                rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
            ) => Error::NewerVersion,
            other => Error::Database(other.to_string()),
        }
    }
}

impl From<harbour_pdf::PdfError> for Error {
    fn from(err: harbour_pdf::PdfError) -> Self {
        match err {
            harbour_pdf::PdfError::Io { path, source } => {
                if source.kind() == std::io::ErrorKind::StorageFull {
                    return Error::DiskFull;
                }
                Error::Print(format!(
                    "{} could not be written because {}",
                    path.display(),
                    plain_io(&source)
                ))
            }
            other => Error::Print(other.to_string()),
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
