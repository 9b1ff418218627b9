//! Evidence packs: written, extracted and checked with real tools, and
//! every kind of tampering caught with a message naming the file.

mod common;

use common::random_bytes;
use harbour_evidence::verify::is_safe_entry_path;
use harbour_evidence::{verify_pack, write_pack, PackMetadata, PackSigner, SafeNames, VerifyError};
use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const CHAT: &[u8] = b"[19:02] Sam (fictional): are you coming to training tomorrow?\n\
[19:05] Unknown: delete this chat after reading\n";

fn meta() -> PackMetadata {
    PackMetadata {
        incident_reference: "HB-2025-0042".to_string(),
        made_at: "2025-03-14T19:30:00Z".to_string(),
        made_by: "Jo Example (Designated Safeguarding Lead)".to_string(),
    }
}

struct Pack {
    _dir: tempfile::TempDir,
    path: PathBuf,
    signer: PackSigner,
}

fn make_pack() -> Pack {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("HB-2025-0042 evidence.zip");
    let signer = PackSigner::generate();
    let mut names = SafeNames::new();
    let screenshot = random_bytes(300_000, 21);
    let video = random_bytes(1_000_003, 22);
    let evidence: Vec<(String, Cursor<Vec<u8>>)> = vec![
        (names.assign("chat.txt"), Cursor::new(CHAT.to_vec())),
        (
            names.assign("Screenshot 2025-03-14 at 19.02.png"),
            Cursor::new(screenshot),
        ),
        (
            names.assign("../../clip: changing room?.mp4"),
            Cursor::new(video),
        ),
        (
            names.assign("chat.txt"),
            Cursor::new(b"second export".to_vec()),
        ),
        (names.assign("empty.txt"), Cursor::new(Vec::new())),
    ];
    let summary = write_pack(
        &path,
        evidence,
        b"%PDF-1.4\n% fictional summary\n",
        meta(),
        &signer,
    )
    .expect("write pack");
    assert_eq!(summary.path, path);
    assert_eq!(summary.files.len(), 7);
    assert!(!dir
        .path()
        .join("HB-2025-0042 evidence.zip.partial")
        .exists());
    Pack {
        _dir: dir,
        path,
        signer,
    }
}

/// Reads every entry of a ZIP into memory (test packs are small).
fn read_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = ZipArchive::new(fs::File::open(path).expect("open")).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read");
            (entry.name().expect("name").to_string(), bytes)
        })
        .collect()
}

/// Writes entries as a new stored ZIP.
fn write_entries(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = ZipWriter::new(fs::File::create(path).expect("create"));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

/// Rebuilds the pack with `change` applied to its list of entries.
fn tamper(pack: &Pack, change: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> PathBuf {
    let mut entries = read_entries(&pack.path);
    change(&mut entries);
    let out = pack.path.with_file_name("tampered.zip");
    write_entries(&out, &entries);
    out
}

fn extract(pack: &Path, into: &Path) {
    let mut zip = ZipArchive::new(fs::File::open(pack).expect("open")).expect("zip");
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let rel = entry.enclosed_name().expect("safe name");
        let out = into.join(rel);
        fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
        let mut file = fs::File::create(&out).expect("create");
        std::io::copy(&mut entry, &mut file).expect("copy");
    }
}

fn tool_available(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

#[test]
fn pack_verifies_and_reports_its_contents() {
    let pack = make_pack();
    let report = verify_pack(&pack.path).expect("verifies");
    assert_eq!(report.metadata, meta());
    assert_eq!(report.fingerprint, pack.signer.fingerprint());
    assert_eq!(report.public_key_hex, pack.signer.public_key_hex());
    let paths: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "evidence/chat.txt",
            "evidence/Screenshot 2025-03-14 at 19.02.png",
            "evidence/_._clip_ changing room_.mp4",
            "evidence/chat (2).txt",
            "evidence/empty.txt",
            "summary.pdf",
            "README.txt",
        ]
    );
    assert_eq!(report.files[0].size, CHAT.len() as u64);
}

#[test]
fn every_entry_is_stored_uncompressed() {
    let pack = make_pack();
    let mut zip = ZipArchive::new(fs::File::open(&pack.path).expect("open")).expect("zip");
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).expect("entry");
        assert_eq!(
            entry.compression(),
            CompressionMethod::Stored,
            "{}",
            entry.name().expect("name")
        );
    }
    // The chat text is visible verbatim inside the ZIP.
    let raw = fs::read(&pack.path).expect("read");
    assert!(raw.windows(CHAT.len()).any(|w| w == CHAT));
}

#[test]
fn real_sha256sum_accepts_the_extracted_pack() {
    let pack = make_pack();
    let out = tempfile::tempdir().expect("tempdir");
    extract(&pack.path, out.path());
    let result = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(out.path())
        .output()
        .expect("sha256sum runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(": OK")).count(),
        8,
        "{stdout}"
    );
}

