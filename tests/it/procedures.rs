//! Procedures: attached by category with their version, steps done or not applicable with a
//! reason, closing refused while required steps are outstanding, the 18+ nudes rule and
//! immediate-referral triggers.

use crate::common;

use common::{open_incident, Folder};
use serde_json::Value;

fn step_of<'a>(p: &'a Value, id: &str) -> &'a Value {
    p["procedures"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == id)
        .expect("step")
}

fn close(f: &Folder, reference: &str) -> std::process::Output {
    f.run(&[
        "incident",
        "close",
        reference,
        "--outcome",
        "Resolved",
        "--reason",
        "Procedure complete",
    ])
}

#[test]
fn steps_are_recorded_and_closing_waits_for_required_ones() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "malicious-posts", &[(&alex, "subject")]);
    let p: Value = f.json(&["procedure", "show", &reference]);
    assert_eq!(p["procedures"][0]["id"], "malicious-comments");
    assert_eq!(p["procedures"][0]["version"], 1);
    assert_eq!(step_of(&p, "preserve-evidence")["state"], "outstanding");
    assert_eq!(step_of(&p, "preserve-evidence")["required"], true);

    let err = f.fails(&[
        "incident",
        "close",
        &reference,
        "--outcome",
        "x",
        "--reason",
        "y",
    ]);
    assert!(
        err.contains("preserve-evidence")
            && err.contains("send-to-ceop")
            && err.contains("trace-and-police"),
        "{err}"
    );
    assert!(
        !err.contains("request-removal"),
        "optional steps are not named: {err}"
    );

    f.ok(&[
        "procedure",
        "step",
        &reference,
        "preserve-evidence",
        "--done",
        "--note",
        "Screenshots stored",
    ]);
    f.ok(&["procedure", "step", &reference, "send-to-ceop", "--done"]);
    let err = f.fails(&[
        "procedure",
        "step",
        &reference,
        "trace-and-police",
        "--not-applicable",
        " ",
    ]);
    assert!(err.contains("reason"), "{err}");
    f.ok(&[
        "procedure",
        "step",
        &reference,
        "trace-and-police",
        "--not-applicable",
        "Poster identified and spoken to by the centre",
    ]);
    let err = f.fails(&["procedure", "step", &reference, "no-such-step", "--done"]);
    assert!(err.contains("no step"), "{err}");

    let p: Value = f.json(&["procedure", "show", &reference]);
    let done = step_of(&p, "preserve-evidence");
    assert_eq!(done["state"], "done");
    assert_eq!(done["by"], "Sam Example");
    assert_eq!(done["note"], "Screenshots stored");
    let na = step_of(&p, "trace-and-police");
    assert_eq!(na["state"], "not_applicable");
    assert_eq!(na["note"], "Poster identified and spoken to by the centre");
    let text = f.ok(&["procedure", "show", &reference]);
    assert!(
        text.contains("[required]") && text.contains("not applicable (Poster identified"),
        "{text}"
    );

    assert!(close(&f, &reference).status.success());
    f.ok(&["verify"]);
}

#[test]
fn a_procedure_can_be_attached_and_cyberbullying_is_not_forced() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let p: Value = f.json(&["procedure", "show", &reference]);
    assert_eq!(p["procedures"].as_array().expect("procedures").len(), 0);
    f.ok(&["procedure", "attach", &reference, "bullying-email-mobile"]);
    let err = f.fails(&["procedure", "attach", &reference, "bullying-email-mobile"]);
    assert!(err.contains("already follows"), "{err}");
    let err = f.fails(&["procedure", "attach", &reference, "made-up"]);
    assert!(err.contains("No procedure"), "{err}");
    let err = f.fails(&[
        "incident",
        "close",
        &reference,
        "--outcome",
        "x",
        "--reason",
        "y",
    ]);
    assert!(err.contains("advise-not-respond"), "{err}");
}

