//! One event of the case log: its header, payload, hash and signature.
//!
//! The hash covers every header field and the payload's SHA-256 in a fixed binary layout, so
//! a change to any stored byte of an event — payload, clock, author, sequence or link to its
//! predecessor — breaks the hash, the chain or the signature, and `verify` names the event.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::body::Body;
use super::hlc::Hlc;
use crate::{Error, Result};

/// The fields of an event that its hash covers, apart from the payload itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventHeader {
    pub id: Uuid,
    pub device_id: Uuid,
    pub seq: u64,
    pub hlc: Hlc,
    pub author_id: Uuid,
    pub kind: String,
    pub kind_version: u32,
}

/// A stored, signed event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(flatten)]
    pub header: EventHeader,
    /// The payload exactly as stored: JSON text of a `Body`.
    pub payload: String,
    #[serde(with = "hex::serde")]
    pub payload_sha256: [u8; 32],
    /// The previous event's hash in this device's chain; absent for sequence 1.
    #[serde(default, with = "opt_hex32")]
    pub prev_hash: Option<[u8; 32]>,
    #[serde(with = "hex::serde")]
    pub hash: [u8; 32],
    #[serde(with = "hex::serde")]
    pub signature: [u8; 64],
}

/// Why an event failed its own checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    PayloadHash,
    Hash,
    Signature,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::PayloadHash => "its content does not match its recorded SHA-256",
            Fault::Hash => "its details do not match its recorded hash",
            Fault::Signature => "its signature does not match the device's key",
        })
    }
}

fn payload_digest(payload: &str) -> [u8; 32] {
    Sha256::digest(payload.as_bytes()).into()
}

/// The event hash over the header, the payload's hash and the previous hash.
pub fn event_hash(
    header: &EventHeader,
    payload_sha256: &[u8; 32],
    prev: Option<&[u8; 32]>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"harbour-event-v1\0");
    h.update(header.id.as_bytes());
    h.update(header.device_id.as_bytes());
    h.update(header.seq.to_be_bytes());
    h.update(header.hlc.ms.to_be_bytes());
    h.update(header.hlc.count.to_be_bytes());
    h.update(header.author_id.as_bytes());
    h.update((header.kind.len() as u32).to_be_bytes());
    h.update(header.kind.as_bytes());
    h.update(header.kind_version.to_be_bytes());
    h.update(payload_sha256);
    match prev {
        Some(p) => {
            h.update([1]);
            h.update(p);
        }
        None => h.update([0]),
    }
    h.finalize().into()
}

impl Event {
    /// The sort key every device uses: clock, then device, then sequence.
    pub fn order_key(&self) -> (Hlc, Uuid, u64) {
        (self.header.hlc, self.header.device_id, self.header.seq)
    }

    /// Whether this is a withheld event: its payload was not sent to this device (a
    /// restricted record about the person who uses it). Its header, payload hash, chain link
    /// and signature are all here, so the chain still checks; only the content is missing.
    pub fn is_withheld(&self) -> bool {
        self.payload.is_empty()
    }

    /// The same event with its payload left out, for a device that must not see it.
    pub fn withheld(&self) -> Event {
        Event {
            payload: String::new(),
            ..self.clone()
        }
    }

    /// Reads the payload. An unknown kind or newer version means a newer Harbour wrote it.
    pub fn body(&self) -> Result<Body> {
        if self.is_withheld() {
            return Err(Error::Integrity(format!(
                "event {} was withheld from this device, so it cannot be read.",
                self.header.id
            )));
        }
        if self.header.kind_version > super::KIND_VERSION {
            return Err(Error::NewerVersion);
        }
        serde_json::from_str(&self.payload).map_err(|_| {
            Error::Integrity(format!(
                "event {} ({}) could not be read.",
                self.header.id, self.header.kind
            ))
        })
    }

    /// Checks the payload hash, the event hash and the signature under `key`.
    /// A withheld event has no payload to hash; the rest is checked all the same.
    pub fn check(&self, key: &VerifyingKey) -> std::result::Result<(), Fault> {
        self.check_digests()?;
        if signature_holds(key, &self.hash, &self.signature) {
            Ok(())
        } else {
            Err(Fault::Signature)
        }
    }

