//! Sending a learner's child-protection file to a setting that does not use Harbour: the
//! encrypted pack decrypts (age crate) to a pack `sha256sum -c` checks, whose summary covers
//! every incident the learner appears in and no other learner's; the receipt form names the
//! file and its SHA-256; the log records the sending and the receipt; the awaiting list
//! counts school days; a missing learner or a full disk is one sentence and changes nothing.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use common::{
    age_decrypt, contains, open_incident, small_disk, unzip_and_check, Folder, PASSPHRASE,
};
use serde_json::Value;

const PACK_PASSPHRASE: &str = "lantern orchard quietly 42";
const DISK_FULL: &str = "The disk is full, so nothing was saved; free some space and try again.";

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn passphrase_file(f: &Folder) -> PathBuf {
    let p = f.tmp.path().join("pack-passphrase");
    std::fs::write(&p, format!("{PACK_PASSPHRASE}\n")).expect("write passphrase file");
    p
}

struct Case {
    alex: String,
    alex_refs: Vec<String>,
    other_ref: String,
}

/// Alex appears in two incidents (one with Jordan as a witness); Jordan alone in a third.
fn two_learners(f: &Folder) -> Case {
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let jordan = f.add_learner("Jordan Sample", "2008-02-03");
    let first = open_incident(
        f,
        "malicious-posts",
        &[(&alex, "subject"), (&jordan, "witness")],
    );
    let second = open_incident(f, "cyberbullying", &[(&alex, "alleged")]);
    let other = open_incident(f, "cyberbullying", &[(&jordan, "subject")]);
    f.ok(&[
        "incident",
        "decide",
        &second,
        "--decision",
        "No referral to social care",
        "--reason",
        "Resolved with restorative meeting",
        "--not-to-refer",
    ]);
    let chat = f.tmp.path().join("chat log.txt");
    std::fs::write(&chat, b"Messages about Alex, 20/11/2026 15:30").expect("write");
    f.ok(&[
        "evidence",
        "add",
        &first,
        &chat.to_string_lossy(),
        "--description",
        "Chat log",
    ]);
    let photo = f.tmp.path().join("other.txt");
    std::fs::write(&photo, b"Only about Jordan").expect("write");
    f.ok(&[
        "evidence",
        "add",
        &other,
        &photo.to_string_lossy(),
        "--description",
        "Jordan's chat",
    ]);
    Case {
        alex,
        alex_refs: vec![first, second],
        other_ref: other,
    }
}

fn send(f: &Folder, learner: &str, out: &Path) -> Value {
    let pf = passphrase_file(f);
    f.json(&[
        "transfer",
        "export",
        learner,
        "--to",
        "Riverside College",
        "--out",
        &out.to_string_lossy(),
        "--pack-passphrase-file",
        &pf.to_string_lossy(),
    ])
}

