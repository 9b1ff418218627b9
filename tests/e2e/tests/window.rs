//! The real Harbour window, driven through WebDriver: `tauri-driver` in front of
//! WebKitWebDriver, under Xvfb. Run by `./scripts/test` (or `./scripts/e2e`), which builds the
//! app and the UI first. Every screen visited is checked with axe-core; serious or critical
//! accessibility violations fail the test. With HARBOUR_SCREENSHOTS=1 each main screen is
//! saved to docs/screenshots/.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const PASSPHRASE: &str = "correct horse battery staple";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn app_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    target.join("debug/harbour-app")
}

/// `tauri-driver` on a port of its own, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start(data_dir: &Path) -> (Driver, Client) {
    let port = free_port();
    let native = free_port();
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("HARBOUR_DATA_DIR", data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver (cargo install tauri-driver --locked)");
    let driver = Driver { child, port };
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app_binary().to_string_lossy() }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..100 {
        if let Ok(c) = ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return (driver, c);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not start a WebDriver session with the app");
}

async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(el) => el,
        Err(e) => {
            // Leave a picture of the window for whoever reads the failure.
            let shot = repo().join("target/e2e-failure.png");
            if let Ok(png) = c.screenshot().await {
                let _ = std::fs::write(&shot, png);
            }
            panic!(
                "{css} never appeared ({e}); the window is in {}",
                shot.display()
            )
        }
    }
}

async fn fill(c: &Client, css: &str, text: &str) {
    let el = wait_css(c, css).await;
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

async fn click(c: &Client, css: &str) {
    wait_css(c, css).await.click().await.expect("click");
}

async fn click_text(c: &Client, tag: &str, text: &str) {
    let xpath = format!("//{tag}[normalize-space(.)='{text}']");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no {tag} saying {text}: {e}"))
        .click()
        .await
        .expect("click");
}

async fn text_of(c: &Client, css: &str) -> String {
    wait_css(c, css).await.text().await.expect("text")
}

async fn wait_text(c: &Client, css: &str, wanted: &str) -> String {
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if t.contains(wanted) {
                    return t;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{css} never showed {wanted:?}; it shows {:?}",
        text_of(c, css).await
    );
}

async fn select(c: &Client, css: &str, value: &str) {
    let el = wait_css(c, css).await;
    el.select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} has no option {value}: {e}"));
}

