//! Hostile text: control characters, escape sequences, line breaks in one-line fields and
//! bidirectional overrides are refused where text comes in, with a sentence naming the
//! field; and text that is already stored (older data, a peer's bundle) is shown escaped, so
//! `learner list` never clears the screen or prints a forged row.

use chrono::NaiveDate;
use harbour::log::Body;
use uuid::Uuid;

use crate::common::{self, Folder};
use crate::sync_support::{introduce, Site};

const CLEAR_SCREEN: &str = "Eve Example\u{1b}[2J\u{1b}[H";
const FORGED_ROW: &str = "Mallory Example\n01900000-0000-7000-8000-000000000000  Forged Learner               01/01/2009  (age 17)  MAN";
const REVERSED: &str = "Dana \u{202e}elpmaxE";

/// Records a learner straight into the log, past the checks at the edge, as an older version
/// of Harbour or a modified peer could have.
fn stored(h: &mut harbour::Harbour, name: &str) {
    h.log_mut()
        .append(Body::LearnerAdded {
            learner_id: Uuid::now_v7(),
            name: name.into(),
            dob: NaiveDate::from_ymd_opt(2009, 4, 17).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        })
        .expect("append");
}

fn assert_safe_list(f: &Folder, learners: usize) {
    let out = f.run(&["learner", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        !text.contains('\u{1b}'),
        "no escape reaches the terminal: {text:?}"
    );
    assert!(
        !text.contains('\u{202e}'),
        "no override reaches the terminal: {text:?}"
    );
    assert_eq!(
        text.trim_end().lines().count(),
        learners,
        "one row each: {text}"
    );
    assert!(text.contains("Eve Example\\u{1b}[2J\\u{1b}[H"), "{text}");
    assert!(text.contains("Mallory Example\\n01900000"), "{text}");
    assert!(text.contains("Dana \\u{202e}elpmaxE"), "{text}");

    // JSON escapes them too, and still reads back as the stored names.
    let out = f.run(&["--json", "learner", "list"]);
    let raw = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        !raw.contains('\u{1b}') && !raw.contains('\u{202e}'),
        "{raw:?}"
    );
    let rows: serde_json::Value = serde_json::from_str(&raw).expect("JSON");
    let names: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    for name in [CLEAR_SCREEN, FORGED_ROW, REVERSED] {
        assert!(names.contains(&name), "{names:?}");
    }
}

#[test]
fn stored_names_never_clear_the_screen_or_print_a_forged_row() {
    let (tmp, mut h) = common::open_in_process();
    for name in [CLEAR_SCREEN, FORGED_ROW, REVERSED] {
        stored(&mut h, name);
    }
    drop(h);
    let f = Folder { tmp };
    assert_safe_list(&f, 3);
}

#[test]
fn names_from_a_peers_bundle_are_shown_escaped() {
    let mut sites = [
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Chris Tutor"),
    ];
    introduce(&mut sites);
    let [a, b] = &mut sites;
    for name in [CLEAR_SCREEN, FORGED_ROW, REVERSED] {
        stored(a.h(), name);
    }
    let bundle = a.bundle_for(&[&*b]);
    b.take(&bundle).expect("taken in");
    b.close();
    let f = Folder {
        tmp: std::mem::replace(&mut b.tmp, tempfile::tempdir().expect("tmp")),
    };
    assert_safe_list(&f, 3);
}

#[test]
fn a_name_with_an_escape_a_line_break_or_an_override_is_refused_naming_the_field() {
    let f = Folder::new();
    f.init();
    let before = f.snapshot();
    let add = |name: &str| {
        f.fails(&[
            "learner",
            "add",
            "--name",
            name,
            "--dob",
            "2009-04-17",
            "--centre",
            "MAN",
        ])
    };
    assert_eq!(
        add(CLEAR_SCREEN),
        "The learner's name contains an escape character (U+001B), which cannot be stored; remove it and try again."
    );
    assert_eq!(
        add(FORGED_ROW),
        "The learner's name must be on one line; remove the line break and try again."
    );
    assert_eq!(
        add(REVERSED),
        "The learner's name contains a hidden character that reverses the direction of text (U+202E), which cannot be stored; remove it and try again."
    );
    assert_eq!(
        add("Eve\u{7}Example"),
        "The learner's name contains a control character (U+0007), which cannot be stored; remove it and try again."
    );
    assert_eq!(f.snapshot(), before, "nothing was recorded");
    // Names in any script, with accents and apostrophes, are fine.
    f.add_learner("Zoë O'Brien-Łukasz", "2009-04-17");
    f.add_learner("محمد علي", "2009-04-17");
}

fn incident(
    f: &Folder,
    alex: &str,
    place: &str,
    reporter: &str,
    account: &str,
) -> std::process::Output {
    f.run(&[
        "incident",
        "new",
        "--category",
        "cyberbullying",
        "--learner",
        &format!("{alex}:subject"),
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        reporter,
        "--place",
        place,
        "--account",
        account,
    ])
}

#[test]
fn an_account_keeps_its_lines_but_one_line_fields_refuse_line_breaks() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let before = f.snapshot();
    let err = |out: std::process::Output| {
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    };
    assert_eq!(
        err(incident(
            &f,
            &alex,
            "Group chat\nFLAG: forged",
            "Chris Tutor, Assessor",
            "Messages"
        )),
        "The place must be on one line; remove the line break and try again."
    );
    assert_eq!(
        err(incident(&f, &alex, "Group chat", "Chris Tutor, Assessor\u{1b}[31m", "Messages")),
        "The reporter's job title contains an escape character (U+001B), which cannot be stored; remove it and try again."
    );
    assert_eq!(
        err(incident(&f, &alex, "Group chat", "Chris Tutor, Assessor", "They said\u{1b}]0;owned\u{7}")),
        "The account contains an escape character (U+001B), which cannot be stored; remove it and try again."
    );
    assert_eq!(f.snapshot(), before, "nothing was recorded");

    let out = incident(
        &f,
        &alex,
        "Group chat",
        "Chris Tutor, Assessor",
        "First they messaged me.\r\n\tThen they shared it.",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let shown = f.json(&["incident", "show", &reference]);
    assert_eq!(
        shown["account"], "First they messaged me.\n\tThen they shared it.",
        "a Windows line end is kept as a line break: {shown}"
    );
    let text = f.ok(&["incident", "show", &reference]);
    assert!(
        text.contains("  First they messaged me.\n  \tThen they shared it."),
        "later lines of the account are indented under its heading: {text}"
    );
}

#[test]
fn a_note_or_a_reason_refuses_control_characters_but_keeps_line_breaks() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = common::open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let before = f.snapshot();
    assert_eq!(
        f.fails(&["incident", "note", &reference, "Spoke to Alex\u{8}\u{8}\u{8}"]),
        "The note contains a control character (U+0008), which cannot be stored; remove it and try again."
    );
    assert_eq!(
        f.fails(&[
            "incident", "risk", &reference, "high", "--reason", "Images \u{2066}still\u{2069} circulating",
        ]),
        "The reason for the risk level contains a hidden character that reverses the direction of text (U+2066), which cannot be stored; remove it and try again."
    );
    assert_eq!(f.snapshot(), before);
    f.ok(&[
        "incident",
        "note",
        &reference,
        "Spoke to Alex.\nTutor present.",
    ]);
}