#[test]
fn a_learners_file_is_sent_encrypted_and_checks_out() {
    let f = Folder::new();
    let case = two_learners(&f);
    let out = f.tmp.path().join("outbox");
    std::fs::create_dir(&out).expect("outbox");
    let sent = send(&f, &case.alex, &out);

    let pack = PathBuf::from(sent["pack"].as_str().expect("pack"));
    let receipt = PathBuf::from(sent["receipt"].as_str().expect("receipt"));
    assert!(pack.to_string_lossy().ends_with(".zip.age"));
    assert!(receipt.exists());
    assert_eq!(sent["evidence_files"], 1);
    assert_eq!(sent["incidents"].as_array().map(Vec::len), Some(2));
    let in_outbox: Vec<String> = std::fs::read_dir(&out)
        .expect("outbox")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        in_outbox.len(),
        2,
        "only the pack and the receipt: {in_outbox:?}"
    );

    // The SHA-256 logged and printed is the file's own.
    let sum = Command::new("sha256sum")
        .arg(&pack)
        .output()
        .expect("sha256sum");
    let sum = String::from_utf8_lossy(&sum.stdout);
    let pack_sha = sent["pack_sha256"].as_str().expect("hash");
    assert!(sum.starts_with(pack_sha), "{sum} vs {pack_sha}");
    // Nothing readable in the encrypted file.
    let bytes = std::fs::read(&pack).expect("read");
    for needle in [
        b"Alex Example".as_slice(),
        case.alex_refs[0].as_bytes(),
        b"Messages about Alex",
        b"summary.pdf",
    ] {
        assert!(!contains(&bytes, needle));
    }

    // Decrypted with the age crate, it is a pack that sha256sum -c checks.
    let zip = f.tmp.path().join("received.zip");
    std::fs::write(&zip, age_decrypt(&pack, PACK_PASSPHRASE)).expect("write zip");
    let dir = f.tmp.path().join("received");
    unzip_and_check(&zip, &dir);
    for name in ["manifest.json", "manifest.sig", "README.txt", "summary.pdf"] {
        assert!(dir.join(name).exists(), "{name} missing");
    }
    let evidence: Vec<PathBuf> = std::fs::read_dir(dir.join("evidence"))
        .expect("evidence folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(
        evidence.len(),
        1,
        "only Alex's incidents' evidence: {evidence:?}"
    );
    assert_eq!(
        std::fs::read(&evidence[0]).expect("evidence"),
        b"Messages about Alex, 20/11/2026 15:30"
    );
    let readme = std::fs::read_to_string(dir.join("README.txt")).expect("readme");
    assert!(readme.contains("Riverside College"), "{readme}");
    assert!(readme.contains("sent separately"), "{readme}");

    // The summary covers every incident Alex is in, and none of Jordan's alone; Jordan is
    // shown by role only.
    let text = pdf_text(&dir.join("summary.pdf"));
    for r in &case.alex_refs {
        assert!(text.contains(r.as_str()), "{r} missing from the summary");
    }
    assert!(
        !text.contains(&case.other_ref),
        "another learner's incident is in the file"
    );
    assert!(!text.contains("Jordan Sample"), "another learner is named");
    assert!(text.contains("Alex Example"));
    // Decisions with their reasons, including a decision not to refer.
    assert!(text
        .replace(['\n', ' '], "")
        .contains("Resolvedwithrestorativemeeting"));

    // Harbour checks the encrypted pack with the passphrase.
    let pf = passphrase_file(&f);
    let checked = f.json(&[
        "pack",
        "verify",
        &pack.to_string_lossy(),
        "--pack-passphrase-file",
        &pf.to_string_lossy(),
    ]);
    assert_eq!(checked["files"], 3, "{checked}");

    // The receipt form names the learner, both sides, the date, the file and its hash.
    let r = pdf_text(&receipt).replace('\n', " ");
    let pack_name = pack
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    for needle in [
        "Alex Example",
        "Northbridge Training",
        "Riverside College",
        pack_name.as_str(),
        "Signature",
        "Role",
        "Date received",
    ] {
        assert!(r.contains(needle), "{needle} missing from the receipt: {r}");
    }
    assert!(
        r.replace(' ', "").contains(pack_sha),
        "the pack's SHA-256 is on the receipt"
    );

    // Logged: the evidence's custody, and the log still checks (rebuild included).
    let list = f.json(&["evidence", "list", &case.alex_refs[0]]);
    assert!(list["items"][0]["custody"]
        .as_array()
        .expect("custody")
        .iter()
        .any(|c| c["action"] == "exported"));
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
}

#[test]
fn the_receipt_takes_a_transfer_off_the_awaiting_list() {
    let f = Folder::new();
    let case = two_learners(&f);
    let out = f.tmp.path().join("outbox");
    std::fs::create_dir(&out).expect("outbox");
    let sent = send(&f, &case.alex, &out);

    let awaiting = f.json(&["transfer", "list", "--awaiting"]);
    let rows = awaiting.as_array().expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["learner_name"], "Alex Example");
    assert_eq!(rows[0]["to_setting"], "Riverside College");
    assert_eq!(rows[0]["school_days"], 0);
    assert_eq!(rows[0]["overdue"], false);
    assert_eq!(rows[0]["pack_sha256"], sent["pack_sha256"]);

    // A date before sending is refused; the learner's id finds the one awaiting transfer.
    let err = f.fails(&["transfer", "receipt", &case.alex, "--date", "2001-01-01"]);
    assert!(err.contains("before the file was sent"), "{err}");
    let today = sent["sent_on"].as_str().expect("date").to_string();
    f.ok(&[
        "transfer",
        "receipt",
        &case.alex,
        "--date",
        &today,
        "--signed-by",
        "Casey Example",
    ]);
    assert_eq!(
        f.json(&["transfer", "list", "--awaiting"]),
        Value::Array(vec![])
    );
    let all = f.json(&["transfer", "list"]);
    assert_eq!(all[0]["received_on"], today.as_str());
    assert_eq!(all[0]["receipt_signed_by"], "Casey Example");
    // Nothing left awaiting for Alex.
    let err = f.fails(&["transfer", "receipt", &case.alex, "--date", &today]);
    assert!(err.contains("No transfer"), "{err}");
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
}