#[test]
fn real_sha256sum_catches_a_changed_file() {
    let pack = make_pack();
    let out = tempfile::tempdir().expect("tempdir");
    extract(&pack.path, out.path());
    fs::write(out.path().join("evidence/chat.txt"), b"edited").expect("write");
    let result = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(out.path())
        .output()
        .expect("sha256sum runs");
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stdout).contains("evidence/chat.txt: FAILED"));
}

/// Follows README.txt literally: real `unzip`, then the exact `openssl` and
/// fingerprint commands it prints.
#[test]
fn readme_instructions_work_with_standard_tools() {
    if !tool_available("openssl") || !tool_available("xxd") {
        eprintln!("skipping: openssl or xxd not installed");
        return;
    }
    let pack = make_pack();
    let out = tempfile::tempdir().expect("tempdir");
    let target = out.path().join("pack");
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(&pack.path)
        .arg("-d")
        .arg(&target)
        .status();
    match unzip {
        Ok(status) => assert!(status.success()),
        Err(_) => extract(&pack.path, &target),
    }

    let readme = fs::read_to_string(target.join("README.txt")).expect("readme");
    let commands: Vec<&str> = readme
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("printf ") || l.starts_with("xxd ") || l.starts_with("openssl "))
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");

    let signature_steps = commands[..3].join(" && ");
    let result = Command::new("sh")
        .args(["-c", &signature_steps])
        .current_dir(&target)
        .output()
        .expect("sh runs");
    let said = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(said.contains("Signature Verified Successfully"), "{said}");

    let result = Command::new("sh")
        .args(["-c", commands[3]])
        .current_dir(&target)
        .output()
        .expect("sh runs");
    let digest = String::from_utf8_lossy(&result.stdout).to_uppercase();
    let expected = pack.signer.fingerprint().replace(' ', "");
    assert!(digest.starts_with(&expected), "{digest} vs {expected}");
    assert!(readme.contains(&pack.signer.fingerprint()));

    // And the same openssl check rejects an altered manifest.
    let manifest = target.join("manifest.json");
    let mut text = fs::read(&manifest).expect("read");
    let at = text.iter().position(|&b| b == b'H').expect("letter");
    text[at] = b'X';
    fs::write(&manifest, text).expect("write");
    let result = Command::new("sh")
        .args(["-c", &signature_steps])
        .current_dir(&target)
        .output()
        .expect("sh runs");
    assert!(!result.status.success());
}

#[test]
fn changed_evidence_file_is_named() {
    let pack = make_pack();
    let bad = tamper(&pack, |entries| {
        let chat = entries
            .iter_mut()
            .find(|(n, _)| n == "evidence/chat.txt")
            .expect("chat");
        chat.1[5] ^= 0x20;
    });
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(matches!(&err, VerifyError::Changed { path } if path == "evidence/chat.txt"));
    assert_eq!(
        err.to_string(),
        "evidence/chat.txt has changed since the pack was made: its SHA-256 does not match the manifest."
    );
}

#[test]
fn byte_flipped_inside_the_zip_is_named() {
    // Editing the ZIP file directly also breaks the entry's CRC-32; the
    // message must still name the file, not just complain about the ZIP.
    let pack = make_pack();
    let mut raw = fs::read(&pack.path).expect("read");
    let at = raw
        .windows(CHAT.len())
        .position(|w| w == CHAT)
        .expect("chat stored verbatim");
    raw[at + 10] ^= 0x01;
    fs::write(&pack.path, raw).expect("write");
    let err = verify_pack(&pack.path).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::Changed { path } if path == "evidence/chat.txt"),
        "{err}"
    );
}

#[test]
fn changed_summary_is_named() {
    let pack = make_pack();
    let bad = tamper(&pack, |entries| {
        let s = entries
            .iter_mut()
            .find(|(n, _)| n == "summary.pdf")
            .expect("summary");
        s.1.extend_from_slice(b"% appended");
    });
    // A longer file is refused by its size, before it is read.
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::WrongSize { path, size: 39, expected: 29 } if path == "summary.pdf"),
        "{err}"
    );
}

#[test]
fn missing_file_is_named() {
    let pack = make_pack();
    let gone = "evidence/Screenshot 2025-03-14 at 19.02.png";
    let bad = tamper(&pack, |entries| entries.retain(|(n, _)| n != gone));
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::Missing { path } if path == gone),
        "{err}"
    );
    assert_eq!(err.to_string(), format!("{gone} is missing from the pack."));
}

