//! Forged evidence packs: a ZIP that one tool reads differently from another must not pass
//! `harbour pack verify`. Each case starts from a genuine pack made by the real binary,
//! opened with `unzip` as a recipient would, and rebuilt byte by byte the way a forger would
//! (repeated names, overlapping entries, hidden entries, wrong sizes, another signing key);
//! then `pack verify` runs with no data folder. `--expect` checks the signer against the
//! fingerprint the recipient was told by phone.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{open_incident, Folder};
use harbour_evidence::manifest::{format_sums, readme_text, FileRecord, Manifest, SignerInfo};
use harbour_evidence::{PackMetadata, PackSigner};
use sha2::{Digest, Sha256};

const CHAT: &[u8] = b"[19:02] Sam (fictional): are you coming to training tomorrow?\n";
const FORGED: &[u8] = b"[19:02] Sam (fictional): I sent the photos, as you asked.\n";

/// CRC-32 (IEEE), as every ZIP entry records it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP written by hand, so it can hold what no ZIP library will write.
#[derive(Default)]
struct RawZip {
    bytes: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = ((2026 - 1980) << 9) | (1 << 5) | 1;

impl RawZip {
    /// A local header and its stored data; returns the header's offset.
    fn local(&mut self, name: &str, data: &[u8]) -> u32 {
        let at = self.bytes.len() as u32;
        let b = &mut self.bytes;
        b.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        b.extend_from_slice(&20u16.to_le_bytes()); // version needed
        b.extend_from_slice(&0x0800u16.to_le_bytes()); // names are UTF-8
        b.extend_from_slice(&0u16.to_le_bytes()); // stored
        b.extend_from_slice(&DOS_TIME.to_le_bytes());
        b.extend_from_slice(&DOS_DATE.to_le_bytes());
        b.extend_from_slice(&crc32(data).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&(name.len() as u16).to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(data);
        at
    }

    /// An entry in the list of contents (the central directory) for data at `offset`.
    fn central(&mut self, name: &str, data: &[u8], offset: u32) {
        self.central_of(name, crc32(data), data.len() as u32, offset);
    }

    /// The same, given the data's CRC-32 and size.
    fn central_of(&mut self, name: &str, crc: u32, size: u32, offset: u32) {
        let c = &mut self.central;
        c.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        c.extend_from_slice(&0x031Eu16.to_le_bytes()); // made on Unix
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&0x0800u16.to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes());
        c.extend_from_slice(&DOS_TIME.to_le_bytes());
        c.extend_from_slice(&DOS_DATE.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&size.to_le_bytes());
        c.extend_from_slice(&(name.len() as u16).to_le_bytes());
        c.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        c.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes());
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    /// A whole entry, as any ZIP tool writes it.
    fn add(&mut self, name: &str, data: &[u8]) {
        let at = self.local(name, data);
        self.central(name, data, at);
    }

