//! An organisation rewording a consent form: copy, edit, adapt with a higher version; the
//! printed form (read back with the real `pdftotext`) and the consent recorded from it carry
//! the new wording and version, and every kind of bad template is refused in one sentence
//! without changing the data folder.

use crate::common;

use common::{pdf_pages, Folder};
use serde_json::Value;

const OLD_PRESS: &str = "Press: in newspapers, magazines and other publicity";
const NEW_PRESS: &str = "Press: in local newspapers only.";
const NEW_WITHDRAW: &str = "Tell the centre office at any time to withdraw.";

/// Copies a form to a file in the test folder; returns the file's path and its text.
fn copy(f: &Folder, form: &str) -> (String, String) {
    let file = f.tmp.path().join(format!("{form}.toml"));
    let path = file.to_str().expect("path").to_string();
    f.ok(&["forms", "copy", form, "--out", &path]);
    let text = std::fs::read_to_string(&file).expect("copied template");
    (path, text)
}

/// Writes `text` to `path` and runs `forms adapt` on it, expecting a refusal; checks the
/// refusal is one line and that the data folder did not change.
fn refused(f: &Folder, path: &str, text: &str) -> String {
    std::fs::write(path, text).expect("write template");
    let before = f.snapshot();
    let err = f.fails(&["forms", "adapt", path]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        before.get("harbour.db"),
        f.snapshot().get("harbour.db"),
        "a refused template changed the database"
    );
    err
}

/// The photo and video form reworded as version 2026.2.
fn reworded_photo(copied: &str) -> String {
    let press_line = copied
        .lines()
        .find(|l| l.contains(OLD_PRESS))
        .expect("press question in the copy");
    let withdraw_line = copied
        .lines()
        .find(|l| l.starts_with("withdraw = "))
        .expect("withdraw in the copy");
    copied
        .replace(press_line, &format!("text = \"{NEW_PRESS}\""))
        .replace(withdraw_line, &format!("withdraw = \"{NEW_WITHDRAW}\""))
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
}

fn listed<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .expect("forms")
        .iter()
        .find(|f| f["id"] == id)
        .expect("form listed")
}

