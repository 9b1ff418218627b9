//! A shared-folder service that clashes over a bundle keeps one copy under its name and
//! renames the other (Syncthing, OneDrive, Dropbox, Nextcloud each in their own way). Sync
//! still delivers everything: the receiver imports the renamed copy, and the sender, finding
//! under its bundle's name a file it did not write, writes its bundle again. These tests do
//! to the folder by hand what those services do; `syncthing.rs` makes a real clash.

use std::path::{Path, PathBuf};

use crate::common;
use common::Folder;

/// Centres set up with `harbour init`, each trusting every other by its peer card.
pub fn centres(names: &[(&str, &str)]) -> Vec<Folder> {
    let sites: Vec<Folder> = names.iter().map(|_| Folder::new()).collect();
    let mut cards = Vec::new();
    for (f, (centre, who)) in sites.iter().zip(names) {
        f.json(&[
            "init",
            "--org",
            "Northbridge Training",
            "--centre",
            centre,
            &format!("{centre} centre"),
            "--coordinator",
            who,
            "--role",
            "Designated Safeguarding Lead",
        ]);
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
    }
    sites
}

/// An incident with one learner; returns its reference.
pub fn incident(f: &Folder, centre: &str) -> String {
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
    common::open_incident(f, "cyberbullying", &[(&learner, "subject")])
}

/// One `harbour sync folder` run, as JSON.
pub fn sync(f: &Folder, shared: &Path) -> serde_json::Value {
    f.json(&["sync", "folder", shared.to_str().expect("path")])
}

/// `f`'s device id, which names its own sub-folder of a shared folder.
pub fn device_id(f: &Folder) -> String {
    let card = f.tmp.path().join("me.json");
    let v = f.json(&["peer", "card", "--out", card.to_str().expect("path")]);
    v["device_id"].as_str().expect("device id").to_string()
}

