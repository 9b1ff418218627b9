//! The evidence store end to end: capture, open, hand over, return; imagery refused by its
//! content on nudes and up-skirting incidents; nothing plain at rest; plain errors that
//! change nothing.

use crate::common;

use common::{contains, open_incident, snapshot_all, Folder};
use serde_json::Value;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1,
];
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
const MP4: &[u8] = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41";

fn write(f: &Folder, name: &str, bytes: &[u8]) -> String {
    let p = f.tmp.path().join(name);
    std::fs::write(&p, bytes).expect("write file");
    p.to_string_lossy().into_owned()
}

fn log_count(f: &Folder) -> usize {
    let v: Value = f.json(&["verify"]);
    v["events"].as_u64().expect("events") as usize
}

#[test]
fn evidence_is_captured_encrypted_opened_and_handed_over() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let secret = "Distinctive words: periwinkle lighthouse 4471";
    let chat = write(&f, "chat.txt", secret.as_bytes());
    let added = f.json(&[
        "evidence",
        "add",
        &reference,
        &chat,
        "--description",
        "Transcript of the group chat",
        "--shows",
        "Messages sent to Alex",
        "--source",
        "https://example.invalid/group/123",
        "--username",
        "example_user",
        "--platform",
        "Instagram",
    ]);
    let item = added["item_id"].as_str().expect("item id").to_string();
    let sha = added["sha256"].as_str().expect("sha").to_string();
    assert_eq!(sha.len(), 64);
    let stored = f.dir().join("evidence").join(format!("{item}.hbev"));
    assert!(stored.exists());

    // Nothing in the data folder, evidence included, holds the plaintext.
    for (name, bytes) in snapshot_all(&f.dir()) {
        assert!(
            !contains(&bytes, b"periwinkle lighthouse"),
            "{name} holds the plaintext"
        );
    }

    // Opened: the same bytes, and the opening is logged.
    let out = f.tmp.path().join("opened.txt");
    f.ok(&[
        "evidence",
        "open",
        &item,
        "--out",
        &out.to_string_lossy(),
        "--reason",
        "Review",
    ]);
    assert_eq!(std::fs::read_to_string(&out).expect("opened"), secret);
    let err = f.fails(&["evidence", "open", &item, "--out", &out.to_string_lossy()]);
    assert!(err.contains("already exists"), "{err}");

    f.ok(&[
        "evidence",
        "handover",
        &item,
        "--to",
        "PC Jordan Sample",
        "--agency",
        "Greater Example Police",
        "--reference",
        "CRIME-2026-001",
    ]);
    let err = f.fails(&[
        "evidence",
        "handover",
        &item,
        "--to",
        "PC Jordan Sample",
        "--agency",
        "Greater Example Police",
        "--reference",
        "CRIME-2026-001",
    ]);
    assert!(err.contains("already handed over"), "{err}");
    f.ok(&["evidence", "returned", &item]);

    let list: Value = f.json(&["evidence", "list", &reference]);
    let it = &list["items"][0];
    assert_eq!(it["sha256"], sha.as_str());
    assert_eq!(it["file_name"], "chat.txt");
    assert_eq!(it["captured_by"], "Sam Example");
    assert_eq!(it["status"], "held");
    let actions: Vec<&str> = it["custody"]
        .as_array()
        .expect("custody")
        .iter()
        .map(|c| c["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["captured", "opened", "handed_over", "returned"]);
    let detail = it["custody"][2]["detail"].as_str().expect("detail");
    assert!(detail.contains("PC Jordan Sample") && detail.contains("CRIME-2026-001"));
    f.ok(&["verify"]);
}

#[test]
fn a_changed_stored_file_is_not_opened() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let chat = write(&f, "chat.txt", &vec![b'x'; 100_000]);
    let added = f.json(&[
        "evidence",
        "add",
        &reference,
        &chat,
        "--description",
        "Chat",
    ]);
    let item = added["item_id"].as_str().expect("item").to_string();
    let stored = f.dir().join("evidence").join(format!("{item}.hbev"));
    let mut bytes = std::fs::read(&stored).expect("stored");
    let n = bytes.len();
    bytes[n - 100] ^= 1;
    std::fs::write(&stored, bytes).expect("tamper");
    let out = f.tmp.path().join("opened.txt");
    let err = f.fails(&["evidence", "open", &item, "--out", &out.to_string_lossy()]);
    assert!(
        err.contains(&item) && err.contains("no longer matches"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_missing_file_gives_one_sentence_and_changes_nothing() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let before = snapshot_all(&f.dir());
    let missing = f.tmp.path().join("not-there.txt");
    let err = f.fails(&[
        "evidence",
        "add",
        &reference,
        &missing.to_string_lossy(),
        "--description",
        "Chat",
    ]);
    assert_eq!(
        err,
        format!(
            "The file {} could not be read: it does not exist.",
            missing.display()
        )
    );
    let after = snapshot_all(&f.dir());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert!(
        !f.dir().join("evidence").exists() || snapshot_all(&f.dir().join("evidence")).is_empty()
    );
}

#[test]
fn imagery_is_refused_by_content_on_nudes_and_upskirting_incidents() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "nudes", &[(&alex, "subject")]);
    let events = log_count(&f);
    for (name, bytes) in [
        ("photo.jpg", JPEG),
        ("notes.txt", JPEG),
        ("picture.png", PNG),
        ("clip.mp4", MP4),
    ] {
        let path = write(&f, name, bytes);
        let err = f.fails(&[
            "evidence",
            "add",
            &reference,
            &path,
            "--description",
            "Item",
        ]);
        assert!(
            err.contains("view, copy, print, share, store, save or delete")
                && err.contains("DSL")
                && err.contains("harbour evidence imagery"),
            "{name}: {err}"
        );
        assert!(snapshot_all(&f.dir().join("evidence")).is_empty(), "{name}");
        assert_eq!(log_count(&f), events, "{name} changed the log");
    }
    // A plain text file is accepted on the same incident.
    let text = write(&f, "transcript.txt", b"User names and times, no images");
    f.ok(&[
        "evidence",
        "add",
        &reference,
        &text,
        "--description",
        "Transcript",
    ]);

    f.ok(&[
        "evidence",
        "imagery",
        &reference,
        "--where",
        "On Alex's phone, in the group chat",
        "--held-by",
        "Sam Example (DSL), locked in the safe",
        "--device-owner",
        "Alex Example",
    ]);
    let list: Value = f.json(&["evidence", "list", &reference]);
    assert_eq!(
        list["imagery"][0]["held_by"],
        "Sam Example (DSL), locked in the safe"
    );

    let up = open_incident(&f, "upskirting", &[(&alex, "subject")]);
    let path = write(&f, "renamed.txt", JPEG);
    let err = f.fails(&["evidence", "add", &up, &path, "--description", "Item"]);
    assert!(err.contains("JPEG"), "{err}");
    f.ok(&["verify"]);
}