#[test]
fn missing_signature_is_named() {
    let pack = make_pack();
    let bad = tamper(&pack, |entries| {
        entries.retain(|(n, _)| n != "manifest.sig")
    });
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::Missing { path } if path == "manifest.sig"),
        "{err}"
    );
}

#[test]
fn extra_file_is_named() {
    let pack = make_pack();
    let bad = tamper(&pack, |entries| {
        entries.push((
            "evidence/planted.jpg".to_string(),
            b"not from the centre".to_vec(),
        ))
    });
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::Extra { path } if path == "evidence/planted.jpg"),
        "{err}"
    );
}

#[test]
fn bad_signature_is_caught() {
    let pack = make_pack();
    // A signature from a different key.
    let other = PackSigner::generate();
    let bad = tamper(&pack, |entries| {
        let manifest = entries
            .iter()
            .find(|(n, _)| n == "manifest.json")
            .expect("manifest")
            .1
            .clone();
        let sig = entries
            .iter_mut()
            .find(|(n, _)| n == "manifest.sig")
            .expect("sig");
        sig.1 = format!("{}\n", hex::encode(other.sign(&manifest))).into_bytes();
    });
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
    assert!(err
        .to_string()
        .starts_with("manifest.sig does not match manifest.json"));
}

#[test]
fn edited_manifest_breaks_the_signature() {
    let pack = make_pack();
    let bad = tamper(&pack, |entries| {
        let m = entries
            .iter_mut()
            .find(|(n, _)| n == "manifest.json")
            .expect("manifest");
        let text = String::from_utf8(m.1.clone()).expect("utf8");
        m.1 = text.replace("Jo Example", "Someone Else").into_bytes();
    });
    assert!(matches!(verify_pack(&bad), Err(VerifyError::BadSignature)));
}

#[test]
fn rewritten_sums_file_is_named() {
    let pack = make_pack();
    let bad = tamper(&pack, |entries| {
        let s = entries
            .iter_mut()
            .find(|(n, _)| n == "SHA256SUMS")
            .expect("sums");
        let text = String::from_utf8(s.1.clone()).expect("utf8");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let line = lines
            .iter_mut()
            .find(|l| l.ends_with("  evidence/empty.txt"))
            .expect("line");
        line.replace_range(0..1, if line.starts_with('0') { "1" } else { "0" });
        s.1 = (lines.join("\n") + "\n").into_bytes();
    });
    let err = verify_pack(&bad).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::SumsMismatch { path } if path == "evidence/empty.txt"),
        "{err}"
    );
}

#[test]
fn entry_escaping_its_folder_is_rejected() {
    let pack = make_pack();
    // The ZIP writer may refuse such a name, so write a placeholder of the
    // same length and patch the bytes of the name by hand.
    let placeholder = "zz/escape.txt";
    let evil = "../escape.txt";
    assert_eq!(placeholder.len(), evil.len());
    let bad = tamper(&pack, |entries| {
        entries.push((placeholder.to_string(), b"overwrite something".to_vec()))
    });
    let mut raw = fs::read(&bad).expect("read");
    let mut patched = 0;
    let mut i = 0;
    while i + placeholder.len() <= raw.len() {
        if &raw[i..i + placeholder.len()] == placeholder.as_bytes() {
            raw[i..i + evil.len()].copy_from_slice(evil.as_bytes());
            patched += 1;
        }
        i += 1;
    }
    assert_eq!(patched, 2, "local header and central directory");
    fs::write(&bad, raw).expect("write");

    // The ZIP library really does see the malicious name.
    let zip = ZipArchive::new(fs::File::open(&bad).expect("open")).expect("zip");
    assert!(zip.file_names_raw().any(|n| n == evil.as_bytes()));

    let err = verify_pack(&bad).expect_err("must fail");
    assert!(
        matches!(&err, VerifyError::UnsafePath { path } if path == evil),
        "{err}"
    );
    assert!(err.to_string().contains("../escape.txt"));
}

#[test]
fn unsafe_entry_paths_are_recognised() {
    for bad in [
        "../escape.txt",
        "evidence/../../escape.txt",
        "/etc/passwd",
        "evidence\\..\\x.txt",
        "C:/Windows/x.txt",
        "evidence//x.txt",
        "./x.txt",
        "evidence/x\n.txt",
        "",
    ] {
        assert!(!is_safe_entry_path(bad), "{bad:?}");
    }
    for good in ["evidence/chat.txt", "summary.pdf", "evidence/a..b.txt"] {
        assert!(is_safe_entry_path(good), "{good:?}");
    }
}

