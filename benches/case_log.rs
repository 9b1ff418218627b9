//! The case-log benchmark: the same workload on SQLCipher and on plain SQLite, in one run.
//!
//! `cargo bench --bench case_log` generates 100,000 incidents with five chronology entries
//! each (the opening entry and four notes: 500,000 events with the set-up), then measures
//! appending, the newest-50 list, full-text search (p50, p95) and a full rebuild of the
//! tables from the log, first encrypted and then plain, and prints the ratios.
//! `HARBOUR_BENCH_INCIDENTS=N` changes the size. Run without `--bench` (as `cargo test
//! --benches` does) it does a tiny run, so the code is exercised without the wait.

use std::time::{Duration, Instant};

use harbour::keys::DataKey;
use harbour::log::Body;
use harbour::read::incidents::{list, IncidentFilter};
use harbour::read::search::search;
use harbour::store::{db, CaseLog};
use harbour::synthetic;
use rand::SeedableRng;
use uuid::Uuid;

struct Figures {
    append_secs: f64,
    events: usize,
    newest_50: Duration,
    search_p50: Duration,
    search_p95: Duration,
    rebuild_secs: f64,
    db_bytes: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn run(encrypted: bool, incidents: usize) -> Figures {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("bench.db");
    let conn = if encrypted {
        db::open(&path, &DataKey::generate()).expect("open encrypted")
    } else {
        db::open_plain(&path).expect("open plain")
    };
    let author = Uuid::now_v7();
    let mut log =
        CaseLog::create(conn, author, "Benchmark laptop", Some("MAN".into())).expect("device");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);

    let mut setup = vec![
        Body::OrganisationNamed {
            name: "Northbridge Training".into(),
        },
        Body::CentreAdded {
            code: "MAN".into(),
            name: "Manchester".into(),
        },
        Body::StaffAdded {
            staff_id: author,
            name: "Sam Example".into(),
            job_title: "DSL".into(),
            centre: None,
        },
    ];
    setup.extend(harbour::log::body::built_in_categories().expect("categories"));
    log.append_all(setup).expect("setup");

    let started = Instant::now();
    synthetic::fill(&mut log, "MAN", 1000, incidents, 42).expect("generate");
    let append_secs = started.elapsed().as_secs_f64();
    let events: usize = log
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
        .expect("count") as usize;

    let filter = IncidentFilter {
        limit: Some(50),
        ..IncidentFilter::default()
    };
    let mut lists = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let rows = list(log.conn(), author, &filter).expect("list");
        lists.push(t.elapsed());
        assert_eq!(rows.len(), 50.min(incidents));
    }
    lists.sort();

    let mut searches = Vec::new();
    for i in 0..200 {
        let q = if i % 2 == 0 {
            synthetic::sentence(&mut rng, 1)
        } else {
            synthetic::sentence(&mut rng, 2)
        };
        let t = Instant::now();
        let _ = search(log.conn(), author, &q, 50).expect("search");
        searches.push(t.elapsed());
    }
    searches.sort();

    let t = Instant::now();
    let rebuilt = log.rebuild().expect("rebuild");
    let rebuild_secs = t.elapsed().as_secs_f64();
    assert_eq!(rebuilt, events);
    log.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    drop(log);
    Figures {
        append_secs,
        events,
        newest_50: percentile(&lists, 0.5),
        search_p50: percentile(&searches, 0.5),
        search_p95: percentile(&searches, 0.95),
        rebuild_secs,
        db_bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let real = std::env::args().any(|a| a == "--bench");
    let incidents: usize = std::env::var("HARBOUR_BENCH_INCIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if real { 100_000 } else { 200 });
    println!("Harbour case-log benchmark: {incidents} incidents, five chronology entries each");
    let enc = run(true, incidents);
    let enc_peak = peak_rss_mib();
    let plain = run(false, incidents);
    let rate = |f: &Figures| f.events as f64 / f.append_secs;
    println!(
        "{:<34} {:>14} {:>14} {:>8}",
        "", "SQLCipher", "plain SQLite", "ratio"
    );
    let row = |name: &str, e: f64, p: f64, unit: &str| {
        println!(
            "{name:<34} {:>11.2} {unit:<2} {:>11.2} {unit:<2} {:>8.2}",
            e,
            p,
            e / p
        );
    };
    println!(
        "{:<34} {:>14} {:>14}",
        "events in the log", enc.events, plain.events
    );
    row("append (events per second)", rate(&enc), rate(&plain), "/s");
    row("append (total)", enc.append_secs, plain.append_secs, "s");
    row(
        "newest-50 list (median)",
        ms(enc.newest_50),
        ms(plain.newest_50),
        "ms",
    );
    row("search p50", ms(enc.search_p50), ms(plain.search_p50), "ms");
    row("search p95", ms(enc.search_p95), ms(plain.search_p95), "ms");
    row("full rebuild", enc.rebuild_secs, plain.rebuild_secs, "s");
    row(
        "database size",
        enc.db_bytes as f64 / 1e6,
        plain.db_bytes as f64 / 1e6,
        "MB",
    );
    println!(
        "peak resident memory: {enc_peak:.0} MiB after the encrypted run, {:.0} MiB after both",
        peak_rss_mib()
    );
    println!("(time ratios are encrypted/plain: above 1 means SQLCipher is slower; the append rate ratio is plain-relative speed)");
}
