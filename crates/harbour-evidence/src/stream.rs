//! Authenticated, chunked encryption of one evidence file.
//!
//! Evidence files can be several gigabytes, so they are never held in
//! memory: the plaintext is read in 64 KiB chunks, each sealed with
//! ChaCha20-Poly1305 using the STREAM construction (Hoang, Reyhanitabar,
//! Rogaway and Vizár, 2015). Each chunk's nonce is
//! `nonce_prefix (7 bytes) || chunk counter (4 bytes, big-endian) || last flag (1 byte)`,
//! which is byte-for-byte the same as `aead::stream::EncryptorBE32` (a test
//! checks this). The counter stops chunks being reordered, and the last flag
//! stops the file being cut short at a chunk boundary without detection.
//!
//! # File format (version 1)
//!
//! | bytes | contents |
//! |-------|----------|
//! | 4     | magic `HBEV` |
//! | 1     | format version (`1`) |
//! | 7     | random nonce prefix |
//! | 32    | key commitment (from HKDF, see [`crate::keys`]) |
//! | ...   | chunks: 64 KiB of ciphertext plus a 16-byte tag, the final chunk shorter (possibly just a tag) |
//!
//! The whole 44-byte header is the associated data of every chunk, so it
//! cannot be altered either. The key commitment lets a wrong master key or
//! item id be reported as exactly that, and makes the encryption
//! key-committing (ChaCha20-Poly1305 on its own is not).
//!
//! # Writing decrypted output safely
//!
//! [`decrypt_stream`] writes each chunk as soon as it has been authenticated,
//! so when it returns an error the writer has already received the good
//! chunks before the bad one. **Callers must write to a temporary file and
//! only rename it into place when `decrypt_stream` succeeds** (or stream
//! into something that is itself discarded on error, such as an evidence
//! pack being built). [`crate::store::restore_file`] does this for you.

use crate::hashing::{read_full, Tally};
use crate::keys::{FileKeys, MasterKey};
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;
use rand::RngCore;
use std::io::{self, Read, Write};
use zeroize::Zeroizing;

/// Magic bytes at the start of every encrypted evidence file.
pub const MAGIC: &[u8; 4] = b"HBEV";
/// The only format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: usize = 64 * 1024;
/// Poly1305 tag bytes appended to each chunk.
pub const TAG_SIZE: usize = 16;
const NONCE_PREFIX_SIZE: usize = 7;
const COMMITMENT_SIZE: usize = 32;
/// Total header length in bytes.
pub const HEADER_SIZE: usize = 4 + 1 + NONCE_PREFIX_SIZE + COMMITMENT_SIZE;
const SEALED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_SIZE;

/// What [`encrypt_stream`] learned about the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureSummary {
    /// Size of the original plaintext in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the original plaintext.
    pub sha256: String,
}

/// What [`decrypt_stream`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptSummary {
    /// Size of the decrypted plaintext in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the decrypted plaintext.
    pub sha256: String,
}

/// Why a file could not be encrypted or decrypted.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The input could not be read.
    #[error("The file could not be read.")]
    Read(#[source] io::Error),
    /// The output could not be written (for example, the disk is full).
    #[error("The output could not be written, perhaps because the disk is full.")]
    Write(#[source] io::Error),
    /// The input does not start with the `HBEV` magic bytes.
    #[error("This is not a Harbour encrypted evidence file.")]
    NotEvidenceFile,
    /// The header names a format version this code does not understand.
    #[error(
        "This evidence file uses format version {0}, which this version of Harbour cannot read."
    )]
    UnsupportedVersion(u8),
    /// The key commitment does not match: wrong master key or item id.
    #[error("This evidence file was not encrypted with this key and item id, or its header has been damaged.")]
    WrongKey,
    /// The file ends early, either inside the header or cleanly after a
    /// chunk that was not the last one.
    #[error("The encrypted file is incomplete: it has been cut short.")]
    Truncated,
    /// A chunk failed authentication.
    #[error("Chunk {chunk} of the encrypted file failed its integrity check, so the file has been changed, reordered or cut short.")]
    ChunkAuthentication {
        /// Zero-based index of the first chunk that failed.
        chunk: u64,
    },
    /// The file has more chunks than the 32-bit counter allows (256 TiB).
    #[error("The file is too large to encrypt in this format.")]
    TooLarge,
}

