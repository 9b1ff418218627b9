//! Adding a learner (`harbour::api::learners`): the same person twice is shown before a
//! second record is made, and the only centre need not be named.

use crate::common;

use common::Folder;

fn add(f: &Folder, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "learner",
        "add",
        "--name",
        "Alex Example",
        "--dob",
        "2009-04-17",
    ];
    args.extend_from_slice(extra);
    f.run(&args)
}

#[test]
fn the_same_learner_twice_is_refused_until_the_coordinator_says_they_are_different() {
    let f = Folder::new();
    f.init();
    // One centre: it need not be named.
    assert!(add(&f, &[]).status.success());
    let before = f.snapshot();
    let again = f.run(&[
        "learner",
        "add",
        "--name",
        "  alex EXAMPLE ",
        "--dob",
        "2009-04-17",
        "--centre",
        "MAN",
    ]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("A learner called Alex Example, born 17/04/2009, is already recorded at Manchester, so nothing was added.")
            && err.contains("--even-if-duplicate"),
        "{err}"
    );
    assert_eq!(f.snapshot(), before, "a refused learner changed the folder");
    let json = f.run(&[
        "--json",
        "learner",
        "add",
        "--name",
        "Alex Example",
        "--dob",
        "2009-04-17",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stderr).expect("a JSON error");
    assert_eq!(v["error"]["code"], "possible_duplicate", "{v}");

    // Another date of birth is another learner; said to be different, the same one is added.
    assert!(f
        .run(&[
            "learner",
            "add",
            "--name",
            "Alex Example",
            "--dob",
            "2010-04-17"
        ])
        .status
        .success());
    assert!(add(&f, &["--even-if-duplicate"]).status.success());
    let listed = f.json(&["learner", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");
}

#[test]
fn with_two_centres_the_centre_must_be_named() {
    let f = Folder::new();
    f.init();
    f.ok(&["org", "add-centre", "BOL", "Bolton"]);
    let before = f.snapshot();
    let out = add(&f, &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Say which centre. Give it with --centre."),
        "{err}"
    );
    assert_eq!(f.snapshot(), before);
    assert!(add(&f, &["--centre", "bol"]).status.success());
}
