//! Backups through the real `harbour` binary: made, checked and restored onto a "new laptop"
//! (another folder) as a new device; and every bad input and fault the issue lists — wrong
//! passphrase or recovery key, another organisation's backup, a flipped byte anywhere, a cut
//! short file, a newer format, a folder that already holds data, a full disk while backing up
//! and restoring, and `kill -9` during both — each refused in one sentence, leaving the data
//! folder (and any earlier backup) exactly as it was.

use crate::common;

use std::path::{Path, PathBuf};

use common::{contains, kill_when, small_disk, snapshot_all, Folder, PASSPHRASE};

const LEARNER: &str = "Alexandra Quigley-Example";
const ACCOUNT: &str = "They kept sending messages about me near the bus stop";
const EVIDENCE: &[u8] = b"Transcript: the group chat said things nobody should read twice.";

/// A folder with a learner, an incident and one evidence file; returns the reference.
fn filled(f: &Folder) -> String {
    f.init();
    let learner = f.add_learner(LEARNER, "2009-04-17");
    let reference = f.ok(&[
        "incident",
        "new",
        "--category",
        "cyberbullying",
        "--learner",
        &format!("{learner}:subject"),
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "Chris Tutor, Assessor",
        "--place",
        "Group chat",
        "--account",
        ACCOUNT,
    ]);
    let file = f.tmp.path().join("chat.txt");
    std::fs::write(&file, EVIDENCE).expect("evidence file");
    f.ok(&[
        "evidence",
        "add",
        &reference,
        file.to_str().expect("path"),
        "--description",
        "Transcript of the group chat",
    ]);
    reference
}

