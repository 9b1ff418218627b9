//! File modes on Unix: the data folder is 0700 and everything Harbour writes in it 0600 (the
//! wrapped key is a target for offline guessing), as are the recovery sheet and opened
//! evidence copies; a folder made by an older Harbour is tightened when it is opened.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common;

use common::{open_incident, Folder};
use harbour::keys::Passphrase;
use harbour::{Harbour, Unlock};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

/// Every file and folder under `dir`, with its mode.
fn modes(dir: &Path) -> Vec<(String, u32)> {
    let mut out = vec![(dir.display().to_string(), mode(dir))];
    for entry in std::fs::read_dir(dir).expect("read folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(modes(&path));
        } else {
            out.push((path.display().to_string(), mode(&path)));
        }
    }
    out
}

fn assert_private(dir: &Path) {
    for (path, m) in modes(dir) {
        let want = if Path::new(&path).is_dir() {
            0o700
        } else {
            0o600
        };
        assert_eq!(m, want, "{path} is {m:o}");
    }
}

/// A folder with an incident and a stored evidence file; returns the item's id.
fn folder_with_evidence(f: &Folder) -> String {
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(f, "cyberbullying", &[(&alex, "subject")]);
    let file = f.tmp.path().join("chat.txt");
    std::fs::write(&file, b"the chat").expect("write");
    let v = f.json(&[
        "evidence",
        "add",
        &reference,
        &file.to_string_lossy(),
        "--description",
        "Transcript",
    ]);
    v["item_id"].as_str().expect("item").to_string()
}

#[test]
fn the_data_folder_and_everything_harbour_writes_in_it_are_private() {
    let f = Folder::new();
    let sheet = f.tmp.path().join("sheet.pdf");
    f.ok(&[
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
        "--recovery-sheet",
        &sheet.to_string_lossy(),
    ]);
    assert_eq!(mode(&sheet), 0o600, "the recovery sheet with the key");
    let item = folder_with_evidence(&f);
    f.ok(&["passphrase", "change", "--new-passphrase-file", &{
        let p = f.tmp.path().join("new.txt");
        std::fs::write(&p, common::PASSPHRASE).expect("write");
        p.to_string_lossy().into_owned()
    }]);
    assert_private(&f.dir());

    // The WAL and shared-memory files exist while the folder is open.
    let h = Harbour::open(
        &f.dir(),
        Unlock::Passphrase(&Passphrase::new(common::PASSPHRASE.into())),
    )
    .expect("open");
    h.log().conn().execute_batch("SELECT 1").expect("read");
    assert!(f.dir().join("harbour.db-wal").exists());
    assert_private(&f.dir());
    drop(h);

    let copy = f.tmp.path().join("copy.txt");
    f.ok(&["evidence", "open", &item, "--out", &copy.to_string_lossy()]);
    assert_eq!(mode(&copy), 0o600, "the opened copy");
    let blank = f.tmp.path().join("blank.pdf");
    f.ok(&[
        "recovery-sheet",
        "--without-key",
        "--out",
        &blank.to_string_lossy(),
    ]);
    assert_eq!(mode(&blank), 0o600, "the recovery sheet without the key");
}

#[test]
fn a_folder_readable_by_others_is_tightened_when_it_is_opened() {
    let f = Folder::new();
    f.init();
    folder_with_evidence(&f);
    let open_up = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    for (path, _) in modes(&f.dir()) {
        let p = Path::new(&path);
        open_up(p, if p.is_dir() { 0o755 } else { 0o644 });
    }
    // A file of the user's own in the folder is not Harbour's to change.
    let notes = f.dir().join("notes.txt");
    std::fs::write(&notes, b"mine").expect("write");
    open_up(&notes, 0o644);

    f.ok(&["incident", "list"]);
    assert_eq!(mode(&notes), 0o644);
    std::fs::remove_file(&notes).expect("remove");
    assert_private(&f.dir());
}
