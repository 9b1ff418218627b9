//! Every kind of damage to an encrypted file must be caught, with the
//! right error.

mod common;

use common::{encrypt, master, random_bytes, ITEM_ID};
use harbour_evidence::stream::{CHUNK_SIZE, HEADER_SIZE, TAG_SIZE};
use harbour_evidence::{decrypt_stream, MasterKey, StreamError};

const SEALED: usize = CHUNK_SIZE + TAG_SIZE;

/// 3 full chunks and a short fourth one.
fn sample() -> (Vec<u8>, Vec<u8>) {
    let plain = random_bytes(3 * CHUNK_SIZE + 8_315, 42);
    let sealed = encrypt(&plain);
    assert_eq!(sealed.len(), HEADER_SIZE + 3 * SEALED + 8_315 + TAG_SIZE);
    (plain, sealed)
}

fn open(sealed: &[u8]) -> Result<Vec<u8>, StreamError> {
    open_with(&master(), ITEM_ID, sealed)
}

fn open_with(key: &MasterKey, item: &str, sealed: &[u8]) -> Result<Vec<u8>, StreamError> {
    let mut out = Vec::new();
    decrypt_stream(key, item, sealed, &mut out).map(|_| out)
}

fn chunk_range(i: usize) -> std::ops::Range<usize> {
    HEADER_SIZE + i * SEALED..HEADER_SIZE + (i + 1) * SEALED
}

#[test]
fn untouched_sample_opens() {
    let (plain, sealed) = sample();
    assert_eq!(open(&sealed).expect("opens"), plain);
}

#[test]
fn flipped_body_bytes_name_the_chunk() {
    let (_, sealed) = sample();
    let last = sealed.len() - 1;
    let cases = [
        (HEADER_SIZE, 0),                       // first ciphertext byte
        (HEADER_SIZE + 5_000, 0),               // middle of chunk 0
        (HEADER_SIZE + CHUNK_SIZE + 3, 0),      // chunk 0's tag
        (HEADER_SIZE + SEALED, 1),              // first byte of chunk 1
        (HEADER_SIZE + 2 * SEALED + 40_000, 2), // middle of chunk 2
        (HEADER_SIZE + 3 * SEALED + 10, 3),     // final short chunk
        (last, 3),                              // last byte of the final tag
    ];
    for (pos, chunk) in cases {
        for bit in [0x01u8, 0x80] {
            let mut bad = sealed.clone();
            bad[pos] ^= bit;
            match open(&bad) {
                Err(StreamError::ChunkAuthentication { chunk: c }) => {
                    assert_eq!(c, chunk, "byte {pos}")
                }
                other => panic!("byte {pos}: expected chunk {chunk} to fail, got {other:?}"),
            }
        }
    }
}

#[test]
fn flipped_header_bytes_are_caught() {
    let (_, sealed) = sample();
    let mut bad = sealed.clone();
    bad[0] ^= 1;
    assert!(matches!(open(&bad), Err(StreamError::NotEvidenceFile)));

    let mut bad = sealed.clone();
    bad[4] = 2;
    assert!(matches!(
        open(&bad),
        Err(StreamError::UnsupportedVersion(2))
    ));

    // Nonce prefix: every chunk's nonce changes, so chunk 0 fails.
    for pos in 5..12 {
        let mut bad = sealed.clone();
        bad[pos] ^= 0x10;
        assert!(
            matches!(
                open(&bad),
                Err(StreamError::ChunkAuthentication { chunk: 0 })
            ),
            "byte {pos}"
        );
    }

    // Key commitment.
    let mut bad = sealed.clone();
    bad[30] ^= 0x04;
    assert!(matches!(open(&bad), Err(StreamError::WrongKey)));
}

#[test]
fn truncation_at_a_chunk_boundary_is_reported_as_truncation() {
    let (_, sealed) = sample();
    for chunks in 1..=3 {
        let cut = &sealed[..HEADER_SIZE + chunks * SEALED];
        assert!(
            matches!(open(cut), Err(StreamError::Truncated)),
            "cut after {chunks} chunks: {:?}",
            open(cut).err()
        );
    }
}

