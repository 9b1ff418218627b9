//! Records kept as long as the law says and no longer: the retention rules are data with
//! their sources, each record's review date follows its rule (a learner's file at date of
//! birth + 25 years, later if their newest incident says so; an allegation about staff 10
//! years on, saying that the date of birth is not known), review decisions and legal holds
//! are events, and a held record is never destroyed. Through the real `harbour` binary.

use crate::common;

use common::{open_incident, Folder};
use serde_json::Value;

/// Runs a command expected to be refused; checks the refusal is one sentence on one line
/// and that no file of the data folder changed. Returns the sentence.
fn refused(f: &Folder, args: &[&str]) -> String {
    let before = f.snapshot();
    let err = f.fails(args);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.ends_with('.'), "{err}");
    assert!(
        before == f.snapshot(),
        "a refused command changed the data folder: {args:?}"
    );
    err
}

/// An incident that happened on `occurred` (ISO), with these learners.
fn incident_on(f: &Folder, category: &str, occurred: &str, learners: &[(&str, &str)]) -> String {
    let mut args: Vec<String> = [
        "incident",
        "new",
        "--category",
        category,
        "--occurred",
        occurred,
        "--reported",
        occurred,
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "Posts about the centre",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (id, role) in learners {
        args.push("--learner".into());
        args.push(format!("{id}:{role}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    f.ok(&refs)
}

/// An allegation about a new member of staff, made (and reported) on `when` (ISO).
fn allegation_on(f: &Folder, when: &str) -> String {
    let staff = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Robin Sample",
        "--job-title",
        "Assessor",
    ]);
    f.ok(&[
        "incident",
        "new",
        "--category",
        "allegation-staff",
        "--concerns",
        &staff,
        "--occurred",
        when,
        "--reported",
        when,
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "A concern about messages sent to a learner",
    ])
}

fn due_labels(f: &Folder, on: &str) -> Vec<String> {
    let v = f.json(&["retention", "due", "--on", on]);
    v.as_array()
        .expect("list")
        .iter()
        .map(|r| r["label"].as_str().expect("label").to_string())
        .collect()
}

fn show(f: &Folder, record: &str) -> Value {
    f.json(&["retention", "show", record])
}

#[test]
fn a_learners_file_is_reviewed_at_25_and_learner_show_names_the_rule() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let shown = f.ok(&["learner", "show", &alex]);
    assert!(
        shown.contains("Review date: 17/04/2034 (date of birth + 25 years)"),
        "{shown}"
    );
    assert!(
        shown.contains("retention rule learner-file version 1") && shown.contains("IRMS"),
        "{shown}"
    );
    let json = f.json(&["learner", "show", &alex]);
    assert_eq!(json["retention"]["file"]["review_on"], "2034-04-17");
    assert!(due_labels(&f, "2034-04-16").is_empty());
    assert_eq!(due_labels(&f, "2034-04-17"), vec!["Alex Example's file"]);
    let listed = f.ok(&["retention", "due", "--on", "2034-04-17"]);
    assert!(
        listed.contains("17/04/2034") && listed.contains("learner-file v1"),
        "{listed}"
    );
}

#[test]
fn an_adult_learners_review_date_follows_their_newest_incident() {
    let f = Folder::new();
    f.init();
    let jordan = f.add_learner("Jordan Sample", "1990-01-01");
    // Born 1990: date of birth + 25 is 2015, but the incident that year keeps it to 2021.
    incident_on(
        &f,
        "cyberbullying",
        "2015-03-01T10:00",
        &[(&jordan, "subject")],
    );
    let r = show(&f, &jordan);
    assert_eq!(r["review_on"], "2021-03-01", "{r}");
    assert_eq!(due_labels(&f, "2026-12-01"), vec!["Jordan Sample's file"]);
    // A newer incident moves the review date on: six years after it.
    open_incident(&f, "cyberbullying", &[(&jordan, "witness")]);
    let r = show(&f, &jordan);
    assert_eq!(r["review_on"], "2032-11-20", "{r}");
    assert!(due_labels(&f, "2026-12-01").is_empty());
}

#[test]
fn an_allegation_about_staff_is_kept_ten_years_and_says_the_date_of_birth_is_unknown() {
    let f = Folder::new();
    f.init();
    let staff = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Robin Sample",
        "--job-title",
        "Assessor",
    ]);
    let reference = f.ok(&[
        "incident",
        "new",
        "--category",
        "allegation-staff",
        "--concerns",
        &staff,
        "--occurred",
        "2026-11-20T15:30",
        "--reported",
        "2026-11-21T09:00",
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "A concern about messages sent to a learner",
    ]);
    let r = show(&f, &reference);
    assert_eq!(r["rule"], "staff-allegation");
    // Ten years from the allegation (when it was reported), not from when it happened.
    assert_eq!(r["review_on"], "2036-11-21", "{r}");
    let text = f.ok(&["retention", "show", &reference]);
    assert!(
        text.contains("date of birth is not recorded") && text.contains("pension age"),
        "{text}"
    );
    assert_eq!(due_labels(&f, "2036-11-21"), vec![reference]);
}