    /// The payload hash and the event hash, without the signature: `verify` checks
    /// signatures apart, many at once.
    pub fn check_digests(&self) -> std::result::Result<(), Fault> {
        if !self.is_withheld() && payload_digest(&self.payload) != self.payload_sha256 {
            return Err(Fault::PayloadHash);
        }
        if event_hash(&self.header, &self.payload_sha256, self.prev_hash.as_ref()) != self.hash {
            return Err(Fault::Hash);
        }
        Ok(())
    }

    /// For a device's first event: the public key it declares.
    pub fn declared_key(&self) -> Option<VerifyingKey> {
        match self.body().ok()? {
            Body::DeviceRegistered { verifying_key, .. } => {
                let bytes: [u8; 32] = hex::decode(verifying_key).ok()?.try_into().ok()?;
                VerifyingKey::from_bytes(&bytes).ok()
            }
            _ => None,
        }
    }
}

/// Whether `signature` is the device's signature of an event's `hash` under `key`.
pub fn signature_holds(key: &VerifyingKey, hash: &[u8; 32], signature: &[u8; 64]) -> bool {
    key.verify(hash, &Signature::from_bytes(signature)).is_ok()
}

/// The device's signing key; never printed, copied or serialised, and zeroised on drop.
pub struct DeviceSigner {
    key: SigningKey,
}

impl DeviceSigner {
    pub fn generate() -> Self {
        DeviceSigner {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        DeviceSigner {
            key: SigningKey::from_bytes(bytes),
        }
    }

    /// The secret bytes, to store inside the encrypted database.
    pub fn secret_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.key.to_bytes())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs a message other than an event (a sync bundle's digest, a peer card).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// Builds and signs an event.
    pub fn seal(&self, header: EventHeader, body: &Body, prev: Option<[u8; 32]>) -> Result<Event> {
        let payload = serde_json::to_string(body)
            .map_err(|e| Error::Integrity(format!("an event could not be written: {e}.")))?;
        let payload_sha256 = payload_digest(&payload);
        let hash = event_hash(&header, &payload_sha256, prev.as_ref());
        let signature = self.key.sign(&hash).to_bytes();
        Ok(Event {
            header,
            payload,
            payload_sha256,
            prev_hash: prev,
            hash,
            signature,
        })
    }
}

/// A device key's fingerprint, as packs, summaries and transfer receipts show it: the first
/// 32 hex digits (128 bits) of its SHA-256 in eight groups of four — the same function the
/// evidence packs' own check uses, so the two can never disagree.
pub fn fingerprint(key: &VerifyingKey) -> String {
    harbour_evidence::fingerprint::fingerprint(key.as_bytes())
}

mod opt_hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => {
                let mut out = [0u8; 32];
                hex::decode_to_slice(t, &mut out).map_err(serde::de::Error::custom)?;
                Ok(Some(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: u64) -> EventHeader {
        EventHeader {
            id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            seq,
            hlc: Hlc { ms: 1, count: 0 },
            author_id: Uuid::now_v7(),
            kind: "note_added".into(),
            kind_version: 1,
        }
    }

    #[test]
    fn any_changed_field_is_caught() {
        let signer = DeviceSigner::generate();
        let body = Body::NoteAdded {
            incident_id: Uuid::now_v7(),
            text: "Learner showed me the messages".into(),
        };
        let ev = signer.seal(header(2), &body, Some([7; 32])).expect("seal");
        let key = signer.verifying_key();
        assert_eq!(ev.check(&key), Ok(()));

        let mut p = ev.clone();
        p.payload = p.payload.replace("messages", "massages");
        assert_eq!(p.check(&key), Err(Fault::PayloadHash));

        let mut s = ev.clone();
        s.header.seq = 3;
        assert_eq!(s.check(&key), Err(Fault::Hash));

        let mut prev = ev.clone();
        prev.prev_hash = Some([8; 32]);
        assert_eq!(prev.check(&key), Err(Fault::Hash));

        let other = DeviceSigner::generate();
        assert_eq!(ev.check(&other.verifying_key()), Err(Fault::Signature));
    }

    #[test]
    fn events_round_trip_through_json() {
        let signer = DeviceSigner::generate();
        let body = Body::OrganisationNamed {
            name: "Northbridge Training".into(),
        };
        let ev = signer.seal(header(1), &body, None).expect("seal");
        let text = serde_json::to_string(&ev).expect("json");
        let back: Event = serde_json::from_str(&text).expect("back");
        assert_eq!(back, ev);
        assert_eq!(back.body().expect("body"), body);
    }
}