#[test]
fn an_adult_in_a_nudes_incident_makes_the_police_referral_required() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17"); // 17 on 20/11/2026
    let jo = f.add_learner("Jo Sample", "2008-01-02"); // 18 on 20/11/2026
    let young = open_incident(&f, "nudes", &[(&alex, "subject")]);
    let p: Value = f.json(&["procedure", "show", &young]);
    assert_eq!(p["procedures"][0]["id"], "sharing-nudes");
    assert_eq!(p["flags"].as_array().expect("flags").len(), 0);
    assert_eq!(step_of(&p, "urgent-police-referral")["required"], false);

    let adult = open_incident(&f, "nudes", &[(&alex, "subject"), (&jo, "alleged")]);
    let p: Value = f.json(&["procedure", "show", &adult]);
    let flag = p["flags"][0]["text"].as_str().expect("flag");
    assert!(
        flag.starts_with("Child sexual abuse: urgent police referral")
            && flag.contains("Jo Sample"),
        "{flag}"
    );
    assert_eq!(step_of(&p, "urgent-police-referral")["required"], true);
    let shown = f.ok(&["incident", "show", &adult]);
    assert!(
        shown.contains("FLAG: Child sexual abuse: urgent police referral"),
        "{shown}"
    );

    // Every other required step done: the urgent referral alone still stops closing.
    for s in [
        "report-dsl",
        "do-not-view",
        "record-imagery",
        "initial-review",
        "check-triggers",
        "speak-to-learners",
        "inform-parents",
    ] {
        f.ok(&["procedure", "step", &adult, s, "--done"]);
    }
    let err = f.fails(&[
        "incident",
        "close",
        &adult,
        "--outcome",
        "x",
        "--reason",
        "y",
    ]);
    assert!(err.contains("urgent-police-referral"), "{err}");
    f.ok(&[
        "procedure",
        "step",
        &adult,
        "urgent-police-referral",
        "--done",
        "--note",
        "CRIME-2026-002",
    ]);
    assert!(close(&f, &adult).status.success());

    // A trigger recorded on the younger case does the same.
    f.ok(&["procedure", "trigger", &young, "coercion"]);
    let p: Value = f.json(&["procedure", "show", &young]);
    assert!(p["flags"][0]["text"]
        .as_str()
        .expect("flag")
        .contains("coercion, blackmail or grooming"));
    assert_eq!(step_of(&p, "urgent-police-referral")["required"], true);
    let err = f.fails(&["procedure", "trigger", &young, "bad-trigger"]);
    assert!(err.contains("adult-involved"), "{err}");
    f.ok(&["verify"]);
}

fn list_version(f: &Folder, id: &str) -> Value {
    let list: Value = f.json(&["procedure", "list"]);
    list.as_array()
        .expect("procedures")
        .iter()
        .find(|p| p["id"] == id)
        .expect("procedure listed")["version"]
        .clone()
}

#[test]
fn an_adapted_procedure_is_followed_by_new_incidents_only() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let before = open_incident(&f, "malicious-posts", &[(&alex, "subject")]);

    let file = f.tmp.path().join("malicious-comments.toml");
    let file_arg = file.to_str().expect("path");
    f.ok(&["procedure", "copy", "malicious-comments", "--out", file_arg]);
    let copied = std::fs::read_to_string(&file).expect("copied template");
    assert!(copied.contains("version = 1"), "{copied}");
    let old_text = "Ask for the comments to be removed where the site is run externally.";
    let new_text = "Ask the site's moderators in writing to remove the comments.";
    assert!(copied.contains(old_text), "{copied}");
    let edited = copied
        .replace(old_text, new_text)
        .replace("version = 1", "version = 2");
    std::fs::write(&file, edited).expect("edit template");
    f.ok(&["procedure", "adapt", file_arg]);
    assert_eq!(list_version(&f, "malicious-comments"), 2);

    let after = open_incident(&f, "malicious-posts", &[(&alex, "subject")]);
    let shown = f.ok(&["procedure", "show", &after]);
    assert!(shown.contains("(version 2)"), "{shown}");
    assert!(shown.contains(new_text), "{shown}");
    let p: Value = f.json(&["procedure", "show", &after]);
    assert_eq!(p["procedures"][0]["version"], 2);
    assert_eq!(step_of(&p, "request-removal")["text"], new_text);

    let kept = f.ok(&["procedure", "show", &before]);
    assert!(kept.contains("(version 1)"), "{kept}");
    assert!(kept.contains(old_text), "{kept}");
    assert!(!kept.contains(new_text), "{kept}");

    // A copy now starts from the adapted version.
    let again = f.tmp.path().join("again.toml");
    f.ok(&[
        "procedure",
        "copy",
        "malicious-comments",
        "--out",
        again.to_str().expect("path"),
    ]);
    let again = std::fs::read_to_string(&again).expect("second copy");
    assert!(
        again.contains("version = 2") && again.contains(new_text),
        "{again}"
    );
}

