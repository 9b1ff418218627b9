//! The outside of a bundle: a small plain header, the age ciphertext, and the signature.
//!
//! Layout (integers big-endian): `HARBOURB` · format u16 · header length u32 · header JSON
//! · ciphertext length u64 · ciphertext · Ed25519 signature (64 bytes) over the SHA-256 of
//! everything before it. The header says only what is needed to choose the key that checks
//! the signature: the sender's device id, its bundle number and when it was made.
//!
//! `parse` is a pure function of the bytes (no keys, no files) so that it can be fuzzed and
//! tested with random input: it never panics, and refuses anything it does not understand.

use crate::code::Code;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Refusal, FORMAT};

pub const MAGIC: &[u8; 8] = b"HARBOURB";
const MAX_HEADER: usize = 4096;
const SIGNATURE: usize = 64;

/// The largest bundle Harbour takes in: 2 GB. A bundle is read whole so that its signature
/// is checked before anything in it is used, and decrypted in memory, so taking one in
/// needs about twice its size in memory; a coordinator's laptop has that to spare for 2 GB
/// and not much more.
pub const MAX_BUNDLE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The bytes before the ciphertext: magic, format, header length, header, ciphertext length.
const MAX_PREFIX: usize = 8 + 2 + 4 + MAX_HEADER + 8;

/// What the plain header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub sender: Uuid,
    pub bundle_seq: u64,
    pub created_ms: i64,
}

/// A bundle's parts, borrowed from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub version: u16,
    pub header: Header,
    pub ciphertext: &'a [u8],
    /// Everything the signature covers.
    pub signed: &'a [u8],
    pub signature: [u8; 64],
}

/// The message the sender signs: a domain tag and the SHA-256 of the signed bytes.
pub fn signing_message(signed: &[u8]) -> Vec<u8> {
    let mut m = b"harbour-bundle-v1\0".to_vec();
    m.extend_from_slice(&Sha256::digest(signed));
    m
}

/// Lays a bundle out; `sign` signs the message from `signing_message`.
pub fn build(header: &Header, ciphertext: &[u8], sign: impl FnOnce(&[u8]) -> [u8; 64]) -> Vec<u8> {
    // Serialising a struct of a uuid and two integers cannot fail.
    let head = serde_json::to_vec(header).unwrap_or_default();
    let mut out = Vec::with_capacity(8 + 2 + 4 + head.len() + 8 + ciphertext.len() + SIGNATURE);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_be_bytes());
    out.extend_from_slice(&(head.len() as u32).to_be_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&(ciphertext.len() as u64).to_be_bytes());
    out.extend_from_slice(ciphertext);
    let signature = sign(&signing_message(&out));
    out.extend_from_slice(&signature);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Refusal> {
        let end = self.at.checked_add(n).ok_or(Refusal::Truncated)?;
        let part = self.bytes.get(self.at..end).ok_or(Refusal::Truncated)?;
        self.at = end;
        Ok(part)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Refusal> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

/// The whole length a bundle says it has, from its first bytes (at most `MAX_PREFIX`).
fn declared_len(prefix: &[u8]) -> Result<u64, Refusal> {
    if prefix.len() < MAGIC.len() {
        return Err(parse(prefix).err().unwrap_or(Refusal::Truncated));
    }
    let mut r = Reader {
        bytes: prefix,
        at: 0,
    };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(Refusal::NotABundle);
    }
    let version = u16::from_be_bytes(r.array()?);
    if version > FORMAT {
        return Err(Refusal::NewerVersion(version));
    }
    let head_len = u32::from_be_bytes(r.array()?) as usize;
    if head_len > MAX_HEADER {
        return Err(Refusal::Malformed("its header is too long"));
    }
    r.take(head_len)?;
    let ct_len = u64::from_be_bytes(r.array()?);
    (r.at as u64)
        .checked_add(ct_len)
        .and_then(|n| n.checked_add(SIGNATURE as u64))
        .ok_or(Refusal::Malformed("its length is not valid"))
}

