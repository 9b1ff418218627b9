//! A device never runs twice: the story from the issue, with the real binary and `cp -r`.
//!
//! Manchester's data folder is copied onto a second computer (as a new user would back up or
//! move it), a note is written on each copy, and both sync with Leeds. Before, the copy's note
//! was lost without a word, its later bundles were refused for ever, and `verify` said
//! "intact" everywhere. Now Leeds keeps both sides and says so in one sentence, the copy finds
//! itself forked and goes on as a new device carrying its note over, and once Leeds trusts
//! the copy's new card the note reaches Leeds as an ordinary event.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Folder, PASSPHRASE};

fn init(f: &Folder, code: &str, centre: &str, coordinator: &str) {
    let v = f.json(&[
        "init",
        "--org",
        "Northbridge Training",
        "--centre",
        code,
        centre,
        "--coordinator",
        coordinator,
        "--role",
        "Designated Safeguarding Lead",
    ]);
    assert!(v["recovery_key"].is_string());
}

fn s(p: &Path) -> &str {
    p.to_str().expect("path")
}

/// Writes `f`'s card; returns (device id, fingerprint, card path).
fn card(f: &Folder) -> (String, String, PathBuf) {
    let path = f
        .tmp
        .path()
        .join(format!("card-{}.card", uuid::Uuid::now_v7()));
    let v = f.json(&["peer", "card", "--out", s(&path)]);
    (
        v["device_id"].as_str().expect("device").to_string(),
        v["fingerprint"].as_str().expect("fingerprint").to_string(),
        path,
    )
}

fn trust(f: &Folder, card: &(String, String, PathBuf)) {
    f.ok(&["peer", "add", s(&card.2), "--confirm", &card.1]);
}

/// A bundle from `from` to the device `to`; returns its path.
fn bundle(from: &Folder, to: &str) -> PathBuf {
    let out = from
        .tmp
        .path()
        .join(format!("out-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&out).expect("out");
    let v = from.json(&["sync", "export", "--to", to, "--out", s(&out)]);
    PathBuf::from(v["file"].as_str().expect("file"))
}

fn import(into: &Folder, file: &Path) -> String {
    into.ok(&["sync", "import", s(file)])
}

#[test]
fn a_copied_data_folder_used_on_two_computers_is_found_kept_and_recovered() {
    let manchester = Folder::new();
    init(&manchester, "MAN", "Manchester", "Sam Example");
    let leeds = Folder::new();
    init(&leeds, "LDS", "Leeds", "Alex Sample");
    let man_card = card(&manchester);
    let lds_card = card(&leeds);
    trust(&manchester, &lds_card);
    trust(&leeds, &man_card);

    let learner = manchester.add_learner("Robin Example", "2009-04-17");
    let reference = common::open_incident(
        &manchester,
        "cyberbullying",
        &[(learner.as_str(), "subject")],
    );
    import(&leeds, &bundle(&manchester, &lds_card.0));

    // The home-made backup: the whole folder copied, then used on a second computer.
    let copy = Folder::new();
    let status = Command::new("cp")
        .arg("-r")
        .arg(manchester.dir())
        .arg(copy.dir())
        .status()
        .expect("cp");
    assert!(status.success());
    manchester.ok(&[
        "incident",
        "note",
        &reference,
        "Written on the laptop: spoke to Robin",
    ]);
    copy.ok(&[
        "incident",
        "note",
        &reference,
        "Written on the copy: a parent phoned",
    ]);

    import(&leeds, &bundle(&manchester, &lds_card.0));
    let told = import(&leeds, &bundle(&copy, &lds_card.0));
    assert!(
        told.contains("has been run on two computers")
            && told.contains("both sides are kept, and 1 event from the second copy is held aside here, not lost"),
        "{told}"
    );

    // Leeds: the laptop's note in the incident, the copy's note kept and shown, and verify
    // no longer says just "intact".
    assert!(leeds
        .ok(&["incident", "show", &reference])
        .contains("Written on the laptop"));
    let checked = leeds.ok(&["verify"]);
    assert!(!checked.starts_with("The case log is intact"), "{checked}");
    assert!(
        checked.contains("Written on the copy: a parent phoned"),
        "{checked}"
    );
    let forks = leeds.json(&["verify"])["forks"].clone();
    assert_eq!(forks[0]["device_id"].as_str(), Some(man_card.0.as_str()));

    // Leeds's next bundle to Manchester tells the copy; the laptop itself takes it calmly.
    let reply = bundle(&leeds, &man_card.0);
    let recovered = import(&copy, &reply);
    assert!(
        recovered.contains("This data folder was a copy of device"),
        "{recovered}"
    );
    import(&manchester, &reply);
    assert!(manchester
        .ok(&["verify"])
        .starts_with("The case log is intact"));

    // The copy holds both notes, and goes on as a new device with a new card.
    let shown = copy.ok(&["incident", "show", &reference]);
    assert!(
        shown.contains("Written on the laptop: spoke to Robin"),
        "{shown}"
    );
    assert!(
        shown.contains("Written on the copy: a parent phoned"),
        "{shown}"
    );
    let copy_card = card(&copy);
    assert_ne!(copy_card.0, man_card.0);
    assert_ne!(copy_card.1, man_card.1);
    let copy_verify = copy.ok(&["verify"]);
    assert!(
        copy_verify.contains("it now goes on as a new device"),
        "{copy_verify}"
    );
    // Writing on the copy now extends its own chain, not Manchester's.
    copy.ok(&[
        "incident",
        "note",
        &reference,
        "Written on the copy after the fork",
    ]);

    // Once Leeds trusts the copy's new card, the copy's notes arrive as ordinary events.
    trust(&leeds, &copy_card);
    import(&leeds, &bundle(&copy, &lds_card.0));
    let at_leeds = leeds.ok(&["incident", "show", &reference]);
    assert!(
        at_leeds.contains("Written on the copy: a parent phoned"),
        "{at_leeds}"
    );
    assert!(
        at_leeds.contains("Written on the copy after the fork"),
        "{at_leeds}"
    );
    assert!(at_leeds.contains("Written on the laptop: spoke to Robin"));
    let after = leeds.ok(&["verify"]);
    assert!(after.contains("have reached here from it"), "{after}");

    // And the laptop, still Manchester's device, syncs on as before.
    manchester.ok(&["incident", "note", &reference, "Laptop again"]);
    import(&leeds, &bundle(&manchester, &lds_card.0));
    assert!(leeds
        .ok(&["incident", "show", &reference])
        .contains("Laptop again"));
    let _ = PASSPHRASE;
}
