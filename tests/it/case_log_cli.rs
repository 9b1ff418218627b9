//! The command line end to end: learners, an incident's whole life, corrections, search,
//! CSV import, and plain errors that leave the data untouched.

use crate::common;

use common::Folder;
use serde_json::Value;

fn incident(f: &Folder, learners: &[(&str, &str)], account: &str) -> String {
    let mut args = vec![
        "incident".to_string(),
        "new".into(),
        "--category".into(),
        "cyberbullying".into(),
        "--occurred".into(),
        "2026-11-20T15:30".into(),
        "--reporter".into(),
        "Chris Tutor, Assessor".into(),
        "--account".into(),
        account.into(),
        "--place".into(),
        "Instagram".into(),
    ];
    for (id, role) in learners {
        args.push("--learner".into());
        args.push(format!("{id}:{role}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    f.ok(&refs)
}

#[test]
fn an_incident_from_start_to_close() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let jo = f.add_learner("Jo Sample", "2008-01-02");
    let reference = incident(
        &f,
        &[(&alex, "subject"), (&jo, "alleged")],
        "He posted my photo with nasty captions",
    );
    assert!(
        reference.starts_with("MAN-") && reference.ends_with("-0001"),
        "{reference}"
    );
    let second = incident(&f, &[(&jo, "subject")], "Someone copied my account");
    assert!(second.ends_with("-0002"), "{second}");

    // Each learner has their own role, and ages are at the date of the incident.
    let d: Value = f.json(&["incident", "show", &reference]);
    let learners = d["learners"].as_array().expect("learners");
    let role_of = |name: &str| {
        learners
            .iter()
            .find(|l| l["name"] == name)
            .map(|l| l["role"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(role_of("Alex Example").as_deref(), Some("subject"));
    assert_eq!(role_of("Jo Sample").as_deref(), Some("alleged"));
    let jo_age = learners
        .iter()
        .find(|l| l["name"] == "Jo Sample")
        .expect("jo")["age_at_incident"]
        .clone();
    assert_eq!(jo_age, 18);

    // Note, then a correction of the note: both stay in the chronology.
    let note = f.json(&[
        "incident",
        "note",
        &reference,
        "Learner says it happened on the bus",
    ]);
    let note_entry = note["message"]
        .as_str()
        .expect("message")
        .split("entry ")
        .nth(1)
        .expect("entry")
        .trim_end_matches(").")
        .to_string();
    let short = &note_entry[note_entry.len() - 12..];
    f.ok(&[
        "incident",
        "correct",
        &reference,
        short,
        "--text",
        "Learner says it happened at the bus stop",
        "--reason",
        "Misheard at first",
    ]);
    let d: Value = f.json(&["incident", "show", &reference]);
    let chron = d["chronology"].as_array().expect("chronology");
    let original = chron
        .iter()
        .find(|e| e["id"] == note_entry.as_str())
        .expect("original kept");
    assert_eq!(original["text"], "Learner says it happened on the bus");
    let correction = chron
        .iter()
        .find(|e| e["corrects"] == note_entry.as_str())
        .expect("correction");
    assert!(correction["text"]
        .as_str()
        .expect("text")
        .contains("at the bus stop"));
    assert_eq!(original["corrected_by"][0], correction["id"]);

    // Referral, decision (including not to refer), action, risk, link, close.
    let refer = [
        "incident",
        "refer",
        &reference,
        "--agency",
        "police",
        "--date",
        "2026-11-21",
        "--person",
        "Sam Example",
        "--reference",
        "CRIME-1234",
    ];
    f.ok(&refer);
    // The same referral again (a second click) is refused, not counted twice.
    let err = f.fails(&refer);
    assert!(
        err.contains("is already recorded") && err.contains("21/11/2026"),
        "{err}"
    );
    let d: serde_json::Value = f.json(&["incident", "show", &reference]);
    assert_eq!(d["referrals"].as_array().map(Vec::len), Some(1));
    f.ok(&[
        "incident",
        "decide",
        &reference,
        "--decision",
        "Not referring to children's social care.",
        "--reason",
        "No risk at home identified.",
        "--not-to-refer",
    ]);
    f.ok(&[
        "incident",
        "action",
        &reference,
        "--description",
        "Meet learner weekly",
        "--owner",
        "Sam Example",
        "--due",
        "2026-12-01",
    ]);
    f.ok(&[
        "incident",
        "risk",
        &reference,
        "high",
        "--reason",
        "Photos still circulating",
    ]);
    f.ok(&[
        "incident",
        "link",
        &reference,
        &second,
        "--reason",
        "Same group chat",
    ]);
    let err = f.fails(&["incident", "close", &reference, "--outcome", "Resolved"]);
    assert!(
        err.contains("--reason"),
        "closing without a reason must be refused: {err}"
    );
    f.ok(&[
        "incident",
        "close",
        &reference,
        "--outcome",
        "Posts removed and learners supported.",
        "--reason",
        "No further concerns after review.",
    ]);
    let err = f.fails(&[
        "incident",
        "close",
        &reference,
        "--outcome",
        "x",
        "--reason",
        "y",
    ]);
    assert_eq!(err, "This incident is already closed.");

    let d: Value = f.json(&["incident", "show", &reference]);
    assert_eq!(d["summary"]["status"], "closed");
    assert_eq!(d["summary"]["risk_level"], "high");
    assert_eq!(d["referrals"][0]["agency"], "police");
    assert_eq!(d["referrals"][0]["reference"], "CRIME-1234");
    assert_eq!(d["decisions"][0]["not_to_refer"], true);
    assert_eq!(d["actions"][0]["owner"], "Sam Example");
    assert_eq!(d["links"][0]["reference"], second.as_str());
    assert_eq!(d["status_reason"], "No further concerns after review.");
    let human = f.ok(&["incident", "show", &reference]);
    assert!(
        human.contains("20/11/2026 15:30") && human.contains("Closed"),
        "{human}"
    );

    // The learner's page gathers every incident they appear in.
    let l: Value = f.json(&["learner", "show", &jo]);
    let refs: Vec<&str> = l["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|i| i["reference"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(refs.len(), 2, "{refs:?}");

    // Search finds words of the account, of notes and of corrections; filters narrow lists.
    let hits = |words: &str| -> Vec<String> {
        f.json(&["incident", "search", words])
            .as_array()
            .expect("hits")
            .iter()
            .map(|i| i["reference"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(hits("captions"), vec![reference.clone()]);
    assert_eq!(hits("bus stop"), vec![reference.clone()]);
    assert_eq!(hits("copied"), vec![second.clone()]);
    assert!(hits("nonexistentword").is_empty());
    // What people type: part of a word, a category's name, a learner's name, a place, and
    // an agency's reference with its slashes.
    assert_eq!(hits("capt"), vec![reference.clone()]);
    assert_eq!(hits("harassment"), vec![second.clone(), reference.clone()]);
    assert_eq!(hits("bullying alex"), vec![reference.clone()]);
    assert_eq!(hits("insta"), vec![second.clone(), reference.clone()]);
    f.ok(&[
        "incident",
        "refer",
        &second,
        "--agency",
        "police",
        "--person",
        "Sam Example",
        "--reference",
        "LEE/2026/0417",
    ]);
    assert_eq!(hits("2026/0417"), vec![second.clone()]);
    let err = f.fails(&["incident", "search", "PC"]);
    assert!(err.contains("at least three letters"), "{err}");
    // The list shows who is involved, by name.
    let listed: Value = f.json(&["incident", "search", "captions"]);
    assert_eq!(
        listed[0]["learners"],
        serde_json::json!(["Alex Example", "Jo Sample"])
    );
    assert!(
        hits("NEAR(\"bus\" OR").len() <= 1,
        "query syntax must not break search"
    );
    let open: Value = f.json(&["incident", "list", "--status", "open"]);
    assert_eq!(open.as_array().expect("list").len(), 1);
    let by_learner: Value = f.json(&["incident", "list", "--learner", &alex]);
    assert_eq!(by_learner.as_array().expect("list").len(), 1);

    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
}

#[test]
fn bad_input_is_one_plain_sentence_and_changes_nothing() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let subject = format!("{alex}:subject");
    let bystander = format!("{alex}:bystander");
    let before = f.snapshot();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "learner",
                "add",
                "--name",
                "X",
                "--dob",
                "17/04/2009",
                "--centre",
                "MAN",
            ],
            "is not a date",
        ),
        (
            vec![
                "learner",
                "add",
                "--name",
                "X",
                "--dob",
                "2009-04-17",
                "--centre",
                "LDS",
            ],
            "No centre matches \"LDS\".",
        ),
        (
            vec![
                "incident",
                "new",
                "--category",
                "nope",
                "--learner",
                &subject,
                "--occurred",
                "2026-11-20T15:30",
                "--reporter",
                "A B, C",
                "--account",
                "x",
            ],
            "is not a category",
        ),
        (
            vec![
                "incident",
                "new",
                "--category",
                "gambling",
                "--learner",
                &bystander,
                "--occurred",
                "2026-11-20T15:30",
                "--reporter",
                "A B, C",
                "--account",
                "x",
            ],
            "is not a learner's role",
        ),
        (
            vec![
                "incident",
                "new",
                "--category",
                "gambling",
                "--learner",
                &subject,
                "--occurred",
                "2026-11-20T15:30",
                "--reporter",
                "Only a name",
                "--account",
                "x",
            ],
            "Full name, Job title",
        ),
        (
            vec![
                "incident",
                "new",
                "--category",
                "allegation-staff",
                "--learner",
                &subject,
                "--occurred",
                "2026-11-20T15:30",
                "--reporter",
                "A B, C",
                "--account",
                "x",
            ],
            "whom it concerns",
        ),
        (
            vec!["incident", "show", "MAN-2026-9999"],
            "No incident matches \"MAN-2026-9999\".",
        ),
    ];
    for (args, expected) in cases {
        let err = f.fails(&args);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: more than one line: {err}"
        );
        assert_eq!(f.snapshot(), before, "{args:?} changed the folder");
    }
}

#[test]
fn csv_import_reports_bad_rows_by_line_and_imports_nothing() {
    let f = Folder::new();
    f.init();
    let csv = f.tmp.path().join("starters.csv");
    std::fs::write(
        &csv,
        "name,dob,centre,employer,carer_name,carer_relationship\n\
         Alex Example,2009-04-17,MAN,Acme Joinery,Pat Example,Mother\n\
         Jo Sample,17/04/2009,MAN,,,\n\
         Sam Third,2008-05-06,XYZ,,,\n\
         Kim Fourth,2007-06-07,man,,,\n",
    )
    .expect("csv");
    let before = f.snapshot();
    let err = f.fails(&["learner", "import", csv.to_str().expect("path")]);
    assert!(
        err.starts_with("Nothing was imported because 2 rows could not be used"),
        "{err}"
    );
    assert!(err.contains("line 3:") && err.contains("line 4:"), "{err}");
    assert_eq!(f.snapshot(), before);
    assert_eq!(f.ok(&["learner", "list"]), "No learners recorded yet.");

    std::fs::write(
        &csv,
        "name,dob,centre,employer,carer_name,carer_relationship\n\
         Alex Example,2009-04-17,MAN,Acme Joinery,Pat Example,Mother\n\
         Kim Fourth,2007-06-07,man,,,\n",
    )
    .expect("csv");
    let v = f.json(&["learner", "import", csv.to_str().expect("path")]);
    assert_eq!(v["imported"], 2);
    let list: Value = f.json(&["learner", "list"]);
    assert_eq!(list.as_array().expect("list").len(), 2);
    let alex = list
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["name"] == "Alex Example")
        .expect("alex");
    let detail = f.json(&["learner", "show", alex["id"].as_str().expect("id")]);
    assert_eq!(detail["carers"][0]["relationship"], "Mother");
}

#[test]
fn an_allegation_about_staff_is_restricted_and_never_self_recorded() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let me: Value = f.json(&["org", "show"]);
    let me_id = me["staff"][0]["id"].as_str().expect("id").to_string();
    let err = f.fails(&[
        "incident",
        "new",
        "--category",
        "allegation-staff",
        "--concerns",
        &me_id,
        "--learner",
        &format!("{alex}:subject"),
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "A B, Tutor",
        "--account",
        "x",
    ]);
    assert!(err.contains("must be recorded by someone else"), "{err}");

    let tutor = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Robin Tutor",
        "--job-title",
        "Tutor",
    ]);
    let reference = f.ok(&[
        "incident",
        "new",
        "--category",
        "allegation-staff",
        "--concerns",
        &tutor,
        "--learner",
        &format!("{alex}:subject"),
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "Alex Example, Learner",
        "--account",
        "The tutor messaged me privately",
    ]);
    let d: Value = f.json(&["incident", "show", &reference]);
    assert_eq!(d["summary"]["restricted"], true);
}

