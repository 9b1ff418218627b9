//! Evidence packs: checked by standard tools (`sha256sum -c`, `pdftotext`) and by
//! `harbour pack verify` with no data folder; a changed byte is named; a changed stored file
//! stops the export with nothing under the final name.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{open_incident, unzip_and_check, Folder};
use serde_json::Value;

fn write(f: &Folder, name: &str, bytes: &[u8]) -> String {
    let p = f.tmp.path().join(name);
    std::fs::write(&p, bytes).expect("write file");
    p.to_string_lossy().into_owned()
}

/// Runs `harbour pack verify` with no data folder at all.
fn verify_alone(f: &Folder, pack: &Path) -> std::process::Output {
    let nowhere = f.tmp.path().join("no-data-folder");
    let out = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(&nowhere)
        .args(["pack", "verify"])
        .arg(pack)
        .env_remove("HARBOUR_PASSPHRASE")
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run harbour");
    assert!(
        !nowhere.exists(),
        "pack verify must not create a data folder"
    );
    out
}

#[test]
fn a_pack_is_checked_by_standard_tools_and_by_harbour() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "malicious-posts", &[(&alex, "subject")]);
    let chat = write(&f, "chat log.txt", b"Messages about Alex, 20/11/2026 15:30");
    let profile = write(
        &f,
        "profile.html",
        b"<html>example_user profile page</html>",
    );
    let a = f.json(&[
        "evidence",
        "add",
        &reference,
        &chat,
        "--description",
        "Chat log",
    ]);
    let b = f.json(&[
        "evidence",
        "add",
        &reference,
        &profile,
        "--description",
        "Profile page",
        "--source",
        "https://example.invalid/example_user",
    ]);
    let item_a = a["item_id"].as_str().expect("item").to_string();
    f.ok(&[
        "evidence",
        "handover",
        &item_a,
        "--to",
        "PC Jordan Sample",
        "--agency",
        "Greater Example Police",
        "--reference",
        "CRIME-2026-001",
    ]);
    f.ok(&[
        "procedure",
        "step",
        &reference,
        "preserve-evidence",
        "--done",
        "--note",
        "Both files stored",
    ]);

    let pack = f.tmp.path().join("pack.zip");
    let exported = f.json(&[
        "pack",
        "export",
        &reference,
        "--out",
        &pack.to_string_lossy(),
        "--reason",
        "Requested by police",
    ]);
    assert!(pack.exists());
    assert_eq!(exported["items"], 2);

    // sha256sum -c on the extracted pack.
    let dir = f.tmp.path().join("extracted");
    unzip_and_check(&pack, &dir);
    assert_eq!(
        std::fs::read(dir.join("evidence/chat_log.txt"))
            .or_else(|_| std::fs::read(dir.join("evidence/chat log.txt")))
            .expect("evidence file"),
        b"Messages about Alex, 20/11/2026 15:30"
    );

    // The summary names the reference, every hash and the custody entries.
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(dir.join("summary.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).replace(['\n', ' '], "");
    for needle in [
        reference.as_str(),
        a["sha256"].as_str().expect("sha"),
        b["sha256"].as_str().expect("sha"),
        "PCJordanSample",
        "CRIME-2026-001",
        "Exportedinthisevidencepack",
        "Capturedby",
        "AlexExample",
        "Bothfilesstored",
        "Page1of",
        // The category by its name, not its code.
        "Categories:Malicious",
    ] {
        assert!(text.contains(needle), "summary.pdf lacks {needle}: {text}");
    }
    assert!(
        !text.contains("malicious-posts"),
        "the category's code is printed: {text}"
    );

    // Harbour checks it with no data folder.
    let out = verify_alone(&f, &pack);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Signed by this device's own key: the fingerprints agree.
    let said = String::from_utf8_lossy(&out.stdout);
    let fp = exported["fingerprint"].as_str().expect("fingerprint");
    assert!(said.contains(fp), "{said} does not name {fp}");
    assert!(
        text.contains(&fp.replace(' ', "")),
        "summary.pdf lacks the fingerprint"
    );

    // The export is in each item's chain of custody.
    let list: Value = f.json(&["evidence", "list", &reference]);
    for item in list["items"].as_array().expect("items") {
        let last = item["custody"]
            .as_array()
            .expect("custody")
            .last()
            .expect("entry")
            .clone();
        assert_eq!(last["action"], "exported");
        assert!(last["detail"]
            .as_str()
            .expect("detail")
            .contains("Requested by police"));
    }

    // One changed byte inside the pack is named.
    let mut bytes = std::fs::read(&pack).expect("pack");
    let needle = b"example_user profile page";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("evidence bytes are stored uncompressed");
    bytes[at] ^= 0x20;
    let bad = f.tmp.path().join("changed.zip");
    std::fs::write(&bad, bytes).expect("write");
    let out = verify_alone(&f, &bad);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("evidence/profile.html") && err.contains("changed"),
        "{err}"
    );

    f.ok(&["verify"]);
}

