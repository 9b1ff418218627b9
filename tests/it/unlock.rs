//! Unlocking: wrong passphrase, recovery key, changing the passphrase.

use crate::common;

use common::{Folder, PASSPHRASE};

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let f = Folder::new();
    f.init();
    f.add_learner("Alex Example", "2009-04-17");
    let before = f.snapshot();
    let err = f.fails_with(
        &["learner", "list"],
        &[("HARBOUR_PASSPHRASE", "not the passphrase")],
    );
    assert_eq!(
        err,
        "That passphrase is not right for this Harbour data folder."
    );
    assert_eq!(
        f.snapshot(),
        before,
        "the data folder changed after a wrong passphrase"
    );
    // And the right passphrase still works afterwards.
    assert!(f.ok(&["learner", "list"]).contains("Alex Example"));
}

#[test]
fn json_errors_carry_a_code() {
    let f = Folder::new();
    f.init();
    let out = f.run_with(
        &["--json", "learner", "list"],
        &[("HARBOUR_PASSPHRASE", "nope nope nope")],
    );
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(v["error"]["code"], "wrong_passphrase");
}

#[test]
fn passphrase_file_is_read() {
    let f = Folder::new();
    f.init();
    let file = f.tmp.path().join("pass.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\n")).expect("write");
    let out = f.run_with(
        &[
            "--passphrase-file",
            file.to_str().expect("path"),
            "learner",
            "list",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let missing = f.tmp.path().join("absent.txt");
    let err = f.fails_with(
        &[
            "--passphrase-file",
            missing.to_str().expect("path"),
            "learner",
            "list",
        ],
        &[],
    );
    assert!(
        err.contains("could not be read") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn no_passphrase_and_no_terminal_says_what_to_do() {
    let f = Folder::new();
    f.init();
    let err = f.fails_with(
        &["learner", "list"],
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")],
    );
    assert!(err.starts_with("Harbour needs the passphrase"), "{err}");
}

#[test]
fn changing_the_passphrase_rewraps_without_reencrypting() {
    let f = Folder::new();
    f.init();
    f.add_learner("Alex Example", "2009-04-17");
    let db_before = std::fs::read(f.dir().join("harbour.db")).expect("db");
    let new = "a brand new passphrase";
    let out = f.run_with(
        &["passphrase", "change"],
        &[
            ("HARBOUR_PASSPHRASE", PASSPHRASE),
            ("HARBOUR_NEW_PASSPHRASE", new),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db_after = std::fs::read(f.dir().join("harbour.db")).expect("db");
    assert_eq!(
        db_before, db_after,
        "the database was rewritten by a passphrase change"
    );
    let err = f.fails(&["learner", "list"]);
    assert!(err.contains("passphrase is not right"), "{err}");
    let out = f.run_with(&["learner", "list"], &[("HARBOUR_PASSPHRASE", new)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Alex Example"));
}

#[test]
fn a_short_new_passphrase_is_refused() {
    let f = Folder::new();
    f.init();
    let keys_before = std::fs::read(f.dir().join("keys.json")).expect("keys");
    let err = f.fails_with(
        &["passphrase", "change"],
        &[
            ("HARBOUR_PASSPHRASE", PASSPHRASE),
            ("HARBOUR_NEW_PASSPHRASE", "short"),
        ],
    );
    assert_eq!(
        err,
        "The passphrase is too short: use at least 10 characters."
    );
    assert_eq!(
        std::fs::read(f.dir().join("keys.json")).expect("keys"),
        keys_before
    );
}

#[test]
fn recovery_key_sets_a_new_passphrase_and_a_typo_is_named() {
    let f = Folder::new();
    let key = f.init();
    f.add_learner("Alex Example", "2009-04-17");
    let groups: Vec<&str> = key.split('-').collect();
    assert_eq!(groups.len(), 8);

    // Mistype one character of the third group.
    let mut typo: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    let first = typo[2].remove(0);
    let replacement = if first == 'A' { 'B' } else { 'A' };
    typo[2].insert(0, replacement);
    let before = f.snapshot();
    let err = f.fails_with(
        &["recover"],
        &[
            ("HARBOUR_RECOVERY_KEY", &typo.join("-")),
            ("HARBOUR_NEW_PASSPHRASE", "recovered passphrase"),
        ],
    );
    // One time in 32 the check character still matches; the key then fails to unlock.
    assert!(
        err == "Group 3 of the recovery key looks mistyped: please check it against the sheet."
            || err == "That recovery key does not unlock this Harbour data folder.",
        "{err}"
    );
    assert_eq!(f.snapshot(), before);

    // Typed in lower case with spaces, as a person might.
    let typed = key.to_lowercase().replace('-', " ");
    let out = f.run_with(
        &["recover"],
        &[
            ("HARBOUR_RECOVERY_KEY", &typed),
            ("HARBOUR_NEW_PASSPHRASE", "recovered passphrase"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(f.fails(&["learner", "list"]).contains("not right"));
    let out = f.run_with(
        &["learner", "list"],
        &[("HARBOUR_PASSPHRASE", "recovered passphrase")],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Alex Example"));
}

#[test]
fn another_folders_recovery_key_does_not_unlock() {
    let a = Folder::new();
    a.init();
    let b = Folder::new();
    let b_key = b.init();
    let err = a.fails_with(
        &["recover"],
        &[
            ("HARBOUR_RECOVERY_KEY", &b_key),
            ("HARBOUR_NEW_PASSPHRASE", "recovered passphrase"),
        ],
    );
    assert_eq!(
        err,
        "That recovery key does not unlock this Harbour data folder."
    );
}

#[test]
fn setting_up_twice_is_refused_and_a_missing_folder_is_explained() {
    let f = Folder::new();
    f.init();
    let before = f.snapshot();
    let err = f.fails(&[
        "init",
        "--org",
        "Other",
        "--centre",
        "LDS",
        "Leeds",
        "--coordinator",
        "A B",
        "--role",
        "DSL",
    ]);
    assert!(err.starts_with("Harbour is already set up in"), "{err}");
    assert_eq!(f.snapshot(), before);

    let empty = Folder::new();
    let err = empty.fails(&["learner", "list"]);
    assert!(err.starts_with("Harbour has not been set up in"), "{err}");
}
