//! Evidence handling for Harbour: files kept encrypted at rest, and
//! evidence packs that police or CEOP can check with standard tools.
//!
//! The crate is split into small modules that each do one thing:
//!
//! - [`keys`]: the master key and per-file key derivation.
//! - [`stream`]: chunked, authenticated encryption of one file.
//! - [`atomic`]: write-to-temporary-then-rename, so a half-written file never
//!   appears under its final name.
//! - [`store`]: encrypt a file from disk into the evidence store atomically.
//! - [`naming`]: turn any original file name into a safe one for a pack.
//! - [`signing`]: the Ed25519 key that signs pack manifests; [`fingerprint`]: the form
//!   of a key that people compare by phone.
//! - [`manifest`]: the manifest, `SHA256SUMS` and `README.txt` formats.
//! - [`pack`]: write an evidence pack (a ZIP file); `discard` keeps a failed pack from
//!   being finished on its way out.
//! - [`verify`]: check an evidence pack using nothing but the pack itself; `layout`
//!   refuses a ZIP whose entries repeat, overlap or hide data between them.
//! - [`sealed`]: packs encrypted with a passphrase in the standard age format.

pub mod atomic;
mod discard;
pub mod fingerprint;
mod hashing;
pub mod keys;
mod layout;
pub mod manifest;
pub mod naming;
pub mod pack;
pub mod sealed;
pub mod signing;
pub mod store;
pub mod stream;
pub mod verify;

pub use atomic::AtomicFile;
pub use fingerprint::{Expected, ExpectedError};
pub use keys::MasterKey;
pub use manifest::{FileRecord, Manifest, PackMetadata};
pub use naming::{safe_name, SafeNames};
pub use pack::{write_pack, PackBuilder, PackError, PackSummary};
pub use sealed::{is_sealed, SEALED_EXTENSION};
pub use signing::{fingerprint, PackSigner};
pub use store::{restore_file, store_file, store_file_with, StoreError};
pub use stream::{
    decrypt_stream, decrypt_stream_unhashed, encrypt_stream, encrypt_stream_unhashed,
    CaptureSummary, DecryptSummary, StreamError,
};
pub use verify::{
    verify_pack, verify_pack_expecting, verify_sealed_pack, verify_sealed_pack_expecting,
    VerifyError, VerifyReport,
};
