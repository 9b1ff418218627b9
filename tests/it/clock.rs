//! A computer's clock that is wrong: caught before it stamps anything, warned about, and a
//! device that already ran ahead recovers at once (issue 17, point 3).
//!
//! The real binary runs under `faketime` (libfaketime moves the clock of one command only),
//! as a coordinator's laptop with a wrong date would; what needs two clocks on one open log
//! is tested in process with the library.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::Datelike;
use harbour::log::hlc::Clock;

use crate::common::{self, Folder, PASSPHRASE};
use crate::sync_support::{introduce, snapshot, Site};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Runs the real `harbour` on `f` with its clock moved by `faketime ARGS`.
fn faked(f: &Folder, faketime: &[&str], args: &[&str]) -> Output {
    let mut cmd = Command::new("faketime");
    cmd.args(faketime)
        .arg(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(f.dir())
        .args(args)
        .env("HARBOUR_PASSPHRASE", PASSPHRASE)
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(std::process::Stdio::null());
    cmd.output()
        .expect("run faketime (apt-get install faketime)")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

const INIT: &[&str] = &[
    "init",
    "--org",
    "Northbridge Training",
    "--centre",
    "MAN",
    "Manchester",
    "--coordinator",
    "Sam Example",
    "--role",
    "Designated Safeguarding Lead",
];

fn incident_args(learner: &str) -> Vec<String> {
    vec![
        "incident".into(),
        "new".into(),
        "--category".into(),
        "cyberbullying".into(),
        "--occurred".into(),
        "2026-11-20T15:30".into(),
        "--reporter".into(),
        "Chris Tutor, Assessor".into(),
        "--account".into(),
        "They kept sending messages about me".into(),
        "--learner".into(),
        format!("{learner}:subject"),
    ]
}

fn this_year() -> i32 {
    harbour::domain::time::today().year()
}

#[test]
fn an_incident_recorded_with_the_clock_400_days_ahead_is_refused_and_changes_nothing() {
    let f = Folder::new();
    f.init();
    let learner = f.add_learner("Alex Example", "2009-04-17");
    let before = f.snapshot();
    let args = incident_args(&learner);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();

    let out = faked(&f, &["-f", "+400d"], &refs);
    assert!(!out.status.success(), "recorded: {}", stdout(&out));
    let text = stderr(&out);
    assert!(text.contains("clock looks wrong"), "{text}");
    assert!(text.contains("set the correct date and time"), "{text}");
    assert_eq!(text.lines().count(), 1, "one sentence: {text}");
    assert_eq!(f.snapshot(), before, "the data folder changed");

    // With the clock right, the same incident gets this year's first reference.
    assert_eq!(f.ok(&refs), format!("MAN-{}-0001", this_year()));
}

#[test]
fn setting_up_with_a_clock_before_this_release_is_refused() {
    let f = Folder::new();
    let out = faked(&f, &["2020-01-01 12:00:00"], INIT);
    assert!(!out.status.success(), "set up: {}", stdout(&out));
    let text = stderr(&out);
    assert!(text.contains("01/01/2020"), "{text}");
    assert!(text.contains("cannot be right"), "{text}");
    assert!(!harbour::folder::is_set_up(&f.dir()), "a folder was set up");
}

#[test]
fn a_device_set_up_with_a_fast_clock_records_with_the_real_date_once_the_clock_is_right() {
    // Set-up has nothing to check a clock 400 days fast against, so it is taken…
    let f = Folder::new();
    let out = faked(&f, &["-f", "+400d"], INIT);
    assert!(out.status.success(), "{}", stderr(&out));

    // …and once the clock is right, Harbour says so and stamps by the real date.
    let learner = f.run(&[
        "learner",
        "add",
        "--name",
        "Alex Example",
        "--dob",
        "2009-04-17",
        "--centre",
        "MAN",
    ]);
    assert!(learner.status.success(), "{}", stderr(&learner));
    let warning = stderr(&learner);
    assert!(
        warning.starts_with("Warning: This computer's clock says")
            && warning.contains("made by a computer whose clock was fast"),
        "{warning}"
    );
    let args = incident_args(&stdout(&learner));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(f.ok(&refs), format!("MAN-{}-0001", this_year()));
    let shown = f.json(&["clock", "show"]);
    assert_eq!(shown["warning"]["code"], "clock_behind_log", "{shown}");
    f.ok(&["verify"]);

    let h = harbour::Harbour::open(
        &f.dir(),
        harbour::Unlock::Passphrase(&harbour::keys::Passphrase::new(PASSPHRASE.into())),
    )
    .expect("open");
    let opened_ms: i64 = h
        .log()
        .conn()
        .query_row(
            "SELECT hlc_ms FROM events WHERE kind = 'incident_opened'",
            [],
            |r| r.get(0),
        )
        .expect("incident event");
    let now = chrono::Utc::now().timestamp_millis();
    assert!(
        (now - opened_ms).abs() < DAY_MS,
        "the incident is stamped {} days away from today",
        (opened_ms - now) / DAY_MS
    );
}

#[test]
fn after_more_than_six_months_without_an_entry_the_date_can_be_confirmed() {
    let f = Folder::new();
    f.init();
    let add = [
        "learner",
        "add",
        "--name",
        "Alex Example",
        "--dob",
        "2009-04-17",
        "--centre",
        "MAN",
    ];
    let refused = faked(&f, &["-f", "+200d"], &add);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("harbour clock confirm"),
        "{}",
        stderr(&refused)
    );

    let confirmed = faked(&f, &["-f", "+200d"], &["clock", "confirm"]);
    assert!(confirmed.status.success(), "{}", stderr(&confirmed));
    let added = faked(&f, &["-f", "+200d"], &add);
    assert!(added.status.success(), "{}", stderr(&added));
}

/// The real clock moved by a skew that a test can change while the log is open.
#[derive(Clone)]
struct Skewed(Arc<AtomicI64>);

impl Clock for Skewed {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.0.load(Ordering::Relaxed)
    }
}

