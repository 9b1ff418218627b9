//! Exporting a pack reports its progress and can be cancelled: a cancelled export leaves
//! nothing under the chosen name (nor a half-written file beside it) and logs nothing.

use crate::common;

use common::{open_incident, Folder, PASSPHRASE};
use harbour::keys::Passphrase;
use harbour::ops::packs::{export_with, Progress};
use harbour::{Error, Harbour, Unlock};

fn folder_with_evidence(bytes: usize) -> (Folder, String) {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "malicious-posts", &[(&alex, "subject")]);
    let file = f.tmp.path().join("recording.bin");
    let content: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, content).expect("write evidence");
    f.ok(&[
        "evidence",
        "add",
        &reference,
        &file.to_string_lossy(),
        "--description",
        "Screen recording of the posts",
    ]);
    (f, reference)
}

fn open(f: &Folder) -> Harbour {
    Harbour::open(
        &f.dir(),
        Unlock::Passphrase(&Passphrase::new(PASSPHRASE.into())),
    )
    .expect("open")
}

#[test]
fn progress_reaches_the_evidence_size() {
    let size = 10 * 1024 * 1024 + 17;
    let (f, reference) = folder_with_evidence(size);
    let mut h = open(&f);
    let id = harbour::ops::incidents::resolve(h.log(), &reference).expect("incident");
    let out = f.tmp.path().join("pack.zip");
    let mut seen: Vec<Progress> = Vec::new();
    export_with(&mut h, id, &out, None, |p| {
        seen.push(p);
        true
    })
    .expect("export");
    assert!(out.is_file());
    assert!(seen.len() >= 3, "reported every few megabytes: {seen:?}");
    assert!(seen.iter().all(|p| p.total == size as u64));
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    assert_eq!(seen.last().map(|p| p.done), Some(size as u64));
}

#[test]
fn a_cancelled_export_leaves_nothing_and_logs_nothing() {
    let (f, reference) = folder_with_evidence(10 * 1024 * 1024);
    let mut h = open(&f);
    let id = harbour::ops::incidents::resolve(h.log(), &reference).expect("incident");
    let events_before = h.log().events().expect("events").len();
    let out_dir = f.tmp.path().join("out");
    std::fs::create_dir(&out_dir).expect("folder");
    let out = out_dir.join("pack.zip");
    let mut reports = 0;
    let result = export_with(&mut h, id, &out, None, |_| {
        reports += 1;
        reports < 2
    });
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert_eq!(
        std::fs::read_dir(&out_dir).expect("list").count(),
        0,
        "nothing, not even a partial file, is left"
    );
    assert_eq!(h.log().events().expect("events").len(), events_before);
}
