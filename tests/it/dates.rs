//! Impossible dates are refused, each with one sentence naming the field, and nothing is
//! recorded: an incident in year 1 or before the learner was born, a report from the
//! future, an action due before the incident, a date of birth in 1900.

use chrono::{Datelike, Months};

use crate::common::{self, Folder};

fn with_alex() -> (Folder, String) {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    (f, alex)
}

fn new_incident(alex: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "incident",
        "new",
        "--category",
        "cyberbullying",
        "--learner",
        &format!("{alex}:subject"),
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "They shared it in the group chat",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Runs `args`, insists it fails with exactly `sentence` and leaves the folder as it was.
fn refused(f: &Folder, args: &[String], sentence: &str) {
    let before = f.snapshot();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(f.fails(&args), sentence);
    assert_eq!(f.snapshot(), before, "nothing was written");
}

#[test]
fn an_incident_in_year_1_is_refused() {
    let (f, alex) = with_alex();
    refused(
        &f,
        &new_incident(&alex, &["--occurred", "0001-01-01T10:00"]),
        "When it happened (01/01/0001) is more than 100 years ago; check the year.",
    );
}

#[test]
fn an_incident_before_the_learner_was_born_is_refused() {
    let (f, alex) = with_alex();
    refused(
        &f,
        &new_incident(&alex, &["--occurred", "2008-06-01T10:00"]),
        "When it happened (01/06/2008) is before Alex Example was born (17/04/2009); check the date.",
    );
}

#[test]
fn a_learner_born_after_the_incident_cannot_be_added_to_it() {
    let (f, alex) = with_alex();
    // A disclosure of something that happened years ago.
    let args = new_incident(&alex, &["--occurred", "2015-06-01T10:00"]);
    let reference = f.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let young = f.add_learner("Jo Sample", "2020-01-01");
    refused(
        &f,
        &[
            "incident".into(),
            "involve".into(),
            reference,
            "--learner".into(),
            format!("{young}:witness"),
        ],
        "When it happened (01/06/2015) is before Jo Sample was born (01/01/2020); check the date.",
    );
}

#[test]
fn a_report_from_the_future_is_refused() {
    let (f, alex) = with_alex();
    refused(
        &f,
        &new_incident(
            &alex,
            &[
                "--occurred",
                "2026-11-20T15:30",
                "--reported",
                "2090-01-01T09:00",
            ],
        ),
        "When it was reported (01/01/2090 09:00) is in the future.",
    );
}

#[test]
fn an_action_due_before_the_incident_is_refused() {
    let (f, alex) = with_alex();
    let reference = common::open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let action = |due: &str| -> Vec<String> {
        [
            "incident",
            "action",
            &reference,
            "--description",
            "Weekly check-in",
            "--owner",
            "Sam Example",
            "--due",
            due,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    refused(
        &f,
        &action("1800-01-01"),
        "The action's due date (01/01/1800) is before the incident happened (20/11/2026); check the date.",
    );
    refused(
        &f,
        &action("2206-01-01"),
        "The action's due date (01/01/2206) is more than 10 years away; check the year.",
    );
    // A date already past is fine: actions are sometimes recorded late.
    f.ok(&action("2026-11-21")
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
}

#[test]
fn a_referral_before_the_incident_is_refused() {
    let (f, alex) = with_alex();
    let reference = common::open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    refused(
        &f,
        &[
            "incident".into(),
            "refer".into(),
            reference,
            "--agency".into(),
            "police".into(),
            "--person".into(),
            "Sam Example".into(),
            "--date".into(),
            "2001-01-01".into(),
        ],
        "The referral date (01/01/2001) is before the incident happened (20/11/2026); check the date.",
    );
}

#[test]
fn a_date_of_birth_giving_an_age_under_4_or_over_100_is_refused() {
    let f = Folder::new();
    f.init();
    let today = chrono::Utc::now().date_naive();
    let add = |dob: &str| -> Vec<String> {
        [
            "learner",
            "add",
            "--name",
            "Alex Example",
            "--dob",
            dob,
            "--centre",
            "MAN",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let age_1900 = today.years_since(chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("d"));
    refused(
        &f,
        &add("1900-01-01"),
        &format!(
            "The date of birth (01/01/1900) would make the learner {}, and a learner is at most 100; check the year.",
            age_1900.expect("age")
        ),
    );
    let two = today - Months::new(24);
    refused(
        &f,
        &add(&two.format("%Y-%m-%d").to_string()),
        &format!(
            "The date of birth ({}) would make the learner 2, and a learner is at least 4; check the year.",
            two.format("%d/%m/%Y")
        ),
    );
    refused(
        &f,
        &add(&format!("{}-01-01", today.year() + 1)),
        &format!(
            "The date of birth (01/01/{}) is in the future; check the year.",
            today.year() + 1
        ),
    );
    // Both ends are possible: 4 today, and 100 today (a day either side of midnight in the
    // UK aside, so a week inside each bound).
    let four = today - Months::new(48) - chrono::Duration::days(7);
    f.ok(&add(&four.format("%Y-%m-%d").to_string())
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    let hundred = today - Months::new(1212) + chrono::Duration::days(7);
    f.ok(&add(&hundred.format("%Y-%m-%d").to_string())
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
}

#[test]
fn a_csv_row_with_an_impossible_date_of_birth_is_named_by_its_line() {
    let f = Folder::new();
    f.init();
    let csv = f.tmp.path().join("starters.csv");
    std::fs::write(
        &csv,
        "name,dob,centre\nAlex Example,2009-04-17,MAN\nJo Sample,1900-01-01,MAN\n",
    )
    .expect("csv");
    let before = f.snapshot();
    let err = f.fails(&["learner", "import", csv.to_str().expect("path")]);
    assert!(
        err.contains("line 3: The date of birth (01/01/1900) would make the learner"),
        "{err}"
    );
    assert_eq!(f.snapshot(), before);
}