    fn finish(mut self, path: &Path) {
        let start = self.bytes.len() as u32;
        let size = self.central.len() as u32;
        self.bytes.append(&mut self.central);
        let b = &mut self.bytes;
        b.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&self.count.to_le_bytes());
        b.extend_from_slice(&self.count.to_le_bytes());
        b.extend_from_slice(&size.to_le_bytes());
        b.extend_from_slice(&start.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        std::fs::write(path, &self.bytes).expect("write the forged pack");
    }
}

/// A genuine pack from the real binary, and its entries as `unzip` gives them, in the order
/// Harbour writes them.
struct Genuine {
    f: Folder,
    pack: PathBuf,
    fingerprint: String,
    entries: Vec<(String, Vec<u8>)>,
}

fn genuine() -> Genuine {
    let f = Folder::new();
    f.init();
    let alex = f.add_learner("Alex Example", "2009-04-17");
    let reference = open_incident(&f, "malicious-posts", &[(&alex, "subject")]);
    let chat = f.tmp.path().join("chat.txt");
    std::fs::write(&chat, CHAT).expect("write evidence");
    let profile = f.tmp.path().join("profile.html");
    std::fs::write(&profile, b"<html>example_user profile page</html>").expect("write");
    for (file, description) in [(&chat, "Chat log"), (&profile, "Profile page")] {
        f.ok(&[
            "evidence",
            "add",
            &reference,
            &file.to_string_lossy(),
            "--description",
            description,
        ]);
    }
    let pack = f.tmp.path().join("pack.zip");
    let exported = f.json(&[
        "pack",
        "export",
        &reference,
        "--out",
        &pack.to_string_lossy(),
    ]);
    let fingerprint = exported["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();

    let dir = f.tmp.path().join("genuine");
    let st = Command::new("unzip")
        .arg("-q")
        .arg(&pack)
        .arg("-d")
        .arg(&dir)
        .status()
        .expect("unzip");
    assert!(st.success(), "unzip failed on the genuine pack");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    let mut names: Vec<String> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|r| r["path"].as_str().expect("path").to_string())
        .collect();
    names.extend(["manifest.json", "manifest.sig", "SHA256SUMS"].map(String::from));
    let entries = names
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).expect("entry");
            (n, bytes)
        })
        .collect();
    Genuine {
        f,
        pack,
        fingerprint,
        entries,
    }
}

impl Genuine {
    fn path(&self, name: &str) -> PathBuf {
        self.f.tmp.path().join(name)
    }

    /// Writes the genuine entries, in order, into a hand-made ZIP; `before` adds entries
    /// ahead of them.
    fn rebuild(&self, name: &str, before: impl FnOnce(&mut RawZip)) -> PathBuf {
        let mut zip = RawZip::default();
        before(&mut zip);
        for (n, bytes) in &self.entries {
            zip.add(n, bytes);
        }
        let path = self.path(name);
        zip.finish(&path);
        path
    }
}

/// `harbour pack verify` with no data folder, as a police officer would run it.
fn verify(pack: &Path, extra: &[&str]) -> Output {
    let nowhere = pack.with_file_name("no-data-folder");
    let out = Command::new(env!("CARGO_BIN_EXE_harbour"))
        .arg("--data-dir")
        .arg(&nowhere)
        .args(["pack", "verify"])
        .arg(pack)
        .args(extra)
        .env_remove("HARBOUR_PASSPHRASE")
        .env_remove("HARBOUR_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run harbour");
    assert!(!nowhere.exists(), "pack verify must not make a data folder");
    out
}

/// Insists `pack verify` refused; returns what it said, which must be one line.
fn refused(pack: &Path, extra: &[&str]) -> String {
    let out = verify(pack, extra);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "pack verify accepted it: {said}");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "one plain sentence: {err}");
    assert!(!err.contains("intact"), "{err}");
    err
}