fn backup_into(f: &Folder, out: &Path) -> PathBuf {
    std::fs::create_dir_all(out).expect("out folder");
    let v = f.json(&["backup", "create", "--out", out.to_str().expect("path")]);
    PathBuf::from(v["file"].as_str().expect("file"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("path")
}

#[test]
fn a_backup_restores_onto_a_new_laptop_as_a_new_device_holding_everything() {
    let f = Folder::new();
    let reference = filled(&f);
    let out = f.tmp.path().join("usb");
    let file = backup_into(&f, &out);

    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        file.file_name().and_then(|n| n.to_str()),
        Some(format!("Northbridge-Training-MAN-{today}.hbbackup").as_str())
    );
    // Nothing readable for whoever finds the USB stick.
    let bytes = std::fs::read(&file).expect("backup");
    for secret in [
        LEARNER.as_bytes(),
        ACCOUNT.as_bytes(),
        EVIDENCE,
        b"Sam Example",
    ] {
        assert!(
            !contains(&bytes, secret),
            "the backup shows {:?}",
            String::from_utf8_lossy(secret)
        );
    }
    // Only the backup itself is left in the folder: no temporary file.
    assert_eq!(std::fs::read_dir(&out).expect("out").count(), 1);

    let checked = f.ok(&["backup", "verify", s(&file)]);
    assert!(
        checked.starts_with("This backup of Northbridge Training (MAN), made "),
        "{checked}"
    );
    assert!(
        checked.contains("it holds 1 incident, 1 evidence file and "),
        "{checked}"
    );
    assert!(checked.ends_with("and every chain, signature, table and evidence file checks."));

    // The new laptop: another folder.
    let laptop = Folder::new();
    let restored = laptop.json(&["backup", "restore", s(&file)]);
    let message = restored["message"].as_str().expect("message");
    assert!(
        message.contains("This computer is now a new device"),
        "{message}"
    );
    assert!(message.contains("cannot bring back anything recorded on the old laptop after"));
    assert_ne!(restored["old_device"], restored["new_device"]);

    let shown = laptop.ok(&["incident", "show", &reference]);
    assert!(shown.contains(ACCOUNT));
    let v = laptop.json(&["verify"]);
    assert_eq!(v["devices"], 2, "the old device and the new one");
    assert!(laptop.ok(&["verify"]).starts_with("The case log is intact"));
    let items = laptop.json(&["evidence", "list", &reference]);
    let item = items["items"][0]["id"]
        .as_str()
        .expect("item id")
        .to_string();
    let copy = laptop.tmp.path().join("copy.txt");
    laptop.ok(&[
        "evidence",
        "open",
        &item,
        "--out",
        s(&copy),
        "--reason",
        "Check the restore",
    ]);
    assert_eq!(std::fs::read(&copy).expect("copy"), EVIDENCE);

    // The new device signs with a new key: its card differs from the old one's.
    let old_card = f.json(&["peer", "card", "--out", s(&f.tmp.path().join("old.card"))]);
    let new_card = laptop.json(&[
        "peer",
        "card",
        "--out",
        s(&laptop.tmp.path().join("new.card")),
    ]);
    assert_ne!(old_card["device_id"], new_card["device_id"]);
    assert_ne!(old_card["fingerprint"], new_card["fingerprint"]);
    assert_eq!(new_card["device_id"], restored["new_device"]);

    // The restored folder remembers the backup it came from.
    let status = laptop.ok(&["status"]);
    assert!(status.starts_with("The last backup was made "), "{status}");
}

#[test]
fn the_recovery_key_opens_a_backup_and_a_wrong_one_or_a_wrong_passphrase_does_not() {
    let f = Folder::new();
    let key = f.init();
    let file = backup_into(&f, &f.tmp.path().join("usb"));

    let ok = f.run_with(
        &["backup", "verify", s(&file), "--recovery-key"],
        &[("HARBOUR_RECOVERY_KEY", key.as_str())],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let err = f.fails_with(
        &["backup", "verify", s(&file)],
        &[("HARBOUR_PASSPHRASE", "not the passphrase at all")],
    );
    assert!(
        err.starts_with(
            "That passphrase does not open this backup of Northbridge Training (MAN), made "
        ),
        "{err}"
    );

    let other = Folder::new();
    let other_key = other.init();
    let err = f.fails_with(
        &["backup", "verify", s(&file), "--recovery-key"],
        &[("HARBOUR_RECOVERY_KEY", other_key.as_str())],
    );
    assert!(
        err.starts_with("That recovery key does not open this backup"),
        "{err}"
    );

    // A wrong key on restore writes nothing at all.
    let laptop = Folder::new();
    let err = laptop.fails_with(
        &["backup", "restore", s(&file)],
        &[("HARBOUR_PASSPHRASE", "not the passphrase at all")],
    );
    assert!(err.starts_with("That passphrase does not open this backup"));
    assert!(!laptop.dir().exists());
}

#[test]
fn another_organisations_backup_is_named_and_not_opened_with_this_passphrase() {
    let ours = Folder::new();
    ours.init();
    let theirs = Folder::new();
    let init = theirs.run_with(
        &[
            "init",
            "--org",
            "Riverside College",
            "--centre",
            "RIV",
            "Riverside",
            "--coordinator",
            "Jo Sample",
            "--role",
            "Designated Safeguarding Lead",
        ],
        &[("HARBOUR_PASSPHRASE", "riverside's own long passphrase")],
    );
    assert!(init.status.success());
    let out = theirs.tmp.path().join("usb");
    std::fs::create_dir_all(&out).expect("out");
    let made = theirs.run_with(
        &["--json", "backup", "create", "--out", s(&out)],
        &[("HARBOUR_PASSPHRASE", "riverside's own long passphrase")],
    );
    assert!(made.status.success());
    let v: serde_json::Value = serde_json::from_slice(&made.stdout).expect("json");
    let file = PathBuf::from(v["file"].as_str().expect("file"));
    assert!(s(&file).ends_with(".hbbackup") && s(&file).contains("Riverside-College-RIV-"));

    let before = snapshot_all(&ours.dir());
    let err = ours.fails(&["backup", "verify", s(&file)]);
    assert!(
        err.contains("this backup of Riverside College (RIV)")
            && err.contains("if it is another organisation's backup, it needs their passphrase"),
        "{err}"
    );
    assert_eq!(snapshot_all(&ours.dir()), before);
}

#[test]
fn one_flipped_byte_anywhere_in_a_backup_is_caught() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let setup = harbour::Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let (mut h, recovery) = harbour::Harbour::init(
        &tmp.path().join("data"),
        &setup,
        &harbour::keys::Passphrase::new(PASSPHRASE.into()),
    )
    .expect("set up");
    harbour::ops::learners::add(
        h.log_mut(),
        harbour::ops::learners::NewLearner {
            name: LEARNER.into(),
            dob: chrono::NaiveDate::from_ymd_opt(2009, 4, 17).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    let out = tmp.path().join("usb");
    std::fs::create_dir_all(&out).expect("out");
    let made = harbour::backup::create(&h, &out).expect("backup");
    let good = std::fs::read(&made.file).expect("read");
    // The recovery key, not the passphrase: the same check without Argon2 on every try.
    let open = |bytes: &[u8]| {
        let path = tmp.path().join("flipped.hbbackup");
        std::fs::write(&path, bytes).expect("write");
        harbour::backup::check_file(&path, harbour::Unlock::Recovery(&recovery))
    };
    assert!(open(&good).is_ok(), "the untouched backup checks");

    // Every byte of the header (where a flip must not pass for a wrong passphrase), and
    // bytes spread over the whole stream, the last ones included.
    let header_end =
        14 + u32::from_be_bytes([good[10], good[11], good[12], good[13]]) as usize + 32 + 44;
    let mut positions: Vec<usize> = (0..header_end).step_by(7).collect();
    positions.extend((header_end..good.len()).step_by((good.len() - header_end) / 12 + 1));
    positions.extend(good.len() - 3..good.len());
    for at in positions {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        let err = open(&bad).expect_err(&format!("a flipped byte at {at} was not caught"));
        assert!(
            matches!(
                err.code(),
                harbour::Code::BackupDamaged
                    | harbour::Code::NotABackup
                    | harbour::Code::BackupNewerVersion
            ),
            "byte {at}: {} ({})",
            err,
            err.code()
        );
    }
}

#[test]
fn a_cut_short_backup_or_one_from_a_newer_harbour_is_refused_in_one_sentence() {
    let f = Folder::new();
    filled(&f);
    let file = backup_into(&f, &f.tmp.path().join("usb"));
    let good = std::fs::read(&file).expect("backup");
    let cut = f.tmp.path().join("cut.hbbackup");
    for len in [4, 12, 100, good.len() / 2, good.len() - 1] {
        std::fs::write(&cut, &good[..len]).expect("cut");
        let err = f.fails(&["backup", "verify", s(&cut)]);
        assert_eq!(
            err,
            "This backup is damaged or incomplete (it has been changed or cut short), so it cannot be trusted; use another backup. Nothing was changed.",
            "cut to {len} bytes"
        );
    }
    let mut newer = good.clone();
    newer[8..10].copy_from_slice(&2u16.to_be_bytes());
    std::fs::write(&cut, &newer).expect("newer");
    let err = f.fails(&["backup", "verify", s(&cut)]);
    assert_eq!(err, "This backup was made by a newer version of Harbour (backup format 2); update Harbour to open it. Nothing was changed.");

    std::fs::write(&cut, b"just some text, not a backup").expect("text");
    assert_eq!(
        f.fails(&["backup", "verify", s(&cut)]),
        "This file is not a Harbour backup; nothing was changed."
    );

    // A damaged backup restores nothing.
    std::fs::write(&cut, &good[..good.len() - 1]).expect("cut");
    let laptop = Folder::new();
    laptop.fails(&["backup", "restore", s(&cut)]);
    assert!(!laptop.dir().exists(), "nothing half-restored is left");
}

#[test]
fn a_backup_is_not_restored_into_a_folder_that_holds_data() {
    let f = Folder::new();
    filled(&f);
    let file = backup_into(&f, &f.tmp.path().join("usb"));
    let before = snapshot_all(&f.dir());
    let err = f.fails(&["backup", "restore", s(&file)]);
    assert!(
        err.ends_with("already holds a Harbour data folder; restore into a new, empty folder so that nothing is overwritten. Nothing was changed."),
        "{err}"
    );
    assert_eq!(snapshot_all(&f.dir()), before);

    let other = Folder::new();
    std::fs::create_dir_all(other.dir()).expect("dir");
    std::fs::write(other.dir().join("notes.txt"), b"mine").expect("file");
    let err = other.fails(&["backup", "restore", s(&file)]);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(
        std::fs::read(other.dir().join("notes.txt")).expect("kept"),
        b"mine"
    );
}

/// A file of `len` bytes that do not compress.
fn noise(path: &Path, len: usize) {
    let mut state: u32 = 0x9e37_79b9;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    std::fs::write(path, bytes).expect("write noise");
}

fn add_evidence(f: &Folder, reference: &str, len: usize) {
    let file = f.tmp.path().join("big.bin");
    noise(&file, len);
    f.ok(&[
        "evidence",
        "add",
        reference,
        s(&file),
        "--description",
        "A large recording",
    ]);
}

#[test]
fn a_full_disk_while_backing_up_keeps_the_earlier_backup_and_the_data_folder() {
    let f = Folder::new();
    let reference = filled(&f);
    let usb = f.tmp.path().join("usb");
    std::fs::create_dir_all(&usb).expect("usb");
    let Some(_unmount) = small_disk(&usb) else {
        return;
    };
    let earlier = backup_into(&f, &usb);
    let earlier_bytes = std::fs::read(&earlier).expect("earlier");
    add_evidence(&f, &reference, 5 * 1024 * 1024);

    let before = snapshot_all(&f.dir());
    let err = f.fails(&["backup", "create", "--out", s(&usb)]);
    assert_eq!(
        err,
        "The disk is full, so nothing was saved; free some space and try again."
    );
    assert_eq!(std::fs::read(&earlier).expect("earlier"), earlier_bytes);
    assert_eq!(
        std::fs::read_dir(&usb).expect("usb").count(),
        1,
        "no temporary file left"
    );
    assert_eq!(snapshot_all(&f.dir()), before);
    assert!(f
        .ok(&["backup", "verify", s(&earlier)])
        .starts_with("This backup of"));
}

#[test]
fn a_full_disk_while_restoring_leaves_nothing_that_looks_like_a_data_folder() {
    let f = Folder::new();
    let reference = filled(&f);
    add_evidence(&f, &reference, 5 * 1024 * 1024);
    let file = backup_into(&f, &f.tmp.path().join("usb"));

    let laptop = Folder::new();
    let mount = laptop.tmp.path().to_path_buf();
    let Some(_unmount) = small_disk(&mount) else {
        return;
    };
    let err = laptop.fails(&["backup", "restore", s(&file)]);
    assert_eq!(
        err,
        "The disk is full, so nothing was saved; free some space and try again."
    );
    assert!(
        !laptop.dir().exists(),
        "the half-restored folder is removed"
    );
}

#[test]
fn a_backup_killed_part_way_leaves_the_earlier_backup_and_the_data_folder_sound() {
    let f = Folder::new();
    let reference = filled(&f);
    let usb = f.tmp.path().join("usb");
    let earlier = backup_into(&f, &usb);
    let earlier_bytes = std::fs::read(&earlier).expect("earlier");
    add_evidence(&f, &reference, 64 * 1024 * 1024);

    let partial_growing = || {
        std::fs::read_dir(&usb).expect("usb").flatten().any(|e| {
            e.file_name().to_string_lossy().ends_with(".partial")
                && e.metadata().map(|m| m.len() > 1024 * 1024).unwrap_or(false)
        })
    };
    let killed = kill_when(&f, &["backup", "create", "--out", s(&usb)], partial_growing);
    assert!(killed, "the backup finished before it could be killed");

    assert_eq!(std::fs::read(&earlier).expect("earlier"), earlier_bytes);
    assert!(f
        .ok(&["backup", "verify", s(&earlier)])
        .starts_with("This backup of"));
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
    // The next backup succeeds, and replaces the earlier one only when complete.
    let again = backup_into(&f, &usb);
    assert!(f
        .ok(&["backup", "verify", s(&again)])
        .contains("2 evidence files"));
}

#[test]
fn a_restore_killed_part_way_is_not_mistaken_for_a_data_folder_and_can_be_run_again() {
    let f = Folder::new();
    let reference = filled(&f);
    add_evidence(&f, &reference, 64 * 1024 * 1024);
    let file = backup_into(&f, &f.tmp.path().join("usb"));

    let laptop = Folder::new();
    let target = laptop.dir();
    let filling = || {
        target.join("evidence").is_dir()
            && std::fs::read_dir(target.join("evidence"))
                .map(|d| {
                    d.flatten()
                        .any(|e| e.metadata().map(|m| m.len() > 1024 * 1024).unwrap_or(false))
                })
                .unwrap_or(false)
    };
    let killed = kill_when(&laptop, &["backup", "restore", s(&file)], filling);
    assert!(killed, "the restore finished before it could be killed");

    let err = laptop.fails(&["verify"]);
    assert!(err.starts_with("Harbour has not been set up in"), "{err}");
    let restored = laptop.ok(&["backup", "restore", s(&file)]);
    assert!(
        restored.starts_with("Restored Northbridge Training (MAN)"),
        "{restored}"
    );
    assert!(laptop.ok(&["verify"]).starts_with("The case log is intact"));
}

#[test]
fn status_says_when_the_last_backup_was_made_and_warns_past_the_interval() {
    let f = Folder::new();
    f.init();
    let none = f.ok(&["status"]);
    assert!(
        none.starts_with("No backup has been made on this computer yet"),
        "{none}"
    );
    assert!(none.contains("every 7 days"));
    backup_into(&f, &f.tmp.path().join("usb"));
    let made = f.ok(&["status"]);
    assert!(made.starts_with("The last backup was made "), "{made}");
    let v = f.json(&["status"]);
    assert_eq!(v["backup"]["overdue"], false);
    assert_eq!(v["backup"]["interval_days"], 7);

    f.ok(&["org", "backup-interval", "14"]);
    assert_eq!(f.json(&["status"])["backup"]["interval_days"], 14);
    assert!(f
        .fails(&["org", "backup-interval", "0"])
        .contains("between 1 and 365 days"));
}

#[test]
fn a_backup_older_than_the_interval_is_overdue() {
    let (_tmp, mut h) = common::open_in_process();
    let day = 24 * 60 * 60 * 1000;
    let out = _tmp.path().join("usb");
    std::fs::create_dir_all(&out).expect("out");
    let now = harbour::backup::create(&h, &out).expect("backup").made_ms;
    let conn = h.log().conn();
    let later = harbour::backup::status::backup_status_at(conn, now + 8 * day).expect("status");
    assert!(later.overdue);
    assert!(
        later
            .message
            .contains("8 days ago, and your organisation asks for one every 7 days"),
        "{}",
        later.message
    );
    harbour::backup::status::set_interval(h.log_mut(), 10).expect("interval");
    let later =
        harbour::backup::status::backup_status_at(h.log().conn(), now + 8 * day).expect("status");
    assert!(!later.overdue, "{}", later.message);
}

#[test]
fn restored_with_the_recovery_key_the_folder_takes_the_new_passphrase_checked_first() {
    use harbour::backup::restore::{restore_and_open, RestoreKey};
    use harbour::keys::Passphrase;
    let tmp = tempfile::tempdir().expect("temporary folder");
    let setup = harbour::Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let old = Passphrase::new(PASSPHRASE.into());
    let (h, recovery) =
        harbour::Harbour::init(&tmp.path().join("old"), &setup, &old).expect("set up");
    let out = tmp.path().join("usb");
    std::fs::create_dir_all(&out).expect("usb");
    let file = harbour::backup::create(&h, &out).expect("backup").file;
    drop(h);
    let new_dir = tmp.path().join("new");

    // A new passphrase too short is refused before anything is written.
    let err = restore_and_open(
        &file,
        RestoreKey::Recovery {
            key: &recovery,
            new_passphrase: &Passphrase::new("short".into()),
        },
        &new_dir,
        &mut |_, _| true,
    )
    .err()
    .expect("refused");
    assert!(
        matches!(err, harbour::Error::WeakPassphrase { .. }),
        "{err}"
    );
    assert!(
        !new_dir.exists(),
        "nothing written for a refused passphrase"
    );

    let fresh = Passphrase::new("a new and longer passphrase for the new laptop".into());
    let (restored, h) = restore_and_open(
        &file,
        RestoreKey::Recovery {
            key: &recovery,
            new_passphrase: &fresh,
        },
        &new_dir,
        &mut |_, _| true,
    )
    .expect("restored");
    assert_ne!(restored.new_device, restored.old_device);
    assert_eq!(h.log().device().id, restored.new_device);
    drop(h);
    assert!(matches!(
        harbour::Harbour::open(&new_dir, harbour::Unlock::Passphrase(&old)),
        Err(harbour::Error::WrongPassphrase)
    ));
    harbour::Harbour::open(&new_dir, harbour::Unlock::Passphrase(&fresh))
        .expect("opens with the new passphrase");
}
