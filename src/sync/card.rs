//! A peer card: what another coordinator needs to send this device bundles and to check
//! the bundles it sends. It is public (no secret in it) and signed by the device's key, so
//! a card whose fields were changed after it was made is refused; whether it really came
//! from the right person is what the fingerprint, read over the phone, settles.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::refused;
use crate::log::DeviceSigner;
use crate::Result;

pub const CARD_FORMAT: u16 = 1;

/// A device's contact card, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerCard {
    pub format: u16,
    pub device_id: Uuid,
    pub label: String,
    pub centre: String,
    pub coordinator: String,
    /// The member of staff who uses the device: restricted records about them are never sent
    /// to it.
    pub coordinator_id: Uuid,
    /// Ed25519, hex: checks its events and bundles.
    pub verifying_key: String,
    /// age X25519 recipient (`age1…`): bundles for it are encrypted to this.
    pub x25519: String,
    /// Ed25519 signature, hex, over every field above.
    #[serde(default)]
    pub signature: String,
}

impl PeerCard {
    fn signed_bytes(&self) -> Vec<u8> {
        let mut m = b"harbour-peer-card-v1\0".to_vec();
        for part in [
            self.device_id.to_string().as_str(),
            &self.label,
            &self.centre,
            &self.coordinator,
            &self.coordinator_id.to_string(),
            &self.verifying_key,
            &self.x25519,
        ] {
            m.extend_from_slice(&(part.len() as u32).to_be_bytes());
            m.extend_from_slice(part.as_bytes());
        }
        m
    }

    pub fn sign(&mut self, signer: &DeviceSigner) {
        self.signature = hex::encode(signer.sign(&self.signed_bytes()));
    }

    /// The Ed25519 key, checked.
    pub fn key(&self) -> Result<VerifyingKey> {
        let bad = || {
            refused(
                "card_invalid",
                "This peer card is damaged: its signing key is not valid.",
            )
        };
        let bytes: [u8; 32] = hex::decode(&self.verifying_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
    }

    /// Checks the card's own signature and keys.
    pub fn check(&self) -> Result<()> {
        if self.format > CARD_FORMAT {
            return Err(refused(
                "card_newer_version",
                "This peer card was made by a newer version of Harbour; please update Harbour.",
            ));
        }
        let key = self.key()?;
        self.x25519.parse::<age::x25519::Recipient>().map_err(|_| {
            refused(
                "card_invalid",
                "This peer card is damaged: its encryption key is not valid.",
            )
        })?;
        let sig: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| refused("card_invalid", "This peer card is not signed."))?;
        key.verify(&self.signed_bytes(), &Signature::from_bytes(&sig))
            .map_err(|_| {
                refused(
                    "card_invalid",
                    "This peer card has been changed since it was made; ask for a fresh one.",
                )
            })
    }

    /// Six groups of four characters to read over the phone: the SHA-256 of the device id
    /// and both public keys.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.device_id, &self.verifying_key, &self.x25519)
    }
}

/// The fingerprint of a device's identity and keys.
pub fn fingerprint(device: &Uuid, verifying_key: &str, x25519: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"harbour-peer-v1\0");
    h.update(device.as_bytes());
    h.update(verifying_key.as_bytes());
    h.update(b"\0");
    h.update(x25519.as_bytes());
    let digest = data_encoding::BASE32_NOPAD.encode(&h.finalize());
    digest.as_bytes()[..24]
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fingerprint as typed, for comparing: letters and digits only, upper case.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
