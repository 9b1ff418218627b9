//! Crashes, kills and Ctrl-C part-way through writing: the real `harbour` binary is killed
//! with a real SIGKILL (`kill -9`, or one the kernel delivers at an exact system call via
//! `strace -e inject=…:signal=KILL`), and what it left behind is gone after the next open —
//! a hidden partial evidence file, a complete evidence file no event refers to, a plain
//! partial pack beside its target. Files Harbour did not make are never touched.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use crate::common;
use crate::sync_support::{introduce, Site};

use common::{contains, open_incident, Folder};

/// Runs `harbour ARGS` on `dir` under strace, which sends `signal` to it at the `when`th
/// call of `syscall` on `path` (only system calls on `path` are counted; all of them when
/// there is no path).
fn killed_at(
    dir: &Path,
    path: Option<&Path>,
    syscall: &str,
    when: u32,
    signal: &str,
    args: &[&str],
) -> ExitStatus {
    let mut strace = Command::new("strace");
    strace.args(["-f", "-qq", "-o", "/dev/null"]);
    if let Some(path) = path {
        strace.arg("-P").arg(path);
    }
    let status = strace
        .args(["-e", &format!("trace={syscall}")])
        .args([
            "-e",
            &format!("inject={syscall}:signal={signal}:when={when}"),
        ])
        .arg(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HARBOUR_PASSPHRASE", common::PASSPHRASE)
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run strace (Debian package strace; scripts/install-deps installs it)");
    status
}

fn was_killed(status: ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(9)
}

/// Names of the files in `dir` (empty if there is no such folder).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|it| {
            it.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn evidence_dir(f: &Folder) -> PathBuf {
    f.dir().join("evidence")
}

fn add_args<'a>(reference: &'a str, file: &'a str) -> Vec<&'a str> {
    vec![
        "evidence",
        "add",
        reference,
        file,
        "--description",
        "Screenshots of the chat",
    ]
}

/// A folder with an incident and one evidence item holding `secret`; returns the reference.
fn folder_with_incident(secret: &[u8]) -> (Folder, String) {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "cyberbullying", &[(&alex, "subject")]);
    let first = f.tmp.path().join("first.txt");
    std::fs::write(&first, secret).expect("write");
    f.ok(&add_args(&reference, &first.to_string_lossy()));
    (f, reference)
}