/// The bundles in `f`'s own sub-folder of the shared folder.
fn own_bundles(f: &Folder, shared: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(shared.join(device_id(f)))
        .expect("own folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

fn written(v: &serde_json::Value) -> usize {
    v["written"].as_array().expect("written").len()
}

fn imported(v: &serde_json::Value) -> usize {
    v["imported"].as_array().expect("imported").len()
}

/// Renames `file` as a service does with the copy that lost a clash.
fn rename_as(file: &Path, style: &str) -> PathBuf {
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let stem = name.strip_suffix(".hbsync").expect("a bundle");
    let renamed = match style {
        "syncthing" => format!("{stem}.sync-conflict-20261202-140020-QVR4C4S.hbsync"),
        "onedrive" => format!("{stem}-DESKTOP-AB12CD.hbsync"),
        "dropbox" => format!("{stem} (Sam Example's conflicted copy 2026-12-02).hbsync"),
        "nextcloud" => format!("{stem} (conflicted copy 2026-12-02 140020).hbsync"),
        other => panic!("no style {other}"),
    };
    let to = file.with_file_name(renamed);
    std::fs::rename(file, &to).expect("rename");
    to
}

#[test]
fn a_bundle_renamed_as_a_syncthing_conflict_copy_still_delivers_its_note() {
    let sites = centres(&[("MAN", "Sam Example"), ("LDS", "Alex Sample")]);
    let shared = tempfile::tempdir().expect("shared");
    let (a, b) = (&sites[0], &sites[1]);
    let reference = incident(a, "MAN");
    sync(a, shared.path());
    assert_eq!(imported(&sync(b, shared.path())), 1);
    let [first] = own_bundles(a, shared.path())
        .try_into()
        .expect("one bundle");
    let first_bytes = std::fs::read(&first).expect("first");

    a.ok(&[
        "incident",
        "note",
        &reference,
        "Spoke to the learner's carer",
    ]);
    sync(a, shared.path());
    let [second] = own_bundles(a, shared.path())
        .try_into()
        .expect("one bundle");
    // The service keeps another copy (here the earlier bundle) under the name and renames
    // Harbour's own, as Syncthing does.
    let renamed = rename_as(&second, "syncthing");
    std::fs::write(&second, &first_bytes).expect("other copy");

    let got = sync(b, shared.path());
    assert_eq!(imported(&got), 1, "{got}");
    assert_eq!(
        got["imported"][0]["file"].as_str(),
        renamed.to_str(),
        "{got}"
    );
    let shown = b.ok(&["incident", "show", &reference]);
    assert!(shown.contains("Spoke to the learner's carer"), "{shown}");
    b.ok(&["verify"]);
}

#[test]
fn the_sender_writes_again_when_its_bundle_is_gone_or_replaced_and_not_otherwise() {
    let sites = centres(&[("MAN", "Sam Example"), ("LDS", "Alex Sample")]);
    let shared = tempfile::tempdir().expect("shared");
    let a = &sites[0];
    incident(a, "MAN");
    assert_eq!(written(&sync(a, shared.path())), 1);
    assert_eq!(
        written(&sync(a, shared.path())),
        0,
        "unchanged: not written again"
    );

    let [bundle] = own_bundles(a, shared.path())
        .try_into()
        .expect("one bundle");
    std::fs::remove_file(&bundle).expect("remove");
    assert_eq!(written(&sync(a, shared.path())), 1, "gone: written again");

    // Another copy under the name, renamed Harbour's away: written again, the other copy is
    // left for the others to read, and Harbour's renamed copy, now superseded, is cleared.
    let [bundle] = own_bundles(a, shared.path())
        .try_into()
        .expect("one bundle");
    let renamed = rename_as(&bundle, "syncthing");
    std::fs::write(&bundle, b"someone else's copy").expect("other copy");
    assert_eq!(
        written(&sync(a, shared.path())),
        1,
        "replaced: written again"
    );
    let now = own_bundles(a, shared.path());
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.contains(&bundle), "{now:?}");
    assert!(!now.contains(&renamed), "{now:?}");
    assert_eq!(written(&sync(a, shared.path())), 0);
}

#[test]
fn copies_renamed_by_onedrive_dropbox_and_nextcloud_are_imported_too() {
    let sites = centres(&[("MAN", "Sam Example"), ("LDS", "Alex Sample")]);
    let shared = tempfile::tempdir().expect("shared");
    let (a, b) = (&sites[0], &sites[1]);
    let reference = incident(a, "MAN");
    for style in ["onedrive", "dropbox", "nextcloud", "syncthing"] {
        let note = format!("Note carried in a copy renamed by {style}");
        a.ok(&["incident", "note", &reference, &note]);
        sync(a, shared.path());
        let [bundle] = own_bundles(a, shared.path())
            .try_into()
            .expect("one bundle");
        rename_as(&bundle, style);
        let got = sync(b, shared.path());
        assert_eq!(imported(&got), 1, "{style}: {got}");
        let shown = b.ok(&["incident", "show", &reference]);
        assert!(shown.contains(&note), "{style}: {shown}");
    }
    b.ok(&["verify"]);
}

#[test]
fn a_conflict_copy_not_imported_is_named_in_the_report() {
    let sites = centres(&[
        ("MAN", "Sam Example"),
        ("LDS", "Alex Sample"),
        ("BHM", "Robin Other"),
    ]);
    let shared = tempfile::tempdir().expect("shared");
    let (a, b, c) = (&sites[0], &sites[1], &sites[2]);
    incident(a, "MAN");
    sync(a, shared.path());
    let c_short: String = {
        let id = device_id(c);
        id[id.len() - 8..].to_string()
    };
    for bundle in own_bundles(a, shared.path()) {
        rename_as(&bundle, "syncthing");
    }
    let got = sync(b, shared.path());
    assert_eq!(imported(&got), 1, "{got}");
    let copies = got["conflict_copies"].as_array().expect("copies");
    assert_eq!(copies.len(), 1, "{got}");
    let (file, what) = (copies[0][0].as_str().expect("file"), &copies[0][1]);
    assert!(
        file.contains(&format!("-to-{c_short}.sync-conflict-")),
        "{file}"
    );
    assert_eq!(what, "made for another device");
    let text = b.ok(&["sync", "folder", shared.path().to_str().expect("path")]);
    assert!(
        text.contains(
            "A copy renamed by the service carrying the folder, made for another device:"
        ),
        "{text}"
    );
    assert!(
        text.contains("A copy renamed by the service carrying the folder, imported before:"),
        "{text}"
    );
}