#[test]
fn an_unreadable_file_gives_one_sentence_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;

    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let events = log_count(&f);
    let before = snapshot_all(&f.dir());

    // A file that opens but fails when read (as a failing USB stick does): the process's
    // own memory file, whose first page is never mapped.
    let err = f.fails(&[
        "evidence",
        "add",
        &reference,
        "/proc/self/mem",
        "--description",
        "Chat",
    ]);
    assert_eq!(
        err,
        "The file /proc/self/mem could not be read: input/output error."
    );
    let same_files = |f: &Folder| {
        assert_eq!(
            snapshot_all(&f.dir()).keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>()
        );
        assert!(snapshot_all(&f.dir().join("evidence")).is_empty());
    };
    same_files(&f);
    assert_eq!(log_count(&f), events);

    // A file we may not read. Root reads anything, so as root Harbour is run as `nobody`
    // (with the data folder handed to it) for this one step.
    let locked = write(&f, "locked.txt", b"Not for reading");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let out = if root {
        let st = std::process::Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(f.tmp.path())
            .status()
            .expect("chown");
        assert!(st.success());
        std::fs::set_permissions(f.tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::process::Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_harbour"))
            .arg("--data-dir")
            .arg(f.dir())
            .args([
                "evidence",
                "add",
                &reference,
                &locked,
                "--description",
                "Chat",
            ])
            .env("HARBOUR_PASSPHRASE", common::PASSPHRASE)
            .env("HOME", f.tmp.path())
            .env_remove("HARBOUR_DATA_DIR")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run harbour as nobody (setpriv, from util-linux)")
    } else {
        f.run(&[
            "evidence",
            "add",
            &reference,
            &locked,
            "--description",
            "Chat",
        ])
    };
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!("The file {locked} could not be read: permission was refused.")
    );
    same_files(&f);
    assert_eq!(log_count(&f), events);
    f.ok(&["verify"]);
}