#[test]
fn adapting_without_a_higher_version_is_refused_and_changes_nothing() {
    let f = Folder::new();
    f.init();
    let file = f.tmp.path().join("prevent.toml");
    let file_arg = file.to_str().expect("path");
    f.ok(&["procedure", "copy", "prevent", "--out", file_arg]);
    let copied = std::fs::read_to_string(&file).expect("copied template");

    let same = copied.replace("Report to the DSL", "Tell the DSL");
    std::fs::write(&file, &same).expect("edit");
    let err = f.fails(&["procedure", "adapt", file_arg]);
    assert!(
        err.contains("not newer than the current version 1"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    std::fs::write(&file, same.replace("version = 1", "version = 3")).expect("edit");
    f.ok(&["procedure", "adapt", file_arg]);
    std::fs::write(&file, same.replace("version = 1", "version = 2")).expect("edit");
    let err = f.fails(&["procedure", "adapt", file_arg]);
    assert!(
        err.contains("not newer than the current version 3"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(list_version(&f, "prevent"), 3);
}

#[test]
fn a_malformed_or_incomplete_template_is_refused() {
    let f = Folder::new();
    f.init();
    let file = f.tmp.path().join("bad.toml");
    let file_arg = file.to_str().expect("path");
    std::fs::write(&file, "id = \"prevent\"\nversion = \"two\"\n[[step\n").expect("write");
    let err = f.fails(&["procedure", "adapt", file_arg]);
    assert!(
        err.contains("not a procedure template Harbour can read"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    std::fs::write(
        &file,
        "id = \"lockdown\"\nversion = 1\ntitle = \"Lockdown\"\nsource = \"Local\"\n\
         [[step]]\nid = \"call\"\ntext = \"Call the police.\"\n\
         [[step]]\nid = \"call\"\ntext = \"Call again.\"\n",
    )
    .expect("write");
    let err = f.fails(&["procedure", "adapt", file_arg]);
    assert!(err.contains("used more than once"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // A new id is allowed.
    std::fs::write(
        &file,
        "id = \"lockdown\"\nversion = 1\ntitle = \"Lockdown\"\nsource = \"Local\"\n\
         [[step]]\nid = \"call\"\ntext = \"Call the police.\"\nrequired = true\n",
    )
    .expect("write");
    f.ok(&["procedure", "adapt", file_arg]);
    assert_eq!(list_version(&f, "lockdown"), 1);
    let list: Value = f.json(&["procedure", "list"]);
    assert_eq!(list.as_array().expect("procedures").len(), 7);
}

#[test]
fn the_policys_procedure_for_bullying_by_email_is_offered_and_followed_when_it_applies() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let new = |extra: &[&str]| {
        let subject = format!("{alex}:subject");
        let mut args = vec![
            "incident",
            "new",
            "--category",
            "cyberbullying",
            "--learner",
            &subject,
            "--occurred",
            "2026-11-20T15:30",
            "--reporter",
            "Chris Tutor, Assessor",
            "--account",
            "They kept sending me texts",
        ];
        args.extend_from_slice(extra);
        f.run(&args)
    };

    // Said to apply: the incident follows it from the start, and nothing is suggested.
    let followed = new(&["--procedure", "bullying-email-mobile"]);
    assert!(
        followed.status.success(),
        "{}",
        String::from_utf8_lossy(&followed.stderr)
    );
    let reference = String::from_utf8_lossy(&followed.stdout).trim().to_string();
    assert!(
        !reference.contains('\n'),
        "standard output is the reference alone: {reference}"
    );
    let said = String::from_utf8_lossy(&followed.stderr);
    assert!(
        said.contains("Procedures followed: Bullying by e-mail or mobile phone."),
        "{said}"
    );
    let p: Value = f.json(&["procedure", "show", &reference]);
    assert_eq!(p["procedures"][0]["id"], "bullying-email-mobile");
    assert_eq!(p["suggested"].as_array().map(Vec::len), Some(0), "{p}");

    // Not said: suggested with the policy's question, until attached.
    let asked = new(&[]);
    let other = String::from_utf8_lossy(&asked.stdout).trim().to_string();
    let said = String::from_utf8_lossy(&asked.stderr);
    assert!(
        said.contains("Suggested: Bullying by e-mail or mobile phone (Did it happen by e-mail or mobile phone?)")
            && said.contains(&format!("harbour procedure attach {other} bullying-email-mobile")),
        "{said}"
    );
    let p: Value = f.json(&["procedure", "show", &other]);
    assert_eq!(p["procedures"].as_array().map(Vec::len), Some(0));
    assert_eq!(p["suggested"][0]["id"], "bullying-email-mobile", "{p}");
    assert_eq!(
        p["suggested"][0]["question"],
        "Did it happen by e-mail or mobile phone?"
    );
    let text = f.ok(&["procedure", "show", &other]);
    assert!(
        text.contains("Suggested: Bullying by e-mail or mobile phone"),
        "{text}"
    );
    f.ok(&["procedure", "attach", &other, "bullying-email-mobile"]);
    let p: Value = f.json(&["procedure", "show", &other]);
    assert_eq!(p["suggested"].as_array().map(Vec::len), Some(0), "{p}");

    // A procedure that does not exist is refused, and the incident is not recorded.
    let before = f.snapshot();
    let refused = new(&["--procedure", "made-up"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("No procedure"));
    assert_eq!(
        f.snapshot(),
        before,
        "a refused incident changed the folder"
    );
}