/// Reads a bundle file whole, after checking from its first few KB that it is a Harbour
/// bundle, that its length is the one its header declares, and that it is at most
/// [`MAX_BUNDLE_BYTES`]: a large file that is not a bundle is never read whole.
pub fn read_file(path: &std::path::Path) -> crate::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let unreadable = |e: std::io::Error| crate::Error::ReadFile {
        path: path.to_path_buf(),
        reason: crate::error::plain_io(&e),
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let mut prefix = Vec::with_capacity(MAX_PREFIX);
    (&mut file)
        .take(MAX_PREFIX as u64)
        .read_to_end(&mut prefix)
        .map_err(unreadable)?;
    let declared = declared_len(&prefix)?;
    if declared > MAX_BUNDLE_BYTES {
        return Err(super::refused(
            Code::BundleTooLarge,
            format!(
                "This bundle is larger than {} GB, more than Harbour takes in at once; nothing was imported.",
                MAX_BUNDLE_BYTES / (1024 * 1024 * 1024)
            ),
        ));
    }
    if len < declared {
        return Err(Refusal::Truncated.into());
    }
    if len > declared {
        return Err(Refusal::Malformed("there are extra bytes after its signature").into());
    }
    file.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut bytes = Vec::with_capacity(declared as usize);
    file.take(declared + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}

/// Splits a bundle into its parts, checking its shape but not yet its signature.
pub fn parse(bytes: &[u8]) -> Result<Envelope<'_>, Refusal> {
    if bytes.len() < MAGIC.len() {
        return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
            Refusal::Truncated
        } else {
            Refusal::NotABundle
        });
    }
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(Refusal::NotABundle);
    }
    let version = u16::from_be_bytes(r.array()?);
    if version > FORMAT {
        return Err(Refusal::NewerVersion(version));
    }
    if version == 0 {
        return Err(Refusal::Malformed("its format number is not valid"));
    }
    let head_len = u32::from_be_bytes(r.array()?) as usize;
    if head_len > MAX_HEADER {
        return Err(Refusal::Malformed("its header is too long"));
    }
    let head = r.take(head_len)?;
    let header: Header = serde_json::from_slice(head)
        .map_err(|_| Refusal::Malformed("its header cannot be read"))?;
    let ct_len = u64::from_be_bytes(r.array()?);
    let ct_len = usize::try_from(ct_len).map_err(|_| Refusal::Truncated)?;
    let ciphertext = r.take(ct_len)?;
    let signed_end = r.at;
    let signature = r.array::<SIGNATURE>()?;
    if r.at != bytes.len() {
        return Err(Refusal::Malformed(
            "there are extra bytes after its signature",
        ));
    }
    Ok(Envelope {
        version,
        header,
        ciphertext,
        signed: &bytes[..signed_end],
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn sample() -> Vec<u8> {
        let header = Header {
            sender: Uuid::now_v7(),
            bundle_seq: 3,
            created_ms: 1_700_000_000_000,
        };
        build(&header, b"ciphertext bytes", |_| [9u8; 64])
    }

    #[test]
    fn a_built_bundle_parses_back() {
        let bytes = sample();
        let env = parse(&bytes).expect("parse");
        assert_eq!(env.ciphertext, b"ciphertext bytes");
        assert_eq!(env.signature, [9u8; 64]);
        assert_eq!(env.signed.len(), bytes.len() - 64);
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = sample();
        for n in 0..bytes.len() {
            assert!(parse(&bytes[..n]).is_err(), "cut at {n} was accepted");
        }
    }

    #[test]
    fn a_newer_format_is_named() {
        let mut bytes = sample();
        bytes[9] = 2;
        assert_eq!(parse(&bytes), Err(Refusal::NewerVersion(2)));
    }

    /// The same as the fuzz target, without cargo-fuzz: random and mutated inputs for
    /// `HARBOUR_FUZZ_SECONDS` (default 10) seconds. Run with `--ignored`.
    #[test]
    #[ignore]
    fn random_bytes_for_a_while() {
        let seconds: u64 = std::env::var("HARBOUR_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seconds);
        let good = sample();
        let mut n: u64 = 0;
        while std::time::Instant::now() < until {
            for _ in 0..1000 {
                let mut b = if rng.gen_bool(0.5) {
                    good.clone()
                } else {
                    (0..rng.gen_range(0..300)).map(|_| rng.gen()).collect()
                };
                for _ in 0..rng.gen_range(0..4) {
                    if !b.is_empty() {
                        let at = rng.gen_range(0..b.len());
                        b[at] = rng.gen();
                    }
                }
                if rng.gen_bool(0.1) && !b.is_empty() {
                    b.truncate(rng.gen_range(0..b.len()));
                }
                if let Ok(env) = parse(&b) {
                    assert_eq!(env.signed.len() + 64, b.len());
                }
                let _ = super::super::payload::parse(&b);
                n += 1;
            }
        }
        eprintln!("{n} inputs in {seconds} s, no panic");
    }

    /// The reader is a pure function: random bytes, and random changes to a good bundle,
    /// never make it panic.
    #[test]
    fn random_bytes_never_panic() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        let good = sample();
        for i in 0..20_000 {
            let bytes: Vec<u8> = if i % 2 == 0 {
                let n = rng.gen_range(0..200);
                let mut b: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
                if i % 4 == 0 && b.len() >= 10 {
                    b[..8].copy_from_slice(MAGIC);
                    b[8] = 0;
                    b[9] = 1;
                }
                b
            } else {
                let mut b = good.clone();
                let at = rng.gen_range(0..b.len());
                b[at] = rng.gen();
                b
            };
            let _ = parse(&bytes);
            let _ = super::super::payload::parse(&bytes);
        }
    }
}
