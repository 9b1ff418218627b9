//! Capturing and exporting one large evidence file, against `sha256sum` over the same file in
//! the same run.
//!
//! `cargo bench --bench evidence` (2 GB), or `HARBOUR_BENCH_EVIDENCE_MB=256` for a quick look.
//! The files go in a temporary folder under `HARBOUR_BENCH_DIR` (default: the system's
//! temporary folder); at most about twice the file's size is on disk at once, because the
//! original is removed once it has been captured.
//!
//! Goals (issue 4): capture and export each at least half the throughput of `sha256sum`
//! alone (`openssl dgst -sha256` is timed too, for context, where it is installed), and peak memory under 100 MB whatever the file's size. Peak memory is the process's
//! resident high-water mark (`VmHWM` in `/proc/self/status`), reset before each phase by
//! writing 5 to `/proc/self/clear_refs` (Linux), so the set-up's key derivation (Argon2id,
//! 64 MiB) is not counted against capture or export.

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
use harbour::ops::packs;
use harbour::{Harbour, Setup};

const MIB: u64 = 1024 * 1024;

/// Writes `mb` MiB of incompressible bytes (xorshift64*), in 1 MiB blocks.
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
    out.into_inner()
        .expect("flush the test file")
        .sync_all()
        .expect("sync the test file");
}

/// Starts a new peak-memory measurement. Returns false if the kernel does not allow it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's resident high-water mark in MiB, from `/proc/self/status`.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
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
    let mb: u64 = std::env::var("HARBOUR_BENCH_EVIDENCE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048);
    let base = std::env::var_os("HARBOUR_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let tmp = tempfile::tempdir_in(&base).expect("temporary folder");
    let bytes = mb * MIB;
    println!(
        "evidence file: {mb} MiB ({bytes} bytes) in {}",
        tmp.path().display()
    );

    let original = tmp.path().join("screen-recording.mp4.bin");
    let start = Instant::now();
    make_file(&original, mb);
    println!("made the file in {:.1} s", start.elapsed().as_secs_f64());

    // The baseline: sha256sum over the same file, now in the page cache like every phase below.
    let start = Instant::now();
    let out = Command::new("sha256sum")
        .arg(&original)
        .output()
        .expect("run sha256sum");
    let sha_secs = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "sha256sum failed");
    let expected = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();

    // For context only: OpenSSL's SHA-256 uses the processor's SHA instructions where
    // coreutils' sha256sum does not, so it is the faster hash on most machines.
    let start = Instant::now();
    let openssl_secs = Command::new("openssl")
        .args(["dgst", "-sha256"])
        .arg(&original)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| start.elapsed().as_secs_f64());

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
            account: "A recording of the threats was sent to the tutor".into(),
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

    let measured = reset_peak();
    let start = Instant::now();
    let captured = evidence::add(
        &mut h,
        opened.id,
        NewEvidence {
            file: original.clone(),
            description: "Screen recording of the threats".into(),
            ..NewEvidence::default()
        },
    )
    .expect("capture");
    let capture_secs = start.elapsed().as_secs_f64();
    let capture_peak = peak_mib();
    assert_eq!(captured.sha256, expected, "capture hashed something else");
    assert_eq!(captured.size, bytes);
    // The original is not needed again: free the room for the pack.
    std::fs::remove_file(&original).expect("remove the original");

    let pack = tmp.path().join("pack.zip");
    reset_peak();
    let start = Instant::now();
    let exported =
        packs::export(&mut h, opened.id, &pack, Some("Benchmark")).expect("export the pack");
    let export_secs = start.elapsed().as_secs_f64();
    let export_peak = peak_mib();
    assert_eq!(exported.items, 1);
    let pack_size = std::fs::metadata(&pack).expect("pack").len();

    let sha_rate = mb_per_s(bytes, sha_secs);
    let capture_rate = mb_per_s(bytes, capture_secs);
    let export_rate = mb_per_s(bytes, export_secs);
    println!();
    println!("sha256sum: {sha_secs:.2} s, {sha_rate:.0} MB/s");
    println!(
        "capture:   {capture_secs:.2} s, {capture_rate:.0} MB/s, {:.2} of sha256sum (goal >= 0.5) {}",
        capture_rate / sha_rate,
        verdict(capture_rate / sha_rate >= 0.5)
    );
    println!(
        "export:    {export_secs:.2} s, {export_rate:.0} MB/s, {:.2} of sha256sum (goal >= 0.5) {}; pack {pack_size} bytes",
        export_rate / sha_rate,
        verdict(export_rate / sha_rate >= 0.5)
    );
    if let Some(secs) = openssl_secs {
        let rate = mb_per_s(bytes, secs);
        println!(
            "for context, openssl dgst -sha256: {secs:.2} s, {rate:.0} MB/s; capture {:.2} and export {:.2} of it",
            capture_rate / rate,
            export_rate / rate
        );
    }
    let label = if measured {
        "during the phase"
    } else {
        "since the process started: /proc/self/clear_refs could not be written"
    };
    for (phase, peak) in [("capture", capture_peak), ("export", export_peak)] {
        match peak {
            Some(p) => println!(
                "peak resident memory, {phase} ({label}): {p:.1} MiB (goal < 100 MB) {}",
                verdict(p * 1.048_576 < 100.0)
            ),
            None => println!("peak resident memory, {phase}: not available on this system"),
        }
    }
}
