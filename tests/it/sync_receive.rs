//! Stopping a receive: the coordinator sees how far taking in bundles has got and can stop;
//! stopping keeps the bundles already taken in and leaves the rest exactly as they were, to be
//! received the next time.

use crate::sync_support;

use harbour::sync::{folder, import, receive, Progress};
use harbour::Error;
use sync_support::{introduce, snapshot, Site};

/// A site with enough history that taking it in reports progress several times.
fn busy_site(centre: &str, coordinator: &str) -> Site {
    let mut s = Site::new(centre, coordinator);
    harbour::synthetic::fill(s.h().log_mut(), centre, 20, 250, 11).expect("fill");
    s
}

/// Two centres with history (Manchester, Birmingham) and a new one (Leeds), all trusting
/// each other.
fn two_busy_and_one_new() -> (Site, Site, Site) {
    let mut sites = vec![
        busy_site("MAN", "Sam Example"),
        busy_site("BHM", "Robin Other"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut sites);
    let b = sites.pop().expect("b");
    let c = sites.pop().expect("c");
    let a = sites.pop().expect("a");
    (a, c, b)
}

fn events_in(site: &Site) -> i64 {
    site.hr()
        .log()
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_bundle_stopped_part_way_leaves_the_folder_as_it_was_and_arrives_whole_later() {
    let mut sites = vec![
        busy_site("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut sites);
    let mut b = sites.pop().expect("b");
    let mut a = sites.pop().expect("a");
    // An evidence file travels too: stopping must not leave it stored.
    let item = a.incident_with_evidence();
    let bundle = a.bundle_for(&[&b]);

    b.close();
    let before = snapshot(&b.dir());
    b.reopen();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    let err = import::import_bytes_with(b.h(), &bundle, &mut |done, total| {
        seen.push((done, total));
        done < 500
    })
    .expect_err("stopped");
    assert!(matches!(err, Error::Cancelled), "{err}");
    let total = seen[0].1;
    assert!(total > 1000, "the bundle carries {total} events");
    // Asked before anything is stored, then every 500 events; nothing after it said stop.
    assert_eq!(seen.first(), Some(&(0, total)));
    assert_eq!(seen.last(), Some(&(500, total)));
    b.close();
    assert_eq!(
        snapshot(&b.dir()),
        before,
        "stopping changed the data folder"
    );
    b.reopen();

    // Received again, whole, it is all there and checks out.
    let mut ticks = 0;
    let got = import::import_bytes_with(b.h(), &bundle, &mut |_, _| {
        ticks += 1;
        true
    })
    .expect("received");
    assert_eq!(got.events, total);
    assert_eq!(got.evidence, 1);
    assert!(ticks >= total / 500, "{ticks} progress reports");
    assert!(harbour::ops::evidence::stored_path(&b.dir(), item.item_id).exists());
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");
}

#[test]
fn stopping_between_bundle_files_keeps_those_taken_in() {
    let (mut a, mut c, mut b) = two_busy_and_one_new();
    let paths = [a.bundle_for(&[&b]), c.bundle_for(&[&b])]
        .iter()
        .enumerate()
        .map(|(n, bytes)| {
            let p = b.tmp.path().join(format!("bundle-{n}.hbsync"));
            std::fs::write(&p, bytes).expect("write");
            p
        })
        .collect::<Vec<_>>();
    let before = events_in(&b);

    // Stop as soon as the second bundle reports progress.
    let mut seen: Vec<Progress> = Vec::new();
    let run = receive::files(b.h(), &paths, &mut |p| {
        seen.push(p);
        p.bundle < 2
    })
    .expect("run");
    assert!(run.stopped);
    assert_eq!(run.imported.len(), 1);
    assert_eq!(run.imported[0].sender, "Sam Example (MAN)");
    let first = run.imported[0].events as i64;
    assert_eq!(events_in(&b), before + first);
    assert!(seen.iter().all(|p| p.bundles == 2));
    assert_eq!(seen.last().map(|p| p.bundle), Some(2));

    // The next receive takes in the second; the first is recognised.
    let run = receive::files(b.h(), &paths, &mut |_| true).expect("again");
    assert!(!run.stopped);
    assert!(run.imported[0].already_imported);
    assert_eq!(run.imported[1].sender, "Robin Other (BHM)");
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");
}

#[test]
fn a_shared_folder_run_stopped_writes_nothing_and_the_next_run_finishes() {
    let (mut a, mut c, mut b) = two_busy_and_one_new();
    let shared = tempfile::tempdir().expect("shared");
    folder::sync(a.h(), shared.path()).expect("a writes");
    folder::sync(c.h(), shared.path()).expect("c writes");

    let run = folder::sync_with(b.h(), shared.path(), &mut |p| p.bundle < 2).expect("run");
    assert!(run.stopped);
    assert_eq!(run.imported.len(), 1);
    assert!(run.written.is_empty(), "{:?}", run.written);
    let own = shared.path().join(b.id().to_string());
    let left = std::fs::read_dir(&own).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "a stopped run left bundles in its own sub-folder");

    let run = folder::sync(b.h(), shared.path()).expect("next run");
    assert!(!run.stopped);
    assert_eq!(run.imported.len(), 1, "{:?}", run.imported);
    assert_eq!(run.written.len(), 2);
    harbour::store::verify::verify(b.hr().log().conn()).expect("verify");
}
