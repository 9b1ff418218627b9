//! Keys: the random data key that encrypts the database, and the ways it is unlocked.
//!
//! The data key is never stored in the clear. It is kept wrapped twice in `keys.json`: once
//! under a key derived from the coordinator's passphrase (Argon2id), once under the recovery
//! key printed at set-up. Changing the passphrase rewraps the same data key, so the database
//! is never re-encrypted. The operating system's keyring may remember the unwrapped key so
//! that one computer unlocks without the passphrase.

pub mod keyfile;
pub mod keyring_store;
pub mod recovery;
pub mod secret;
pub mod wrap;

pub use keyfile::KeyFile;
pub use recovery::RecoveryKey;
pub use secret::{DataKey, Passphrase};
pub use wrap::KdfParams;
