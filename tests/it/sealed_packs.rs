//! Evidence packs encrypted with a passphrase (`pack export --encrypt`): the age format, so
//! the age crate (as the free `age` and `rage` tools) decrypts them to the same pack that
//! `sha256sum -c` checks; `pack verify` checks one given the passphrase; a wrong passphrase
//! is one sentence; the encrypted file shows nothing of what is inside.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{age_decrypt, contains, open_incident, unzip_and_check, Folder};

const PACK_PASSPHRASE: &str = "lantern orchard quietly 42";
const ACCOUNT: &str = "Zebracorn messages arrived after the quiz night";
const EVIDENCE: &[u8] = b"Transcript: the zebracorn account wrote at 21:04 on 20/11/2026";

fn passphrase_file(f: &Folder, text: &str) -> PathBuf {
    let p = f.tmp.path().join(format!("pack-passphrase-{}", text.len()));
    std::fs::write(&p, format!("{text}\n")).expect("write passphrase file");
    p
}

fn case_with_evidence(f: &Folder) -> String {
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(f, "malicious-posts", &[(&alex, "subject")]);
    f.ok(&["incident", "note", &reference, ACCOUNT]);
    let chat = f.tmp.path().join("chat.txt");
    std::fs::write(&chat, EVIDENCE).expect("write evidence");
    f.ok(&[
        "evidence",
        "add",
        &reference,
        &chat.to_string_lossy(),
        "--description",
        "Chat transcript",
    ]);
    reference
}

fn export_sealed(f: &Folder, reference: &str, passphrase: &Path) -> PathBuf {
    let out = f.tmp.path().join("pack.zip");
    let v = f.json(&[
        "pack",
        "export",
        reference,
        "--out",
        &out.to_string_lossy(),
        "--encrypt",
        "--pack-passphrase-file",
        &passphrase.to_string_lossy(),
    ]);
    let path = PathBuf::from(v["path"].as_str().expect("path"));
    assert!(
        path.to_string_lossy().ends_with("pack.zip.age"),
        "{}",
        path.display()
    );
    assert!(!out.exists(), "no unencrypted pack is written");
    path
}

#[test]
fn an_encrypted_pack_decrypts_to_a_pack_standard_tools_check() {
    let f = Folder::new();
    let reference = case_with_evidence(&f);
    let pf = passphrase_file(&f, PACK_PASSPHRASE);
    let sealed = export_sealed(&f, &reference, &pf);
    // Only the finished file is left: no temporary name beside it.
    let names: Vec<String> = std::fs::read_dir(f.tmp.path())
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pack"))
        .collect();
    assert_eq!(names.iter().filter(|n| n.contains(".partial")).count(), 0);

    // Decrypted by the age crate, as the age tool would: a ZIP that unzip and sha256sum
    // check, holding the evidence byte for byte.
    let zip = f.tmp.path().join("decrypted.zip");
    std::fs::write(&zip, age_decrypt(&sealed, PACK_PASSPHRASE)).expect("write zip");
    let dir = f.tmp.path().join("extracted");
    unzip_and_check(&zip, &dir);
    assert_eq!(
        std::fs::read(dir.join("evidence/chat.txt")).expect("evidence"),
        EVIDENCE
    );
    let text = Command::new("pdftotext")
        .arg(dir.join("summary.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).replace(['\n', ' '], "");
    assert!(text.contains(&ACCOUNT.replace(' ', "")), "{text}");
    assert!(text.contains(&reference), "{text}");

    // Harbour checks the encrypted pack itself, given the passphrase (no data folder).
    let out = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(f.tmp.path().join("no-data-folder"))
        .args(["pack", "verify"])
        .arg(&sealed)
        .arg("--pack-passphrase-file")
        .arg(&pf)
        .env_remove("HARBOUR_PASSPHRASE")
        .env_remove("HARBOUR_PACK_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run harbour");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("is intact"), "{said}");
    assert!(said.contains(&reference), "{said}");
    assert!(!f.tmp.path().join("no-data-folder").exists());

    // The export is in the chain of custody, as for a plain pack.
    let list = f.json(&["evidence", "list", &reference]);
    assert!(list["items"][0]["custody"]
        .as_array()
        .expect("custody")
        .iter()
        .any(|c| c["action"] == "exported"));
}

#[test]
fn a_wrong_passphrase_is_one_plain_sentence() {
    let f = Folder::new();
    let reference = case_with_evidence(&f);
    let sealed = export_sealed(&f, &reference, &passphrase_file(&f, PACK_PASSPHRASE));
    let wrong = passphrase_file(&f, "not the right passphrase at all");
    let err = f.fails(&[
        "pack",
        "verify",
        &sealed.to_string_lossy(),
        "--pack-passphrase-file",
        &wrong.to_string_lossy(),
    ]);
    assert_eq!(err, "That passphrase does not open this encrypted pack.");
    // Without any passphrase (no terminal to ask at), it says what it needs.
    let err = f.fails(&["pack", "verify", &sealed.to_string_lossy()]);
    assert!(err.starts_with("This pack is encrypted"), "{err}");
}

#[test]
fn the_encrypted_file_shows_nothing_of_the_pack() {
    let f = Folder::new();
    let reference = case_with_evidence(&f);
    let sealed = export_sealed(&f, &reference, &passphrase_file(&f, PACK_PASSPHRASE));
    let bytes = std::fs::read(&sealed).expect("read");
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    let plain = age_decrypt(&sealed, PACK_PASSPHRASE);
    for needle in [
        EVIDENCE,
        reference.as_bytes(),
        b"summary.pdf".as_slice(),
        b"EVIDENCE PACK - HOW TO CHECK IT".as_slice(),
        b"evidence/chat.txt".as_slice(),
    ] {
        assert!(contains(&plain, needle), "the pack itself holds {needle:?}");
        assert!(
            !contains(&bytes, needle),
            "the encrypted file shows {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

#[test]
fn a_short_pack_passphrase_is_refused_before_anything_is_written() {
    let f = Folder::new();
    let reference = case_with_evidence(&f);
    let short = passphrase_file(&f, "short");
    let out = f.tmp.path().join("pack.zip");
    let err = f.fails(&[
        "pack",
        "export",
        &reference,
        "--out",
        &out.to_string_lossy(),
        "--encrypt",
        "--pack-passphrase-file",
        &short.to_string_lossy(),
    ]);
    assert!(err.starts_with("The passphrase is too short"), "{err}");
    assert!(!f.tmp.path().join("pack.zip.age").exists());
}

/// A pack is encrypted with the reference `age` tool's work factor (N = 2^18), not one
/// measured on the exporting computer, so a slower or busier computer can still open it.
#[test]
fn an_encrypted_pack_uses_a_fixed_work_factor_that_any_computer_opens() {
    let f = Folder::new();
    let reference = case_with_evidence(&f);
    let pf = passphrase_file(&f, PACK_PASSPHRASE);
    let sealed = export_sealed(&f, &reference, &pf);
    let bytes = std::fs::read(&sealed).expect("read the encrypted pack");
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    let stanza = header
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .expect("a passphrase stanza");
    assert_eq!(stanza.rsplit(' ').next(), Some("18"), "{stanza}");
}
