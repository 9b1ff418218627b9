//! Helpers shared by the integration tests: a data folder in a temporary directory, the real
//! `harbour` binary, byte-for-byte snapshots of a folder, opening a pack as its recipient
//! would, and a small disk that fills up.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASSPHRASE: &str = "correct horse battery staple";

/// A temporary data folder, removed when dropped.
pub struct Folder {
    pub tmp: tempfile::TempDir,
}

impl Folder {
    pub fn new() -> Self {
        Folder {
            tmp: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// Runs `harbour` on this folder with the test passphrase in the environment.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[("HARBOUR_PASSPHRASE", PASSPHRASE)])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_harbour"));
        cmd.arg("--data-dir").arg(self.dir()).args(args);
        cmd.env_remove("HARBOUR_PASSPHRASE")
            .env_remove("HARBOUR_NEW_PASSPHRASE")
            .env_remove("HARBOUR_RECOVERY_KEY")
            .env_remove("HARBOUR_DATA_DIR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(std::process::Stdio::null());
        cmd.output().expect("run harbour")
    }

    /// Runs `harbour` and insists it succeeded; returns standard output, trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "harbour {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs `harbour` and insists it failed; returns standard error, trimmed.
    pub fn fails(&self, args: &[&str]) -> String {
        self.fails_with(args, &[("HARBOUR_PASSPHRASE", PASSPHRASE)])
    }

    pub fn fails_with(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run_with(args, env);
        assert!(
            !out.status.success(),
            "harbour {args:?} should have failed but printed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    }

    /// Runs with `--json` and parses the output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("JSON output")
    }

    /// Sets the folder up with a fictional organisation; returns the recovery key.
    pub fn init(&self) -> String {
        let v = self.json(&[
            "init",
            "--org",
            "Northbridge Training",
            "--centre",
            "MAN",
            "Manchester",
            "--coordinator",
            "Sam Example",
            "--role",
            "Designated Safeguarding Lead",
        ]);
        v["recovery_key"]
            .as_str()
            .expect("recovery key")
            .to_string()
    }

    pub fn add_learner(&self, name: &str, dob: &str) -> String {
        self.ok(&[
            "learner", "add", "--name", name, "--dob", dob, "--centre", "MAN",
        ])
    }

    /// Every file in the folder, by name, with its bytes.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.dir())
    }
}

pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read folder") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            out.insert(
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).expect("read file"),
            );
        }
    }
    out
}

/// Whether `needle` occurs anywhere in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Records an incident in `category` with these learners (id, role); returns its reference.
pub fn open_incident(f: &Folder, category: &str, learners: &[(&str, &str)]) -> String {
    let mut args: Vec<String> = vec![
        "incident".into(),
        "new".into(),
        "--category".into(),
        category.into(),
        "--occurred".into(),
        "2026-11-20T15:30".into(),
        "--reporter".into(),
        "Chris Tutor, Assessor".into(),
        "--account".into(),
        "They shared it in the group chat".into(),
    ];
    for (id, role) in learners {
        args.push("--learner".into());
        args.push(format!("{id}:{role}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    f.ok(&refs)
}

/// Records a referral of `reference` to `agency`, made today by Sam Example.
pub fn refer(f: &Folder, reference: &str, agency: &str) {
    f.ok(&[
        "incident",
        "refer",
        reference,
        "--agency",
        agency,
        "--person",
        "Sam Example",
    ]);
}

/// Every file under `dir`, recursively, with its bytes (empty if `dir` does not exist).
pub fn snapshot_all(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_dir() {
            for (k, v) in snapshot_all(&path) {
                out.insert(format!("{}/{k}", entry.file_name().to_string_lossy()), v);
            }
        } else {
            out.insert(
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(&path).expect("read file"),
            );
        }
    }
    out
}

/// The text of a PDF as `pdftotext -layout` reads it, one string per page.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext (Debian package poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Renders every page of a PDF to PNG with `pdftoppm`; returns how many images it made.
pub fn render_pngs(pdf: &Path, dir: &Path) -> usize {
    let prefix = dir.join("page");
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "30"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("run pdftoppm (Debian package poppler-utils)");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdftoppm complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_dir(dir)
        .expect("read folder")
        .filter(|e| {
            e.as_ref()
                .map(|e| e.file_name().to_string_lossy().ends_with(".png"))
                .unwrap_or(false)
        })
        .count()
}

/// A data folder set up and opened in this process (organisation Northbridge Training,
/// centre MAN, coordinator Sam Example), for tests that call the library directly.
pub fn open_in_process() -> (tempfile::TempDir, harbour::Harbour) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let setup = harbour::Setup {
        organisation: "Northbridge Training".into(),
        centre_code: "MAN".into(),
        centre_name: "Manchester".into(),
        coordinator: "Sam Example".into(),
        role: "Designated Safeguarding Lead".into(),
        device_label: None,
    };
    let (h, _key) = harbour::Harbour::init(
        &tmp.path().join("data"),
        &setup,
        &harbour::keys::Passphrase::new(PASSPHRASE.into()),
    )
    .expect("set up");
    (tmp, h)
}

/// The plain bytes of a passphrase-encrypted (age) file, decrypted with the age crate as the
/// age tool would.
pub fn age_decrypt(path: &Path, passphrase: &str) -> Vec<u8> {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("open the encrypted pack");
    let decryptor = age::Decryptor::new(std::io::BufReader::new(file)).expect("an age file");
    let mut identity = age::scrypt::Identity::new(passphrase.to_string().into());
    identity.set_max_work_factor(22);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .expect("the passphrase opens it");
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).expect("decrypt");
    plain
}

/// Extracts a pack with `unzip` into `into` and checks it with `sha256sum -c SHA256SUMS`, as
/// the police or the receiving setting would.
pub fn unzip_and_check(pack: &Path, into: &Path) {
    let st = Command::new("unzip")
        .arg("-q")
        .arg(pack)
        .arg("-d")
        .arg(into)
        .status()
        .expect("unzip");
    assert!(st.success(), "unzip failed");
    let st = Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(into)
        .status()
        .expect("sha256sum");
    assert!(st.success(), "sha256sum -c failed");
}

/// A small filesystem mounted for a test; unmounted when dropped.
pub struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Mounts a 5 MiB tmpfs on `dir`; `None` (having said why) where that needs root and the
/// tests are not running as root. Running as root (as in CI), a failed mount fails the test,
/// so a full-disk test can never pass without having run.
pub fn small_disk(dir: &Path) -> Option<Mount> {
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=5m", "tmpfs"])
        .arg(dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
        assert!(
            !root,
            "running as root, the test should have been able to mount a tmpfs"
        );
        eprintln!("Not run: mounting a small filesystem needs root (CI runs as root).");
        return None;
    }
    Some(Mount(dir.to_path_buf()))
}

/// Runs `harbour` in the background and kills it (`kill -9`) once `ready` is true.
pub fn kill_when(f: &Folder, args: &[&str], ready: impl Fn() -> bool) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(f.dir())
        .args(args)
        .env("HARBOUR_PASSPHRASE", PASSPHRASE)
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start harbour");
    loop {
        if ready() {
            child.kill().expect("kill -9");
            let _ = child.wait();
            return true;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