#[test]
fn unsafe_or_duplicate_names_are_refused_when_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("pack.zip");
    let signer = PackSigner::generate();
    let result = write_pack(
        &dest,
        vec![("../x.txt".to_string(), Cursor::new(vec![1u8]))],
        b"",
        meta(),
        &signer,
    );
    assert!(matches!(
        result,
        Err(harbour_evidence::PackError::UnsafeName { .. })
    ));
    let result = write_pack(
        &dest,
        vec![
            ("a.txt".to_string(), Cursor::new(vec![1u8])),
            ("A.TXT".to_string(), Cursor::new(vec![2u8])),
        ],
        b"",
        meta(),
        &signer,
    );
    assert!(matches!(
        result,
        Err(harbour_evidence::PackError::DuplicateName { .. })
    ));
    // Neither attempt left anything behind.
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn failing_evidence_source_leaves_no_pack() {
    struct Broken(usize);
    impl Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("device removed (simulated)"));
            }
            let n = buf.len().min(self.0);
            buf[..n].fill(7);
            self.0 -= n;
            Ok(n)
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("pack.zip");
    let result = write_pack(
        &dest,
        vec![("video.mp4".to_string(), Broken(500_000))],
        b"",
        meta(),
        &PackSigner::generate(),
    );
    let err = result.expect_err("must fail");
    assert!(err.to_string().contains("video.mp4"), "{err}");
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn encrypted_evidence_can_be_decrypted_straight_into_a_pack() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("pack.zip");
    let plain = random_bytes(200_000, 23);
    let sealed = common::encrypt(&plain);
    let signer = PackSigner::generate();
    let mut builder = harbour_evidence::PackBuilder::create(&dest, meta()).expect("create");
    let summary = builder
        .add_evidence_with("video.mp4", |w| {
            harbour_evidence::decrypt_stream(
                &common::master(),
                common::ITEM_ID,
                sealed.as_slice(),
                w,
            )
        })
        .expect("add");
    builder.finish(b"%PDF", &signer).expect("finish");
    let report = verify_pack(&dest).expect("verifies");
    assert_eq!(report.files[0].sha256, summary.sha256);

    // A tampered source aborts the whole pack.
    let mut broken = sealed.clone();
    broken[100_000] ^= 1;
    let dest2 = dir.path().join("pack2.zip");
    let mut builder = harbour_evidence::PackBuilder::create(&dest2, meta()).expect("create");
    let result = builder.add_evidence_with("video.mp4", |w| {
        harbour_evidence::decrypt_stream(&common::master(), common::ITEM_ID, broken.as_slice(), w)
    });
    assert!(result.is_err());
    drop(builder);
    assert!(!dest2.exists());
    assert!(!dir.path().join("pack2.zip.partial").exists());
}

#[test]
fn evidence_is_checked_against_its_recorded_hash_as_it_goes_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = random_bytes(150_000, 29);
    let sealed = common::encrypt(&plain);
    let recorded = {
        let mut sink = std::io::sink();
        harbour_evidence::decrypt_stream(
            &common::master(),
            common::ITEM_ID,
            sealed.as_slice(),
            &mut sink,
        )
        .expect("decrypt")
        .sha256
    };
    let signer = PackSigner::generate();

    // The recorded hash: the pack is made, and its manifest has that hash.
    let dest = dir.path().join("pack.zip");
    let mut builder = harbour_evidence::PackBuilder::create(&dest, meta()).expect("create");
    let size = builder
        .add_evidence_expecting("chat.txt", &recorded, |w| {
            harbour_evidence::decrypt_stream_unhashed(
                &common::master(),
                common::ITEM_ID,
                sealed.as_slice(),
                w,
            )
        })
        .expect("add");
    assert_eq!(size, plain.len() as u64);
    builder.finish(b"%PDF", &signer).expect("finish");
    let report = verify_pack(&dest).expect("verifies");
    assert_eq!(report.files[0].sha256, recorded);

    // Any other hash: the item is named and nothing is left behind.
    let dest2 = dir.path().join("pack2.zip");
    let mut builder = harbour_evidence::PackBuilder::create(&dest2, meta()).expect("create");
    let err = builder
        .add_evidence_expecting("chat.txt", &"0".repeat(64), |w| {
            harbour_evidence::decrypt_stream_unhashed(
                &common::master(),
                common::ITEM_ID,
                sealed.as_slice(),
                w,
            )
        })
        .expect_err("a different hash must fail");
    assert!(
        matches!(err, harbour_evidence::PackError::Changed { ref name } if name == "chat.txt"),
        "{err}"
    );
    drop(builder);
    assert!(!dest2.exists());
    assert!(!dir.path().join("pack2.zip.partial").exists());
}

#[test]
fn entries_are_dated_when_the_pack_was_made() {
    let pack = make_pack();
    let mut zip = ZipArchive::new(fs::File::open(&pack.path).expect("open")).expect("zip");
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).expect("entry");
        let t = entry.last_modified().expect("timestamp");
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2025, 3, 14, 19, 30, 0)
        );
    }
}
