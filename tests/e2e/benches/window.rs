//! The app window's performance with a large case log, through WebDriver like the tests.
//!
//! `cargo build --release -p harbour-app && cargo bench -p harbour-e2e --bench window` (under
//! `xvfb-run` and `dbus-run-session`, as `./scripts/bench-window` does). It sets up a data
//! folder holding 100,000 incidents (`HARBOUR_BENCH_INCIDENTS` changes that), then measures:
//! cold start to the unlock screen, unlock to the dashboard (and the key derivation alone,
//! for comparison), the incident list, scrolling it, search in the window, the memory of the
//! app and its WebKit processes (PSS, against the same app at the unlock screen), and the size
//! of the release binary. Run without `--bench` it does a tiny run against the debug build, so
//! the code is exercised.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use harbour::keys::Passphrase;
use harbour::{Harbour, Setup, Unlock};
use rand::SeedableRng;
use serde_json::json;

const PASSPHRASE: &str = "correct horse battery staple";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn wait(c: &Client, css: &str, secs: u64) {
    c.wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
}

async fn wait_text(c: &Client, css: &str, wanted: &str) {
    for _ in 0..6000 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.text().await.map(|t| t.contains(wanted)).unwrap_or(false) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{css} never showed {wanted}");
}

/// One process of the running app: its name, resident set (RSS) and proportional set (PSS).
///
/// RSS counts a shared library in full in every process that maps it, so summing RSS over the
/// app and its WebKit processes counts WebKitGTK's libraries two or three times. PSS divides
/// each shared page between the processes that share it, so the PSS of the processes adds up
/// to what the app really costs the machine.
struct Usage {
    name: String,
    rss_mib: f64,
    pss_mib: f64,
}

/// The app's process and every process below it (WebKit's web and network processes).
fn process_tree(root: u32) -> Vec<Usage> {
    fn children(pid: u32) -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }
    fn field_mib(text: &str, name: &str) -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    }
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let rss_mib = field_mib(&status, "VmRSS:");
        // bwrap, WebKit's sandbox launcher, holds almost nothing: only processes with memory
        // of their own are listed.
        if rss_mib > 1.0 {
            out.push(Usage {
                name: name.trim().to_string(),
                rss_mib,
                pss_mib: field_mib(&rollup, "Pss:"),
            });
        }
        stack.extend(children(pid));
    }
    out
}

fn print_memory(when: &str, usage: &[Usage]) {
    let rss: f64 = usage.iter().map(|u| u.rss_mib).sum();
    let pss: f64 = usage.iter().map(|u| u.pss_mib).sum();
    println!("memory {when}: PSS {pss:.0} MiB in all (RSS summed {rss:.0} MiB)");
    for u in usage {
        println!(
            "    {:<44} PSS {:>6.0} MiB   RSS {:>6.0} MiB",
            u.name, u.pss_mib, u.rss_mib
        );
    }
}