#[test]
fn truncation_mid_chunk_fails() {
    let (_, sealed) = sample();
    let cut = &sealed[..HEADER_SIZE + SEALED + 1_000];
    assert!(matches!(
        open(cut),
        Err(StreamError::ChunkAuthentication { chunk: 1 })
    ));
    // Losing only part of the final tag.
    let cut = &sealed[..sealed.len() - 1];
    assert!(matches!(
        open(cut),
        Err(StreamError::ChunkAuthentication { chunk: 3 })
    ));
}

#[test]
fn truncation_in_or_right_after_the_header_fails() {
    let (_, sealed) = sample();
    for len in [0, 3, 4, 5, 20, HEADER_SIZE, HEADER_SIZE + 7] {
        assert!(
            matches!(open(&sealed[..len]), Err(StreamError::Truncated)),
            "length {len}: {:?}",
            open(&sealed[..len]).err()
        );
    }
}

#[test]
fn empty_file_cut_to_its_header_fails() {
    let sealed = encrypt(&[]);
    assert!(matches!(
        open(&sealed[..HEADER_SIZE]),
        Err(StreamError::Truncated)
    ));
}

#[test]
fn swapped_chunks_fail() {
    let (_, sealed) = sample();
    for (a, b) in [(0, 1), (1, 2)] {
        let mut bad = sealed.clone();
        let chunk_a = sealed[chunk_range(a)].to_vec();
        let chunk_b = sealed[chunk_range(b)].to_vec();
        bad[chunk_range(a)].copy_from_slice(&chunk_b);
        bad[chunk_range(b)].copy_from_slice(&chunk_a);
        match open(&bad) {
            Err(StreamError::ChunkAuthentication { chunk }) => assert_eq!(chunk, a as u64),
            other => panic!("swap {a},{b}: {other:?}"),
        }
    }
}

#[test]
fn removed_middle_chunk_fails() {
    let (_, sealed) = sample();
    let mut bad = sealed[..chunk_range(1).start].to_vec();
    bad.extend_from_slice(&sealed[chunk_range(1).end..]);
    assert!(matches!(
        open(&bad),
        Err(StreamError::ChunkAuthentication { chunk: 1 })
    ));
}

#[test]
fn appended_bytes_fail() {
    let (_, mut sealed) = sample();
    sealed.extend_from_slice(b"extra");
    assert!(matches!(
        open(&sealed),
        Err(StreamError::ChunkAuthentication { chunk: 3 })
    ));
}

#[test]
fn chunk_from_another_file_fails() {
    let (_, sealed) = sample();
    let other = encrypt(&random_bytes(3 * CHUNK_SIZE, 99));
    let mut bad = sealed.clone();
    bad[chunk_range(1)].copy_from_slice(&other[chunk_range(1)]);
    assert!(matches!(
        open(&bad),
        Err(StreamError::ChunkAuthentication { chunk: 1 })
    ));
}

#[test]
fn wrong_master_key_fails() {
    let (_, sealed) = sample();
    let wrong = MasterKey::from_bytes([8u8; 32]);
    assert!(matches!(
        open_with(&wrong, ITEM_ID, &sealed),
        Err(StreamError::WrongKey)
    ));
}

#[test]
fn wrong_item_id_fails() {
    let (_, sealed) = sample();
    assert!(matches!(
        open_with(&master(), "0192f0c4-7a51-7d3e-9b2a-5c1e8d4f6a11", &sealed),
        Err(StreamError::WrongKey)
    ));
}

#[test]
fn not_an_evidence_file() {
    assert!(matches!(
        open(b"PK\x03\x04 this is a zip, not evidence"),
        Err(StreamError::NotEvidenceFile)
    ));
}

#[test]
fn error_messages_are_plain_sentences() {
    let messages = [
        StreamError::Truncated.to_string(),
        StreamError::WrongKey.to_string(),
        StreamError::UnsupportedVersion(9).to_string(),
        StreamError::ChunkAuthentication { chunk: 4 }.to_string(),
    ];
    for m in messages {
        assert!(m.ends_with('.'), "{m}");
        assert!(m.chars().next().is_some_and(char::is_uppercase), "{m}");
    }
}