#[test]
fn a_capture_killed_part_way_leaves_a_hidden_partial_that_the_next_open_removes() {
    let (f, reference) = folder_with_incident(b"first item");
    let held = names(&evidence_dir(&f));
    // Large enough that encrypting it takes a while; sparse, so it costs no disk to make.
    let big = f.tmp.path().join("recording.bin");
    std::fs::File::create(&big)
        .and_then(|file| file.set_len(2 << 30))
        .expect("big file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(f.dir())
        .args(add_args(&reference, &big.to_string_lossy()))
        .env("HARBOUR_PASSPHRASE", common::PASSPHRASE)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start harbour");
    // Wait until the encrypted copy is being written, then kill -9.
    let partial = loop {
        let found = names(&evidence_dir(&f))
            .into_iter()
            .find(|n| n.ends_with(".partial"))
            .map(|n| evidence_dir(&f).join(n));
        if let Some(p) = found.filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0)) {
            break p;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the capture ended before it could be killed"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let killed = Command::new("kill")
        .arg("-9")
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
    assert!(was_killed(child.wait().expect("wait")));
    assert!(partial.exists(), "the kill left no partial file to clean");

    let list = f.json(&["evidence", "list", &reference]);
    assert!(!partial.exists(), "the partial file is still there");
    assert_eq!(names(&evidence_dir(&f)), held);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
}

#[test]
fn a_capture_killed_between_its_file_and_its_event_leaves_no_stray_file() {
    let (f, reference) = folder_with_incident(b"first item");
    let held = names(&evidence_dir(&f));
    let second = f.tmp.path().join("second.txt");
    std::fs::write(&second, b"the second screenshot").expect("write");
    // The first fsync of the evidence folder makes the renamed file durable; the event
    // is appended after it.
    let status = killed_at(
        &f.dir(),
        Some(&evidence_dir(&f)),
        "fsync",
        1,
        "KILL",
        &add_args(&reference, &second.to_string_lossy()),
    );
    assert!(was_killed(status), "harbour was not killed: {status:?}");
    let after_kill = names(&evidence_dir(&f));
    assert_eq!(after_kill.len(), held.len() + 1, "{after_kill:?}");
    assert!(
        after_kill.iter().all(|n| n.ends_with(".hbev")),
        "{after_kill:?}"
    );

    let list = f.json(&["evidence", "list", &reference]);
    assert_eq!(
        names(&evidence_dir(&f)),
        held,
        "the stray evidence file is still there"
    );
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert!(f.ok(&["verify"]).starts_with("The case log is intact"));
    // And the capture can simply be made again.
    f.ok(&add_args(&reference, &second.to_string_lossy()));
    assert_eq!(names(&evidence_dir(&f)).len(), held.len() + 1);
}

#[test]
fn an_import_killed_after_storing_an_evidence_file_leaves_no_stray_file() {
    let mut sites = [
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Robin Example"),
    ];
    introduce(&mut sites);
    let [mut a, mut b] = sites;
    a.incident_with_evidence();
    let bundle = a.bundle_for(&[&b]);
    let file = b.tmp.path().join("from-man.hbsync");
    std::fs::write(&file, &bundle).expect("write bundle");
    b.close();
    let store = b.dir().join("evidence");
    // Killed once the carried evidence file is in place, before the events are committed.
    let status = killed_at(
        &b.dir(),
        Some(&store),
        "fsync",
        1,
        "KILL",
        &["sync", "import", &file.to_string_lossy()],
    );
    assert!(was_killed(status), "harbour was not killed: {status:?}");
    let left = names(&store);
    assert!(left.len() == 1 && left[0].ends_with(".hbev"), "{left:?}");

    b.reopen();
    assert_eq!(
        names(&store),
        Vec::<String>::new(),
        "the stray evidence file is still there"
    );
    // The bundle was never taken in, so it is taken in whole next time.
    let imported = b.take(&bundle).expect("import");
    assert_eq!(imported.evidence, 1);
    assert_eq!(names(&store).len(), 1);
    harbour::store::verify::check_all(b.hr())
        .map(|r| assert!(r.is_intact(), "{}", r.sentences()))
        .expect("verify");
}

#[test]
fn a_pack_export_killed_before_it_finishes_leaves_plain_evidence_only_until_the_next_open() {
    let secret = b"Distinctive words: periwinkle lighthouse 4471";
    let (f, reference) = folder_with_incident(secret);
    let out = f.tmp.path().join("MAN-pack.zip");
    let partial = f.tmp.path().join("MAN-pack.zip.partial");
    // A file of the user's that merely looks like one of Harbour's.
    let theirs = f.tmp.path().join("other.zip.partial");
    std::fs::write(&theirs, b"not Harbour's").expect("write");
    // Killed as the finished pack is synced to disk, just before it is renamed into place.
    let status = killed_at(
        &f.dir(),
        Some(&partial),
        "fsync",
        1,
        "KILL",
        &[
            "pack",
            "export",
            &reference,
            "--out",
            &out.to_string_lossy(),
            "--reason",
            "Police",
        ],
    );
    assert!(was_killed(status), "harbour was not killed: {status:?}");
    assert!(!out.exists());
    let left = std::fs::read(&partial).expect("the kill left the partial pack");
    assert!(
        contains(&left, secret),
        "the partial pack holds the evidence in plain form"
    );

    f.ok(&["incident", "list"]);
    assert!(!partial.exists(), "the plain partial pack is still there");
    assert_eq!(std::fs::read(&theirs).expect("theirs"), b"not Harbour's");
    assert!(!f.dir().join("unfinished.txt").exists());
    f.ok(&[
        "pack",
        "export",
        &reference,
        "--out",
        &out.to_string_lossy(),
        "--reason",
        "Police",
    ]);
    assert!(out.exists());
}

#[test]
fn a_pack_export_stopped_by_a_termination_signal_removes_its_partial_at_once() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let (f, reference) = folder_with_incident(&vec![b'x'; 6 << 20]);
        let out = f.tmp.path().join("pack.zip");
        let partial = f.tmp.path().join("pack.zip.partial");
        let status = killed_at(
            &f.dir(),
            Some(&partial),
            "write",
            2,
            signal,
            &[
                "pack",
                "export",
                &reference,
                "--out",
                &out.to_string_lossy(),
            ],
        );
        assert_eq!(status.code(), Some(code), "SIG{signal}: {status:?}");
        assert!(!partial.exists(), "SIG{signal} left the partial pack");
        // Stopped too late to stop it, a pack is only ever there complete.
        if out.exists() {
            f.ok(&["pack", "verify", &out.to_string_lossy()]);
        }
        f.ok(&["incident", "list"]);
        assert!(!f.dir().join("unfinished.txt").exists());
    }
}