#[test]
fn an_adapted_form_is_printed_and_recorded_with_its_new_version() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Sixteen", "2010-03-01");

    // Signed on the built-in wording before the form was adapted.
    f.ok(&[
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
        "2026-09-01",
        "--internal",
        "yes",
        "--website",
        "yes",
        "--social-media",
        "no",
        "--press",
        "no",
    ]);

    let (path, copied) = copy(&f, "photo-video");
    assert!(copied.contains("version = \"2026.1\""), "{copied}");
    assert!(copied.contains(OLD_PRESS), "{copied}");
    std::fs::write(&path, reworded_photo(&copied)).expect("edit");
    let out = f.ok(&["forms", "adapt", &path]);
    assert!(out.contains("photo-video version 2026.2"), "{out}");

    // The list says which forms are the organisation's own, and who adapted them.
    let list = f.json(&["forms", "list"]);
    let photo = listed(&list, "photo-video");
    assert_eq!(photo["version"], "2026.2");
    assert_eq!(photo["adapted"]["by"], "Sam Example");
    assert_eq!(photo["adapted"]["built_in_version"], "2026.1");
    assert!(listed(&list, "learner-aup")["adapted"].is_null());
    let text = f.ok(&["forms", "list"]);
    assert!(text.contains("adapted by Sam Example on "), "{text}");
    assert!(text.contains("built-in"), "{text}");

    // Printed forms carry the new wording and version, on every page of that form.
    let pdf = f.tmp.path().join("induction.pdf");
    let v = f.json(&[
        "forms",
        "print",
        "--learner",
        &alex,
        "--induction",
        "2026-09-07",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(v["learners"][0]["forms"][0][0], "photo-video");
    assert_eq!(v["learners"][0]["forms"][0][1], "2026.2");
    let pages = pdf_pages(&pdf);
    let photo_pages: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains("photo-video version"))
        .collect();
    assert!(!photo_pages.is_empty());
    for p in &photo_pages {
        assert!(p.contains("photo-video version 2026.2"), "{p}");
        assert!(!p.contains("photo-video version 2026.1"), "{p}");
    }
    let all = photo_pages
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains(NEW_PRESS), "{all}");
    assert!(all.contains(NEW_WITHDRAW), "{all}");
    assert!(!all.contains(OLD_PRESS), "{all}");
    // The other forms keep their built-in wording.
    assert!(pages
        .iter()
        .any(|p| p.contains("learner-aup version 2026.1")));

    // A form returned now is recorded with the version printed.
    let v = f.json(&[
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
        "--website",
        "no",
        "--social-media",
        "no",
        "--press",
        "yes",
    ]);
    assert_eq!(v["form_version"], "2026.2");
    let out = f.ok(&["consent", "check", &alex, "press", "--on", "2026-09-08"]);
    assert!(out.starts_with("yes\n"), "{out}");
    assert!(out.contains("form version 2026.2"), "{out}");
    assert!(out.contains("review due 07/09/2027"), "{out}");
    // Before, the answer rests on the form signed on the built-in wording.
    let out = f.ok(&["consent", "check", &alex, "press", "--on", "2026-09-02"]);
    assert!(out.starts_with("no\n"), "{out}");
    assert!(out.contains("form version 2026.1"), "{out}");

    // A paper form of the earlier version can still be recorded as such; an unknown one not.
    let late = |version: &str| {
        f.run(&[
            "--json",
            "consent",
            "record",
            &alex,
            "--form",
            "photo-video",
            "--form-version",
            version,
            "--signed-by",
            "Pat Sixteen",
            "--relationship",
            "Mother",
            "--date",
            "2026-09-08",
            "--internal",
            "yes",
            "--website",
            "no",
            "--social-media",
            "no",
            "--press",
            "no",
        ])
    };
    let out = late("2026.1");
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["form_version"], "2026.1");
    let out = late("2026.9");
    assert!(!out.status.success());
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(err["error"]["code"], "invalid");
    assert_eq!(
        err["error"]["message"],
        "The photo-video form has no version \"2026.9\"; its versions are 2026.1, 2026.2."
    );

    // A copy now starts from the adapted version; the log still verifies and rebuilds.
    let (_, again) = copy(&f, "photo-video");
    assert!(again.contains("version = \"2026.2\""), "{again}");
    assert!(again.contains(NEW_PRESS), "{again}");
    f.ok(&["verify"]);
}

#[test]
fn the_staff_agreement_can_be_reworded() {
    let f = Folder::new();
    f.init();
    let robin = f.ok(&[
        "org",
        "add-staff",
        "--name",
        "Robin Tutor",
        "--job-title",
        "Assessor",
    ]);
    let (path, copied) = copy(&f, "staff-aup");
    let edited = copied
        .replace("version = \"2026.1\"", "version = \"2027.1\"")
        .replace(
            "title = \"Acceptable Use agreement for staff\"",
            "title = \"Staff agreement on technology\"",
        );
    std::fs::write(&path, edited).expect("edit");
    f.ok(&["forms", "adapt", &path]);
    let pdf = f.tmp.path().join("staff.pdf");
    let v = f.json(&[
        "forms",
        "print",
        "--staff",
        &robin,
        "--induction",
        "2027-01-04",
        "--out",
        pdf.to_str().expect("path"),
    ]);
    assert_eq!(v["staff"][0]["form"][1], "2027.1");
    let text = pdf_pages(&pdf).join("\n");
    assert!(text.contains("Staff agreement on technology"), "{text}");
    assert!(text.contains("staff-aup version 2027.1"), "{text}");
    f.ok(&["verify"]);
}

