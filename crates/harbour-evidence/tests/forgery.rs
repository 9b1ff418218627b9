//! Forged packs refused by the ZIP layout check and by the expected fingerprint, and genuine
//! packs (plain and encrypted, whose streaming form puts a data descriptor after each entry)
//! still accepted.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use harbour_evidence::{
    verify_pack, verify_pack_expecting, verify_sealed_pack, verify_sealed_pack_expecting, Expected,
    PackBuilder, PackMetadata, PackSigner, VerifyError,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const CHAT: &[u8] = b"[19:02] Sam (fictional): are you coming to training tomorrow?\n";
const FORGED: &[u8] = b"[19:02] Sam (fictional): I sent the photos, as you asked.\n";

fn meta() -> PackMetadata {
    PackMetadata {
        incident_reference: "HB-2025-0042".to_string(),
        made_at: "2025-03-14T19:30:00Z".to_string(),
        made_by: "Jo Example".to_string(),
    }
}

fn make(dir: &Path, signer: &PackSigner, passphrase: Option<&str>) -> PathBuf {
    let path = dir.join(if passphrase.is_some() {
        "pack.zip.age"
    } else {
        "pack.zip"
    });
    let mut builder = match passphrase {
        Some(p) => PackBuilder::create_sealed(&path, meta(), p),
        None => PackBuilder::create(&path, meta()),
    }
    .expect("create");
    builder
        .add_evidence("chat.txt", Cursor::new(CHAT))
        .expect("chat");
    builder
        .add_evidence("photo.jpg", Cursor::new(vec![9u8; 70_000]))
        .expect("photo");
    builder.finish(b"%PDF-1.4\n", signer).expect("finish");
    path
}

fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = ZipArchive::new(fs::File::open(path).expect("open")).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).expect("read");
            (e.name().expect("name").to_string(), bytes)
        })
        .collect()
}

fn write(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = ZipWriter::new(fs::File::create(path).expect("create"));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

/// Replaces every occurrence of `from` with `to` (the same length) in the file's bytes.
fn replace_bytes(path: &Path, from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut bytes = fs::read(path).expect("read");
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + to.len();
    }
    fs::write(path, bytes).expect("write");
}

#[test]
fn a_repeated_name_is_refused_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = make(dir.path(), &PackSigner::generate(), None);
    let mut all = vec![("evidence/chaX.txt".to_string(), FORGED.to_vec())];
    all.extend(entries(&pack));
    let forged = dir.path().join("forged.zip");
    write(&forged, &all);
    // Names are not covered by any CRC, so both copies are now well-formed entries.
    replace_bytes(&forged, b"evidence/chaX.txt", b"evidence/chat.txt");

    let err = verify_pack(&forged).expect_err("refused");
    assert!(
        matches!(&err, VerifyError::Duplicate { path } if path == "evidence/chat.txt"),
        "{err}"
    );
}

#[test]
fn data_before_the_first_entry_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = make(dir.path(), &PackSigner::generate(), None);
    let mut bytes = b"hidden note\n".repeat(10);
    bytes.extend(fs::read(&pack).expect("read"));
    let prefixed = dir.path().join("prefixed.zip");
    fs::write(&prefixed, bytes).expect("write");
    let err = verify_pack(&prefixed).expect_err("refused");
    assert!(
        matches!(&err, VerifyError::HiddenData { before } if before == "evidence/chat.txt"),
        "{err}"
    );
}

#[test]
fn a_local_header_naming_another_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = make(dir.path(), &PackSigner::generate(), None);
    // Change the name in the local header only (the first occurrence in the file).
    let mut bytes = fs::read(&pack).expect("read");
    let at = bytes
        .windows(17)
        .position(|w| w == b"evidence/chat.txt")
        .expect("name");
    bytes[at + 9] = b'h';
    fs::write(&pack, bytes).expect("write");
    let err = verify_pack(&pack).expect_err("refused");
    assert!(
        matches!(&err, VerifyError::Inconsistent { path } if path == "evidence/chat.txt"),
        "{err}"
    );
}

#[test]
fn plain_and_encrypted_genuine_packs_pass_and_name_their_signer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signer = PackSigner::generate();
    let expected = Expected::parse(&signer.fingerprint()).expect("fingerprint");
    let plain = make(dir.path(), &signer, None);
    let report = verify_pack_expecting(&plain, Some(&expected)).expect("plain pack");
    assert_eq!(report.fingerprint, signer.fingerprint());
    let sealed = make(dir.path(), &signer, Some("a passphrase long enough"));
    verify_sealed_pack(&sealed, "a passphrase long enough").expect("encrypted pack");
    verify_sealed_pack_expecting(&sealed, "a passphrase long enough", Some(&expected))
        .expect("encrypted pack, expected signer");
}

#[test]
fn a_pack_from_another_key_is_refused_when_the_fingerprint_is_expected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let centre = PackSigner::generate();
    let forger = PackSigner::generate();
    let pack = make(dir.path(), &forger, None);
    let expected = Expected::parse(&centre.fingerprint()).expect("fingerprint");
    let err = verify_pack_expecting(&pack, Some(&expected)).expect_err("refused");
    match &err {
        VerifyError::WrongSigner { expected, actual } => {
            assert_eq!(expected, &centre.fingerprint());
            assert_eq!(actual, &forger.fingerprint());
        }
        other => panic!("wrong refusal: {other}"),
    }
}
