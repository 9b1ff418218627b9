//! A peer card: what another coordinator needs to send this device bundles and to check
//! the bundles it sends. It is public (no secret in it) and signed by the device's key, so
//! a card whose fields were changed after it was made is refused; whether it really came
//! from the right person is what the fingerprint, read over the phone, settles.

use crate::code::Code;
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
                Code::CardInvalid,
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
                Code::CardNewerVersion,
                "This peer card was made by a newer version of Harbour; please update Harbour.",
            ));
        }
        let key = self.key()?;
        self.x25519.parse::<age::x25519::Recipient>().map_err(|_| {
            refused(
                Code::CardInvalid,
                "This peer card is damaged: its encryption key is not valid.",
            )
        })?;
        let sig: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| refused(Code::CardInvalid, "This peer card is not signed."))?;
        key.verify(&self.signed_bytes(), &Signature::from_bytes(&sig))
            .map_err(|_| {
                refused(
                    Code::CardInvalid,
                    "This peer card has been changed since it was made; ask for a fresh one.",
                )
            })
    }

    /// Eight groups of four hex digits (128 bits) to read over the phone: the SHA-256 of the
    /// device id and both public keys, in the same form as every Harbour fingerprint (see
    /// `harbour_evidence::fingerprint`).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.device_id, &self.verifying_key, &self.x25519)
    }

    /// Whether `typed` (as read back by phone: any case, with or without spaces or dashes) is
    /// this card's fingerprint. The six groups of four letters and digits that older versions
    /// of Harbour showed (120 bits) are still accepted, so a coordinator on an older version
    /// can read theirs out.
    pub fn fingerprint_is(&self, typed: &str) -> bool {
        harbour_evidence::fingerprint::same(typed, &self.fingerprint())
            || harbour_evidence::fingerprint::same(
                typed,
                &legacy_fingerprint(&self.device_id, &self.verifying_key, &self.x25519),
            )
    }
}

/// The SHA-256 a device's card fingerprint is taken from: its identity and both keys.
fn digest(device: &Uuid, verifying_key: &str, x25519: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"harbour-peer-v1\0");
    h.update(device.as_bytes());
    h.update(verifying_key.as_bytes());
    h.update(b"\0");
    h.update(x25519.as_bytes());
    h.finalize().into()
}

/// The fingerprint of a device's identity and keys.
pub fn fingerprint(device: &Uuid, verifying_key: &str, x25519: &str) -> String {
    harbour_evidence::fingerprint::grouped(&digest(device, verifying_key, x25519))
}

/// The form older versions of Harbour showed: the same digest in base32, 24 characters in
/// six groups of four.
fn legacy_fingerprint(device: &Uuid, verifying_key: &str, x25519: &str) -> String {
    let text = data_encoding::BASE32_NOPAD.encode(&digest(device, verifying_key, x25519));
    text.as_bytes()[..24]
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> PeerCard {
        PeerCard {
            format: CARD_FORMAT,
            device_id: Uuid::from_u128(0x0192_f0c4_7a51_7d3e_9b2a_5c1e_8d4f_6a10),
            label: "LDS".into(),
            centre: "LDS".into(),
            coordinator: "Alex Sample".into(),
            coordinator_id: Uuid::from_u128(7),
            verifying_key: "11".repeat(32),
            x25519: "age1example".into(),
            signature: String::new(),
        }
    }

    #[test]
    fn a_card_fingerprint_is_eight_groups_of_four_hex_digits() {
        let shown = card().fingerprint();
        let groups: Vec<&str> = shown.split(' ').collect();
        assert_eq!(groups.len(), 8, "{shown}");
        assert!(groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn a_read_back_fingerprint_is_accepted_in_any_case_with_or_without_spaces_or_dashes() {
        let c = card();
        let shown = c.fingerprint();
        for typed in [
            shown.clone(),
            shown.to_lowercase(),
            shown.replace(' ', ""),
            shown.replace(' ', "-"),
        ] {
            assert!(c.fingerprint_is(&typed), "{typed}");
        }
        let mut other = card();
        other.x25519 = "age1other".into();
        assert!(!c.fingerprint_is(&other.fingerprint()));
        assert!(!c.fingerprint_is(""));
    }

    #[test]
    fn the_form_older_versions_showed_is_still_accepted_when_read_back() {
        let c = card();
        let old = legacy_fingerprint(&c.device_id, &c.verifying_key, &c.x25519);
        assert_eq!(old.split(' ').count(), 6);
        assert!(c.fingerprint_is(&old.to_lowercase()));
    }
}
