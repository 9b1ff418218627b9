//! A referral, decision or action recorded in error is withdrawn with a reason: it stays in
//! the record, marked withdrawn, and is no longer counted — in the quarterly figures, the
//! urgent police referral, or the actions due.

use crate::common;

use common::{open_incident, refer, Folder};
use serde_json::Value;

/// This quarter's figures, as the quarterly report counts them.
fn quarterly(f: &Folder) -> Value {
    f.json(&[
        "report",
        "quarterly",
        "--quarter",
        "2026-Q4",
        "--out",
        f.tmp.path().join("q.pdf").to_str().expect("path"),
    ])
}

fn referrals(f: &Folder) -> Vec<(String, u64)> {
    quarterly(f)["referrals_by_agency"]
        .as_array()
        .expect("referrals")
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap_or("").to_string(),
                r["current"].as_u64().unwrap_or(0),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[test]
fn a_referral_recorded_in_error_is_withdrawn_and_no_longer_counted_or_trusted() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    f.ok(&[
        "incident",
        "risk",
        &reference,
        "immediate",
        "--reason",
        "Threats to meet",
    ]);
    // Prevent chosen in error where the police were meant.
    refer(&f, &reference, "prevent");
    refer(&f, &reference, "police");
    let shown: Value = f.json(&["incident", "show", &reference]);
    assert!(shown["urgent"].as_array().expect("urgent").is_empty());
    let prevent = shown["referrals"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let police = shown["referrals"][1]["id"]
        .as_str()
        .expect("id")
        .to_string();

    f.ok(&[
        "incident",
        "withdraw",
        &reference,
        &prevent[prevent.len() - 12..],
        "--reason",
        "Prevent chosen by mistake; the referral was to the police",
    ]);
    let shown: Value = f.json(&["incident", "show", &reference]);
    assert_eq!(
        shown["referrals"][0]["withdrawn"],
        "Prevent chosen by mistake; the referral was to the police"
    );
    assert!(shown["referrals"][1]["withdrawn"].is_null());
    let chronology = shown["chronology"].to_string();
    assert!(
        chronology.contains("Withdrawn, recorded in error: the referral to Prevent / Channel on"),
        "{chronology}"
    );
    let counted = referrals(&f);
    assert_eq!(counted, [("Police".to_string(), 1)], "{counted:?}");

    // Withdrawing the police referral brings the urgent banner back.
    f.ok(&[
        "incident",
        "withdraw",
        &reference,
        &police,
        "--reason",
        "Recorded on the wrong incident",
    ]);
    let shown: Value = f.json(&["incident", "show", &reference]);
    assert_eq!(shown["urgent"][0]["code"], "immediate-risk", "{shown}");
    assert!(referrals(&f).is_empty());

    // Twice, or an entry that is not there: refused, nothing changed.
    let before = f.snapshot();
    let err = f.fails(&[
        "incident", "withdraw", &reference, &police, "--reason", "Again",
    ]);
    assert!(err.contains("already been withdrawn"), "{err}");
    let err = f.fails(&[
        "incident", "withdraw", &reference, "0000abcd", "--reason", "x",
    ]);
    assert!(err.contains("No referral, decision or action"), "{err}");
    assert_eq!(
        f.snapshot(),
        before,
        "a refused withdrawal changed the folder"
    );
    f.ok(&["verify"]);
}

#[test]
fn a_withdrawn_action_is_no_longer_due() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    f.ok(&[
        "incident",
        "action",
        &reference,
        "--description",
        "Weekly check-in",
        "--owner",
        "Sam Example",
        "--due",
        "2026-11-30",
    ]);
    let shown: Value = f.json(&["incident", "show", &reference]);
    let action = shown["actions"][0]["id"].as_str().expect("id").to_string();
    let due = |f: &Folder| {
        quarterly(f)["overdue_actions"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    };
    assert_eq!(due(&f), 1);
    f.ok(&[
        "incident",
        "withdraw",
        &reference,
        &action,
        "--reason",
        "Added to the wrong case",
    ]);
    assert_eq!(due(&f), 0);
    let text = f.ok(&["incident", "show", &reference]);
    assert!(text.contains("withdrawn"), "{text}");
}
