//! Printing a cohort's induction forms: 200 learners of mixed ages in one PDF.
//!
//! `cargo bench --bench forms` (or `HARBOUR_BENCH_LEARNERS=N`). Goals: under 3 s and under
//! 5 MB for 200 learners. Prints the time to lay out and write the PDF, its size and pages.

use std::time::Instant;

use chrono::NaiveDate;
use harbour::keys::Passphrase;
use harbour::ops::learners::{self, NewLearner};
use harbour::print::forms;
use harbour::{Harbour, Setup};

fn main() {
    let n: usize = std::env::var("HARBOUR_BENCH_LEARNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let setup = Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let pass = Passphrase::new("correct horse battery staple".into());
    let (mut h, _recovery) = Harbour::init(&tmp.path().join("data"), &setup, &pass).expect("init");
    let induction = NaiveDate::from_ymd_opt(2026, 9, 7).expect("date");
    let first = [
        "Alex", "Jo", "Sam", "Priya", "Kai", "Morgan", "Ellis", "Rowan",
    ];
    let last = ["Example", "Sample", "Testwell", "Fictional", "Placeholder"];
    let cohort: Vec<NewLearner> = (0..n)
        .map(|i| NewLearner {
            name: format!("{} {} {i}", first[i % first.len()], last[i % last.len()]),
            // Ages 16 to 19 on the induction date.
            dob: NaiveDate::from_ymd_opt(
                2007 + (i % 4) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            )
            .expect("dob"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        })
        .collect();
    let preview = learners::CsvPreview {
        learners: cohort,
        problems: vec![],
        already_held: vec![],
    };
    let ids = learners::import(h.log_mut(), preview).expect("import");

    let out = tmp.path().join("cohort.pdf");
    let start = Instant::now();
    let plan = forms::plan(h.log().conn(), &ids, induction).expect("plan");
    let doc = forms::render(&plan).expect("render");
    let pages = doc.page_count();
    doc.write_to(&out).expect("write");
    let elapsed = start.elapsed();
    let size = std::fs::metadata(&out).expect("size").len();
    let forms_count: usize = plan.learners.iter().map(|l| l.forms.len()).sum();
    println!("learners: {n}, forms: {forms_count}, pages: {pages}");
    println!(
        "time: {:.2} s (goal < 3 s) {}",
        elapsed.as_secs_f64(),
        if elapsed.as_secs_f64() < 3.0 {
            "ok"
        } else {
            "MISSED"
        }
    );
    println!(
        "size: {:.2} MB (goal < 5 MB) {}",
        size as f64 / 1_000_000.0,
        if size < 5_000_000 { "ok" } else { "MISSED" }
    );
}
