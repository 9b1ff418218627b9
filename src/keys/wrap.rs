//! Wrapping the data key: Argon2id for the passphrase, HKDF for the recovery key, and
//! XChaCha20-Poly1305 to seal the key itself.
//!
//! The AEAD tag is what tells a wrong passphrase from a right one: unwrapping either
//! succeeds with the exact key or fails, and never yields a wrong key.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::secret::{DataKey, Passphrase};
use crate::{Error, Result};

/// Argon2id cost parameters, stored beside the wrapped key so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// Harbour's floor: 64 MiB and 3 passes.
    pub const MINIMUM: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| Error::KeyFile("its key-derivation settings are not valid".into()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::MINIMUM
    }
}

/// A data key sealed under some key-encryption key, with the nonce and salt it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(with = "hex_bytes")]
    pub salt: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub nonce: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
}

/// A key-encryption key; zeroised on drop.
struct Kek(Zeroizing<[u8; 32]>);

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut out);
    out
}

fn passphrase_kek(passphrase: &Passphrase, salt: &[u8], params: &KdfParams) -> Result<Kek> {
    let mut out = Zeroizing::new([0u8; 32]);
    params
        .argon2()?
        .hash_password_into(passphrase.expose().as_bytes(), salt, out.as_mut())
        .map_err(|_| Error::KeyFile("the passphrase key could not be derived".into()))?;
    Ok(Kek(out))
}

fn recovery_kek(secret: &[u8], salt: &[u8]) -> Result<Kek> {
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), secret)
        .expand(b"harbour recovery key v1", out.as_mut())
        .map_err(|_| Error::KeyFile("the recovery key could not be derived".into()))?;
    Ok(Kek(out))
}

fn seal(kek: &Kek, salt: Vec<u8>, key: &DataKey, aad: &[u8]) -> Result<Sealed> {
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.0.as_ref()));
    let nonce: [u8; 24] = random();
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.expose(),
                aad,
            },
        )
        .map_err(|_| Error::KeyFile("the data key could not be sealed".into()))?;
    Ok(Sealed {
        salt,
        nonce: nonce.to_vec(),
        ciphertext,
    })
}

fn open(kek: &Kek, sealed: &Sealed, aad: &[u8]) -> Option<DataKey> {
    if sealed.nonce.len() != 24 {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.0.as_ref()));
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad,
                },
            )
            .ok()?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(DataKey::from_bytes(bytes))
}

/// Seals the data key under a passphrase.
pub fn seal_with_passphrase(
    key: &DataKey,
    passphrase: &Passphrase,
    params: &KdfParams,
    aad: &[u8],
) -> Result<Sealed> {
    let salt: [u8; 16] = random();
    let kek = passphrase_kek(passphrase, &salt, params)?;
    seal(&kek, salt.to_vec(), key, aad)
}

/// Opens a passphrase-sealed data key; a wrong passphrase is `WrongPassphrase`.
pub fn open_with_passphrase(
    sealed: &Sealed,
    passphrase: &Passphrase,
    params: &KdfParams,
    aad: &[u8],
) -> Result<DataKey> {
    let kek = passphrase_kek(passphrase, &sealed.salt, params)?;
    open(&kek, sealed, aad).ok_or(Error::WrongPassphrase)
}

/// Seals the data key under the recovery key's secret bytes.
pub fn seal_with_recovery(key: &DataKey, secret: &[u8], aad: &[u8]) -> Result<Sealed> {
    let salt: [u8; 16] = random();
    let kek = recovery_kek(secret, &salt)?;
    seal(&kek, salt.to_vec(), key, aad)
}

/// Opens a recovery-sealed data key; a wrong recovery key is `WrongRecoveryKey`.
pub fn open_with_recovery(sealed: &Sealed, secret: &[u8], aad: &[u8]) -> Result<DataKey> {
    let kek = recovery_kek(secret, &sealed.salt)?;
    open(&kek, sealed, aad).ok_or(Error::WrongRecoveryKey)
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cheap parameters keep these unit tests fast; the floor is enforced by KeyFile.
    const CHEAP: KdfParams = KdfParams {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn passphrase_round_trip_and_wrong_passphrase() {
        let key = DataKey::generate();
        let pass = Passphrase::new("correct horse battery".into());
        let sealed = seal_with_passphrase(&key, &pass, &CHEAP, b"aad").expect("seal");
        let back = open_with_passphrase(&sealed, &pass, &CHEAP, b"aad").expect("open");
        assert_eq!(back.expose(), key.expose());
        let wrong = Passphrase::new("correct horse battery!".into());
        assert!(matches!(
            open_with_passphrase(&sealed, &wrong, &CHEAP, b"aad"),
            Err(Error::WrongPassphrase)
        ));
        // The same passphrase with other associated data (another folder) fails too.
        assert!(open_with_passphrase(&sealed, &pass, &CHEAP, b"other").is_err());
    }

    #[test]
    fn recovery_round_trip() {
        let key = DataKey::generate();
        let sealed = seal_with_recovery(&key, b"0123456789abcdefghij", b"aad").expect("seal");
        let back = open_with_recovery(&sealed, b"0123456789abcdefghij", b"aad").expect("open");
        assert_eq!(back.expose(), key.expose());
        assert!(matches!(
            open_with_recovery(&sealed, b"0123456789abcdefghiJ", b"aad"),
            Err(Error::WrongRecoveryKey)
        ));
    }
}
