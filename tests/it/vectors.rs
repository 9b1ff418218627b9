//! Frozen formats: files written once by an earlier Harbour (`tests/vectors/v1`, made by
//! `tests/vectors/make`) that every later Harbour must still open and check. A change to the
//! event hash, `keys.json`, the database, an evidence file (`.hbev`), a sync bundle
//! (`.hbsync`), an evidence pack or a passphrase-encrypted pack fails here first: such a
//! change needs a new format version and a reader for the old one, never a new vector.
//!
//! Each test copies what it uses into a temporary folder, so the frozen files never change.

use crate::common;

use common::{age_decrypt, unzip_and_check, Folder};
use harbour::keys::{Passphrase, RecoveryKey};
use harbour::log::Event;
use harbour::{Harbour, Unlock};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn set() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/v1")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(set().join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

fn text(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in expected.json"))
        .to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("make folder");
    for entry in std::fs::read_dir(from).expect("read frozen folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy frozen file");
        }
    }
}

/// A temporary copy of one of the frozen data folders (`man` or `lds`).
fn frozen_folder(name: &str) -> Folder {
    let f = Folder::new();
    copy_dir(&set().join(name), &f.dir());
    f
}

#[test]
fn a_data_folder_written_by_harbour_1_opens_with_its_passphrase_and_verifies() {
    let want = expected();
    let f = frozen_folder("man");
    let verified = f.ok(&["verify"]);
    assert!(verified.contains("intact"), "{verified}");
    let shown = f.json(&["incident", "show", &text(&want, "reference")]);
    let shown = shown.to_string();
    assert!(shown.contains(&text(&want, "account")), "{shown}");
    assert!(shown.contains(&text(&want, "learner")), "{shown}");
}

#[test]
fn a_data_folder_written_by_harbour_1_opens_with_its_recovery_key() {
    let want = expected();
    let f = frozen_folder("man");
    let key = RecoveryKey::parse(&text(&want, "recovery_key")).expect("frozen recovery key");
    let h = Harbour::open(&f.dir(), Unlock::Recovery(&key)).expect("the recovery key opens it");
    drop(h);
    let wrong = Passphrase::new("not the frozen passphrase".into());
    assert!(Harbour::open(&f.dir(), Unlock::Passphrase(&wrong)).is_err());
}

#[test]
fn a_frozen_event_still_hashes_and_verifies_the_same_way() {
    let want = expected();
    let f = frozen_folder("man");
    let h = Harbour::open(
        &f.dir(),
        Unlock::Passphrase(&Passphrase::new(text(&want, "passphrase"))),
    )
    .expect("open");
    let events = h.log().events().expect("events");
    let frozen: Vec<Event> = serde_json::from_str(
        &std::fs::read_to_string(set().join("events.json")).expect("events.json"),
    )
    .expect("events.json holds events");
    assert_eq!(
        events, frozen,
        "the database holds the frozen events, unchanged"
    );
    let key = frozen[0]
        .declared_key()
        .expect("the first event declares the device key");
    for (i, e) in frozen.iter().enumerate() {
        assert_eq!(e.check(&key), Ok(()), "event {i} ({})", e.header.kind);
        let hash =
            harbour::log::event::event_hash(&e.header, &e.payload_sha256, e.prev_hash.as_ref());
        assert_eq!(hash, e.hash, "event {i}: the hash is computed as it was");
        if i > 0 {
            assert_eq!(
                e.prev_hash,
                Some(frozen[i - 1].hash),
                "event {i} links to the one before"
            );
        }
    }
}

#[test]
fn a_frozen_evidence_file_decrypts_to_the_bytes_captured() {
    let want = expected();
    let f = frozen_folder("man");
    let out = f.tmp.path().join("opened.txt");
    // Opening evidence records it; the frozen folder's newest entry grows older every day,
    // and after six months without one Harbour asks for the date to be confirmed.
    f.ok(&["clock", "confirm"]);
    f.ok(&[
        "evidence",
        "open",
        &text(&want, "evidence_item"),
        "--out",
        &out.to_string_lossy(),
        "--reason",
        "Format check",
    ]);
    let bytes = std::fs::read(&out).expect("opened copy");
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        text(&want, "evidence_sha256")
    );
}

#[test]
fn a_frozen_sync_bundle_is_taken_in_by_its_recipient() {
    let want = expected();
    let f = frozen_folder("lds");
    let bundle = f.tmp.path().join("man-to-lds.hbsync");
    std::fs::copy(set().join("man-to-lds.hbsync"), &bundle).expect("copy bundle");
    f.ok(&["sync", "import", &bundle.to_string_lossy()]);
    let shown = f
        .json(&["incident", "show", &text(&want, "reference")])
        .to_string();
    assert!(shown.contains(&text(&want, "account")), "{shown}");
    assert!(f.ok(&["verify"]).contains("intact"));
}

#[test]
fn a_frozen_evidence_pack_verifies_with_harbour_and_with_standard_tools() {
    let want = expected();
    let f = Folder::new();
    let pack = f.tmp.path().join("pack.zip");
    std::fs::copy(set().join("pack.zip"), &pack).expect("copy pack");
    let out = f
        .json(&["pack", "verify", &pack.to_string_lossy()])
        .to_string();
    assert!(out.contains(&text(&want, "reference")), "{out}");
    unzip_and_check(&pack, &f.tmp.path().join("unzipped"));
}

#[test]
fn a_frozen_encrypted_pack_opens_with_its_passphrase() {
    let want = expected();
    let f = Folder::new();
    let sealed = f.tmp.path().join("sealed.zip.age");
    std::fs::copy(set().join("sealed.zip.age"), &sealed).expect("copy sealed pack");
    let pass = f.tmp.path().join("pack-pass");
    std::fs::write(&pass, text(&want, "pack_passphrase")).expect("passphrase file");
    let out = f
        .json(&[
            "pack",
            "verify",
            &sealed.to_string_lossy(),
            "--pack-passphrase-file",
            &pass.to_string_lossy(),
        ])
        .to_string();
    assert!(out.contains(&text(&want, "reference")), "{out}");
    let zip = f.tmp.path().join("opened.zip");
    std::fs::write(&zip, age_decrypt(&sealed, &text(&want, "pack_passphrase"))).expect("write");
    unzip_and_check(&zip, &f.tmp.path().join("unzipped"));
}

/// Writes `events.json` for a new set (run by `tests/vectors/make`, never for an existing set).
#[test]
#[ignore = "writes a new vector set; run only from tests/vectors/make"]
fn write_frozen_events() {
    let dir = PathBuf::from(std::env::var("HARBOUR_VECTOR_SET").expect("HARBOUR_VECTOR_SET"));
    let out = dir.join("events.json");
    assert!(!out.exists(), "a frozen set is never rewritten");
    let h = Harbour::open(
        &dir.join("man"),
        Unlock::Passphrase(&Passphrase::new(text(&expected_in(&dir), "passphrase"))),
    )
    .expect("open");
    let events = h.log().events().expect("events");
    std::fs::write(&out, serde_json::to_string_pretty(&events).expect("JSON")).expect("write");
}

fn expected_in(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).expect("read"))
        .expect("JSON")
}