#[test]
fn a_changed_stored_file_stops_the_export() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let chat = write(&f, "chat.txt", &vec![b'a'; 200_000]);
    let good = write(&f, "good.txt", b"fine");
    f.ok(&[
        "evidence",
        "add",
        &reference,
        &good,
        "--description",
        "Good file",
    ]);
    let a = f.json(&[
        "evidence",
        "add",
        &reference,
        &chat,
        "--description",
        "Chat log",
    ]);
    let item = a["item_id"].as_str().expect("item").to_string();
    let stored = f.dir().join("evidence").join(format!("{item}.hbev"));
    let mut bytes = std::fs::read(&stored).expect("stored");
    bytes[1000] ^= 1;
    std::fs::write(&stored, bytes).expect("tamper");

    let nowhere = f.tmp.path().join("no-such-folder").join("pack.zip");
    let err = f.fails(&[
        "pack",
        "export",
        &reference,
        "--out",
        &nowhere.to_string_lossy(),
    ]);
    assert_eq!(
        err,
        format!(
            "{} could not be written: it does not exist.",
            nowhere.display()
        )
    );

    let pack = f.tmp.path().join("pack.zip");
    let err = f.fails(&[
        "pack",
        "export",
        &reference,
        "--out",
        &pack.to_string_lossy(),
    ]);
    assert!(err.contains(&item) && err.contains("Chat log"), "{err}");
    assert!(!pack.exists());
    let leftovers: Vec<_> = std::fs::read_dir(f.tmp.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pack.zip"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // No 'exported' entry was logged.
    let list: Value = f.json(&["evidence", "list", &reference]);
    for item in list["items"].as_array().expect("items") {
        assert!(item["custody"]
            .as_array()
            .expect("custody")
            .iter()
            .all(|c| c["action"] != "exported"));
    }
    // The log is intact; the changed file is what `verify` names.
    let err = f.fails(&["verify"]);
    assert!(err.contains(&item) && err.lines().count() == 1, "{err}");
}

/// Sets up a data folder for one fictional coordinator, through the core.
fn set_up(dir: &Path, name: &str, role: &str) -> harbour::Harbour {
    let setup = harbour::Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: name.into(),
        role: role.into(),
        device_label: None,
    };
    let pass = harbour::keys::Passphrase::new(common::PASSPHRASE.into());
    harbour::Harbour::init(dir, &setup, &pass)
        .expect("set up")
        .0
}