fn accepted(pack: &Path, extra: &[&str]) -> String {
    let out = verify(pack, extra);
    assert!(
        out.status.success(),
        "pack verify refused it: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `sha256sum -c SHA256SUMS` makes of the pack after `unzip -n` (which keeps the first
/// of two files with one name, as it never overwrites).
fn sha256sum_after_unzip(pack: &Path, into: &Path) -> bool {
    let st = Command::new("unzip")
        .args(["-q", "-n"])
        .arg(pack)
        .arg("-d")
        .arg(into)
        .status()
        .expect("unzip");
    assert!(st.success(), "unzip failed");
    Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(into)
        .output()
        .expect("sha256sum")
        .status
        .success()
}

#[test]
fn a_genuine_pack_rebuilt_by_hand_still_verifies_so_the_refusals_below_are_of_the_forgery() {
    let g = genuine();
    accepted(&g.pack, &[]);
    let rebuilt = g.rebuild("rebuilt.zip", |_| {});
    let said = accepted(&rebuilt, &[]);
    assert!(said.contains(&g.fingerprint), "{said}");
    assert!(sha256sum_after_unzip(&rebuilt, &g.path("rebuilt")));
}

#[test]
fn a_forged_first_copy_of_an_evidence_file_is_refused_though_the_signed_copy_follows_it() {
    let g = genuine();
    let forged = g.rebuild("forged.zip", |zip| zip.add("evidence/chat.txt", FORGED));

    // What the recipient's own tools show: the forged copy, which fails the README's check.
    let out = g.path("unzipped");
    assert!(!sha256sum_after_unzip(&forged, &out));
    assert_eq!(
        std::fs::read(out.join("evidence/chat.txt")).expect("chat"),
        FORGED
    );

    let err = refused(&forged, &[]);
    assert!(
        err.contains("evidence/chat.txt appears more than once in the pack"),
        "{err}"
    );
}

#[test]
fn a_zip_bomb_of_overlapping_entries_is_refused_before_anything_is_hashed() {
    // A pack signed by a key of the forger's own, listing 2,000 files whose entries all
    // point at the same 64 KiB of data: read entry by entry, 125 MiB to hash.
    let g = genuine();
    let signer = PackSigner::generate();
    let data = vec![b'x'; 64 * 1024];
    let sha = hex::encode(Sha256::digest(&data));
    let names: Vec<String> = (0..2000).map(|i| format!("evidence/f{i:04}.txt")).collect();
    let meta = PackMetadata {
        incident_reference: "MAN-2026-0001".to_string(),
        made_at: "2026-11-20T15:30:00+00:00".to_string(),
        made_by: "Sam Example".to_string(),
    };
    let summary = b"%PDF-1.4\n% summary\n".to_vec();
    let readme = readme_text(&meta, &signer.public_key_hex(), &signer.fingerprint());
    let mut files: Vec<FileRecord> = names
        .iter()
        .map(|n| FileRecord {
            path: n.clone(),
            size: data.len() as u64,
            sha256: sha.clone(),
        })
        .collect();
    let record = |path: &str, bytes: &[u8]| FileRecord {
        path: path.to_string(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
    };
    files.push(record("summary.pdf", &summary));
    files.push(record("README.txt", readme.as_bytes()));
    let (manifest, sig, sums) = signed(&signer, &meta, files);

    let mut zip = RawZip::default();
    let at = zip.local(&names[0], &data);
    let crc = crc32(&data);
    for n in &names {
        zip.central_of(n, crc, data.len() as u32, at);
    }
    zip.add("summary.pdf", &summary);
    zip.add("README.txt", readme.as_bytes());
    zip.add("manifest.json", &manifest);
    zip.add("manifest.sig", &sig);
    zip.add("SHA256SUMS", &sums);
    let bomb = g.path("bomb.zip");
    zip.finish(&bomb);
    assert!(std::fs::metadata(&bomb).expect("bomb").len() < 1024 * 1024);

    let err = refused(&bomb, &[]);
    assert!(err.contains("overlap inside the ZIP file"), "{err}");
}

/// `manifest.json`, `manifest.sig` and `SHA256SUMS` for `files`, signed by `signer`.
fn signed(
    signer: &PackSigner,
    meta: &PackMetadata,
    files: Vec<FileRecord>,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    signed_as(signer, meta, files, signer.fingerprint())
}

fn signed_as(
    signer: &PackSigner,
    meta: &PackMetadata,
    files: Vec<FileRecord>,
    fingerprint: String,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let manifest = Manifest {
        format: "harbour-evidence-pack".to_string(),
        format_version: 1,
        incident_reference: meta.incident_reference.clone(),
        made_at: meta.made_at.clone(),
        made_by: meta.made_by.clone(),
        signer: SignerInfo {
            algorithm: "Ed25519".to_string(),
            public_key_hex: signer.public_key_hex(),
            fingerprint,
        },
        files: files.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("manifest");
    bytes.push(b'\n');
    let sig = format!("{}\n", hex::encode(signer.sign(&bytes))).into_bytes();
    let mut summed = files;
    summed.push(FileRecord {
        path: "manifest.json".to_string(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
    });
    let sums = format_sums(&summed).into_bytes();
    (bytes, sig, sums)
}

#[test]
fn a_file_hidden_between_the_listed_entries_is_refused() {
    // A local header with no entry in the list of contents: `unzip` skips it, a reader
    // that streams the file shows it.
    let g = genuine();
    let hidden = g.rebuild("hidden.zip", |zip| {
        zip.local("evidence/chat.txt", FORGED);
    });
    let err = refused(&hidden, &[]);
    assert!(
        err.contains("holds data that belongs to none of its files"),
        "{err}"
    );
}

#[test]
fn an_entry_the_signed_manifest_does_not_list_is_refused() {
    let g = genuine();
    let planted = g.rebuild("planted.zip", |zip| {
        zip.add("evidence/planted.jpg", b"not from the centre")
    });
    let err = refused(&planted, &[]);
    assert!(
        err.contains("evidence/planted.jpg is in the pack but not in the manifest"),
        "{err}"
    );
}

#[test]
fn an_entry_bigger_than_the_manifest_says_is_refused_by_its_size() {
    let g = genuine();
    let mut zip = RawZip::default();
    for (n, bytes) in &g.entries {
        if n == "evidence/chat.txt" {
            let mut bigger = bytes.clone();
            bigger.extend(std::iter::repeat_n(b' ', 4 * 1024 * 1024));
            zip.add(n, &bigger);
        } else {
            zip.add(n, bytes);
        }
    }
    let bigger = g.path("bigger.zip");
    zip.finish(&bigger);
    let err = refused(&bigger, &[]);
    assert!(
        err.contains(&format!(
            "evidence/chat.txt is {} bytes inside the ZIP but the signed manifest says {}",
            CHAT.len() + 4 * 1024 * 1024,
            CHAT.len()
        )),
        "{err}"
    );
}

#[test]
fn the_readme_tells_the_recipient_to_confirm_the_full_fingerprint_by_phone() {
    let g = genuine();
    let readme = String::from_utf8(
        g.entries
            .iter()
            .find(|(n, _)| n == "README.txt")
            .expect("README.txt")
            .1
            .clone(),
    )
    .expect("text");
    assert_eq!(g.fingerprint.split(' ').count(), 8, "{}", g.fingerprint);
    assert!(g
        .fingerprint
        .split(' ')
        .all(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_hexdigit())));
    assert!(readme.contains(&g.fingerprint), "{readme}");
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("phone the sender"), "{flat}");
    assert!(flat.contains("--expect"), "{flat}");
    // Without --expect, Harbour says the same.
    let said = accepted(&g.pack, &[]);
    assert!(
        said.contains("confirm it by phone with the sender"),
        "{said}"
    );
}

#[test]
fn expect_accepts_the_fingerprint_read_back_in_any_case_with_or_without_spaces_or_dashes() {
    let g = genuine();
    for typed in [
        g.fingerprint.clone(),
        g.fingerprint.to_lowercase(),
        g.fingerprint.replace(' ', ""),
        g.fingerprint.replace(' ', "-"),
    ] {
        let said = accepted(&g.pack, &["--expect", &typed]);
        assert!(said.contains("the fingerprint you were given"), "{said}");
    }
}

#[test]
fn expect_refuses_a_pack_resigned_by_another_key_in_one_sentence() {
    // The forger swaps the evidence and signs the pack again with a key of their own: the
    // pack is internally "intact", but not from the sender.
    let g = genuine();
    let forger = PackSigner::generate();
    let meta = PackMetadata {
        incident_reference: "MAN-2026-0001".to_string(),
        made_at: "2026-11-20T15:30:00+00:00".to_string(),
        made_by: "Sam Example (Designated Safeguarding Lead)".to_string(),
    };
    let mut zip = RawZip::default();
    let mut files = Vec::new();
    for (n, bytes) in &g.entries {
        let bytes = match n.as_str() {
            "evidence/chat.txt" => FORGED.to_vec(),
            "README.txt" => {
                readme_text(&meta, &forger.public_key_hex(), &forger.fingerprint()).into_bytes()
            }
            "manifest.json" | "manifest.sig" | "SHA256SUMS" => continue,
            _ => bytes.clone(),
        };
        files.push(FileRecord {
            path: n.clone(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
        zip.add(n, &bytes);
    }
    let (manifest, sig, sums) = signed(&forger, &meta, files);
    zip.add("manifest.json", &manifest);
    zip.add("manifest.sig", &sig);
    zip.add("SHA256SUMS", &sums);
    let resigned = g.path("resigned.zip");
    zip.finish(&resigned);

    // Alone, the check can only report the forger's fingerprint.
    let said = accepted(&resigned, &[]);
    assert!(said.contains(&forger.fingerprint()), "{said}");

    let err = refused(&resigned, &["--expect", &g.fingerprint]);
    assert_eq!(
        err,
        format!(
            "This pack was signed by the key with fingerprint {}, not the {} you were told, so it did not come from the sender you expect and must not be relied on.",
            forger.fingerprint(),
            g.fingerprint
        )
    );
}

#[test]
fn expect_refuses_a_short_or_mistyped_fingerprint_before_opening_the_pack() {
    let g = genuine();
    let short: String = g
        .fingerprint
        .split(' ')
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    let err = refused(&g.pack, &["--expect", &short]);
    assert!(err.contains("short fingerprint older versions"), "{err}");
    let missing = g.path("no-such-pack.zip");
    let err = refused(&missing, &["--expect", "3F2A 9C01"]);
    assert!(err.contains("eight groups of four characters"), "{err}");
}

#[test]
fn a_pack_made_by_an_older_harbour_with_the_short_fingerprint_still_verifies() {
    // Older versions wrote the 64-bit fingerprint (four groups of four) into manifest.json.
    let g = genuine();
    let signer = PackSigner::generate();
    let full = signer.fingerprint();
    let short: String = full.split(' ').take(4).collect::<Vec<_>>().join(" ");
    let meta = PackMetadata {
        incident_reference: "MAN-2025-0042".to_string(),
        made_at: "2025-03-14T19:30:00+00:00".to_string(),
        made_by: "Jo Example".to_string(),
    };
    let readme = readme_text(&meta, &signer.public_key_hex(), &short);
    let entries: Vec<(String, Vec<u8>)> = vec![
        ("evidence/chat.txt".to_string(), CHAT.to_vec()),
        ("summary.pdf".to_string(), b"%PDF-1.4\n% summary\n".to_vec()),
        ("README.txt".to_string(), readme.into_bytes()),
    ];
    let files = entries
        .iter()
        .map(|(n, b)| FileRecord {
            path: n.clone(),
            size: b.len() as u64,
            sha256: hex::encode(Sha256::digest(b)),
        })
        .collect();
    let (manifest, sig, sums) = signed_as(&signer, &meta, files, short.clone());
    assert!(String::from_utf8_lossy(&manifest).contains(&format!("\"{short}\"")));
    let mut zip = RawZip::default();
    for (n, b) in &entries {
        zip.add(n, b);
    }
    zip.add("manifest.json", &manifest);
    zip.add("manifest.sig", &sig);
    zip.add("SHA256SUMS", &sums);
    let old = g.path("older.zip");
    zip.finish(&old);

    let said = accepted(&old, &[]);
    assert!(
        said.contains(&full),
        "the full fingerprint is shown: {said}"
    );
    accepted(&old, &["--expect", &full]);

    // A manifest naming some other short fingerprint is still refused.
    let (manifest, sig, sums) = signed_as(
        &signer,
        &meta,
        entries
            .iter()
            .map(|(n, b)| FileRecord {
                path: n.clone(),
                size: b.len() as u64,
                sha256: hex::encode(Sha256::digest(b)),
            })
            .collect(),
        "0000 0000 0000 0000".to_string(),
    );
    let mut zip = RawZip::default();
    for (n, b) in &entries {
        zip.add(n, b);
    }
    zip.add("manifest.json", &manifest);
    zip.add("manifest.sig", &sig);
    zip.add("SHA256SUMS", &sums);
    let wrong = g.path("wrong-fingerprint.zip");
    zip.finish(&wrong);
    let err = refused(&wrong, &[]);
    assert!(err.contains("does not belong to its public key"), "{err}");
}
