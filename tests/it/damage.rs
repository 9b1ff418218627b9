//! Damage on disk, not through SQLCipher: a flipped byte in a page of `harbour.db`, a
//! database emptied to nothing, evidence files deleted, changed, cut short or swapped.
//! `harbour verify` names each in plain words with what to do, `evidence list` does not
//! call a missing file "held", and opening a damaged database refuses and leaves it as it
//! is — all with the real `harbour` binary.

use std::path::PathBuf;

use crate::common;

use common::{open_incident, snapshot_all, Folder};
use harbour::store::db::PAGE_SIZE;

/// A folder with an incident, a note and two evidence files; returns the reference and the
/// two items' ids.
fn folder_with_evidence() -> (Folder, String, [String; 2]) {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    f.ok(&[
        "incident",
        "note",
        &reference,
        "Spoke to Alex with their tutor",
    ]);
    let mut ids = Vec::new();
    for (name, description, bytes) in [
        (
            "chat.txt",
            "Transcript of the group chat",
            vec![b'c'; 70_000],
        ),
        (
            "post.txt",
            "Copy of the post",
            b"the post, as text".to_vec(),
        ),
    ] {
        let path = f.tmp.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let v = f.json(&[
            "evidence",
            "add",
            &reference,
            &path.to_string_lossy(),
            "--description",
            description,
        ]);
        ids.push(v["item_id"].as_str().expect("item id").to_string());
    }
    let ids: [String; 2] = ids.try_into().expect("two items");
    (f, reference, ids)
}

fn stored(f: &Folder, item: &str) -> PathBuf {
    f.dir().join("evidence").join(format!("{item}.hbev"))
}

fn flip_byte(path: &std::path::Path, at: u64) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[at as usize] ^= 0x5a;
    std::fs::write(path, bytes).expect("write");
}

#[test]
fn an_intact_folder_verifies_with_every_evidence_file_checked() {
    let (f, _, _) = folder_with_evidence();
    let text = f.ok(&["verify"]);
    assert!(text.starts_with("The case log is intact"), "{text}");
    assert!(
        text.contains("all 2 evidence files are undamaged"),
        "{text}"
    );
    let v = f.json(&["verify"]);
    assert_eq!(v["intact"], true);
    assert_eq!(v["evidence_checked"], 2);
    assert!(v["events"].as_u64().expect("events") > 0);
}