fn pid_of(binary: &Path) -> Option<u32> {
    let out = Command::new("pgrep").arg("-f").arg(binary).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let real = std::env::args().any(|a| a == "--bench");
    let incidents: usize = std::env::var("HARBOUR_BENCH_INCIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if real { 100_000 } else { 50 });
    let profile = if real { "release" } else { "debug" };
    let binary = repo().join("target").join(profile).join("harbour-app");
    assert!(binary.exists(), "build the app first: {}", binary.display());

    // A data folder with a large case log.
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path().join("harbour");
    let setup = Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let pass = Passphrase::new(PASSPHRASE.into());
    let t = Instant::now();
    {
        let (mut h, _key) = Harbour::init(&dir, &setup, &pass).expect("set up");
        harbour::synthetic::fill(h.log_mut(), "MAN", 1000, incidents, 7).expect("generate");
    }
    println!(
        "Generated {incidents} incidents in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    drop(Harbour::open(&dir, Unlock::Passphrase(&pass)).expect("unlock in the core"));
    let core_unlock = t.elapsed();

    // The window, through tauri-driver.
    let port = free_port();
    let native = free_port();
    let mut driver = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("HARBOUR_DATA_DIR", &dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver");
    let url = format!("http://127.0.0.1:{port}");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": binary.to_string_lossy() }),
    );
    let started = Instant::now();
    let c = ClientBuilder::native()
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("session");
    wait(&c, "#unlock-passphrase", 60).await;
    let cold_start = started.elapsed();
    // The baseline for memory: the same app at the unlock screen, before any data is read.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let memory_locked = pid_of(&binary).map(process_tree).unwrap_or_default();

    c.find(Locator::Css("#unlock-passphrase"))
        .await
        .expect("field")
        .send_keys(PASSPHRASE)
        .await
        .expect("type");
    let t = Instant::now();
    c.find(Locator::Css("#unlock"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    wait(&c, "#open-cases", 60).await;
    let unlock_to_dashboard = t.elapsed();

    let t = Instant::now();
    c.find(Locator::XPath("//button[normalize-space(.)='Incidents']"))
        .await
        .expect("nav")
        .click()
        .await
        .expect("click");
    wait_text(&c, "#result-count", "500 incidents").await;
    let list = t.elapsed();

    let scroll: f64 = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const start = performance.now(); let frames = 0;
             const step = () => { window.scrollBy(0, 400); frames++;
               if (window.innerHeight + window.scrollY < document.body.scrollHeight - 2 && frames < 500)
                 requestAnimationFrame(step); else done((performance.now() - start) / frames); };
             requestAnimationFrame(step);",
            vec![],
        )
        .await
        .expect("scroll")
        .as_f64()
        .unwrap_or(f64::NAN);

    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    // Search: from the click to the result rows changing in the page.
    let mut searches = Vec::new();
    for i in 0..21 {
        let word = harbour::synthetic::word(&mut rng);
        let field = c.find(Locator::Css("#search")).await.expect("search");
        field.clear().await.expect("clear");
        field.send_keys(word).await.expect("type");
        let took = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const rows = document.querySelector('main table tbody');
                 const t0 = performance.now();
                 const obs = new MutationObserver(() => { obs.disconnect(); done(performance.now() - t0); });
                 obs.observe(rows, { childList: true, subtree: true, characterData: true });
                 document.getElementById('apply-filters').click();
                 setTimeout(() => { obs.disconnect(); done(-1); }, 10000);",
                vec![],
            )
            .await
            .expect("search")
            .as_f64()
            .unwrap_or(-1.0);
        // The first search warms the page; a search whose rows did not change is not timed.
        if i > 0 && took >= 0.0 {
            searches.push(Duration::from_secs_f64(took / 1000.0));
        }
    }
    searches.sort();

    let memory_working = pid_of(&binary).map(process_tree).unwrap_or_default();
    let size = std::fs::metadata(&binary)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(f64::NAN);
    let _ = c.close().await;
    let _ = driver.kill();
    let _ = driver.wait();

    println!("Harbour window benchmark: {incidents} incidents, {profile} build");
    println!(
        "{:<52} {:>10.0} ms",
        "cold start to the unlock screen (with the session)",
        ms(cold_start)
    );
    println!(
        "{:<52} {:>10.0} ms",
        "unlock to dashboard, in the window",
        ms(unlock_to_dashboard)
    );
    println!(
        "{:<52} {:>10.0} ms",
        "  of which unlocking in the core (Argon2id + open)",
        ms(core_unlock)
    );
    println!(
        "{:<52} {:>10.0} ms",
        "  beyond the core unlock",
        ms(unlock_to_dashboard.saturating_sub(core_unlock))
    );
    println!(
        "{:<52} {:>10.0} ms",
        "incident list (newest 500) shown",
        ms(list)
    );
    println!(
        "{:<52} {:>10.1} ms",
        "scrolling the list, per frame", scroll
    );
    println!(
        "{:<52} {:>10.0} ms",
        "search in the window, p50",
        ms(searches[searches.len() / 2])
    );
    println!(
        "{:<52} {:>10.0} ms",
        "search in the window, p95",
        ms(searches[(searches.len() * 95 / 100).min(searches.len() - 1)])
    );
    print_memory("at the unlock screen (no data read)", &memory_locked);
    print_memory("after the dashboard, list and searches", &memory_working);
    let total = |u: &[Usage]| u.iter().map(|u| u.pss_mib).sum::<f64>();
    println!(
        "{:<52} {:>10.2}",
        "memory working / at the unlock screen (PSS)",
        total(&memory_working) / total(&memory_locked)
    );
    println!("{:<52} {:>10.1} MB", "binary size", size);
}
