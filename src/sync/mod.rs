//! Keeping centres in step by files: peers, bundles and shared folders.
//!
//! A bundle is one file a coordinator can carry on a USB stick, send by e-mail or leave in a
//! folder that some other service carries. It holds the events (and the evidence files they
//! refer to) that its recipients are not known to hold, encrypted to their X25519 keys with
//! age, and signed by the sender's Ed25519 key over everything before the signature. Every
//! bundle also carries the sender's frontier (per device, the highest sequence it holds
//! without a gap), which is what the next bundle the other way is cut from.
//!
//! Trust is this device's own knowledge and is never synced: a peer is trusted here because
//! this coordinator compared its fingerprint with the other coordinator, and no other device
//! can add or revoke a peer on this one. Nothing read from a bundle or a folder is trusted
//! until its sender, signature, hashes, chains and signatures have all been checked.

pub mod card;
pub mod envelope;
pub mod export;
pub mod folder;
pub mod import;
pub mod payload;
pub mod peers;
pub mod receive;

pub use card::PeerCard;
pub use export::Exported;
pub use import::Imported;
pub use receive::{Progress, Received};

use crate::code::Code;
use crate::Error;

/// The bundle format this build writes and reads.
pub const FORMAT: u16 = 1;

/// The ending of a bundle's file name.
pub const EXTENSION: &str = "hbsync";

/// Why a bundle was refused, each with a stable code and one plain sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotABundle,
    Truncated,
    NewerVersion(u16),
    Malformed(&'static str),
    BadSignature,
    NotForThisDevice,
    Damaged,
}

impl Refusal {
    pub fn code(&self) -> Code {
        match self {
            Refusal::NotABundle => Code::NotABundle,
            Refusal::Truncated => Code::BundleTruncated,
            Refusal::NewerVersion(_) => Code::BundleNewerVersion,
            Refusal::Malformed(_) => Code::BundleMalformed,
            Refusal::BadSignature => Code::BundleBadSignature,
            Refusal::NotForThisDevice => Code::BundleNotForThisDevice,
            Refusal::Damaged => Code::BundleDamaged,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotABundle => f.write_str("This file is not a Harbour sync bundle; nothing was imported."),
            Refusal::Truncated => f.write_str("This bundle is cut short (the file is incomplete); nothing was imported."),
            Refusal::NewerVersion(v) => write!(f, "This bundle was made by a newer version of Harbour (bundle format {v}); please update Harbour, then import it again."),
            Refusal::Malformed(what) => write!(f, "This bundle is damaged ({what}); nothing was imported."),
            Refusal::BadSignature => f.write_str("This bundle's signature does not match its sender's key, so it has been changed or damaged; nothing was imported."),
            Refusal::NotForThisDevice => f.write_str("This bundle was made for another device, not this one; nothing was imported."),
            Refusal::Damaged => f.write_str("This bundle could not be decrypted because it has been changed or damaged; nothing was imported."),
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Error::Sync {
            code: r.code(),
            message: r.to_string(),
        }
    }
}

/// A sync error with its code and sentence.
pub(crate) fn refused(code: Code, message: impl Into<String>) -> Error {
    Error::Sync {
        code,
        message: message.into(),
    }
}
