//! Storing and restoring files on disk: complete under the final name, or
//! nothing at all.

mod common;

use common::{master, random_bytes, FailAfter, ITEM_ID};
use harbour_evidence::stream::HEADER_SIZE;
use harbour_evidence::{restore_file, store_file, store_file_with, StoreError, StreamError};
use std::fs;
use std::path::Path;

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn store_then_restore_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("original.mp4");
    let stored = dir.path().join("stored.hbev");
    let restored = dir.path().join("restored.mp4");
    let plain = random_bytes(700_000, 11);
    fs::write(&src, &plain).expect("write");

    let capture = store_file(&master(), ITEM_ID, &src, &stored).expect("store");
    assert_eq!(capture.size, plain.len() as u64);
    assert_eq!(&fs::read(&stored).expect("read")[..4], b"HBEV");

    let summary = restore_file(&master(), ITEM_ID, &stored, &restored).expect("restore");
    assert_eq!(summary.sha256, capture.sha256);
    assert_eq!(fs::read(&restored).expect("read"), plain);
    assert_eq!(
        names_in(dir.path()),
        ["original.mp4", "restored.mp4", "stored.hbev"]
    );
}

#[test]
fn full_disk_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("original.bin");
    let dest = dir.path().join("stored.hbev");
    fs::write(&src, random_bytes(300_000, 12)).expect("write");

    // Fail in the header, in the first chunk, and several chunks in.
    for limit in [0, 10, HEADER_SIZE + 100, 200_000] {
        let result = store_file_with(&master(), ITEM_ID, &src, &dest, |file| {
            Box::new(FailAfter {
                inner: file,
                remaining: limit,
            })
        });
        match result {
            Err(StoreError::Stream(StreamError::Write(e))) => {
                assert_eq!(e.kind(), std::io::ErrorKind::StorageFull)
            }
            other => panic!("limit {limit}: expected a write error, got {other:?}"),
        }
        assert!(!dest.exists(), "limit {limit}: file left under final name");
        assert_eq!(names_in(dir.path()), ["original.bin"], "limit {limit}");
    }
}

#[test]
fn existing_file_is_replaced_only_on_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("original.bin");
    let dest = dir.path().join("stored.hbev");
    fs::write(&src, b"new contents").expect("write");
    fs::write(&dest, b"previous good copy").expect("write");

    let result = store_file_with(&master(), ITEM_ID, &src, &dest, |file| {
        Box::new(FailAfter {
            inner: file,
            remaining: 5,
        })
    });
    assert!(result.is_err());
    assert_eq!(fs::read(&dest).expect("read"), b"previous good copy");
    assert_eq!(names_in(dir.path()), ["original.bin", "stored.hbev"]);
}

#[test]
fn missing_source_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("stored.hbev");
    let result = store_file(&master(), ITEM_ID, &dir.path().join("nope.jpg"), &dest);
    assert!(matches!(result, Err(StoreError::OpenSource { .. })));
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn restoring_a_tampered_file_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("original.bin");
    let stored = dir.path().join("stored.hbev");
    let restored = dir.path().join("restored.bin");
    fs::write(&src, random_bytes(500_000, 13)).expect("write");
    store_file(&master(), ITEM_ID, &src, &stored).expect("store");

    // Damage the last chunk, so several good chunks are written first.
    let mut bytes = fs::read(&stored).expect("read");
    let n = bytes.len();
    bytes[n - 20] ^= 1;
    fs::write(&stored, &bytes).expect("write");

    let result = restore_file(&master(), ITEM_ID, &stored, &restored);
    assert!(matches!(
        result,
        Err(StoreError::Stream(StreamError::ChunkAuthentication { .. }))
    ));
    assert!(!restored.exists());
    assert_eq!(names_in(dir.path()), ["original.bin", "stored.hbev"]);
}

#[test]
fn decrypting_into_a_full_disk_reports_a_write_error() {
    let plain = random_bytes(200_000, 14);
    let sealed = common::encrypt(&plain);
    let result = harbour_evidence::decrypt_stream(
        &master(),
        ITEM_ID,
        sealed.as_slice(),
        FailAfter {
            inner: Vec::new(),
            remaining: 70_000,
        },
    );
    assert!(matches!(result, Err(StreamError::Write(_))));
}
