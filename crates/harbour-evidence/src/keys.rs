//! Key material for encrypted evidence.
//!
//! One 32-byte master key (held by the app, e.g. in the OS keyring) protects
//! every evidence file. Each file is encrypted under its own key, derived
//! with HKDF-SHA256 from the master key and the item's id, so that no two
//! files share a key and a file cannot be passed off as a different item.
//!
//! Secret types here deliberately do not implement `Debug`, `Clone` or
//! `Serialize`, and are wiped from memory when dropped.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Salt for HKDF. It separates evidence-file keys from any other key Harbour
/// might derive from the same master key. Changing it makes every stored
/// file unreadable, so it is part of the on-disk format.
const FILE_KEY_SALT: &[u8] = b"harbour/evidence-file/v1";

/// The 32-byte master key from which every per-file key is derived.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    /// Wraps existing key bytes (for example, bytes loaded from the keyring).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Makes a new random master key using the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Self(bytes)
    }

    /// The raw key bytes, for saving to the keyring. Handle with care.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Keys for one evidence file: the encryption key and a key commitment
/// (stored in the file header so a wrong key or item id is reported as such,
/// rather than as damage to the file).
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct FileKeys {
    pub(crate) key: [u8; 32],
    pub(crate) commitment: [u8; 32],
}

impl FileKeys {
    /// HKDF-SHA256(salt = `FILE_KEY_SALT`, ikm = master key, info = item id),
    /// expanded to 64 bytes: the first 32 are the file key, the last 32 the
    /// key commitment.
    pub(crate) fn derive(master: &MasterKey, item_id: &str) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(FILE_KEY_SALT), &master.0);
        let mut okm = [0u8; 64];
        // 64 bytes is far below HKDF-SHA256's 8160-byte limit, so this cannot fail.
        if hk.expand(item_id.as_bytes(), &mut okm).is_err() {
            unreachable!("HKDF output length is fixed and valid");
        }
        let mut keys = FileKeys {
            key: [0u8; 32],
            commitment: [0u8; 32],
        };
        keys.key.copy_from_slice(&okm[..32]);
        keys.commitment.copy_from_slice(&okm[32..]);
        okm.zeroize();
        keys
    }
}