#[test]
fn a_rule_file_without_a_source_a_negative_period_or_an_unknown_record_kind_is_refused() {
    let f = Folder::new();
    f.init();
    let file = f.tmp.path().join("rule.toml");
    let path = file.to_str().expect("path").to_string();
    f.ok(&["retention", "copy", "learner-file", "--out", &path]);
    let copied = std::fs::read_to_string(&file).expect("copied rule");
    assert!(copied.contains("years = 25"), "{copied}");
    let newer = copied.replace("version = 1", "version = 2");

    let no_source: String = newer
        .lines()
        .filter(|l| !l.starts_with("source"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, no_source).expect("write");
    let err = refused(&f, &["retention", "adapt", &path]);
    assert!(err.contains("has no source"), "{err}");

    std::fs::write(&file, newer.replace("years = 25", "years = -25")).expect("write");
    let err = refused(&f, &["retention", "adapt", &path]);
    assert!(err.contains("negative period"), "{err}");

    std::fs::write(
        &file,
        newer.replace("record = \"learner-file\"", "record = \"lunch-orders\""),
    )
    .expect("write");
    let err = refused(&f, &["retention", "adapt", &path]);
    assert!(
        err.contains("\u{201c}lunch-orders\u{201d} is not a kind of record Harbour holds"),
        "{err}"
    );

    // Nothing was adopted: the review date still follows version 1.
    let alex = f.add_learner("Alex Example", "2009-04-17");
    assert_eq!(show(&f, &alex)["rule_version"], 1);
}

#[test]
fn an_adapted_rule_moves_the_review_date_and_a_version_not_newer_is_refused() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let file = f.tmp.path().join("rule.toml");
    let path = file.to_str().expect("path").to_string();
    f.ok(&["retention", "copy", "learner-file", "--out", &path]);
    let copied = std::fs::read_to_string(&file).expect("copied rule");

    std::fs::write(&file, copied.replace("years = 25", "years = 30")).expect("write");
    let err = refused(&f, &["retention", "adapt", &path]);
    assert!(
        err.contains("not newer than the current version 1"),
        "{err}"
    );

    std::fs::write(
        &file,
        copied
            .replace("version = 1", "version = 2")
            .replace("years = 25", "years = 30"),
    )
    .expect("write");
    f.ok(&["retention", "adapt", &path]);
    let r = show(&f, &alex);
    assert_eq!(r["rule_version"], 2);
    assert_eq!(r["review_on"], "2039-04-17");
    let rules = f.ok(&["retention", "rules"]);
    assert!(
        rules.contains("learner-file       version 2 (adapted)"),
        "{rules}"
    );
    f.ok(&["verify"]);
}

#[test]
fn destroying_before_the_review_date_needs_the_override_and_a_reason() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let err = refused(
        &f,
        &[
            "retention",
            "review",
            &alex,
            "--destroy",
            "--reason",
            "Left the centre",
        ],
    );
    assert!(
        err.contains("not due for review until 17/04/2034") && err.contains("explicit override"),
        "{err}"
    );
    let err = refused(
        &f,
        &[
            "retention",
            "review",
            &alex,
            "--destroy",
            "--early",
            "--reason",
            "  ",
        ],
    );
    assert!(err.contains("reason"), "{err}");

    let done = f.ok(&[
        "retention",
        "review",
        &alex,
        "--destroy",
        "--early",
        "--reason",
        "Recorded in error: never a learner here",
    ]);
    assert!(
        done.contains("decision to destroy Alex Example's file is recorded"),
        "{done}"
    );
    let r = show(&f, &alex);
    assert_eq!(r["destroyed"], true);
    assert_eq!(r["decision"]["early"], true);
    assert_eq!(
        r["decision"]["reason"],
        "Recorded in error: never a learner here"
    );
    // Decided once: not listed again, and not decided twice.
    assert!(due_labels(&f, "2040-01-01").is_empty());
    refused(
        &f,
        &[
            "retention",
            "review",
            &alex,
            "--keep-until",
            "2040-01-01",
            "--reason",
            "Changed mind",
        ],
    );
    let shown = f.ok(&["learner", "show", &alex]);
    assert!(
        shown.contains("destroy, before the review date (override)"),
        "{shown}"
    );
    f.ok(&["verify"]);
}