/// School days by walking the calendar, independently of Harbour's counting.
fn weekdays_after(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

#[test]
fn the_dashboard_counts_school_days_over_a_weekend() {
    let f = Folder::new();
    let case = two_learners(&f);
    let out = f.tmp.path().join("outbox");
    std::fs::create_dir(&out).expect("outbox");
    let sent = send(&f, &case.alex, &out);
    let sent_on = NaiveDate::parse_from_str(sent["sent_on"].as_str().expect("date"), "%Y-%m-%d")
        .expect("date");

    let h = harbour::Harbour::open(
        &f.dir(),
        harbour::Unlock::Passphrase(&harbour::keys::Passphrase::new(PASSPHRASE.into())),
    )
    .expect("open");
    let viewer = h.log().device().author;
    // Every day of the fortnight after sending, over two weekends.
    for days in 0..15 {
        let on = sent_on + Duration::days(days);
        let d = harbour::read::dashboard::dashboard(h.log().conn(), viewer, on).expect("dashboard");
        assert_eq!(d.transfers_awaiting.len(), 1);
        let t = &d.transfers_awaiting[0];
        let expected = weekdays_after(sent_on, on);
        assert_eq!(t.school_days, expected, "{days} days after sending");
        assert!(expected <= days as u32 && (days < 7 || expected < days as u32));
        assert_eq!(t.overdue, expected > 5, "{days} days after sending");
        assert_eq!(weekdays_after(sent_on, t.expected_by), 5);
    }
}

#[test]
fn a_missing_learner_is_one_sentence() {
    let f = Folder::new();
    two_learners(&f);
    let out = f.tmp.path().join("outbox");
    std::fs::create_dir(&out).expect("outbox");
    let pf = passphrase_file(&f);
    let err = f.fails(&[
        "transfer",
        "export",
        "0123456789abcdef",
        "--to",
        "Riverside College",
        "--out",
        &out.to_string_lossy(),
        "--pack-passphrase-file",
        &pf.to_string_lossy(),
    ]);
    assert_eq!(err, "No learner matches \"0123456789abcdef\".");
    assert_eq!(std::fs::read_dir(&out).expect("outbox").count(), 0);

    // A learner in no incident has no file to send.
    let sam = f.add_learner("Sam Sample", "2009-01-01");
    let err = f.fails(&[
        "transfer",
        "export",
        &sam,
        "--to",
        "Riverside College",
        "--out",
        &out.to_string_lossy(),
        "--pack-passphrase-file",
        &pf.to_string_lossy(),
    ]);
    assert!(err.contains("appears in no incidents"), "{err}");
    assert_eq!(std::fs::read_dir(&out).expect("outbox").count(), 0);
}

#[test]
fn a_full_disk_leaves_nothing_behind_and_logs_nothing() {
    let f = Folder::new();
    let case = two_learners(&f);
    // A 6 MiB recording that does not compress.
    let mut state: u32 = 0x1234_5678;
    let bytes: Vec<u8> = (0..6 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let recording = f.tmp.path().join("recording.bin");
    std::fs::write(&recording, bytes).expect("write");
    f.ok(&[
        "evidence",
        "add",
        &case.alex_refs[1],
        &recording.to_string_lossy(),
        "--description",
        "Screen recording",
    ]);
    let before = f.json(&["verify"])["events"].clone();

    let stick = tempfile::tempdir().expect("temporary folder");
    let Some(_unmount) = small_disk(stick.path()) else {
        return;
    };
    let pf = passphrase_file(&f);
    let err = f.fails(&[
        "transfer",
        "export",
        &case.alex,
        "--to",
        "Riverside College",
        "--out",
        &stick.path().to_string_lossy(),
        "--pack-passphrase-file",
        &pf.to_string_lossy(),
    ]);
    assert_eq!(err, DISK_FULL);
    let left: Vec<String> = std::fs::read_dir(stick.path())
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left on the stick: {left:?}");
    assert_eq!(f.json(&["verify"])["events"], before);
    assert_eq!(f.json(&["transfer", "list"]), Value::Array(vec![]));
}

/// An allegation about a member of staff reaches that person's device only withheld, so a
/// transfer made there leaves it out; the same transfer made by the coordinator who
/// recorded it includes it.
#[test]
fn an_allegation_is_never_sent_by_the_person_it_concerns() {
    use harbour::keys::Passphrase;
    use harbour::ops::transfers;

    let (mut a, mut b, jamie, allegation) =
        crate::sync_support::allegation_about_the_second_device();

    let passphrase = Passphrase::new(PACK_PASSPHRASE.into());
    let out_b = b.tmp.path().join("out");
    std::fs::create_dir(&out_b).expect("out");
    let sent_b = transfers::send(b.h(), jamie, "Riverside College", &out_b, &passphrase)
        .expect("send from b");
    assert_eq!(sent_b.incidents.len(), 1, "{:?}", sent_b.incidents);
    assert!(!sent_b.incidents.contains(&allegation.reference));
    let plain = age_decrypt(&sent_b.pack, PACK_PASSPHRASE);
    assert!(!contains(&plain, b"Quokka"));
    assert!(!contains(&plain, allegation.reference.as_bytes()));

    let out_a = a.tmp.path().join("out");
    std::fs::create_dir(&out_a).expect("out");
    let sent_a = transfers::send(a.h(), jamie, "Riverside College", &out_a, &passphrase)
        .expect("send from a");
    assert_eq!(sent_a.incidents.len(), 2, "{:?}", sent_a.incidents);
    assert!(sent_a.incidents.contains(&allegation.reference));
}
