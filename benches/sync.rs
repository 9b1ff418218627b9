//! The sync benchmark: a bundle holding 10,000 events and 100 MB of evidence.
//!
//! `cargo bench --bench sync` sets up two data folders that trust each other, records
//! 10,000 events and ten 10 MB evidence files (random bytes, so nothing compresses) on the
//! first, and measures: exporting the bundle, importing it on the second, re-importing the
//! bundle already applied, and the size of the next bundle after one new event (once the
//! second folder has told the first what it holds). Goals: export plus import under 10 s, a
//! one-event bundle under 16 KB, re-import under 100 ms. Beside them, measured in the same
//! run over the same bytes, a baseline of what any tool must at least do: copying the bundle
//! file, `sha256sum` over it, and inserting the same events into a plain (unencrypted)
//! SQLite table in one transaction; the ratios to these show Harbour's own cost on this
//! machine, whatever its speed. `HARBOUR_BENCH_EVENTS` and
//! `HARBOUR_BENCH_EVIDENCE_MB` change the size; run without `--bench` (as `cargo test
//! --benches` does) it does a tiny run.

#[path = "../tests/it/sync_support/mod.rs"]
mod sync_support;

use std::path::Path;
use std::time::Instant;

use harbour::log::Body;
use harbour::ops::evidence::{self, NewEvidence};
use harbour::sync::{export, import};
use rand::{RngCore, SeedableRng};
use sync_support::{introduce, Site};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let events = env("HARBOUR_BENCH_EVENTS", if full { 10_000 } else { 200 });
    let evidence_mb = env("HARBOUR_BENCH_EVIDENCE_MB", if full { 100 } else { 2 });
    let mut sites = vec![
        Site::new("MAN", "Sam Example"),
        Site::new("LDS", "Alex Sample"),
    ];
    introduce(&mut sites);
    let mut b = sites.pop().expect("b");
    let mut a = sites.pop().expect("a");

    let l = a.learner("Jamie Test");
    let incident = a.incident(l, "Benchmark incident");
    let held: usize = a.hr().log().events().expect("events").len();
    let notes: Vec<Body> = (held..events)
        .map(|n| Body::NoteAdded {
            incident_id: incident,
            text: format!("Chronology note number {n}: spoke to the learner and their carer."),
        })
        .collect();
    a.h().log_mut().append_all(notes).expect("notes");
    let files = 10.min(evidence_mb.max(1));
    let per_file = evidence_mb * 1024 * 1024 / files;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for i in 0..files {
        let path = a.tmp.path().join(format!("capture-{i}.bin"));
        let mut bytes = vec![0u8; per_file];
        rng.fill_bytes(&mut bytes);
        std::fs::write(&path, &bytes).expect("write");
        evidence::add(
            a.h(),
            incident,
            NewEvidence {
                file: path.clone(),
                description: format!("Capture {i}"),
                ..Default::default()
            },
        )
        .expect("evidence");
        std::fs::remove_file(&path).expect("remove");
    }
    let total_events = a.hr().log().events().expect("events").len();

    let out = a.tmp.path().join("out");
    let t = Instant::now();
    let exported = export::export(a.h(), &[b.id().to_string()], &out).expect("export");
    let export_s = t.elapsed().as_secs_f64();
    // The events the bundle carries, for the baseline's plain insert.
    let sent_events = a.hr().log().events().expect("events");

    let t = Instant::now();
    let got = import::import_file(b.h(), &exported.file).expect("import");
    let import_s = t.elapsed().as_secs_f64();
    assert_eq!(got.waiting, 0);

    let t = Instant::now();
    let again = import::import_file(b.h(), &exported.file).expect("re-import");
    let reimport_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(again.already_imported);

    // B tells A what it holds; then one new event on A.
    let reply_dir = b.tmp.path().join("out");
    let reply = export::export(b.h(), &[a.id().to_string()], &reply_dir).expect("reply");
    import::import_file(a.h(), &reply.file).expect("reply import");
    harbour::ops::incidents::note(a.h().log_mut(), incident, "One more note").expect("note");
    let one = export::export(a.h(), &[b.id().to_string()], &out).expect("one");
    let t = Instant::now();
    let got = import::import_file(b.h(), &one.file).expect("one import");
    let one_import_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    import::import_file(b.h(), &one.file).expect("one again");
    let one_reimport_ms = t.elapsed().as_secs_f64() * 1000.0;

    let base = baseline(&sent_events, &exported.file, &a.tmp.path().join("baseline"));

    println!(
        "Sync benchmark ({} events held, {} evidence files, {} MB)",
        total_events, files, evidence_mb
    );
    println!(
        "  bundle: {} events, {} evidence files, {:.1} MB",
        exported.events,
        exported.evidence,
        exported.bytes as f64 / 1e6
    );
    println!("  export:                {export_s:.2} s");
    println!("  import:                {import_s:.2} s");
    println!(
        "  export + import:       {:.2} s (goal < 10 s)",
        export_s + import_s
    );
    println!("  re-import (applied):   {reimport_ms:.1} ms (goal < 100 ms)");
    println!(
        "  one-event bundle:      {} bytes, {} events (goal < 16 KB)",
        one.bytes, one.events
    );
    println!(
        "  one-event import:      {one_import_ms:.1} ms ({} event applied)",
        got.events
    );
    println!("  one-event re-import:   {one_reimport_ms:.1} ms");
    println!("Baseline over the same bytes, same run:");
    println!("  copy the bundle file:  {:.2} s", base.copy_s);
    println!("  sha256sum the bundle:  {:.2} s", base.sha256sum_s);
    println!(
        "  plain SQLite insert:   {:.2} s ({} events, one transaction, unencrypted)",
        base.insert_s, base.events
    );
    let export_base = base.copy_s + base.sha256sum_s;
    let import_base = base.copy_s + base.sha256sum_s + base.insert_s;
    println!(
        "  export ÷ (copy + sha256sum):            {:.1}×",
        export_s / export_base
    );
    println!(
        "  import ÷ (copy + sha256sum + insert):   {:.1}×",
        import_s / import_base
    );
}

