//! Every file Harbour reads whole has a size bound: a 3 GB junk file named like a bundle in a
//! shared folder, `/dev/zero` given as a learner CSV, and a 20 MB account are each refused
//! with one sentence, without reading them whole, and the data folder is left as it was.
//!
//! The large files are sparse (they take no disk space), and the binary runs with its
//! address space limited to 1.5 GB (`ulimit -v`), so reading one of them whole fails at
//! once instead of filling the memory of the machine running the tests.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{self, Folder, PASSPHRASE};

const THREE_GB: u64 = 3 * 1024 * 1024 * 1024;

/// Runs the real `harbour` on `f` with at most 1.5 GB of address space.
fn run_limited(f: &Folder, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 1572864 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(f.dir())
        .args(args)
        .env_remove("HARBOUR_DATA_DIR")
        .env("HARBOUR_PASSPHRASE", PASSPHRASE)
        .stdin(std::process::Stdio::null());
    cmd.output().expect("run harbour")
}

fn sparse(path: &Path, prefix: &[u8], len: u64) {
    std::fs::write(path, prefix).expect("write");
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(len))
        .expect("sparse file");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_3_gb_junk_file_named_like_a_bundle_is_named_and_not_read_whole() {
    let f = Folder::new();
    f.init();
    let shared = f.tmp.path().join("shared");
    let other = shared.join("0190aaaa-0000-7000-8000-000000000000");
    std::fs::create_dir_all(&other).expect("folder");
    let junk = other.join("junk.hbsync");
    sparse(&junk, b"", THREE_GB);

    let out = run_limited(&f, &["sync", "folder", shared.to_str().expect("path")]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("junk.hbsync: This file is not a Harbour sync bundle"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 bundle(s) imported, 1 refused"),
        "{stdout}"
    );
}

#[test]
fn a_3_gb_file_that_claims_to_be_a_bundle_is_refused_as_too_large() {
    let f = Folder::new();
    f.init();
    let shared = f.tmp.path().join("shared");
    let other = shared.join("0190aaaa-0000-7000-8000-000000000000");
    std::fs::create_dir_all(&other).expect("folder");
    // A bundle's outside, declaring a ciphertext that fills the rest of 3 GB.
    let mut head = b"HARBOURB".to_vec();
    head.extend_from_slice(&1u16.to_be_bytes());
    head.extend_from_slice(&2u32.to_be_bytes());
    head.extend_from_slice(b"{}");
    let ciphertext = THREE_GB - (head.len() as u64 + 8 + 64);
    head.extend_from_slice(&ciphertext.to_be_bytes());
    let big = other.join("big.hbsync");
    sparse(&big, &head, THREE_GB);

    let out = run_limited(&f, &["sync", "folder", shared.to_str().expect("path")]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("big.hbsync: This bundle is larger than 2 GB"),
        "{stdout}"
    );

    // `sync import` of the same file says the same, in one sentence.
    let out = run_limited(&f, &["sync", "import", big.to_str().expect("path")]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr).trim(),
        "This bundle is larger than 2 GB, more than Harbour takes in at once; nothing was imported."
    );
}

#[test]
fn learner_import_of_dev_zero_is_refused_in_one_sentence() {
    let f = Folder::new();
    f.init();
    let before = f.snapshot();
    let out = run_limited(&f, &["learner", "import", "/dev/zero"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "The file is larger than 10 MB, far too large for a list of learners; check that it is the right file."
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_csv_row_longer_than_16_kb_is_named_by_its_line() {
    let f = Folder::new();
    f.init();
    let csv = f.tmp.path().join("long.csv");
    std::fs::write(
        &csv,
        format!(
            "name,dob,centre\nAlex Example,2009-04-17,MAN\n{},2009-04-17,MAN\n",
            "x".repeat(20_000)
        ),
    )
    .expect("csv");
    let before = f.snapshot();
    let err = f.fails(&["learner", "import", csv.to_str().expect("path")]);
    assert!(
        err.contains("line 3: the row is longer than 16 KB"),
        "{err}"
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_20_mb_account_file_is_refused_without_being_read_whole() {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let account = f.tmp.path().join("account.txt");
    std::fs::write(&account, "They kept sending messages. ".repeat(750_000)).expect("account");
    let before = f.snapshot();
    let err = f.fails(&[
        "incident",
        "new",
        "--category",
        "cyberbullying",
        "--learner",
        &format!("{alex}:subject"),
        "--occurred",
        "2026-11-20T15:30",
        "--reporter",
        "Chris Tutor, Assessor",
        "--account-file",
        account.to_str().expect("path"),
    ]);
    assert!(
        err.ends_with(
            "is larger than 256 KB, too large to be an account; check that it is the right file."
        ),
        "{err}"
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn an_account_over_256_kb_is_refused_at_the_edge_whoever_sends_it() {
    let (_tmp, mut h) = common::open_in_process();
    let learner = harbour::ops::learners::add(
        h.log_mut(),
        harbour::ops::learners::NewLearner {
            name: "Alex Example".into(),
            dob: chrono::NaiveDate::from_ymd_opt(2009, 4, 17).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    let events: i64 = h
        .log()
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count");
    let err = harbour::ops::incidents::open(
        h.log_mut(),
        harbour::ops::incidents::NewIncident {
            learners: vec![(learner.to_string(), harbour::domain::LearnerRole::Subject)],
            categories: vec!["cyberbullying".into()],
            account: "a".repeat(20 * 1024 * 1024),
            occurred_at: chrono::Utc::now() - chrono::Duration::days(1),
            reported_at: None,
            place: None,
            reporter: harbour::domain::Reporter {
                name: "Chris Tutor".into(),
                job_title: "Assessor".into(),
            },
            centre: None,
            concerns_staff: None,
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect_err("too long");
    assert_eq!(
        err.to_string(),
        "The account is too long: at most 256 KB (about 40,000 words); add a longer document to the case as evidence instead."
    );
    let after: i64 = h
        .log()
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(after, events, "nothing was recorded");
}

#[test]
fn a_peer_card_file_of_3_gb_is_refused_without_being_read_whole() {
    let f = Folder::new();
    f.init();
    let card = f.tmp.path().join("card.json");
    sparse(&card, b"{", THREE_GB);
    let before = f.snapshot();
    let out = run_limited(
        &f,
        &[
            "peer",
            "add",
            card.to_str().expect("path"),
            "--confirm",
            "0000",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is larger than 64 KB, too large to be a peer card"),
        "{stderr}"
    );
    assert_eq!(f.snapshot(), before);
}