#[test]
fn a_database_damaged_throughout_is_named_plainly_by_every_command_and_left_as_it_is() {
    let (f, reference, _) = folder_with_evidence();
    let db = f.dir().join("harbour.db");
    let len = std::fs::metadata(&db).expect("db").len();
    let pages = len / PAGE_SIZE as u64;
    assert!(pages > 3, "a database of {pages} pages");
    // A byte in the middle of every page but the first.
    let mut bytes = std::fs::read(&db).expect("read");
    for page in 1..pages {
        bytes[(page * PAGE_SIZE as u64 + 1000) as usize] ^= 0x01;
    }
    std::fs::write(&db, &bytes).expect("write");
    let before = snapshot_all(&f.dir());
    for args in [
        &["verify"][..],
        &["incident", "show", &reference],
        &["incident", "list"],
    ] {
        let err = f.fails(args);
        assert!(err.contains("damaged"), "{args:?}: {err}");
        assert!(
            err.contains("restore the data folder from a backup"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("malformed") && !err.contains("intact"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        snapshot_all(&f.dir()),
        before,
        "the damaged folder was changed"
    );
}

#[test]
fn one_flipped_byte_in_one_page_is_found_though_no_command_reads_that_page() {
    let (f, _, _) = folder_with_evidence();
    let db = f.dir().join("harbour.db");
    let pages = std::fs::metadata(&db).expect("db").len() / PAGE_SIZE as u64;
    let page = pages - 1; // zero-based: the file's last page, number `pages`
    flip_byte(&db, page * PAGE_SIZE as u64 + 4321);
    let err = f.fails(&["verify"]);
    assert!(
        err.contains(&format!(
            "page {pages} of the file has been changed or damaged"
        )),
        "{err}"
    );
    let v = f.run(&["--json", "verify"]);
    let report: serde_json::Value = serde_json::from_slice(&v.stdout).expect("JSON report");
    assert_eq!(report["intact"], false);
    assert_eq!(report["findings"][0]["area"], "database");
}

#[test]
fn a_database_emptied_to_nothing_is_refused_not_replaced_by_an_empty_one() {
    let (f, _, _) = folder_with_evidence();
    let db = f.dir().join("harbour.db");
    std::fs::write(&db, b"").expect("truncate");
    let before = snapshot_all(&f.dir());
    for args in [&["incident", "list"][..], &["verify"], &["learner", "list"]] {
        let err = f.fails(args);
        assert_eq!(
            err,
            "The Harbour database is damaged (its file is empty), so Harbour changed nothing: \
             restore the data folder from a backup, or from a centre you sync with."
        );
    }
    assert_eq!(snapshot_all(&f.dir()), before);
    assert_eq!(std::fs::metadata(&db).expect("db").len(), 0);
}

#[test]
fn a_database_whose_first_page_is_damaged_is_refused_and_left_as_it_is() {
    let (f, _, _) = folder_with_evidence();
    let db = f.dir().join("harbour.db");
    flip_byte(&db, 200);
    let before = snapshot_all(&f.dir());
    let err = f.fails(&["incident", "list"]);
    assert!(err.starts_with("The Harbour database is damaged"), "{err}");
    assert!(err.contains("backup"), "{err}");
    assert_eq!(snapshot_all(&f.dir()), before);
}

#[test]
fn a_deleted_evidence_file_is_named_by_verify_and_listed_as_missing() {
    let (f, reference, [chat, post]) = folder_with_evidence();
    std::fs::remove_file(stored(&f, &post)).expect("delete");
    let err = f.fails(&["verify"]);
    assert_eq!(
        err,
        format!(
            "Evidence item 2 of {reference} (\u{201c}Copy of the post\u{201d}, id {post}) is missing \
             from the evidence store; restore the data folder from a backup (a centre you sync \
             with that holds this incident also has a copy)."
        )
    );
    let list = f.ok(&["evidence", "list", &reference]);
    let line = |id: &str| {
        list.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line(&post).contains("MISSING"), "{list}");
    assert!(!line(&post).contains("held"), "{list}");
    assert!(line(&chat).contains(", held)"), "{list}");
    let v = f.json(&["evidence", "list", &reference]);
    let statuses: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["held", "missing"]);
}

#[test]
fn a_changed_byte_in_an_evidence_file_is_named_by_verify() {
    let (f, reference, [chat, _]) = folder_with_evidence();
    flip_byte(&stored(&f, &chat), 5000);
    let err = f.fails(&["verify"]);
    assert!(
        err.starts_with(&format!(
            "Evidence item 1 of {reference} (\u{201c}Transcript of the group chat\u{201d}, id {chat}) is damaged: its stored file fails its integrity check; restore"
        )),
        "{err}"
    );
}

#[test]
fn an_evidence_file_cut_short_is_listed_as_damaged_and_named_by_verify() {
    let (f, reference, [chat, _]) = folder_with_evidence();
    let path = stored(&f, &chat);
    // Cut cleanly after the first of its two chunks (header, 64 KiB and a 16-byte tag).
    let first_chunk = 44 + 65_536 + 16;
    assert!(std::fs::metadata(&path).expect("stored").len() > first_chunk);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open")
        .set_len(first_chunk)
        .expect("cut short");
    let err = f.fails(&["verify"]);
    assert!(
        err.contains("is damaged: its stored file has been cut short"),
        "{err}"
    );
    let list = f.ok(&["evidence", "list", &reference]);
    assert!(list.contains("DAMAGED in the evidence store"), "{list}");
}

#[test]
fn an_evidence_file_swapped_for_another_items_is_named_and_both_problems_are_listed() {
    let (f, reference, [chat, post]) = folder_with_evidence();
    std::fs::copy(stored(&f, &chat), stored(&f, &post)).expect("swap");
    std::fs::remove_file(stored(&f, &chat)).expect("delete");
    let err = f.fails(&["verify"]);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains(&chat) && lines[0].contains("is missing"),
        "{err}"
    );
    assert!(
        lines[1].contains(&post)
            && lines[1].contains("is not the one Harbour encrypted for it")
            && lines[1].contains(&reference),
        "{err}"
    );
}