#[test]
fn an_opened_copy_killed_part_way_is_removed_at_the_next_open() {
    let secret = b"Distinctive words: periwinkle lighthouse 4471";
    let (f, reference) = folder_with_incident(secret);
    let v = f.json(&["evidence", "list", &reference]);
    let item = v["items"][0]["id"].as_str().expect("item").to_string();
    let out_dir = f.tmp.path().join("opened");
    std::fs::create_dir(&out_dir).expect("folder");
    let out = out_dir.join("copy.txt");
    let theirs = out_dir.join(".copy.txt.0123456789abcdef.partial");
    std::fs::write(&theirs, b"not Harbour's").expect("write");
    // Harbour notes the copy's temporary file in the data folder (the file and the folder
    // are synced: two fsyncs), then decrypts into it and syncs it: killed there.
    let status = killed_at(
        &f.dir(),
        None,
        "fsync",
        3,
        "KILL",
        &["evidence", "open", &item, "--out", &out.to_string_lossy()],
    );
    assert!(was_killed(status), "harbour was not killed: {status:?}");
    assert!(!out.exists());
    let partials: Vec<PathBuf> = names(&out_dir)
        .into_iter()
        .map(|n| out_dir.join(n))
        .filter(|p| *p != theirs)
        .collect();
    assert_eq!(partials.len(), 1, "{partials:?}");
    let left = std::fs::read(&partials[0]).expect("read");
    assert!(
        contains(&left, secret),
        "the kill did not leave the plain copy"
    );

    f.ok(&["incident", "list"]);
    assert_eq!(names(&out_dir), [".copy.txt.0123456789abcdef.partial"]);
    assert_eq!(std::fs::read(&theirs).expect("theirs"), b"not Harbour's");
}

#[test]
fn a_verify_killed_part_way_leaves_only_an_unreadable_scratch_database_that_the_next_open_removes()
{
    let (f, _) = folder_with_incident(b"a transcript nobody else should read");
    let scratch = || -> Vec<String> {
        names(&f.dir())
            .into_iter()
            .filter(|n| n.starts_with("harbour.db.rebuilt-"))
            .collect()
    };
    // The rebuild takes a moment: try until the kill lands while the scratch exists.
    let killed = (0..50).any(|_| common::kill_when(&f, &["verify"], || !scratch().is_empty()));
    assert!(killed, "verify always finished before it could be killed");
    let left = scratch();
    assert!(!left.is_empty());
    for name in &left {
        let bytes = std::fs::read(f.dir().join(name)).expect("read the scratch");
        assert!(!contains(&bytes, b"Alex Example"), "{name} is readable");
        assert!(
            !contains(&bytes, b"SQLite format 3"),
            "{name} is not encrypted"
        );
    }

    let report = f.ok(&["verify"]);
    assert!(report.starts_with("The case log is intact"), "{report}");
    assert_eq!(scratch(), Vec::<String>::new(), "the next open removed it");
}
