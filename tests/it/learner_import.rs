//! A learner CSV import reports its progress row by row and can be stopped part-way: a
//! stopped import leaves neither learners nor events behind.

use crate::common;

use harbour::ops::learners;
use harbour::{Error, Harbour};

fn folder() -> (tempfile::TempDir, Harbour) {
    common::open_in_process()
}

fn csv(rows: usize) -> String {
    let mut s = String::from("name,dob,centre\n");
    for i in 0..rows {
        s.push_str(&format!(
            "Learner Example {i},2008-0{}-1{},MAN\n",
            1 + i % 9,
            i % 10
        ));
    }
    s
}

fn count(h: &Harbour, table: &str) -> i64 {
    h.log()
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_stopped_import_leaves_nothing_behind() {
    let (_tmp, mut h) = folder();
    let events_before = count(&h, "events");
    let preview = learners::preview_csv(h.log(), csv(20).as_bytes()).expect("preview");
    assert_eq!(preview.learners.len(), 20, "{:?}", preview.problems);
    let mut seen = Vec::new();
    let err = learners::import_with(h.log_mut(), preview, &mut |done, total| {
        seen.push((done, total));
        done < 7
    })
    .expect_err("stopped");
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert_eq!(
        seen.last(),
        Some(&(7, 20)),
        "it stopped where it was asked to"
    );
    assert_eq!(count(&h, "learners"), 0);
    assert_eq!(count(&h, "events"), events_before, "no event was logged");
    harbour::store::verify::verify(h.log().conn()).expect("the log still verifies");
}

#[test]
fn progress_reaches_every_row_and_the_import_completes() {
    let (_tmp, mut h) = folder();
    let preview = learners::preview_csv(h.log(), csv(12).as_bytes()).expect("preview");
    let mut seen = Vec::new();
    let ids = learners::import_with(h.log_mut(), preview, &mut |done, total| {
        seen.push((done, total));
        true
    })
    .expect("import");
    assert_eq!(ids.len(), 12);
    assert_eq!(seen, (1..=12).map(|d| (d, 12)).collect::<Vec<_>>());
    assert_eq!(count(&h, "learners"), 12);
}