#[test]
fn organisation_settings_are_recorded() {
    let f = Folder::new();
    f.init();
    f.ok(&["org", "add-centre", "LDS", "Leeds"]);
    let gm = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Morgan Manager",
        "--job-title",
        "General Manager",
        "--centre",
        "LDS",
    ]);
    let alt = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Avery Alternate",
        "--job-title",
        "Apprenticeship & Training Manager",
    ]);
    f.ok(&["org", "contact", "general-manager", &gm]);
    f.ok(&["org", "contact", "alternate", &alt]);
    f.ok(&["org", "policy-review", "2027-09-01"]);
    f.ok(&[
        "category",
        "add",
        "deepfakes",
        "Deepfake images",
        "--area",
        "content",
    ]);
    let o: Value = f.json(&["org", "show"]);
    assert_eq!(o["centres"].as_array().expect("centres").len(), 2);
    assert_eq!(o["policy_review_date"], "2027-09-01");
    let roles: Vec<&str> = o["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .map(|c| c["role"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(roles, vec!["alternate", "dsl", "general-manager"]);
    let human = f.ok(&["org", "show"]);
    assert!(human.contains("Policy review due: 01/09/2027"), "{human}");
    let cats: Value = f.json(&["category", "list"]);
    assert!(cats
        .as_array()
        .expect("cats")
        .iter()
        .any(|c| c["code"] == "deepfakes"));
    let err = f.fails(&["org", "add-centre", "LDS", "Leeds again"]);
    assert_eq!(err, "There is already a centre with the code LDS.");
}

#[test]
fn first_actions_are_saved_with_the_incident_and_a_refused_one_saves_neither() {
    let f = Folder::new();
    f.init();
    let learner = f.add_learner("Alex Example", "2009-04-17");
    let new = |first: &str| {
        f.run(&[
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
            "--account",
            "They kept sending messages about me",
            "--first-actions",
            first,
        ])
    };
    let before = f.snapshot();
    // A bidirectional override could make the note read otherwise than it was typed.
    let refused = new("Screenshots taken\u{202e}");
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("first actions"), "{err}");
    assert_eq!(
        f.snapshot(),
        before,
        "a refused incident changed the folder"
    );

    let made = new("  Screenshots taken; parent called  ");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let reference = String::from_utf8_lossy(&made.stdout).trim().to_string();
    let shown = f.json(&["incident", "show", &reference]);
    let notes: Vec<String> = shown["chronology"]
        .as_array()
        .expect("chronology")
        .iter()
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .filter(|t| t.starts_with("First actions"))
        .collect();
    assert_eq!(notes, ["First actions: Screenshots taken; parent called"]);
}
