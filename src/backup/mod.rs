//! Backups: the whole data folder in one encrypted file, checked without restoring, and
//! restored onto another computer as a new device.
//!
//! At a centre with one coordinator the data folder is the only copy of its records, and a
//! home-made copy of the folder breaks sync (two computers then run as one device). A backup
//! is one `.hbbackup` file (format in `docs/backup.md`): a short header in the clear (magic,
//! version, the organisation and centre the file name already shows, and `keys.json` exactly
//! as it is in the data folder), then everything else encrypted under the data key in
//! authenticated 64 KiB chunks. So the passphrase or the recovery key opens it, and someone
//! who finds the USB stick reads no learner's name, account or evidence byte.
//!
//! - [`format`]: the header and how the stream's key is bound to it.
//! - [`archive`]: the entries inside the encrypted stream, written and read in constant memory.
//! - [`create`]: the database copied with SQLite's online backup while Harbour is in use.
//! - [`unpack`]: decrypting a backup into a folder (shared by check and restore).
//! - [`check`]: `backup verify`: every chain, signature, table and evidence hash.
//! - [`restore`]: a new data folder, as a new device that retires the old one.
//! - [`status`]: when the last backup was made, and whether it is overdue.

pub mod archive;
pub mod check;
pub mod create;
pub mod evidence_check;
pub mod format;
pub mod restore;
pub mod status;
pub mod unpack;

pub use check::{check_file, BackupChecked};
pub use create::{create, BackupMade};
pub use restore::{restore, BackupRestored};
pub use status::{backup_status, BackupStatus};

use crate::code::Code;
use crate::Error;

/// The ending of a backup's file name.
pub const EXTENSION: &str = "hbbackup";

/// A backup refused or not made, each with a stable code and one plain sentence.
pub(crate) fn refused(code: Code, message: impl Into<String>) -> Error {
    Error::Backup {
        code,
        message: message.into(),
    }
}

/// The sentence for a backup that has been changed, damaged or cut short.
pub(crate) fn damaged() -> Error {
    refused(
        Code::BackupDamaged,
        "This backup is damaged or incomplete (it has been changed or cut short), so it cannot be trusted; use another backup. Nothing was changed.",
    )
}
