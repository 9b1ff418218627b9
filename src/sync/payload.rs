//! The inside of a bundle, once decrypted: a JSON manifest (sender, frontier, events, the
//! evidence files carried) followed by the evidence files' bytes, back to back.
//!
//! Layout: `HBPAYLD1` · manifest length u32 (big-endian) · manifest JSON · evidence bytes in
//! manifest order. Evidence travels as plaintext inside the age encryption: each data
//! folder encrypts its store under its own key, so the receiver encrypts it afresh. `parse`
//! is pure and checks each file against the size and SHA-256 the manifest gives.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Refusal, FORMAT};
use crate::log::Event;

pub const MAGIC: &[u8; 8] = b"HBPAYLD1";

/// One evidence file carried in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceEntry {
    pub item_id: Uuid,
    pub size: u64,
    pub sha256: String,
}

/// What a bundle says it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u16,
    pub sender: Uuid,
    /// The devices it was made for.
    pub recipients: Vec<Uuid>,
    /// What the sender holds: per device, the highest sequence with no gap before it.
    pub frontier: BTreeMap<Uuid, u64>,
    pub events: Vec<Event>,
    #[serde(default)]
    pub evidence: Vec<EvidenceEntry>,
}

/// Lays the plaintext out.
pub fn build(manifest: &Manifest, files: &[Vec<u8>]) -> Vec<u8> {
    let json = serde_json::to_vec(manifest).unwrap_or_default();
    let total: usize = files.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(12 + json.len() + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    for f in files {
        out.extend_from_slice(f);
    }
    out
}

/// Reads the plaintext: the manifest and each evidence file's bytes, checked.
pub fn parse(bytes: &[u8]) -> Result<(Manifest, Vec<&[u8]>), Refusal> {
    let bad = Refusal::Malformed;
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(bad("its contents are not in Harbour's layout"));
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[8..12]);
    let len = u32::from_be_bytes(len) as usize;
    let json = bytes
        .get(12..12usize.saturating_add(len))
        .ok_or(bad("its contents are cut short"))?;
    let manifest: Manifest =
        serde_json::from_slice(json).map_err(|_| bad("its list of contents cannot be read"))?;
    if manifest.format > FORMAT {
        return Err(Refusal::NewerVersion(manifest.format));
    }
    let mut at = 12 + len;
    let mut files = Vec::with_capacity(manifest.evidence.len());
    for e in &manifest.evidence {
        let size = usize::try_from(e.size).map_err(|_| bad("an evidence file is too large"))?;
        let end = at
            .checked_add(size)
            .ok_or(bad("an evidence file is cut short"))?;
        let file = bytes
            .get(at..end)
            .ok_or(bad("an evidence file is cut short"))?;
        if hex::encode(Sha256::digest(file)) != e.sha256 {
            return Err(bad("an evidence file does not match its SHA-256"));
        }
        files.push(file);
        at = end;
    }
    if at != bytes.len() {
        return Err(bad("it holds more than its list of contents says"));
    }
    Ok((manifest, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_a_changed_file_is_caught() {
        let file = b"screenshot bytes".to_vec();
        let m = Manifest {
            format: FORMAT,
            sender: Uuid::now_v7(),
            recipients: vec![Uuid::now_v7()],
            frontier: BTreeMap::new(),
            events: vec![],
            evidence: vec![EvidenceEntry {
                item_id: Uuid::now_v7(),
                size: file.len() as u64,
                sha256: hex::encode(Sha256::digest(&file)),
            }],
        };
        let bytes = build(&m, std::slice::from_ref(&file));
        let (back, files) = parse(&bytes).expect("parse");
        assert_eq!(back, m);
        assert_eq!(files, vec![file.as_slice()]);
        let mut changed = bytes.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert!(parse(&changed).is_err());
        assert!(parse(&bytes[..bytes.len() - 1]).is_err());
    }

    /// Random changes to a good payload are refused or read, never a panic.
    #[test]
    fn changed_payloads_never_panic() {
        use rand::{Rng, SeedableRng};
        let file = vec![7u8; 300];
        let m = Manifest {
            format: FORMAT,
            sender: Uuid::now_v7(),
            recipients: vec![Uuid::now_v7()],
            frontier: [(Uuid::now_v7(), 4)].into_iter().collect(),
            events: vec![],
            evidence: vec![EvidenceEntry {
                item_id: Uuid::now_v7(),
                size: file.len() as u64,
                sha256: hex::encode(Sha256::digest(&file)),
            }],
        };
        let good = build(&m, &[file]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(61);
        for _ in 0..20_000 {
            let mut b = good.clone();
            for _ in 0..rng.gen_range(1..4) {
                let at = rng.gen_range(0..b.len());
                b[at] = rng.gen();
            }
            if rng.gen_bool(0.2) {
                b.truncate(rng.gen_range(0..b.len()));
            }
            let _ = parse(&b);
        }
    }
}