#[test]
fn an_allegation_is_never_exported_on_the_device_of_the_person_it_concerns() {
    use harbour::domain::{LearnerRole, Reporter};
    use harbour::ops::{evidence, incidents, learners, packs};

    let tmp = tempfile::tempdir().expect("temporary folder");
    // Two laptops: the tutor's own, and the DSL's.
    let mut tutor = set_up(&tmp.path().join("tutor"), "Robin Tutor", "Assessor");
    let robin = tutor.log().device().author;
    let mut dsl = set_up(
        &tmp.path().join("dsl"),
        "Sam Example",
        "Designated Safeguarding Lead",
    );
    dsl.log_mut()
        .append(harbour::log::Body::StaffAdded {
            staff_id: robin,
            name: "Robin Tutor".into(),
            job_title: "Assessor".into(),
            centre: Some("MAN".into()),
        })
        .expect("staff");
    let alex = learners::add(
        dsl.log_mut(),
        learners::NewLearner {
            name: "Alex Example".into(),
            dob: chrono::NaiveDate::from_ymd_opt(2009, 4, 17).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    let opened = incidents::open(
        dsl.log_mut(),
        incidents::NewIncident {
            learners: vec![(alex.to_string(), LearnerRole::Subject)],
            categories: vec!["allegation-staff".into()],
            account: "The tutor sent me private messages late at night".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: Reporter {
                name: "Alex Example".into(),
                job_title: "Learner".into(),
            },
            centre: None,
            concerns_staff: Some(robin.to_string()),
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("allegation");
    let messages = tmp.path().join("messages.txt");
    std::fs::write(&messages, b"Messages from the tutor, 21/11/2026 23:10").expect("write");
    evidence::add(
        &mut dsl,
        opened.id,
        evidence::NewEvidence {
            file: messages,
            description: "Screenshots of the messages".into(),
            ..Default::default()
        },
    )
    .expect("evidence");

    // The DSL can export it.
    let dsl_pack = tmp.path().join("dsl-pack.zip");
    packs::export(&mut dsl, opened.id, &dsl_pack, Some("LADO referral")).expect("export");
    assert!(dsl_pack.exists());

    // The tutor's laptop holds the same events (as after a sync), and still cannot export it,
    // by id or by reference; nothing is written and nothing is logged.
    let events = dsl.log().events().expect("events");
    tutor
        .log_mut()
        .ingest(events)
        .expect("take in the DSL's events");
    let held_before = tutor.log().events().expect("events").len();
    let out_dir = tmp.path().join("tutor-out");
    std::fs::create_dir(&out_dir).expect("folder");
    let out = out_dir.join("pack.zip");
    let err = packs::export(&mut tutor, opened.id, &out, None).expect_err("must be refused");
    assert_eq!(err.code(), "not_found", "{err}");
    assert!(!err.to_string().contains("messages"), "{err}");
    assert!(incidents::resolve(tutor.log(), &opened.reference).is_err());
    assert_eq!(
        std::fs::read_dir(&out_dir).expect("folder").count(),
        0,
        "something was written"
    );
    assert_eq!(tutor.log().events().expect("events").len(), held_before);
    drop(tutor);

    // The same from the command line on the tutor's laptop.
    let out = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(tmp.path().join("tutor"))
        .args(["pack", "export", &opened.reference, "--out"])
        .arg(out_dir.join("cli-pack.zip"))
        .env("HARBOUR_PASSPHRASE", common::PASSPHRASE)
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run harbour");
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!("No incident matches \"{}\".", opened.reference)
    );
    assert_eq!(std::fs::read_dir(&out_dir).expect("folder").count(), 0);
}

#[test]
fn a_missing_stored_file_stops_the_export_naming_it() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let chat = write(&f, "chat.txt", b"Messages in the group chat");
    let a = f.json(&[
        "evidence",
        "add",
        &reference,
        &chat,
        "--description",
        "Chat log",
    ]);
    let item = a["item_id"].as_str().expect("item").to_string();
    let events = f.json(&["verify"])["events"].clone();
    std::fs::remove_file(f.dir().join("evidence").join(format!("{item}.hbev"))).expect("remove");

    let pack = f.tmp.path().join("pack.zip");
    let err = f.fails(&[
        "pack",
        "export",
        &reference,
        "--out",
        &pack.to_string_lossy(),
    ]);
    assert_eq!(
        err,
        format!(
            "The stored file for evidence item {item} (\u{201c}Chat log\u{201d}) could not be read: it does not exist."
        )
    );
    let leftovers: Vec<_> = std::fs::read_dir(f.tmp.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pack.zip"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Nothing was logged, and `verify` names the missing file.
    let out = f.run(&["--json", "verify"]);
    assert!(!out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report");
    assert_eq!(report["events"], events);
    assert_eq!(report["findings"][0]["item_id"], item.as_str());
}