fn skewed(site: &mut Site, days: i64) -> Skewed {
    let clock = Skewed(Arc::new(AtomicI64::new(days * DAY_MS)));
    site.h().log_mut().set_clock(Box::new(clock.clone()));
    clock
}

fn stamp(site: &Site, event: &str) -> (i64, i64) {
    site.hr()
        .log()
        .conn()
        .query_row(
            "SELECT hlc_ms, hlc_count FROM events WHERE id = ?1",
            [event],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("event")
}

#[test]
fn entries_about_a_record_from_the_future_sort_after_it_and_everything_else_takes_todays_date() {
    let mut a = Site::new("MAN", "Sam Example");
    let clock = skewed(&mut a, 150);
    let learner = a.learner("Alex Example");
    let incident = a.incident(learner, "Sent from a laptop whose clock was 150 days fast");
    clock.0.store(0, Ordering::Relaxed);

    let opened: String = a
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT id FROM events WHERE kind = 'incident_opened'",
            [],
            |r| r.get(0),
        )
        .expect("opening");
    let note =
        harbour::ops::incidents::note(a.h().log_mut(), incident, "Spoke to Alex").expect("note");
    assert!(
        stamp(&a, &note.to_string()) > stamp(&a, &opened),
        "a note sorts before the incident it is about"
    );

    let other = a.learner("Jamie Test");
    a.incident(other, "Recorded with the clock put right");
    let newest_today: i64 = a
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT max(hlc_ms) FROM events WHERE kind = 'incident_opened' AND hlc_ms < ?1",
            [chrono::Utc::now().timestamp_millis() + DAY_MS],
            |r| r.get::<_, Option<i64>>(0),
        )
        .expect("query")
        .expect("an incident stamped today");
    assert!(chrono::Utc::now().timestamp_millis() - newest_today < DAY_MS);

    // The note is in the chronology, and the tables are what a rebuild gives.
    let entries: i64 = a
        .hr()
        .log()
        .conn()
        .query_row(
            "SELECT count(*) FROM chronology WHERE event_id = ?1",
            [note.to_string()],
            |r| r.get(0),
        )
        .expect("chronology");
    assert_eq!(entries, 1);
    harbour::store::verify::verify(a.hr().log().conn()).expect("verify");
    let warning = a.hr().log().clock_warning().expect("warning");
    assert_eq!(
        warning.map(|w| w.code),
        Some("clock_behind_log".to_string())
    );
}

#[test]
fn a_peer_refuses_a_bundle_from_a_fast_clock_naming_the_device_and_changes_nothing() {
    let mut sites = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut sites);
    let mut b = sites.pop().expect("b");
    let mut a = sites.pop().expect("a");
    skewed(&mut a, 3);
    a.learner("Alex Example");
    let bundle = a.bundle_for(&[&b]);

    b.close();
    let before = snapshot(&b.dir());
    b.reopen();
    let err = b.take(&bundle).expect_err("refused");
    assert_eq!(err.code(), "bundle_future_event");
    let text = err.to_string();
    assert!(
        text.contains("made on MAN laptop (MAN)")
            && text.contains("the clock of MAN laptop (MAN) is wrong"),
        "{text}"
    );
    b.close();
    assert_eq!(snapshot(&b.dir()), before, "the data folder changed");
}

#[test]
fn a_clock_far_ahead_of_the_log_is_warned_about_before_it_is_refused() {
    let (_tmp, mut h) = common::open_in_process();
    h.log_mut()
        .set_clock(Box::new(Skewed(Arc::new(AtomicI64::new(40 * DAY_MS)))));
    let w = h
        .log()
        .clock_warning()
        .expect("warning")
        .expect("a warning");
    assert_eq!(w.code, "clock_far_ahead_of_log");
    assert!(
        w.message.contains("check the date and time"),
        "{}",
        w.message
    );
}
