//! Throughput benchmark: how fast is encrypt_stream / decrypt_stream
//! compared with plain `sha256sum` on the same file?
//!
//! Usage: `cargo run --release --example throughput -- <MiB> [folder]`
//!
//! Creates a file of random-looking data of the given size (in `folder`, or
//! the system temporary folder), times `sha256sum` on it, then encrypts it
//! to a second file and decrypts that to a third, and prints MB/s for each,
//! the ratio to `sha256sum`, and this process's peak resident memory. It
//! also times both again writing to nowhere, to show how much is disk. The
//! files are deleted at the end.

use harbour_evidence::{decrypt_stream, encrypt_stream, MasterKey};
use rand::{RngCore, SeedableRng};
use std::error::Error;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args
        .next()
        .ok_or("usage: throughput <MiB> [folder]")?
        .parse()?;
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let plain = dir.join(format!("harbour-bench-{}.bin", std::process::id()));
    let sealed = plain.with_extension("hbev");
    let opened = plain.with_extension("out");
    let result = run(mib, &plain, &sealed, &opened);
    for path in [&plain, &sealed, &opened] {
        let _ = fs::remove_file(path);
    }
    result
}

fn run(mib: u64, plain: &Path, sealed: &Path, opened: &Path) -> Result<(), Box<dyn Error>> {
    let bytes = mib * 1024 * 1024;
    println!("Creating {mib} MiB test file at {}", plain.display());
    {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut out = BufWriter::new(File::create(plain)?);
        let mut block = vec![0u8; 1024 * 1024];
        for _ in 0..mib {
            rng.fill_bytes(&mut block);
            out.write_all(&block)?;
        }
        out.flush()?;
        out.get_ref().sync_all()?;
    }
    // Warm the page cache so every contender reads from memory alike.
    let _ = Command::new("cat")
        .arg(plain)
        .stdout(Stdio::null())
        .status();

    let t = Instant::now();
    let out = Command::new("sha256sum").arg(plain).output()?;
    let sha_secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err("sha256sum failed".into());
    }
    let reference = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();

    let master = MasterKey::generate();
    let item = "0192f0c4-7a51-7d3e-9b2a-5c1e8d4f6a10";

    let t = Instant::now();
    let capture = encrypt_stream(&master, item, File::open(plain)?, File::create(sealed)?)?;
    let enc_secs = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let summary = decrypt_stream(&master, item, File::open(sealed)?, File::create(opened)?)?;
    let dec_secs = t.elapsed().as_secs_f64();

    // The same work without writing output, to separate CPU cost from disk.
    let t = Instant::now();
    encrypt_stream(&master, item, File::open(plain)?, std::io::sink())?;
    let enc_sink_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    decrypt_stream(&master, item, File::open(sealed)?, std::io::sink())?;
    let dec_sink_secs = t.elapsed().as_secs_f64();

    if capture.sha256 != reference || summary.sha256 != reference || summary.size != bytes {
        return Err("hash mismatch between sha256sum, encryption and decryption".into());
    }

    let mbps = |secs: f64| bytes as f64 / 1_000_000.0 / secs;
    println!("SHA-256 {reference} (all three agree)");
    println!(
        "{:<16} {:>8} {:>10} {:>16}",
        "step", "seconds", "MB/s", "vs sha256sum"
    );
    for (name, secs) in [
        ("sha256sum", sha_secs),
        ("encrypt_stream", enc_secs),
        ("decrypt_stream", dec_secs),
        ("encrypt (no out)", enc_sink_secs),
        ("decrypt (no out)", dec_sink_secs),
    ] {
        println!(
            "{:<16} {:>8.2} {:>10.0} {:>15.2}x",
            name,
            secs,
            mbps(secs),
            mbps(secs) / mbps(sha_secs)
        );
    }
    println!(
        "Peak RSS (VmHWM): {}",
        peak_rss().unwrap_or_else(|| "unknown".into())
    );
    Ok(())
}

fn peak_rss() -> Option<String> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
}