/// The size of the encrypted file for `plain` bytes of plaintext: the header, the bytes
/// themselves, and one tag per chunk (an empty file still has one, empty, chunk).
pub fn sealed_len(plain: u64) -> u64 {
    let chunk = CHUNK_SIZE as u64;
    let chunks = plain.div_ceil(chunk).max(1);
    HEADER_SIZE as u64 + plain + chunks * TAG_SIZE as u64
}

/// Builds the nonce for one chunk, identical to `aead::stream::StreamBE32`.
fn chunk_nonce(
    prefix: &[u8; NONCE_PREFIX_SIZE],
    counter: u32,
    last: bool,
) -> GenericArray<u8, chacha20poly1305::consts::U12> {
    let mut nonce = GenericArray::default();
    nonce[..NONCE_PREFIX_SIZE].copy_from_slice(prefix);
    nonce[NONCE_PREFIX_SIZE..NONCE_PREFIX_SIZE + 4].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

fn build_header(prefix: &[u8; NONCE_PREFIX_SIZE], keys: &FileKeys) -> [u8; HEADER_SIZE] {
    let mut header = [0u8; HEADER_SIZE];
    header[..4].copy_from_slice(MAGIC);
    header[4] = FORMAT_VERSION;
    header[5..12].copy_from_slice(prefix);
    header[12..].copy_from_slice(&keys.commitment);
    header
}

/// Constant-time equality for the key commitment.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Encrypts everything from `reader` into `writer`, hashing the original
/// plaintext with SHA-256 as it goes. Memory use is constant (two 64 KiB
/// buffers) whatever the file size. The writer is flushed at the end.
pub fn encrypt_stream(
    master: &MasterKey,
    item_id: &str,
    reader: impl Read,
    writer: impl Write,
) -> Result<CaptureSummary, StreamError> {
    let mut tally = Tally::default();
    encrypt_each(master, item_id, reader, writer, |plain| tally.update(plain))?;
    let (size, sha256) = tally.finish();
    Ok(CaptureSummary { size, sha256 })
}

/// Like [`encrypt_stream`], but without hashing the plaintext: for a caller that has no use
/// for the hash (a backup, whose contents are hashed where they were captured), so the
/// encryption is not held to the speed of SHA-256. Returns the plaintext's size.
pub fn encrypt_stream_unhashed(
    master: &MasterKey,
    item_id: &str,
    reader: impl Read,
    writer: impl Write,
) -> Result<u64, StreamError> {
    let mut size = 0u64;
    encrypt_each(master, item_id, reader, writer, |plain| {
        size += plain.len() as u64;
    })?;
    Ok(size)
}

/// Encrypts everything from `reader` into `writer`, giving each chunk's plaintext to
/// `each` before it is encrypted.
fn encrypt_each(
    master: &MasterKey,
    item_id: &str,
    mut reader: impl Read,
    mut writer: impl Write,
    mut each: impl FnMut(&[u8]),
) -> Result<(), StreamError> {
    let keys = FileKeys::derive(master, item_id);
    let mut prefix = [0u8; NONCE_PREFIX_SIZE];
    rand::rngs::OsRng.fill_bytes(&mut prefix);
    let header = build_header(&prefix, &keys);
    let cipher = ChaCha20Poly1305::new(GenericArray::from_slice(&keys.key));

    writer.write_all(&header).map_err(StreamError::Write)?;

    let mut current = Zeroizing::new(vec![0u8; SEALED_CHUNK_SIZE]);
    let mut next = Zeroizing::new(vec![0u8; SEALED_CHUNK_SIZE]);
    let mut current_len =
        read_full(&mut reader, &mut current[..CHUNK_SIZE]).map_err(StreamError::Read)?;
    let mut counter: u32 = 0;

    loop {
        // A short chunk can only be the last one; a full one is last only if
        // nothing follows it, so read ahead to find out.
        let next_len = if current_len < CHUNK_SIZE {
            0
        } else {
            read_full(&mut reader, &mut next[..CHUNK_SIZE]).map_err(StreamError::Read)?
        };
        let last = next_len == 0;

        let (plain, tag_space) = current.split_at_mut(current_len);
        each(plain);
        let nonce = chunk_nonce(&prefix, counter, last);
        let tag = cipher
            .encrypt_in_place_detached(&nonce, &header, plain)
            .map_err(|_| StreamError::TooLarge)?;
        tag_space[..TAG_SIZE].copy_from_slice(&tag);
        writer
            .write_all(&current[..current_len + TAG_SIZE])
            .map_err(StreamError::Write)?;

        if last {
            break;
        }
        counter = counter.checked_add(1).ok_or(StreamError::TooLarge)?;
        std::mem::swap(&mut current, &mut next);
        current_len = next_len;
    }

    writer.flush().map_err(StreamError::Write)?;
    Ok(())
}

/// Decrypts an evidence file from `reader` into `writer`, checking every
/// chunk before writing it, and hashing the plaintext with SHA-256.
///
/// Fails on a truncated file, any changed byte, reordered chunks, the wrong
/// key or item id, or an unknown format version. **Output already written
/// before an error is not trustworthy as a whole**: write to a temporary file
/// and rename only on success (see the module documentation).
pub fn decrypt_stream(
    master: &MasterKey,
    item_id: &str,
    reader: impl Read,
    writer: impl Write,
) -> Result<DecryptSummary, StreamError> {
    let mut tally = Tally::default();
    decrypt_each(master, item_id, reader, writer, |plain| tally.update(plain))?;
    let (size, sha256) = tally.finish();
    Ok(DecryptSummary { size, sha256 })
}

/// Like [`decrypt_stream`], but without hashing the plaintext: for a caller that hashes what
/// it is given anyway (an evidence pack hashes every byte it stores), so the same bytes are
/// not hashed twice. Returns the plaintext's size. Every chunk is still authenticated, and
/// the same warning holds: output written before an error is not trustworthy.
pub fn decrypt_stream_unhashed(
    master: &MasterKey,
    item_id: &str,
    reader: impl Read,
    writer: impl Write,
) -> Result<u64, StreamError> {
    let mut size = 0u64;
    decrypt_each(master, item_id, reader, writer, |plain| {
        size += plain.len() as u64;
    })?;
    Ok(size)
}

/// Decrypts into `writer`, showing each authenticated chunk of plaintext to `seen` first.
fn decrypt_each(
    master: &MasterKey,
    item_id: &str,
    mut reader: impl Read,
    mut writer: impl Write,
    mut seen: impl FnMut(&[u8]),
) -> Result<(), StreamError> {
    let mut header = [0u8; HEADER_SIZE];
    let got = read_full(&mut reader, &mut header).map_err(StreamError::Read)?;
    if got >= MAGIC.len() && &header[..4] != MAGIC {
        return Err(StreamError::NotEvidenceFile);
    }
    if got > 4 && header[4] != FORMAT_VERSION {
        return Err(StreamError::UnsupportedVersion(header[4]));
    }
    if got < HEADER_SIZE {
        return Err(if got < MAGIC.len() && header[..got] != MAGIC[..got] {
            StreamError::NotEvidenceFile
        } else {
            StreamError::Truncated
        });
    }

    let keys = FileKeys::derive(master, item_id);
    if !ct_eq(&header[12..], &keys.commitment) {
        return Err(StreamError::WrongKey);
    }
    let mut prefix = [0u8; NONCE_PREFIX_SIZE];
    prefix.copy_from_slice(&header[5..12]);
    let cipher = ChaCha20Poly1305::new(GenericArray::from_slice(&keys.key));

    let mut current = Zeroizing::new(vec![0u8; SEALED_CHUNK_SIZE]);
    let mut next = Zeroizing::new(vec![0u8; SEALED_CHUNK_SIZE]);
    let mut current_len = read_full(&mut reader, &mut current).map_err(StreamError::Read)?;
    let mut counter: u32 = 0;

    loop {
        if current_len < TAG_SIZE {
            // Not even room for a tag: the file stops inside a chunk, or
            // straight after the header.
            return Err(StreamError::Truncated);
        }
        let next_len = if current_len < SEALED_CHUNK_SIZE {
            0
        } else {
            read_full(&mut reader, &mut next).map_err(StreamError::Read)?
        };
        let last = next_len == 0;

        let (body, tag) = current[..current_len].split_at_mut(current_len - TAG_SIZE);
        let tag = *GenericArray::from_slice(tag);
        let nonce = chunk_nonce(&prefix, counter, last);
        if cipher
            .decrypt_in_place_detached(&nonce, &header, body, &tag)
            .is_err()
        {
            // A full chunk that is valid as a *middle* chunk means the file
            // was cut off cleanly at a chunk boundary. The body is unchanged
            // on failure, so it can be checked again.
            let as_middle = chunk_nonce(&prefix, counter, false);
            if last
                && current_len == SEALED_CHUNK_SIZE
                && cipher
                    .decrypt_in_place_detached(&as_middle, &header, body, &tag)
                    .is_ok()
            {
                return Err(StreamError::Truncated);
            }
            return Err(StreamError::ChunkAuthentication {
                chunk: u64::from(counter),
            });
        }
        seen(body);
        writer.write_all(body).map_err(StreamError::Write)?;

        if last {
            break;
        }
        counter = counter.checked_add(1).ok_or(StreamError::TooLarge)?;
        std::mem::swap(&mut current, &mut next);
        current_len = next_len;
    }

    writer.flush().map_err(StreamError::Write)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20poly1305::aead::stream::DecryptorBE32;

    #[test]
    fn sealed_len_is_what_encryption_writes() {
        let master = MasterKey::from_bytes([5u8; 32]);
        for n in [
            0,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            3 * CHUNK_SIZE,
        ] {
            let mut sealed = Vec::new();
            encrypt_stream(&master, "item", vec![7u8; n].as_slice(), &mut sealed).expect("encrypt");
            assert_eq!(sealed_len(n as u64), sealed.len() as u64, "{n} bytes");
        }
    }

    /// Our chunk format must be exactly `aead::stream`'s STREAM-BE32, so the
    /// reference implementation can decrypt what we write.
    #[test]
    fn matches_aead_stream_be32() {
        let master = MasterKey::from_bytes([3u8; 32]);
        let plain: Vec<u8> = (0..(2 * CHUNK_SIZE + 500))
            .map(|i| (i % 251) as u8)
            .collect();
        let mut sealed = Vec::new();
        encrypt_stream(&master, "item-1", plain.as_slice(), &mut sealed).expect("encrypt");

        let keys = FileKeys::derive(&master, "item-1");
        let header = &sealed[..HEADER_SIZE];
        let cipher = ChaCha20Poly1305::new(GenericArray::from_slice(&keys.key));
        let mut dec = DecryptorBE32::from_aead(cipher, GenericArray::from_slice(&header[5..12]));
        let body = &sealed[HEADER_SIZE..];
        let mut out = Vec::new();
        let chunks: Vec<&[u8]> = body.chunks(SEALED_CHUNK_SIZE).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let payload = chacha20poly1305::aead::Payload {
                msg: chunk,
                aad: header,
            };
            if i + 1 == chunks.len() {
                out.extend(dec.decrypt_last(payload).expect("last chunk"));
                break;
            }
            out.extend(dec.decrypt_next(payload).expect("chunk"));
        }
        assert_eq!(out, plain);
    }
}