struct Baseline {
    copy_s: f64,
    sha256sum_s: f64,
    insert_s: f64,
    events: usize,
}

/// The least any exchange of these events and bytes costs on this machine.
fn baseline(events: &[harbour::log::Event], bundle: &Path, dir: &Path) -> Baseline {
    std::fs::create_dir_all(dir).expect("baseline folder");
    let copy = dir.join("copy.bin");
    let t = Instant::now();
    std::fs::copy(bundle, &copy).expect("copy");
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .expect("sync");
    let copy_s = t.elapsed().as_secs_f64();
    std::fs::remove_file(&copy).expect("remove copy");

    let t = Instant::now();
    let out = std::process::Command::new("sha256sum")
        .arg(bundle)
        .output()
        .expect("sha256sum");
    assert!(out.status.success());
    let sha256sum_s = t.elapsed().as_secs_f64();

    let mut conn = rusqlite::Connection::open(dir.join("plain.sqlite")).expect("sqlite");
    conn.execute_batch(
        "CREATE TABLE events (id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq INTEGER NOT NULL,
            hlc_ms INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
            hash BLOB NOT NULL, signature BLOB NOT NULL, UNIQUE (device_id, seq));",
    )
    .expect("schema");
    let t = Instant::now();
    let tx = conn.transaction().expect("transaction");
    {
        let mut stmt = tx
            .prepare("INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .expect("prepare");
        for e in events {
            let h = &e.header;
            stmt.execute(rusqlite::params![
                h.id.to_string(),
                h.device_id.to_string(),
                h.seq as i64,
                h.hlc.ms,
                h.kind,
                e.payload,
                &e.hash[..],
                &e.signature[..],
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
    let insert_s = t.elapsed().as_secs_f64();
    Baseline {
        copy_s,
        sha256sum_s,
        insert_s,
        events: events.len(),
    }
}
