//! The stable code of every error a front end can meet: one list, in one place.
//!
//! The app's window and scripts that read `harbour --json` tell errors apart by these codes,
//! never by their sentences (which may be reworded). Each code is written once here and
//! reaches TypeScript as a union of strings, so the UI cannot test for a code that does not
//! exist. A code, once released, keeps its spelling: `tests` below pins every one.

use serde::Serialize;

/// Declares [`Code`] and its spellings from one list, so that a code's name in Rust and its
/// spelling on the wire cannot drift apart.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $text:literal,)+) => {
        /// What kind of failure an error is, for programs (the sentence is for people).
        ///
        /// Non-exhaustive: later versions of Harbour add codes, and a front end treats one
        /// it does not know by showing the error's sentence.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])+ #[serde(rename = $text)] $variant,)+
        }

        impl Code {
            /// Every code, in the order declared.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The code as it is written on the wire (`--json` and the app's errors).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)+
                }
            }
        }
    };
}

codes! {
    // Opening and unlocking a data folder.
    /// The passphrase does not unlock this data folder.
    WrongPassphrase = "wrong_passphrase",
    /// The recovery key does not unlock this data folder.
    WrongRecoveryKey = "wrong_recovery_key",
    /// A group of the recovery key fails its check character: a typing mistake.
    RecoveryKeyTypo = "recovery_key_typo",
    /// The recovery key has the wrong number of groups or characters.
    RecoveryKeyShape = "recovery_key_shape",
    /// Another window or program has this data folder open.
    AlreadyOpen = "already_open",
    /// The data folder has not been set up.
    NotSetUp = "not_set_up",
    /// The data folder is already set up; nothing was changed.
    AlreadySetUp = "already_set_up",
    /// The data folder could not be used (missing, no permission, read-only disk).
    DataFolder = "data_folder",
    /// A file the user chose could not be read.
    ReadFile = "read_file",
    /// The disk is full; nothing was saved.
    DiskFull = "disk_full",
    /// The database file is not a Harbour database, or cannot be decrypted.
    NotADatabase = "not_a_database",
    /// The database file is damaged.
    DatabaseDamaged = "database_damaged",
    /// The data folder's key file is damaged.
    KeyFile = "key_file",
    /// The data folder was made by a newer version of Harbour.
    NewerVersion = "newer_version",
    /// The new passphrase is too short.
    WeakPassphrase = "weak_passphrase",
    /// The two passphrases typed do not match.
    PassphraseMismatch = "passphrase_mismatch",
    /// A passphrase is needed and none was given.
    PassphraseNeeded = "passphrase_needed",
    /// This computer's keyring could not be used.
    KeyringUnavailable = "keyring_unavailable",
    /// Nothing is remembered in the keyring for this data folder.
    KeyringEmpty = "keyring_empty",
    /// The app is locked: unlock it first (the window only).
    Locked = "locked",

    // Recording.
    /// Something typed or chosen is not acceptable; the sentence says what.
    Invalid = "invalid",
    /// An edited form template was refused.
    FormTemplate = "form_template",
    /// An edited retention rule was refused.
    RetentionRule = "retention_rule",
    /// A record under a legal hold cannot be destroyed.
    Held = "held",
    /// A learner with the same name and date of birth is already recorded.
    PossibleDuplicate = "possible_duplicate",
    /// No record matches the name, reference or id given.
    NotFound = "not_found",
    /// This computer's clock is too far from the case log's to record anything.
    ClockWrong = "clock_wrong",
    /// The user stopped the work; nothing was written.
    Cancelled = "cancelled",
    /// The database could not be read or written.
    Database = "database",

    // Checking.
    /// The case log failed its check.
    Integrity = "integrity",
    /// `verify` found damage; the sentence has one line for each.
    Damaged = "damaged",

    // Evidence and packs.
    /// A file that is, holds or may hold imagery, refused on a nudes or up-skirting incident.
    ImageryRefused = "imagery_refused",
    /// An evidence item that is or may be imagery cannot be opened.
    ImageryLocked = "imagery_locked",
    /// An evidence item no longer matches the SHA-256 recorded at capture.
    EvidenceChanged = "evidence_changed",
    /// An evidence item could not be stored, read or exported.
    Evidence = "evidence",
    /// No program on this computer would open the decrypted copy (the window only).
    NoViewer = "no_viewer",
    /// An evidence pack failed its check.
    PackCheckFailed = "pack_check_failed",
    /// An evidence pack is signed by another key than the one expected.
    PackWrongSigner = "pack_wrong_signer",
    /// The passphrase does not open this encrypted pack.
    WrongPackPassphrase = "wrong_pack_passphrase",
    /// The pack is encrypted and no passphrase was given.
    PackPassphraseNeeded = "pack_passphrase_needed",
    /// A PDF could not be made.
    Print = "print",

    // Sync bundles and peer cards.
    /// The file is not a Harbour sync bundle.
    NotABundle = "not_a_bundle",
    /// The bundle is cut short.
    BundleTruncated = "bundle_truncated",
    /// The bundle was made by a newer version of Harbour.
    BundleNewerVersion = "bundle_newer_version",
    /// The bundle is damaged.
    BundleMalformed = "bundle_malformed",
    /// The bundle's signature does not match its sender's key.
    BundleBadSignature = "bundle_bad_signature",
    /// The bundle was made for another device.
    BundleNotForThisDevice = "bundle_not_for_this_device",
    /// The bundle could not be decrypted: changed or damaged.
    BundleDamaged = "bundle_damaged",
    /// The bundle is larger than Harbour accepts.
    BundleTooLarge = "bundle_too_large",
    /// The bundle's sender is not a peer of this device.
    BundleUnknownSender = "bundle_unknown_sender",
    /// The bundle's sender has been revoked.
    BundleRevokedSender = "bundle_revoked_sender",
    /// The bundle holds an event dated too far in the future.
    BundleFutureEvent = "bundle_future_event",
    /// The peer card is damaged or not signed.
    CardInvalid = "card_invalid",
    /// The peer card was made by a newer version of Harbour.
    CardNewerVersion = "card_newer_version",
    /// The peer has been revoked.
    PeerRevoked = "peer_revoked",
    /// The fingerprint read out does not match the peer card's.
    FingerprintMismatch = "fingerprint_mismatch",
    /// A known peer's card now carries another key.
    PeerKeyChanged = "peer_key_changed",

    // Backups.
    /// The file is not a Harbour backup.
    NotABackup = "not_a_backup",
    /// The backup is damaged or incomplete.
    BackupDamaged = "backup_damaged",
    /// The database inside the backup is damaged.
    BackupDatabaseDamaged = "backup_database_damaged",
    /// An evidence file the backup's database names is not in it.
    BackupEvidenceMissing = "backup_evidence_missing",
    /// The backup was made by a newer version of Harbour.
    BackupNewerVersion = "backup_newer_version",
    /// The passphrase does not open this backup.
    BackupWrongPassphrase = "backup_wrong_passphrase",
    /// The recovery key does not open this backup.
    BackupWrongRecoveryKey = "backup_wrong_recovery_key",
    /// The folder chosen for the backup does not exist.
    BackupFolderMissing = "backup_folder_missing",
    /// The backup could not be written.
    BackupNotWritten = "backup_not_written",
    /// A backup is restored only into an empty or new folder.
    RestoreTargetNotEmpty = "restore_target_not_empty",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code compares with its spelling, so that a test or script reads as the wire does.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_serialises_as_its_spelling_and_no_two_share_one() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let json = serde_json::to_value(code).expect("serialise");
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
            assert!(seen.insert(code.as_str()), "{code} is spelt twice");
            let spelling = code.as_str();
            assert!(
                !spelling.is_empty()
                    && spelling.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{spelling} is not snake_case"
            );
        }
    }

    /// The codes of released versions: scripts and the window test for these spellings, so
    /// none may change or go. A new code is added at the end of this list.
    #[test]
    fn released_codes_keep_their_spelling() {
        let released = [
            "wrong_passphrase",
            "wrong_recovery_key",
            "recovery_key_typo",
            "recovery_key_shape",
            "already_open",
            "not_set_up",
            "already_set_up",
            "data_folder",
            "read_file",
            "disk_full",
            "not_a_database",
            "database_damaged",
            "key_file",
            "newer_version",
            "weak_passphrase",
            "passphrase_mismatch",
            "passphrase_needed",
            "keyring_unavailable",
            "keyring_empty",
            "locked",
            "invalid",
            "form_template",
            "retention_rule",
            "held",
            "not_found",
            "clock_wrong",
            "cancelled",
            "database",
            "integrity",
            "damaged",
            "imagery_refused",
            "imagery_locked",
            "evidence_changed",
            "evidence",
            "no_viewer",
            "pack_check_failed",
            "pack_wrong_signer",
            "wrong_pack_passphrase",
            "pack_passphrase_needed",
            "print",
            "not_a_bundle",
            "bundle_truncated",
            "bundle_newer_version",
            "bundle_malformed",
            "bundle_bad_signature",
            "bundle_not_for_this_device",
            "bundle_damaged",
            "bundle_too_large",
            "bundle_unknown_sender",
            "bundle_revoked_sender",
            "bundle_future_event",
            "card_invalid",
            "card_newer_version",
            "peer_revoked",
            "fingerprint_mismatch",
            "peer_key_changed",
            "not_a_backup",
            "backup_damaged",
            "backup_database_damaged",
            "backup_evidence_missing",
            "backup_newer_version",
            "backup_wrong_passphrase",
            "backup_wrong_recovery_key",
            "backup_folder_missing",
            "backup_not_written",
            "restore_target_not_empty",
            "possible_duplicate",
        ];
        let now: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for code in released {
            assert!(now.contains(&code), "the released code {code} has gone");
        }
    }
}