#[test]
fn keeping_a_record_moves_its_review_date_and_a_date_not_ahead_is_refused() {
    let f = Folder::new();
    f.init();
    let jordan = f.add_learner("Jordan Sample", "1990-01-01");
    incident_on(
        &f,
        "cyberbullying",
        "2015-03-01T10:00",
        &[(&jordan, "subject")],
    );
    let err = refused(
        &f,
        &[
            "retention",
            "review",
            &jordan,
            "--keep-until",
            "2020-01-01",
            "--reason",
            "Still needed",
        ],
    );
    assert!(err.contains("must be after today"), "{err}");
    f.ok(&[
        "retention",
        "review",
        &jordan,
        "--keep-until",
        "2031-06-30",
        "--reason",
        "A civil claim is expected",
    ]);
    let r = show(&f, &jordan);
    assert_eq!(r["review_on"], "2031-06-30");
    assert_eq!(r["decision"]["decision"], "keep");
    assert!(due_labels(&f, "2031-06-29").is_empty());
    assert_eq!(due_labels(&f, "2031-06-30"), vec!["Jordan Sample's file"]);
}

#[test]
fn a_held_incident_cannot_be_destroyed_and_the_folder_is_unchanged() {
    let f = Folder::new();
    f.init();
    // An allegation about staff is reviewed on its own: ten years from 2015.
    let reference = allegation_on(&f, "2015-03-01T10:00");
    assert_eq!(show(&f, &reference)["review_on"], "2025-03-01");
    f.ok(&[
        "retention",
        "hold",
        &reference,
        "--reason",
        "Relevant to a statutory inquiry",
    ]);
    let shown = f.ok(&["incident", "show", &reference]);
    assert!(
        shown.contains(&format!("LEGAL HOLD on {reference}"))
            && shown.contains("Review date: 01/03/2025"),
        "{shown}"
    );
    let held = f.ok(&["retention", "holds"]);
    assert!(
        held.contains(&reference) && held.contains("Relevant to a statutory inquiry"),
        "{held}"
    );
    for extra in [&[][..], &["--early"][..]] {
        let mut args = vec![
            "retention",
            "review",
            &reference,
            "--destroy",
            "--reason",
            "Past its date",
        ];
        args.extend_from_slice(extra);
        let err = refused(&f, &args);
        assert_eq!(
            err,
            format!("{reference} is under a legal hold, so it cannot be destroyed and nothing was changed.")
        );
    }
    // Kept while held, still listed as due (flagged), and keeping it is allowed.
    assert!(f.ok(&["retention", "due"]).contains("[legal hold]"));
    refused(&f, &["retention", "lift", &reference, "--reason", ""]);
    f.ok(&[
        "retention",
        "lift",
        &reference,
        "--reason",
        "The inquiry has reported",
    ]);
    assert_eq!(
        f.ok(&["retention", "holds"]),
        "No legal holds are in force."
    );
    let err = refused(&f, &["retention", "lift", &reference, "--reason", "Again"]);
    assert!(err.contains("no legal hold"), "{err}");
    f.ok(&[
        "retention",
        "review",
        &reference,
        "--destroy",
        "--reason",
        "Past its date; no inquiry needs it",
    ]);
    assert_eq!(show(&f, &reference)["destroyed"], true);
    f.ok(&["verify"]);
}

#[test]
fn a_hold_on_an_incident_protects_the_file_of_every_learner_in_it() {
    let f = Folder::new();
    f.init();
    let jordan = f.add_learner("Jordan Sample", "1990-01-01");
    let reference = incident_on(
        &f,
        "cyberbullying",
        "2015-03-01T10:00",
        &[(&jordan, "subject")],
    );
    // The incident is part of Jordan's file, so it is reviewed with it.
    let err = refused(
        &f,
        &[
            "retention",
            "review",
            &reference,
            "--destroy",
            "--reason",
            "Old",
        ],
    );
    assert!(err.contains("reviewed with them"), "{err}");
    f.ok(&[
        "retention",
        "hold",
        &reference,
        "--reason",
        "Legal proceedings",
    ]);
    let err = refused(
        &f,
        &[
            "retention",
            "review",
            &jordan,
            "--destroy",
            "--reason",
            "Past its date",
        ],
    );
    assert!(err.contains("under a legal hold"), "{err}");
    let shown = f.ok(&["learner", "show", &jordan]);
    assert!(
        shown.contains(&format!("LEGAL HOLD on {reference}"))
            && shown.contains("Legal proceedings"),
        "{shown}"
    );
    // Lifting is done on the record the hold was placed on.
    let err = refused(&f, &["retention", "lift", &jordan, "--reason", "Done"]);
    assert!(
        err.contains(&format!("held through the hold on {reference}")),
        "{err}"
    );
}

