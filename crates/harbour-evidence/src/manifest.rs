//! The text files inside an evidence pack: `manifest.json`, `SHA256SUMS`
//! and `README.txt`.
//!
//! `manifest.json` is the signed record of the pack. It lists every file the
//! pack contains apart from itself, `manifest.sig` and `SHA256SUMS` (which
//! cannot list themselves); that includes `README.txt`, so the instructions
//! are covered by the signature too. `SHA256SUMS` lists the same files plus
//! `manifest.json`, in the exact format `sha256sum -c` reads.

use serde::{Deserialize, Serialize};

/// Folder inside the pack that holds the evidence files.
pub const EVIDENCE_DIR: &str = "evidence";
/// The report summary.
pub const SUMMARY_NAME: &str = "summary.pdf";
/// Plain-English checking instructions.
pub const README_NAME: &str = "README.txt";
/// The signed manifest.
pub const MANIFEST_NAME: &str = "manifest.json";
/// Hex-encoded Ed25519 signature of `manifest.json`.
pub const SIGNATURE_NAME: &str = "manifest.sig";
/// Checksums in `sha256sum` format.
pub const SUMS_NAME: &str = "SHA256SUMS";
/// Value of [`Manifest::format`].
pub const MANIFEST_FORMAT: &str = "harbour-evidence-pack";
/// Value of [`Manifest::format_version`].
pub const MANIFEST_VERSION: u32 = 1;

/// Who made the pack, when, and for which incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackMetadata {
    /// The incident reference, e.g. `HB-2025-0142`.
    pub incident_reference: String,
    /// When the pack was made, as an RFC 3339 timestamp.
    pub made_at: String,
    /// The person who made the pack.
    pub made_by: String,
}

/// One file in the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Path inside the pack, e.g. `evidence/chat.txt`.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// The signer's public key as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key as 64 hex digits.
    pub public_key_hex: String,
    /// The key's fingerprint, see [`crate::fingerprint`]. Packs made by older versions of
    /// Harbour hold the short form ([`crate::fingerprint::legacy`]), which is still read.
    pub fingerprint: String,
}

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// Always [`MANIFEST_VERSION`].
    pub format_version: u32,
    /// The incident reference.
    pub incident_reference: String,
    /// When the pack was made (RFC 3339).
    pub made_at: String,
    /// Who made it.
    pub made_by: String,
    /// The key that signed it.
    pub signer: SignerInfo,
    /// Every file except `manifest.json`, `manifest.sig` and `SHA256SUMS`.
    pub files: Vec<FileRecord>,
}

/// Formats records as `sha256sum` output: `<hex>  <path>\n` per file.
pub fn format_sums(records: &[FileRecord]) -> String {
    records
        .iter()
        .map(|r| format!("{}  {}\n", r.sha256, r.path))
        .collect()
}

/// Parses `sha256sum` output in text mode (two spaces) or binary mode
/// (space and `*`). Returns `(path, hex)` pairs, or the 1-based number of
/// the first line that cannot be read.
pub fn parse_sums(text: &str) -> Result<Vec<(String, String)>, usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let (hash, rest) = line.split_at_checked(64).ok_or(i + 1)?;
        let path = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or(i + 1)?;
        if path.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(i + 1);
        }
        out.push((path.to_string(), hash.to_ascii_lowercase()));
    }
    Ok(out)
}

/// The `README.txt` for a pack, written for a police officer.
pub fn readme_text(meta: &PackMetadata, public_key_hex: &str, fingerprint: &str) -> String {
    format!(
        "\
EVIDENCE PACK - HOW TO CHECK IT
===============================

Incident reference: {reference}
Made at:            {made_at}
Made by:            {made_by}
Signing key fingerprint: {fingerprint}

This pack was made by Harbour, a safeguarding record-keeping app. The
evidence files are exactly as captured: they have not been compressed,
converted or edited. You can check that nothing has changed since the pack
was made using standard tools on Linux or macOS (on Windows, use WSL or
Git Bash). You do not need Harbour.

WHAT IS IN THE PACK

  evidence/       the evidence files, with safe versions of their names
  summary.pdf     the incident summary
  README.txt      this file
  manifest.json   a list of every file above with its size and SHA-256
                  value, the reference, date and maker, and the
                  public key of whoever made the pack
  manifest.sig    a digital signature of manifest.json, written as
                  128 hexadecimal characters (an Ed25519 signature)
  SHA256SUMS      the same SHA-256 values, plus one for manifest.json,
                  in the format the sha256sum tool reads

STEP 1 - UNZIP

Use the pack's real file name in place of pack.zip:

  unzip pack.zip -d pack
  cd pack

STEP 2 - CHECK EVERY FILE

  sha256sum -c SHA256SUMS

Every line should end in OK. Any line ending in FAILED means that file is
not the one that went into the pack. (On macOS, use: shasum -a 256 -c SHA256SUMS)

STEP 3 - CHECK THE SIGNATURE

Step 2 shows the files match SHA256SUMS, but anyone could rewrite that
list. The signature shows that manifest.json, which holds the same values,
was made with the centre's signing key and has not changed since. These
commands need OpenSSL 3.0 or later and xxd:

  printf '302a300506032b6570032100{public_key_hex}' | xxd -r -p > signer.der
  xxd -r -p manifest.sig > manifest.sig.bin
  openssl pkeyutl -verify -pubin -keyform DER -inkey signer.der -rawin -in manifest.json -sigfile manifest.sig.bin

It should print: Signature Verified Successfully

(The long hexadecimal value in the first command is the signer's public key,
{public_key_hex},
as recorded in manifest.json, with a fixed prefix that OpenSSL needs.)

STEP 4 - CHECK WHO SIGNED IT

A signature only proves the pack was made with a particular key. Before you
rely on the pack, phone the sender on a number you already have (not one
given in this pack or the message it came with) and ask them to read you
their signing key fingerprint. It must be exactly the one at the top of
this file: eight groups of four characters. You can work it out yourself:

  printf '{public_key_hex}' | xxd -r -p | sha256sum

The first 32 characters of the result, in capitals and in groups of four,
are the fingerprint: {fingerprint}

With Harbour, this one command does steps 2 to 4 and refuses a pack signed
by any other key than the one whose fingerprint you were told:

  harbour pack verify pack.zip --expect \"FINGERPRINT YOU WERE TOLD\"

If any step fails, do not rely on the pack; ask the centre for a new copy.
",
        reference = one_line(&meta.incident_reference),
        made_at = one_line(&meta.made_at),
        made_by = one_line(&meta.made_by),
    )
}

/// Replaces control characters so metadata cannot add lines to the README.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
