//! A full disk: recording, capturing evidence and exporting a pack each fail with one plain
//! sentence; nothing half-written is left under the final name, and the records are as they
//! were.
//!
//! Needs a small filesystem of its own, so each test mounts a 5 MiB tmpfs (set-up briefly
//! needs more than 3 MiB since the sync tables were added, and more than 4 MiB since the
//! retention tables were). That needs root (as in CI);
//! elsewhere the test says why it did not run.

use crate::common;

use std::path::{Path, PathBuf};

use common::{open_incident, small_disk, snapshot_all, Folder};
use serde_json::Value;

const DISK_FULL: &str = "The disk is full, so nothing was saved; free some space and try again.";

/// A file of `len` bytes that do not compress, outside the small disk.
fn big_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let mut state: u32 = 0x1234_5678;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn events(f: &Folder) -> Value {
    f.json(&["verify"])["events"].clone()
}

#[test]
fn a_full_disk_is_reported_and_changes_nothing() {
    let f = Folder::new();
    let mount_point = f.tmp.path().to_path_buf();
    let Some(_unmount) = small_disk(&mount_point) else {
        return;
    };
    f.init();
    f.add_learner("Alex Example", "2009-04-17");
    let before = f.ok(&["learner", "list"]);

    // Fill the disk, leaving a few KiB.
    let filler = mount_point.join("filler");
    let mut size = 0u64;
    let chunk = vec![0u8; 16 * 1024];
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).expect("filler");
        while file.write_all(&chunk).and_then(|_| file.sync_all()).is_ok() {
            size += chunk.len() as u64;
        }
    }
    assert!(size > 0);

    // A CSV of many learners needs far more room than is left.
    let csv = std::env::temp_dir().join(format!("harbour-many-{}.csv", std::process::id()));
    let mut text = String::from("name,dob,centre\n");
    for i in 0..3000 {
        text.push_str(&format!("Learner Number {i} Example,2009-04-17,MAN\n"));
    }
    std::fs::write(&csv, text).expect("csv");
    let err = f.fails(&["learner", "import", csv.to_str().expect("path")]);
    let _ = std::fs::remove_file(&csv);
    assert_eq!(err, DISK_FULL);

    // Space again: everything is as it was, and the log checks out.
    std::fs::remove_file(&filler).expect("remove filler");
    assert_eq!(f.ok(&["learner", "list"]), before);
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
}

#[test]
fn a_full_disk_while_capturing_evidence_leaves_nothing_behind() {
    let f = Folder::new();
    let Some(_unmount) = small_disk(f.tmp.path()) else {
        return;
    };
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let before_events = events(&f);
    let before = snapshot_all(&f.dir().join("evidence"));

    // A 6 MiB recording cannot fit on a 5 MiB disk.
    let outside = tempfile::tempdir().expect("temporary folder");
    let recording = big_file(outside.path(), "recording.bin", 6 * 1024 * 1024);
    let err = f.fails(&[
        "evidence",
        "add",
        &reference,
        &recording.to_string_lossy(),
        "--description",
        "Screen recording",
    ]);
    assert_eq!(err, DISK_FULL);
    // No stored file, whole or partial, and no event.
    assert_eq!(snapshot_all(&f.dir().join("evidence")), before);
    assert_eq!(events(&f), before_events);
    let list: Value = f.json(&["evidence", "list", &reference]);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));

    // A file that fits is captured as usual.
    let small = big_file(outside.path(), "chat.txt", 10_000);
    f.ok(&[
        "evidence",
        "add",
        &reference,
        &small.to_string_lossy(),
        "--description",
        "Chat log",
    ]);
}

#[test]
fn a_full_disk_while_exporting_a_pack_leaves_nothing_behind() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let recording = big_file(f.tmp.path(), "recording.bin", 6 * 1024 * 1024);
    f.ok(&[
        "evidence",
        "add",
        &reference,
        &recording.to_string_lossy(),
        "--description",
        "Screen recording",
    ]);
    let before_events = events(&f);

    // The pack goes to a 5 MiB USB stick, say: the 6 MiB recording cannot fit.
    let stick = tempfile::tempdir().expect("temporary folder");
    let Some(_unmount) = small_disk(stick.path()) else {
        return;
    };
    let pack = stick.path().join("pack.zip");
    let err = f.fails(&[
        "pack",
        "export",
        &reference,
        "--out",
        &pack.to_string_lossy(),
    ]);
    assert_eq!(err, DISK_FULL);
    let left: Vec<String> = std::fs::read_dir(stick.path())
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left on the stick: {left:?}");
    // Nothing was logged: no 'exported' entry in the chain of custody.
    assert_eq!(events(&f), before_events);
    let list: Value = f.json(&["evidence", "list", &reference]);
    assert!(list["items"][0]["custody"]
        .as_array()
        .expect("custody")
        .iter()
        .all(|c| c["action"] != "exported"));
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
}