/// Runs axe-core on the page; fails on any serious or critical violation.
async fn accessible(c: &Client, screen: &str) {
    let axe = std::fs::read_to_string(repo().join("ui/node_modules/axe-core/axe.min.js"))
        .expect("axe-core (npm --prefix ui install)");
    c.execute(&axe, vec![]).await.expect("load axe-core");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3) }))))
                .catch(e => done([{ id: 'axe-failed', impact: 'critical', help: String(e), nodes: [] }]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let bad: Vec<&Value> = result
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious") | Some("critical")))
        .collect();
    assert!(
        bad.is_empty(),
        "accessibility violations on the {screen} screen: {bad:#?}"
    );
}

async fn screenshot(c: &Client, name: &str) {
    if std::env::var("HARBOUR_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let _ = c.execute("window.scrollTo(0, 0)", vec![]).await;
    let png = c.screenshot().await.expect("screenshot");
    let dir = repo().join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

async fn add_learner(c: &Client, name: &str, dob: &str) {
    fill(c, "#learner-name", name).await;
    fill(c, "#learner-dob", dob).await;
    fill(c, "#learner-centre", "MAN").await;
    click(c, "#add-learner").await;
    wait_text(c, "[role=status]", &format!("{name} added.")).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the built app, tauri-driver and a display: run by ./scripts/e2e"]
async fn a_coordinators_day_in_the_real_window() {
    let data = tempfile::tempdir().expect("temporary folder");
    let (_driver, c) = start(&data.path().join("harbour")).await;

    // First run: organisation, centre, coordinator, passphrase with a hint and confirmation.
    wait_css(&c, "#org").await;
    accessible(&c, "first-run").await;
    screenshot(&c, "first-run").await;
    fill(&c, "#org", "Northbridge Training").await;
    fill(&c, "#centre-code", "MAN").await;
    fill(&c, "#centre-name", "Manchester").await;
    fill(&c, "#coordinator", "Sam Example").await;
    fill(&c, "#passphrase", "short").await;
    assert!(text_of(&c, "#strength").await.contains("Too short"));
    fill(&c, "#passphrase", PASSPHRASE).await;
    fill(&c, "#confirm", PASSPHRASE).await;
    click(&c, "#setup").await;

    // The recovery key, shown once, then one group asked back.
    let key = text_of(&c, "#recovery-key").await;
    let groups: Vec<&str> = key.split_whitespace().collect();
    assert_eq!(groups.len(), 8, "{key}");
    accessible(&c, "recovery key").await;
    click(&c, "#key-copied").await;
    let label = text_of(&c, "label[for=group]").await;
    let n: usize = label
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("group number");
    fill(&c, "#group", "ZZZZZ").await;
    click(&c, "#check-group").await;
    wait_text(&c, "[role=alert]", "is not group").await;
    fill(&c, "#group", groups[n - 1]).await;
    click(&c, "#check-group").await;

    // The dashboard, then two learners.
    wait_css(&c, "#open-cases").await;
    click_text(&c, "button", "Learners").await;
    add_learner(&c, "Alex Example", "17/04/2009").await;
    add_learner(&c, "Jo Sample", "02/01/2008").await;
    accessible(&c, "learners").await;
    screenshot(&c, "learners").await;

    // A new incident with the two learners in different roles.
    click_text(&c, "button", "Incidents").await;
    click(&c, "#new-incident").await;
    wait_css(&c, "#learner-0 option:nth-child(3)").await;
    let alex = c
        .find(Locator::XPath(
            "//select[@id='learner-0']/option[starts-with(., 'Alex Example')]",
        ))
        .await
        .expect("Alex")
        .attr("value")
        .await
        .expect("value")
        .expect("id");
    let jo = c
        .find(Locator::XPath(
            "//select[@id='learner-0']/option[starts-with(., 'Jo Sample')]",
        ))
        .await
        .expect("Jo")
        .attr("value")
        .await
        .expect("value")
        .expect("id");
    select(&c, "#learner-0", &alex).await;
    select(&c, "#role-0", "subject").await;
    click(&c, "#add-learner-row").await;
    select(&c, "#learner-1", &jo).await;
    select(&c, "#role-1", "alleged-perpetrator").await;
    fill(
        &c,
        "#account",
        "They posted my photo with horrible captions about the canteen",
    )
    .await;
    click(&c, "input[value=cyberbullying]").await;
    fill(&c, "#occurred-date", "20/11/2026").await;
    fill(&c, "#occurred-time", "15:30").await;
    fill(&c, "#place", "Instagram").await;
    fill(&c, "#reporter-name", "Chris Tutor").await;
    fill(&c, "#reporter-title", "Assessor").await;
    accessible(&c, "new incident").await;
    screenshot(&c, "new-incident").await;
    click(&c, "#record-incident").await;
    let reference = text_of(&c, "#incident-title").await;
    assert!(
        reference.starts_with("MAN-") && reference.ends_with("-0001"),
        "{reference}"
    );
    assert!(
        text_of(&c, "main")
            .await
            .contains("Happened 20/11/2026 15:30"),
        "dates must show as dd/mm/yyyy in UK time"
    );
    let learners = text_of(&c, "#learners-involved").await;
    assert!(
        learners.contains("Alex Example — Subject of concern"),
        "{learners}"
    );
    assert!(
        learners.contains("Jo Sample — Alleged perpetrator"),
        "{learners}"
    );

    // Found by a word of the account.
    click_text(&c, "button", "Incidents").await;
    fill(&c, "#search", "canteen").await;
    click(&c, "#apply-filters").await;
    wait_text(&c, "#result-count", "1 incident match").await;
    accessible(&c, "incidents").await;
    screenshot(&c, "incidents").await;
    click(&c, "a.incident-link").await;
    wait_text(&c, "#incident-title", &reference).await;

    // A note, then a correction shown beside it.
    fill(&c, "#note", "Learner says it happened after the bus left").await;
    click(&c, "#add-note").await;
    wait_text(&c, "#chronology", "after the bus left").await;
    let note_entry = c
        .find(Locator::XPath(
            "//li[.//div[@class='entry-text' and contains(., 'after the bus left')]]",
        ))
        .await
        .expect("note entry");
    note_entry
        .find(Locator::Css(".correct-button"))
        .await
        .expect("correct button")
        .click()
        .await
        .expect("click");
    fill(
        &c,
        "#correction",
        "Learner says it happened before the bus left",
    )
    .await;
    fill(&c, "#correction-reason", "Misheard at first").await;
    click(&c, "#save-correction").await;
    let chronology = wait_text(&c, "#chronology", "before the bus left").await;
    // The incident page, as the README shows it: the corrected note beside the original.
    assert!(
        chronology.contains("after the bus left"),
        "the corrected entry must stay: {chronology}"
    );

    // Referral to the police with a reference, then closing with a reason.
    select(&c, "#agency", "police").await;
    fill(&c, "#refer-person", "Sam Example").await;
    fill(&c, "#refer-ref", "CRIME-4321").await;
    click(&c, "#add-referral").await;
    wait_text(&c, "main", "CRIME-4321").await;
    fill(&c, "#outcome", "Posts removed; both learners supported.").await;
    fill(&c, "#close-reason", "No further concerns at review.").await;
    accessible(&c, "incident").await;
    screenshot(&c, "incident").await;
    click(&c, "#close-incident").await;
    wait_text(&c, "#outcome-text", "Posts removed").await;

    click_text(&c, "button", "Dashboard").await;
    wait_css(&c, "#open-cases").await;
    accessible(&c, "dashboard").await;
    screenshot(&c, "dashboard").await;
    click_text(&c, "button", "Settings").await;
    wait_css(&c, "#org-name").await;
    accessible(&c, "settings").await;
    screenshot(&c, "settings").await;

    // Lock; a wrong passphrase is refused in plain words; the right one opens it again.
    click(&c, "#lock").await;
    fill(&c, "#unlock-passphrase", "not the passphrase").await;
    click(&c, "#unlock").await;
    wait_text(&c, "#unlock-error", "That passphrase is not right").await;
    accessible(&c, "unlock").await;
    screenshot(&c, "unlock").await;
    fill(&c, "#unlock-passphrase", PASSPHRASE).await;
    click(&c, "#unlock").await;
    // Back where the coordinator was when it locked.
    wait_css(&c, "#org-name").await;
    click_text(&c, "button", "Incidents").await;
    wait_text(&c, "#result-count", "1 incident").await;
    click(&c, "a.incident-link").await;
    wait_text(&c, "#incident-title", &reference).await;
    wait_text(&c, "#outcome-text", "Posts removed").await;

    c.close().await.expect("close session");
}
