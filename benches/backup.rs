//! Backing up, checking and restoring a large data folder, against `cp -r` of the same folder
//! and `sha256sum` over it, in the same run.
//!
//! `cargo bench --bench backup` (100,000 incidents and 1 GiB of evidence), or smaller with
//! `HARBOUR_BENCH_INCIDENTS=10000 HARBOUR_BENCH_EVIDENCE_MB=128`. Files go in a temporary
//! folder under `HARBOUR_BENCH_DIR` (default: the system's temporary folder).
//!
//! Goals (issue 11): backup and restore each at least half of `cp -r`'s throughput over the
//! same data folder, and peak memory under 100 MB whatever the size. Peak memory is the
//! process's resident high-water mark (`VmHWM`), reset before each phase by writing 5 to
//! `/proc/self/clear_refs` (Linux), so set-up is not counted.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use harbour::domain::{LearnerRole, Reporter};
use harbour::keys::Passphrase;
use harbour::ops::evidence::{self, NewEvidence};
use harbour::ops::incidents::{self, NewIncident};
use harbour::ops::learners::{self, NewLearner};
use harbour::{Harbour, Setup, Unlock};

const MIB: u64 = 1024 * 1024;

fn make_file(path: &Path, mb: u64) {
    let mut out = std::io::BufWriter::with_capacity(
        MIB as usize,
        std::fs::File::create(path).expect("create the test file"),
    );
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; MIB as usize];
    for _ in 0..mb {
        for word in block.chunks_exact_mut(8) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        out.write_all(&block).expect("write the test file");
    }
    out.flush().expect("flush the test file");
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn folder_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("read folder").flatten() {
        let p = entry.path();
        total += if p.is_dir() {
            folder_bytes(&p)
        } else {
            entry.metadata().map(|m| m.len()).unwrap_or(0)
        };
    }
    total
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1_000_000.0 / secs
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

fn main() {
    let incidents: usize = std::env::var("HARBOUR_BENCH_INCIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mb: u64 = std::env::var("HARBOUR_BENCH_EVIDENCE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let base = std::env::var_os("HARBOUR_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let tmp = tempfile::tempdir_in(&base).expect("temporary folder");
    let data = tmp.path().join("data");
    let setup = Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let pass = Passphrase::new("correct horse battery staple".into());
    let (mut h, recovery) = Harbour::init(&data, &setup, &pass).expect("init");
    let start = Instant::now();
    harbour::synthetic::fill(h.log_mut(), "MAN", 2_000, incidents, 11).expect("fill");
    let alex = learners::add(
        h.log_mut(),
        NewLearner {
            name: "Alex Example".into(),
            dob: NaiveDate::from_ymd_opt(2009, 4, 17).expect("date"),
            centre: "MAN".into(),
            employer: None,
            carers: vec![],
        },
    )
    .expect("learner");
    let opened = incidents::open(
        h.log_mut(),
        NewIncident {
            learners: vec![(alex.to_string(), LearnerRole::Subject)],
            categories: vec!["malicious-posts".into()],
            account: "Recordings of the threats were sent to the tutor".into(),
            occurred_at: Utc::now() - Duration::days(1),
            reported_at: None,
            place: None,
            reporter: Reporter {
                name: "Chris Tutor".into(),
                job_title: "Assessor".into(),
            },
            centre: None,
            concerns_staff: None,
            first_actions: None,
            procedures: vec![],
        },
    )
    .expect("incident");
    // Evidence as several files of up to 256 MiB, as a coordinator would capture them.
    let mut left = mb;
    let mut n = 0;
    while left > 0 {
        let size = left.min(256);
        let file = tmp.path().join(format!("recording-{n}.bin"));
        make_file(&file, size);
        evidence::add(
            &mut h,
            opened.id,
            NewEvidence {
                file: file.clone(),
                description: format!("Recording {n}"),
                ..NewEvidence::default()
            },
        )
        .expect("capture");
        std::fs::remove_file(&file).expect("remove the original");
        left -= size;
        n += 1;
    }
    let bytes = folder_bytes(&data);
    println!(
        "data folder: {incidents} incidents, {mb} MiB of evidence in {n} files, {bytes} bytes in all; set up in {:.0} s",
        start.elapsed().as_secs_f64()
    );

    // The baselines, on the same folder, in the same run.
    let copy = tmp.path().join("copy");
    let start = Instant::now();
    let st = Command::new("cp")
        .arg("-r")
        .arg(&data)
        .arg(&copy)
        .status()
        .expect("cp");
    let cp_secs = start.elapsed().as_secs_f64();
    assert!(st.success());
    std::fs::remove_dir_all(&copy).expect("remove the copy");
    let start = Instant::now();
    let st = Command::new("sh")
        .arg("-c")
        .arg("find . -type f -print0 | xargs -0 sha256sum > /dev/null")
        .current_dir(&data)
        .status()
        .expect("sha256sum");
    let sha_secs = start.elapsed().as_secs_f64();
    assert!(st.success());

    let out = tmp.path().join("usb");
    std::fs::create_dir_all(&out).expect("out");
    let measured = reset_peak();
    let start = Instant::now();
    let made = harbour::backup::create(&h, &out).expect("backup");
    let backup_secs = start.elapsed().as_secs_f64();
    let backup_peak = peak_mib();
    drop(h);

    reset_peak();
    let start = Instant::now();
    let checked =
        harbour::backup::check_file(&made.file, Unlock::Recovery(&recovery)).expect("verify");
    let verify_secs = start.elapsed().as_secs_f64();
    let verify_peak = peak_mib();
    assert_eq!(checked.incidents, incidents + 1);

    reset_peak();
    let start = Instant::now();
    harbour::backup::restore(
        &made.file,
        Unlock::Recovery(&recovery),
        &tmp.path().join("laptop"),
    )
    .expect("restore");
    let restore_secs = start.elapsed().as_secs_f64();
    let restore_peak = peak_mib();

    let cp_rate = mb_per_s(bytes, cp_secs);
    let line = |name: &str, secs: f64, peak: Option<f64>, goal: Option<f64>| {
        let rate = mb_per_s(bytes, secs);
        let peak_text = peak
            .filter(|_| measured)
            .map(|p| format!(", peak {p:.0} MiB {}", verdict(p < 100.0)))
            .unwrap_or_default();
        let goal_text = goal
            .map(|g| {
                format!(
                    ", {:.2} of cp -r (goal >= {g}) {}",
                    rate / cp_rate,
                    verdict(rate / cp_rate >= g)
                )
            })
            .unwrap_or_default();
        println!("{name:<10} {secs:>7.2} s, {rate:>6.0} MB/s{goal_text}{peak_text}");
    };
    println!();
    line("cp -r", cp_secs, None, None);
    line("sha256sum", sha_secs, None, None);
    line("backup", backup_secs, backup_peak, Some(0.5));
    line("verify", verify_secs, verify_peak, None);
    line("restore", restore_secs, restore_peak, Some(0.5));
    println!("backup file: {} bytes", made.bytes);
}
