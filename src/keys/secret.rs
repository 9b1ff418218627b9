//! Secret values as types that cannot leak by accident.
//!
//! None of these derive `Debug`, `Clone` or `Serialize`; each is zeroised when dropped.

use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

/// The random 256-bit key that encrypts the database and everything else at rest.
pub struct DataKey([u8; 32]);

impl DataKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        DataKey(bytes)
    }

    /// Takes ownership of raw key bytes (the caller's copy should be zeroised).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(bytes)
    }

    /// The raw bytes, for the cipher that needs them.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as SQLCipher's raw-key literal, `x'…'`, so SQLCipher skips its own KDF.
    pub fn sqlcipher_literal(&self) -> Zeroizing<String> {
        let mut hexed = Zeroizing::new(hex::encode(self.0));
        let literal = Zeroizing::new(format!("x'{}'", hexed.as_str()));
        hexed.zeroize();
        literal
    }

    /// Hex text, for storing in the operating system's keyring.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }

    /// Reads hex text back (from the keyring).
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut()).ok()?;
        Some(DataKey(*bytes))
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The coordinator's passphrase, held only as long as it takes to derive a key.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// The minimum length Harbour accepts for a new passphrase.
    pub const MIN_CHARS: usize = 10;

    pub fn new(text: String) -> Self {
        Passphrase(Zeroizing::new(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Checks a passphrase that is about to be set (not one being used to unlock).
    pub fn check_new(&self) -> crate::Result<()> {
        if self.0.chars().count() < Self::MIN_CHARS {
            return Err(crate::Error::WeakPassphrase {
                min: Self::MIN_CHARS,
            });
        }
        Ok(())
    }
}
