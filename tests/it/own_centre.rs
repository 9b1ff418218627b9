//! An incident recorded with no learner (an allegation about a member of staff) belongs to
//! this device's own centre, not the alphabetically first one; the coordinator may say
//! otherwise, and the reference follows the centre.

use crate::common;

use common::Folder;
use serde_json::Value;

/// A folder set up at Leeds whose organisation also has Bolton (first in the alphabet);
/// returns a member of staff's id.
fn leeds_with_bolton() -> (Folder, String) {
    let f = Folder::new();
    f.ok(&[
        "init",
        "--org",
        "Northbridge Training",
        "--centre",
        "LEE",
        "Leeds",
        "--coordinator",
        "Sam Example",
        "--role",
        "Designated Safeguarding Lead",
    ]);
    f.ok(&["org", "add-centre", "BOL", "Bolton"]);
    let tutor = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Robin Tutor",
        "--job-title",
        "Tutor",
        "--centre",
        "BOL",
    ]);
    (f, tutor)
}

fn allegation(f: &Folder, about: &str, centre: Option<&str>) -> String {
    let mut args = vec![
        "incident",
        "new",
        "--category",
        "allegation-staff",
        "--concerns",
        about,
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "Chris Tutor, Assessor",
        "--account",
        "A learner said the tutor messaged them privately",
    ];
    if let Some(c) = centre {
        args.extend(["--centre", c]);
    }
    f.ok(&args)
}

#[test]
fn an_allegation_with_no_learner_belongs_to_this_device_s_own_centre() {
    let (f, tutor) = leeds_with_bolton();
    let reference = allegation(&f, &tutor, None);
    assert!(reference.starts_with("LEE-"), "{reference}");
    let shown: Value = f.json(&["incident", "show", &reference]);
    assert_eq!(shown["summary"]["centre"], "LEE", "{shown}");
}

#[test]
fn the_coordinator_may_say_it_belongs_to_another_centre_and_the_reference_follows() {
    let (f, tutor) = leeds_with_bolton();
    let reference = allegation(&f, &tutor, Some("bol"));
    assert!(reference.starts_with("BOL-"), "{reference}");
    // The next one recorded here, with nothing said, is Leeds's first.
    let next = allegation(&f, &tutor, None);
    assert!(next.starts_with("LEE-") && next.contains("-0001"), "{next}");
}

#[test]
fn an_incident_with_a_learner_still_takes_the_learner_s_centre() {
    let (f, _) = leeds_with_bolton();
    let learner = f.ok(&[
        "learner",
        "add",
        "--name",
        "Jo Example",
        "--dob",
        "2008-01-02",
        "--centre",
        "BOL",
    ]);
    let reference = common::open_incident(&f, "cyberbullying", &[(&learner, "subject")]);
    assert!(reference.starts_with("BOL-"), "{reference}");
}
