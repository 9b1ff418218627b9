//! Consent records: given, refused, withdrawn, not recorded and expired; who signs by age;
//! who is missing which form; and the case log still verifies.

use crate::common;

use common::Folder;

fn record_photo(
    f: &Folder,
    learner: &str,
    by: &str,
    rel: &str,
    date: &str,
    answers: [&str; 4],
) -> std::process::Output {
    f.run(&[
        "consent",
        "record",
        learner,
        "--form",
        "photo-video",
        "--signed-by",
        by,
        "--relationship",
        rel,
        "--date",
        date,
        "--internal",
        answers[0],
        "--website",
        answers[1],
        "--social-media",
        answers[2],
        "--press",
        answers[3],
    ])
}

fn check(f: &Folder, learner: &str, purpose: &str, on: &str) -> (String, String) {
    let out = f.ok(&["consent", "check", learner, purpose, "--on", on]);
    let mut lines = out.lines();
    let answer = lines.next().unwrap_or_default().to_string();
    let basis = lines.collect::<Vec<_>>().join("\n");
    (answer, basis)
}

#[test]
fn given_refused_withdrawn_not_recorded_and_expired() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Sixteen", "2010-03-01");
    let jo = f.add_learner("Jo Seventeen", "2009-05-10");
    let out = record_photo(
        &f,
        &alex,
        "Pat Sixteen",
        "Mother",
        "2026-09-07",
        ["yes", "no", "no", "no"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Given, with its basis.
    let (answer, basis) = check(&f, &alex, "internal", "2026-10-01");
    assert_eq!(answer, "yes");
    assert!(basis.contains("07/09/2026"), "{basis}");
    assert!(basis.contains("Pat Sixteen (Mother)"), "{basis}");
    assert!(basis.contains("version 2026.1"), "{basis}");
    assert!(basis.contains("review due 07/09/2027"), "{basis}");
    // Refused.
    let (answer, basis) = check(&f, &alex, "website", "2026-10-01");
    assert_eq!(answer, "no");
    assert!(basis.starts_with("Refused"), "{basis}");
    // Not recorded.
    let (answer, _) = check(&f, &jo, "website", "2026-10-01");
    assert_eq!(answer, "not recorded");
    // Before the form was signed, nothing was recorded.
    assert_eq!(check(&f, &alex, "internal", "2026-09-01").0, "not recorded");

    // Withdrawn for one purpose: the others stand.
    f.ok(&[
        "consent",
        "withdraw",
        &alex,
        "--form",
        "photo-video",
        "--purpose",
        "internal",
        "--date",
        "2026-10-10",
        "--note",
        "Mother rang the centre",
    ]);
    let (answer, basis) = check(&f, &alex, "internal", "2026-10-11");
    assert_eq!(answer, "no");
    assert!(
        basis.to_lowercase().contains("withdrawn on 10/10/2026"),
        "{basis}"
    );
    assert_eq!(check(&f, &alex, "internal", "2026-10-09").0, "yes");
    // A new form after the withdrawal is what counts.
    let out = record_photo(
        &f,
        &alex,
        "Pat Sixteen",
        "Mother",
        "2026-10-20",
        ["yes", "yes", "no", "no"],
    );
    assert!(out.status.success());
    assert_eq!(check(&f, &alex, "internal", "2026-10-21").0, "yes");
    assert_eq!(check(&f, &alex, "website", "2026-10-21").0, "yes");

    // Consent is reviewed yearly: a year on, it is not current.
    let (answer, basis) = check(&f, &alex, "website", "2027-10-20");
    assert_eq!(answer, "not current");
    assert!(
        basis
            .to_lowercase()
            .contains("expired: review was due 20/10/2027"),
        "{basis}"
    );

    // JSON gives the same answer for scripts and the app.
    let v = f.json(&["consent", "check", &alex, "press", "--on", "2026-10-21"]);
    assert_eq!(v["answer"], "no");
    assert_eq!(v["record"]["form_version"], "2026.1");

    // Online learning, a form with one question.
    f.ok(&[
        "consent",
        "record",
        &jo,
        "--form",
        "online-learning",
        "--signed-by",
        "Chris Seventeen",
        "--relationship",
        "Father",
        "--date",
        "2026-09-07",
        "--consent",
        "yes",
    ]);
    assert_eq!(check(&f, &jo, "online-learning", "2026-09-08").0, "yes");

    let v = f.json(&["verify"]);
    assert!(v["events"].as_u64().unwrap_or(0) > 0, "{v}");
}

#[test]
fn a_learner_of_18_signs_for_themselves() {
    let f = Folder::new();
    f.init();
    let sam = f.add_learner("Sam Turning", "2008-09-07");
    let before = f.snapshot();
    // On their 18th birthday a parent's signature is refused, in a plain sentence.
    let out = record_photo(
        &f,
        &sam,
        "Lee Turning",
        "Mother",
        "2026-09-07",
        ["yes", "yes", "yes", "yes"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(
        err,
        "Sam Turning was 18 on 07/09/2026, so they sign this form themselves: a parent's or carer's signature cannot be recorded (give the relationship as Self)."
    );
    assert_eq!(before.get("harbour.db"), f.snapshot().get("harbour.db"));
    // The day before, at 17, a parent signs.
    let out = record_photo(
        &f,
        &sam,
        "Lee Turning",
        "Mother",
        "2026-09-06",
        ["yes", "no", "no", "no"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // At 18 they sign themselves.
    let out = record_photo(
        &f,
        &sam,
        "Sam Turning",
        "Self",
        "2026-09-07",
        ["yes", "yes", "no", "no"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(check(&f, &sam, "website", "2026-09-08").0, "yes");

    // An under-18 cannot sign a parental form for themselves.
    let alex = f.add_learner("Alex Sixteen", "2010-03-01");
    let out = record_photo(
        &f,
        &alex,
        "Alex Sixteen",
        "Self",
        "2026-09-07",
        ["yes", "no", "no", "no"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("a parent or carer must sign"));
    // The online learning form is for under-18s only.
    let err = f.fails(&[
        "consent",
        "record",
        &sam,
        "--form",
        "online-learning",
        "--signed-by",
        "Sam Turning",
        "--relationship",
        "Self",
        "--date",
        "2026-09-07",
        "--consent",
        "yes",
    ]);
    assert!(err.contains("only for learners under 18"), "{err}");
    // Every purpose needs an answer.
    let err = f.fails(&[
        "consent",
        "record",
        &alex,
        "--form",
        "photo-video",
        "--signed-by",
        "Pat Sixteen",
        "--relationship",
        "Mother",
        "--date",
        "2026-09-07",
        "--internal",
        "yes",
    ]);
    assert!(
        err.contains("missing: website, social-media, press"),
        "{err}"
    );
    // The Acceptable Use agreement is signed by the learner and cannot be withdrawn.
    f.ok(&[
        "consent",
        "record",
        &alex,
        "--form",
        "learner-aup",
        "--signed-by",
        "Alex Sixteen",
        "--relationship",
        "Self",
        "--date",
        "2026-09-07",
    ]);
    let err = f.fails(&[
        "consent",
        "withdraw",
        &alex,
        "--form",
        "learner-aup",
        "--date",
        "2026-09-08",
    ]);
    assert!(err.contains("cannot be withdrawn"), "{err}");
    f.ok(&["verify"]);
}

#[test]
fn who_is_missing_which_form() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Sixteen", "2010-03-01");
    let priya = f.add_learner("Priya Nineteen", "2007-01-15");
    let out = record_photo(
        &f,
        &alex,
        "Pat Sixteen",
        "Mother",
        "2026-09-07",
        ["yes", "no", "no", "no"],
    );
    assert!(out.status.success());
    let v = f.json(&["consent", "missing", "--on", "2026-10-01"]);
    let rows = v.as_array().expect("rows");
    let forms_of = |id: &str| {
        rows.iter()
            .filter(|r| r["learner_id"] == id)
            .map(|r| r["form"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(forms_of(&alex), ["online-learning", "learner-aup"]);
    assert_eq!(forms_of(&priya), ["photo-video", "learner-aup"]);
    // A year on, the photo form is due for review.
    let v = f.json(&[
        "consent",
        "missing",
        "--centre",
        "MAN",
        "--on",
        "2027-09-08",
    ]);
    let due = v
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["learner_id"] == alex.as_str() && r["form"] == "photo-video")
        .expect("review due")
        .clone();
    assert_eq!(due["reason"], "review due since 07/09/2027");
    let text = f.ok(&["consent", "missing", "--on", "2026-10-01"]);
    assert!(
        text.contains("Alex Sixteen") && text.contains("not returned"),
        "{text}"
    );
}
