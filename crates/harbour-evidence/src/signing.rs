//! The Ed25519 key that signs evidence-pack manifests.
//!
//! The signature shows that `manifest.json` (and so, through its hashes,
//! every file in the pack) is exactly what the holder of this key produced.
//! It says nothing about *who* that is: the recipient must compare the
//! key's fingerprint with one the centre gives them separately (by phone,
//! letter or in person): see [`crate::fingerprint`].

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroize;

pub use crate::fingerprint::fingerprint;

/// A signing key for evidence packs. Not `Debug`, `Clone` or serialisable;
/// the secret is wiped when dropped (by `ed25519-dalek`'s `zeroize` feature).
pub struct PackSigner {
    key: SigningKey,
}

impl PackSigner {
    /// Makes a new random signing key.
    pub fn generate() -> Self {
        Self {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    /// Rebuilds a signing key from its 32-byte secret seed. The caller's copy
    /// of the seed is wiped.
    pub fn from_seed(mut seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        seed.zeroize();
        Self { key }
    }

    /// The 32-byte secret seed, for saving to the keyring. Handle with care.
    pub fn seed(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key as 64 lower-case hex digits.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// The fingerprint of the public key (see [`crate::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(self.key.verifying_key().as_bytes())
    }

    /// Signs `message`, returning the 64-byte signature.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}
