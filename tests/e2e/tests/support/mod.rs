//! What the window tests share: starting the real app through `tauri-driver`, finding and
//! filling elements with patience, axe-core on every screen, screenshots, and data folders
//! set up through the core so each test starts where its story does.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub const PASSPHRASE: &str = "correct horse battery staple";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The app under test: `HARBOUR_APP_BINARY` when set (the installed app, for
/// `./scripts/test-package`), otherwise the debug build in the workspace's target folder.
pub fn app_binary() -> PathBuf {
    if let Some(installed) = std::env::var_os("HARBOUR_APP_BINARY") {
        return PathBuf::from(installed);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    target.join("debug/harbour-app")
}

/// `tauri-driver` on a port of its own, killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn start(data_dir: &Path) -> (Driver, Client) {
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

pub async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
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

pub async fn fill(c: &Client, css: &str, text: &str) {
    let el = wait_css(c, css).await;
    el.clear().await.expect("clear");
    if text.is_empty() {
        // WebDriver refuses to type nothing; a key and Backspace leave the field empty with
        // the input events the page listens for.
        el.send_keys("x\u{E003}").await.expect("type");
    } else {
        el.send_keys(text).await.expect("type");
    }
}

pub async fn click(c: &Client, css: &str) {
    wait_css(c, css).await.click().await.expect("click");
}

pub async fn click_text(c: &Client, tag: &str, text: &str) {
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

pub async fn text_of(c: &Client, css: &str) -> String {
    wait_css(c, css).await.text().await.expect("text")
}

pub async fn wait_text(c: &Client, css: &str, wanted: &str) -> String {
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

pub async fn select(c: &Client, css: &str, value: &str) {
    let el = wait_css(c, css).await;
    el.select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} has no option {value}: {e}"));
}

/// Runs axe-core on the page; fails on any serious or critical violation.
pub async fn accessible(c: &Client, screen: &str) {
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

pub async fn screenshot(c: &Client, name: &str) {
    if std::env::var("HARBOUR_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let _ = c.execute("window.scrollTo(0, 0)", vec![]).await;
    let png = c.screenshot().await.expect("screenshot");
    let dir = repo().join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

pub async fn add_learner(c: &Client, name: &str, dob: &str) {
    fill(c, "#learner-name", name).await;
    fill(c, "#learner-dob", dob).await;
    // The organisation has one centre, so it is chosen already.
    let mut centre = None;
    for _ in 0..50 {
        centre = wait_css(c, "#learner-centre")
            .await
            .prop("value")
            .await
            .expect("value");
        if centre.as_deref() == Some("MAN") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        centre.as_deref(),
        Some("MAN"),
        "the only centre is not chosen"
    );
    click(c, "#add-learner").await;
    wait_text(c, "[role=status]", &format!("{name} added.")).await;
}

/// Scrolls `css` to the top of the window, then saves a screenshot (with HARBOUR_SCREENSHOTS=1).
pub async fn screenshot_at(c: &Client, name: &str, css: &str) {
    if std::env::var("HARBOUR_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let el = wait_css(c, css).await;
    let _ = c
        .execute(
            "arguments[0].scrollIntoView({ block: 'start' })",
            vec![serde_json::to_value(&el).expect("element")],
        )
        .await;
    let png = c.screenshot().await.expect("screenshot");
    let dir = repo().join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// A data folder set up through the core (fictional organisation, centre MAN), with these
/// learners (name, date of birth as 2009-04-17); returns their ids in order.
pub fn set_up_folder(dir: &Path, learners: &[(&str, &str)]) -> Vec<String> {
    set_up_centre(dir, ("MAN", "Manchester"), "Sam Example", learners)
}

/// As `set_up_folder`, for another centre (code, name) and coordinator.
pub fn set_up_centre(
    dir: &Path,
    (code, name): (&str, &str),
    coordinator: &str,
    learners: &[(&str, &str)],
) -> Vec<String> {
    use harbour::keys::Passphrase;
    use harbour::{Harbour, Setup};
    let setup = Setup {
        organisation: "Northbridge Training".into(),
        centre_code: code.into(),
        centre_name: name.into(),
        coordinator: coordinator.into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: Some(format!("{name} office")),
    };
    let (mut h, _key) =
        Harbour::init(dir, &setup, &Passphrase::new(PASSPHRASE.into())).expect("set up");
    learners
        .iter()
        .map(|(name, dob)| {
            let l = harbour::ops::learners::NewLearner {
                name: (*name).into(),
                dob: harbour::domain::time::parse_date(dob).expect("date"),
                centre: code.into(),
                employer: None,
                carers: vec![],
            };
            harbour::ops::learners::add(h.log_mut(), l)
                .expect("add learner")
                .to_string()
        })
        .collect()
}

/// Opens a data folder through the core, waiting a little for an app that is closing to
/// let go of it.
pub fn open_folder(dir: &Path) -> harbour::Harbour {
    use harbour::keys::Passphrase;
    let passphrase = Passphrase::new(PASSPHRASE.into());
    for _ in 0..50 {
        match harbour::Harbour::open(dir, harbour::Unlock::Passphrase(&passphrase)) {
            Err(harbour::Error::AlreadyOpen(_)) => std::thread::sleep(Duration::from_millis(200)),
            other => return other.expect("open the data folder"),
        }
    }
    panic!("{} is still open in another program", dir.display())
}

/// Types the passphrase on the unlock screen and waits for the dashboard.
pub async fn unlock(c: &Client) {
    fill(c, "#unlock-passphrase", PASSPHRASE).await;
    click(c, "#unlock").await;
    wait_css(c, "#open-cases").await;
}

/// Records an incident through the guided form; returns its reference.
pub async fn record_incident(
    c: &Client,
    learner_id: &str,
    category: &str,
    account: &str,
) -> String {
    click_text(c, "button", "Incidents").await;
    click(c, "#new-incident").await;
    wait_css(c, "#learner-0 option:nth-child(2)").await;
    select(c, "#learner-0", learner_id).await;
    select(c, "#role-0", "subject").await;
    fill(c, "#account", account).await;
    click(c, &format!("input[value={category}]")).await;
    fill(c, "#occurred-date", "20/11/2026").await;
    fill(c, "#occurred-time", "15:30").await;
    fill(c, "#reporter-name", "Chris Tutor").await;
    fill(c, "#reporter-title", "Assessor").await;
    click(c, "#record-incident").await;
    let title = text_of(c, "#incident-title").await;
    assert!(title.starts_with("MAN-"), "{title}");
    title
}

/// Opens a `<details>` by its summary's words.
pub async fn open_details(c: &Client, summary: &str) {
    click_text(c, "summary", summary).await;
}