#[test]
fn a_version_that_is_not_higher_is_refused() {
    let f = Folder::new();
    f.init();
    let (path, copied) = copy(&f, "photo-video");
    let reworded = reworded_photo(&copied);

    let same = reworded.replace("version = \"2026.2\"", "version = \"2026.1\"");
    assert_eq!(
        refused(&f, &path, &same),
        "Version 2026.1 of the photo-video form is not newer than the current version 2026.1, so nothing was changed; raise the version number and try again."
    );
    let lower = reworded.replace("version = \"2026.2\"", "version = \"2025.9\"");
    assert!(refused(&f, &path, &lower).contains("not newer than the current version 2026.1"));

    // Numbers compare as numbers: 2026.10 is after 2026.9.
    let ten = reworded.replace("version = \"2026.2\"", "version = \"2026.10\"");
    std::fs::write(&path, ten).expect("write");
    f.ok(&["forms", "adapt", &path]);
    let nine = reworded.replace("version = \"2026.2\"", "version = \"2026.9\"");
    assert!(refused(&f, &path, &nine).contains("not newer than the current version 2026.10"));

    let unquoted = reworded.replace("version = \"2026.2\"", "version = 2026.11");
    assert_eq!(
        refused(&f, &path, &unquoted),
        "Write the form's version in quotes, such as version = \"2026.2\"."
    );
    let words = reworded.replace("version = \"2026.2\"", "version = \"second\"");
    assert!(refused(&f, &path, &words).contains("is not a version number"));
    let list = f.json(&["forms", "list"]);
    assert_eq!(listed(&list, "photo-video")["version"], "2026.10");
}

#[test]
fn a_form_that_loses_a_question_or_its_rules_is_refused() {
    let f = Folder::new();
    f.init();
    let (path, copied) = copy(&f, "photo-video");
    let reworded = reworded_photo(&copied);

    // Each question is a `[[questions]]` table of two lines; drop the press one.
    let mut lines: Vec<&str> = reworded.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "id = \"press\"")
        .expect("press question");
    lines.drain(at - 1..=at + 1);
    let removed = lines.join("\n");
    assert_eq!(
        refused(&f, &path, &removed),
        "The adapted form removes the question \"press\"; questions can be reworded but not removed."
    );

    let renamed = reworded.replace("id = \"press\"", "id = \"newspapers\"");
    assert!(refused(&f, &path, &renamed).contains("removes the question \"press\""));

    let no_withdraw = reworded.replace(
        &format!("withdraw = \"{NEW_WITHDRAW}\""),
        "withdraw = \"  \"",
    );
    assert_eq!(
        refused(&f, &path, &no_withdraw),
        "The adapted form needs some text under `withdraw` (how to withdraw)."
    );
    let retention_line = reworded
        .lines()
        .find(|l| l.starts_with("retention = "))
        .expect("retention");
    let no_retention = reworded.replace(retention_line, "retention = \"\"");
    assert!(refused(&f, &path, &no_retention).contains("under `retention`"));

    let learner_signs = reworded.replace("signer = \"parent\"", "signer = \"learner\"");
    assert!(refused(&f, &path, &learner_signs).contains("cannot be changed"));

    let list = f.json(&["forms", "list"]);
    assert_eq!(listed(&list, "photo-video")["version"], "2026.1");
    assert!(listed(&list, "photo-video")["adapted"].is_null());
}

#[test]
fn an_unknown_form_or_a_malformed_file_is_refused() {
    let f = Folder::new();
    f.init();
    let (path, copied) = copy(&f, "photo-video");
    let reworded = reworded_photo(&copied);

    let unknown = reworded.replace("id = \"photo-video\"", "id = \"trip-consent\"");
    assert_eq!(
        refused(&f, &path, &unknown),
        "There is no form called \"trip-consent\"; an organisation can reword the forms photo-video, online-learning, learner-aup, staff-aup but cannot add new ones."
    );

    let err = refused(
        &f,
        &path,
        "id = \"photo-video\"\nversion = \"2026.2\"\ntitle = \"Photos\n[[questions]]\n",
    );
    assert!(
        err.starts_with("That file is not a form template Harbour can read: "),
        "{err}"
    );
    assert!(err.ends_with(" on line 3."), "{err}");

    let missing = refused(&f, &path, "id = \"photo-video\"\nversion = \"2026.2\"\n");
    assert!(
        missing.starts_with("That file is not a form template Harbour can read: missing field"),
        "{missing}"
    );

    // Scripts and the app tell a refused template apart by its code.
    let out = f.run(&["--json", "forms", "adapt", &path]);
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(err["error"]["code"], "form_template", "{err}");

    let err = f.fails(&["forms", "copy", "trip-consent", "--out", &path]);
    assert!(
        err.contains("There is no form called \"trip-consent\""),
        "{err}"
    );
    let err = f.fails(&["forms", "adapt", "/nonexistent/form.toml"]);
    assert!(err.contains("could not be read"), "{err}");
    f.ok(&["verify"]);
}
