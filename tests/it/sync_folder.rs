//! Three data folders, three `harbour` processes, one shared folder: after a few rounds of
//! `harbour sync folder`, every folder passes `harbour verify` and holds identical tables.

use crate::common;
use crate::sync_support;

use common::{Folder, PASSPHRASE};

fn init(f: &Folder, centre: &str, coordinator: &str) {
    f.json(&[
        "init",
        "--org",
        "Northbridge Training",
        "--centre",
        centre,
        &format!("{centre} centre"),
        "--coordinator",
        coordinator,
        "--role",
        "Designated Safeguarding Lead",
    ]);
}

fn tables(f: &Folder) -> Vec<(String, Vec<Vec<rusqlite::types::Value>>)> {
    let h = harbour::Harbour::open(
        &f.dir(),
        harbour::Unlock::Passphrase(&harbour::keys::Passphrase::new(PASSPHRASE.into())),
    )
    .expect("open");
    sync_support::tables(h.log().conn())
}

#[test]
fn three_processes_through_one_shared_folder_end_identical() {
    let sites = [Folder::new(), Folder::new(), Folder::new()];
    let names = [
        ("MAN", "Sam Example"),
        ("LDS", "Alex Sample"),
        ("BHM", "Robin Other"),
    ];
    let shared = tempfile::tempdir().expect("shared");
    let mut cards = Vec::new();
    for (f, (centre, who)) in sites.iter().zip(names) {
        init(f, centre, who);
        let card = f.tmp.path().join("card.json");
        let v = f.json(&["peer", "card", "--out", card.to_str().expect("path")]);
        cards.push((card, v["fingerprint"].as_str().expect("fp").to_string()));
    }
    for (i, f) in sites.iter().enumerate() {
        for (j, (card, fp)) in cards.iter().enumerate() {
            if i != j {
                f.ok(&["peer", "add", card.to_str().expect("path"), "--confirm", fp]);
            }
        }
        // A wrong fingerprint is refused in one sentence.
        let (card, _) = &cards[(i + 1) % 3];
        let err = f.fails(&[
            "peer",
            "add",
            card.to_str().expect("path"),
            "--confirm",
            "AAAA BBBB",
        ]);
        assert!(err.contains("does not match"), "{err}");
    }
    // Each centre records something, then they all sync, twice over.
    let mut refs = Vec::new();
    for (f, (centre, _)) in sites.iter().zip(names) {
        let learner = f.ok(&[
            "learner",
            "add",
            "--name",
            "Jamie Test",
            "--dob",
            "2009-03-04",
            "--centre",
            centre,
        ]);
        refs.push(common::open_incident(
            f,
            "cyberbullying",
            &[(&learner, "subject")],
        ));
    }
    let path = shared.path().to_str().expect("path").to_string();
    for _ in 0..2 {
        for f in &sites {
            f.ok(&["sync", "folder", &path]);
        }
    }
    // Two centres change the same incident's risk level at once.
    sites[0].ok(&[
        "incident",
        "risk",
        &refs[0],
        "high",
        "--reason",
        "Threats made",
    ]);
    sites[1].ok(&[
        "incident",
        "risk",
        &refs[0],
        "low",
        "--reason",
        "Messages stopped",
    ]);
    for _ in 0..2 {
        for f in &sites {
            f.ok(&["sync", "folder", &path]);
        }
    }
    for f in &sites {
        let v = f.json(&["conflict", "list"]);
        assert_eq!(v.as_array().expect("list").len(), 1, "{v}");
        let shown = f.ok(&["incident", "show", &refs[0]]);
        assert!(shown.contains("CHANGED ON TWO DEVICES"), "{shown}");
        f.ok(&["verify"]);
        for r in &refs {
            f.ok(&["incident", "show", r]);
        }
    }
    let first = tables(&sites[0]);
    for f in &sites[1..] {
        assert_eq!(tables(f), first);
    }
    // A run with nothing new writes nothing and imports nothing.
    let before = common::snapshot_all(shared.path());
    let v = sites[2].json(&["sync", "folder", &path]);
    assert_eq!(v["written"].as_array().expect("written").len(), 0, "{v}");
    assert_eq!(v["imported"].as_array().expect("imported").len(), 0, "{v}");
    assert_eq!(common::snapshot_all(shared.path()), before);
}

#[test]
fn the_folder_state_changes_only_when_a_bundle_does() {
    use harbour::sync::folder::state_of;
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path();
    assert_eq!(
        state_of(&root.join("missing")),
        "",
        "an unreadable folder has no state"
    );
    std::fs::create_dir(root.join("device-a")).expect("sub-folder");
    let empty = state_of(root);
    assert_eq!(empty.len(), 32);

    std::fs::write(root.join("device-a").join("notes.txt"), b"not a bundle").expect("write");
    assert_eq!(
        state_of(root),
        empty,
        "files other than bundles do not count"
    );

    let bundle = root
        .join("device-a")
        .join("MAN-20261123-1-to-abcdef12.hbsync");
    std::fs::write(&bundle, b"first").expect("write");
    let one = state_of(root);
    assert_ne!(one, empty, "a new bundle changes the state");
    assert_eq!(state_of(root), one, "reading twice gives the same state");

    std::fs::write(&bundle, b"first and more").expect("write");
    assert_ne!(state_of(root), one, "a bundle that grew changes the state");
}
