//! Encrypt-then-decrypt round trips at the sizes where chunking can go wrong.

mod common;

use common::{encrypt, master, random_bytes, ITEM_ID};
use harbour_evidence::stream::{CHUNK_SIZE, HEADER_SIZE, TAG_SIZE};
use harbour_evidence::{decrypt_stream, encrypt_stream};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn round_trip(plain: &[u8]) {
    let mut sealed = Vec::new();
    let capture = encrypt_stream(&master(), ITEM_ID, plain, &mut sealed).expect("encrypt");
    let expected_hash = hex::encode(Sha256::digest(plain));
    assert_eq!(capture.size, plain.len() as u64);
    assert_eq!(capture.sha256, expected_hash);

    // A full final chunk is marked last itself; only an empty file has an empty chunk.
    let chunks = plain.len().div_ceil(CHUNK_SIZE).max(1);
    assert_eq!(sealed.len(), HEADER_SIZE + plain.len() + chunks * TAG_SIZE);

    let mut opened = Vec::new();
    let summary =
        decrypt_stream(&master(), ITEM_ID, sealed.as_slice(), &mut opened).expect("decrypt");
    assert_eq!(opened, plain);
    assert_eq!(summary.size, capture.size);
    assert_eq!(summary.sha256, capture.sha256);
}

#[test]
fn empty_file() {
    round_trip(&[]);
}

#[test]
fn one_byte() {
    round_trip(&[0x42]);
}

#[test]
fn exactly_one_chunk() {
    round_trip(&random_bytes(CHUNK_SIZE, 1));
}

#[test]
fn one_chunk_plus_one_byte() {
    round_trip(&random_bytes(CHUNK_SIZE + 1, 2));
}

#[test]
fn one_chunk_minus_one_byte() {
    round_trip(&random_bytes(CHUNK_SIZE - 1, 3));
}

#[test]
fn exactly_two_chunks() {
    round_trip(&random_bytes(2 * CHUNK_SIZE, 4));
}

#[test]
fn several_megabytes() {
    round_trip(&random_bytes(5 * 1024 * 1024 + 12_345, 5));
}

#[test]
fn sha256_of_empty_file_is_the_standard_value() {
    let mut sealed = Vec::new();
    let capture = encrypt_stream(&master(), ITEM_ID, &[][..], &mut sealed).expect("encrypt");
    assert_eq!(
        capture.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn same_plaintext_encrypts_differently_each_time() {
    let plain = random_bytes(1000, 6);
    assert_ne!(encrypt(&plain), encrypt(&plain));
}

#[test]
fn ciphertext_does_not_contain_plaintext_phrase() {
    let phrase = b"Meet me behind the sports hall at 7pm, don't tell Coach Fictional";
    let plain: Vec<u8> = phrase.iter().copied().cycle().take(300_000).collect();
    let sealed = encrypt(&plain);
    assert!(!sealed.windows(phrase.len()).any(|w| w == phrase));
    // Not even a short distinctive fragment survives.
    assert!(!sealed.windows(11).any(|w| w == b"sports hall"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trip_any_size(
        len in prop_oneof![0usize..200, (CHUNK_SIZE - 3)..(CHUNK_SIZE + 3), 0usize..(3 * CHUNK_SIZE + 77)],
        seed in any::<u64>(),
    ) {
        round_trip(&random_bytes(len, seed));
    }

    #[test]
    fn round_trip_arbitrary_contents(plain in proptest::collection::vec(any::<u8>(), 0..5000)) {
        round_trip(&plain);
    }
}