#[test]
fn the_dashboard_and_status_count_the_records_due() {
    let f = Folder::new();
    f.init();
    let status = f.json(&["status"]);
    assert_eq!(status["retention_due"], 0);
    let jordan = f.add_learner("Jordan Sample", "1990-01-01");
    incident_on(
        &f,
        "cyberbullying",
        "2015-03-01T10:00",
        &[(&jordan, "subject")],
    );
    allegation_on(&f, "2016-05-01T10:00");
    assert_eq!(f.json(&["status"])["retention_due"], 2);
    assert!(f
        .ok(&["status"])
        .contains("2 records are due for review under their retention rule."));

    let (_tmp, mut h) = common::open_in_process();
    let learner = harbour::ops::learners::add(
        h.log_mut(),
        harbour::ops::learners::NewLearner {
            name: "Alex Example".into(),
            dob: harbour::domain::time::parse_date("2009-04-17").expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    let viewer = h.log().device().author;
    let on = |d: &str| harbour::domain::time::parse_date(d).expect("date");
    let count = |h: &harbour::Harbour, d: &str| {
        harbour::read::dashboard::dashboard(h.log().conn(), viewer, on(d))
            .expect("dashboard")
            .retention_due
    };
    assert_eq!(count(&h, "2034-04-16"), 0);
    assert_eq!(count(&h, "2034-04-17"), 1);
    harbour::ops::retention::review(
        h.log_mut(),
        harbour::log::RecordRef::LearnerFile(learner),
        harbour::ops::retention::Review {
            decision: harbour::log::RetentionDecision::Keep {
                until: on("2036-01-01"),
            },
            reason: "Reviewed: still needed".into(),
            early: false,
        },
        on("2034-04-17"),
    )
    .expect("kept");
    assert_eq!(count(&h, "2034-04-17"), 0);
    assert_eq!(count(&h, "2036-01-01"), 1);
}

#[test]
fn a_hold_placed_at_one_centre_stops_destruction_at_another() {
    use crate::sync_support::{introduce, Site};
    use harbour::log::{RecordRef, RetentionDecision};
    use harbour::ops::retention::{self, Review};

    let mut s = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut s);
    let mut b = s.pop().expect("b");
    let mut a = s.pop().expect("a");
    let learner = a.learner("Jamie Test");
    a.incident(learner, "Messages after college");
    let file = RecordRef::LearnerFile(learner);
    let to_b = a.bundle_for(&[&b]);
    b.take(&to_b).expect("learner reaches B");

    // B decides to destroy the file early while A, not yet knowing, places a hold.
    retention::hold(a.h().log_mut(), file, "Relevant to a statutory inquiry").expect("hold");
    let today = harbour::domain::time::today();
    retention::review(
        b.h().log_mut(),
        file,
        Review {
            decision: RetentionDecision::Destroy,
            reason: "Recorded in error".into(),
            early: true,
        },
        today,
    )
    .expect("destroy decided at B");
    let to_b = a.bundle_for(&[&b]);
    let to_a = b.bundle_for(&[&a]);
    b.take(&to_b).expect("hold reaches B");
    a.take(&to_a).expect("decision reaches A");
    for site in [&a, &b] {
        let conn = site.hr().log().conn();
        let r = harbour::read::retention::learner_file(conn, site.author(), learner)
            .expect("retention");
        assert!(!r.destroyed, "the hold did not override the decision");
        assert_eq!(r.holds.len(), 1);
        assert_eq!(r.holds[0].reason, "Relevant to a statutory inquiry");
        harbour::store::verify::verify(conn).expect("verify");
    }
    // And now that B knows of the hold, it refuses to destroy, changing nothing.
    let before: i64 = b
        .hr()
        .log()
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count");
    let err = retention::review(
        b.h().log_mut(),
        file,
        Review {
            decision: RetentionDecision::Destroy,
            reason: "Recorded in error".into(),
            early: true,
        },
        today,
    )
    .expect_err("refused");
    assert_eq!(err.code(), "held");
    let after: i64 = b
        .hr()
        .log()
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(before, after);
}

#[test]
fn a_hold_on_an_allegation_never_reaches_the_person_it_concerns() {
    use crate::sync_support::{introduce, Site};
    use harbour::log::RecordRef;

    let mut s = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut s);
    let mut b = s.pop().expect("b");
    let mut a = s.pop().expect("a");
    let from_b = b.bundle_for(&[&a]);
    a.take(&from_b).expect("from b");
    let incident = harbour::ops::incidents::open(
        a.h().log_mut(),
        harbour::ops::incidents::NewIncident {
            learners: vec![],
            categories: vec!["allegation-staff".into()],
            account: "A concern about messages".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: harbour::domain::Reporter {
                name: "Chris Tutor".into(),
                job_title: "Assessor".into(),
            },
            centre: None,
            concerns_staff: Some(b.author().to_string()),
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("allegation")
    .id;
    let secret = "Held for the LADO's investigation";
    harbour::ops::retention::hold(a.h().log_mut(), RecordRef::Incident(incident), secret)
        .expect("hold");
    let to_b = a.bundle_for(&[&b]);
    let plain = harbour::sync::import::open(b.hr(), &to_b)
        .expect("open")
        .plain;
    assert!(
        !plain.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the hold's reason was in the bundle for the person the allegation is about"
    );
    b.take(&to_b).expect("import");
    let holds: i64 = b
        .hr()
        .log()
        .conn()
        .query_row("SELECT count(*) FROM legal_holds", [], |r| r.get(0))
        .expect("count");
    assert_eq!(holds, 0);
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify B");
}

#[test]
fn consent_records_are_kept_until_the_learner_leaves_and_then_for_the_organisations_period() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    f.ok(&[
        "consent",
        "record",
        &alex,
        "--form",
        "photo-video",
        "--signed-by",
        "Pat Example",
        "--relationship",
        "Mother",
        "--date",
        "2026-09-07",
        "--internal",
        "yes",
        "--website",
        "no",
        "--social-media",
        "no",
        "--press",
        "no",
    ]);
    let consent = format!("consent:{alex}");
    let r = show(&f, &consent);
    assert_eq!(r["rule"], "consent");
    assert_eq!(r["review_on"], Value::Null, "{r}");
    assert!(f
        .ok(&["retention", "show", &consent])
        .contains("knows a learner has left only when their file is sent"),);
    // Without a leaving date there is no review date: destroying needs the override.
    let err = refused(
        &f,
        &[
            "retention",
            "review",
            &consent,
            "--destroy",
            "--reason",
            "Left",
        ],
    );
    assert!(err.contains("has no review date yet"), "{err}");

    // Leaving (the file sent to another setting) starts the organisation's period: one year
    // as built in, three once the organisation adapts the rule.
    {
        let mut h = harbour::Harbour::open(
            &f.dir(),
            harbour::Unlock::Passphrase(&harbour::keys::Passphrase::new(common::PASSPHRASE.into())),
        )
        .expect("open");
        h.log_mut()
            .append(harbour::log::Body::TransferSent {
                transfer_id: uuid::Uuid::now_v7(),
                learner_id: uuid::Uuid::parse_str(&alex).expect("id"),
                to_setting: "Riverside College".into(),
                sent_on: harbour::domain::time::parse_date("2026-12-01").expect("date"),
                pack_file: "transfer.zip.age".into(),
                pack_sha256: format!("{:064x}", 1),
            })
            .expect("transfer");
    }
    assert_eq!(show(&f, &consent)["review_on"], "2027-12-01");
    let file = f.tmp.path().join("consent.toml");
    let path = file.to_str().expect("path").to_string();
    f.ok(&["retention", "copy", "consent", "--out", &path]);
    let copied = std::fs::read_to_string(&file).expect("copied");
    std::fs::write(
        &file,
        copied
            .replace("version = 1", "version = 2")
            .replace("years = 1", "years = 3"),
    )
    .expect("write");
    f.ok(&["retention", "adapt", &path]);
    assert_eq!(show(&f, &consent)["review_on"], "2029-12-01");
    assert_eq!(
        due_labels(&f, "2029-12-01"),
        vec!["Alex Example's consent records"]
    );
}
