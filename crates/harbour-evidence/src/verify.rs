//! Checking an evidence pack using nothing but the pack itself.
//!
//! This does in one step what `README.txt` asks an officer to do by hand,
//! and a little more: a ZIP that different tools would read differently
//! (a repeated name, overlapping entries, data hidden between them: see
//! `layout`) is refused before anything is hashed; then the manifest's
//! Ed25519 signature, every entry's size and SHA-256 against the signed
//! manifest (an entry of another size is refused before it is read, so the
//! work is bounded by the sizes the signer declared), `SHA256SUMS` against
//! the manifest, no missing files and nothing the manifest does not list,
//! and no entry whose name could escape the folder it is extracted into.
//! Each failure names the file concerned.
//!
//! A valid signature proves the pack is unchanged since it was signed with
//! the key named in the manifest; whether that key is the centre's is for
//! the reader to decide by comparing [`VerifyReport::fingerprint`] with one
//! obtained separately, or by giving that one to [`verify_pack_expecting`],
//! which refuses a pack signed by any other key before hashing its files.

use crate::fingerprint::{fingerprint, legacy, Expected};
use crate::hashing::TallyWriter;
use crate::layout;
use crate::manifest::{
    parse_sums, FileRecord, Manifest, PackMetadata, EVIDENCE_DIR, MANIFEST_FORMAT, MANIFEST_NAME,
    MANIFEST_VERSION, README_NAME, SIGNATURE_NAME, SUMMARY_NAME, SUMS_NAME,
};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use zip::{CompressionMethod, ZipArchive};

/// Largest `manifest.json` or `SHA256SUMS` we will read (16 MiB).
const MAX_TEXT_FILE: u64 = 16 * 1024 * 1024;
/// Largest `manifest.sig` we will read.
const MAX_SIGNATURE_FILE: u64 = 1024;

/// The checking files every pack has besides those listed in the manifest.
const CONTROL_FILES: [&str; 3] = [MANIFEST_NAME, SIGNATURE_NAME, SUMS_NAME];

/// What a successful check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Reference, time and maker from the manifest.
    pub metadata: PackMetadata,
    /// The signer's public key (64 hex digits).
    pub public_key_hex: String,
    /// The signer's fingerprint (eight groups of four), to compare with one from the
    /// centre. A pack made by an older Harbour records a shorter one in its manifest; this
    /// is always the full one, worked out from the key.
    pub fingerprint: String,
    /// Every file listed in the manifest, all of which matched.
    pub files: Vec<FileRecord>,
}

/// Why a pack failed its check. Each message names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The pack file could not be opened.
    #[error("The pack {} could not be opened.", .path.display())]
    Open {
        /// The pack's path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An encrypted pack's passphrase is not the one it was encrypted with.
    #[error("That passphrase does not open this encrypted pack.")]
    WrongPassphrase,
    /// The file is not a pack encrypted with a passphrase in the age format.
    #[error("This file is not an evidence pack encrypted with a passphrase, or it is damaged.")]
    NotSealed,
    /// The pack is not a readable ZIP file.
    #[error("The pack is not a readable ZIP file.")]
    NotZip(#[source] zip::result::ZipError),
    /// An entry's name could escape the extraction folder.
    #[error("The pack contains an entry named \"{path}\" that could be extracted outside its folder (an absolute path, \"..\", a backslash or a control character), so it is not a genuine Harbour pack.")]
    UnsafePath {
        /// The entry name (lossily decoded if not UTF-8).
        path: String,
    },
    /// Two entries have the same name: one tool would show the first copy, another the last.
    #[error("{path} appears more than once in the pack, so unzip and other tools could show a copy that was never signed.")]
    Duplicate {
        /// The repeated name.
        path: String,
    },
    /// Two entries' bytes overlap (as in a zip bomb), or an entry runs into the ZIP's list
    /// of contents.
    #[error("{first} and {second} overlap inside the ZIP file, which a genuine Harbour pack never does, so it has been tampered with.")]
    Overlap {
        /// The entry that starts first.
        first: String,
        /// The entry (or part of the ZIP) it runs into.
        second: String,
    },
    /// Bytes that belong to no listed entry: a hidden file some tools would show.
    #[error("The pack holds data that belongs to none of its files (just before {before}), which a genuine Harbour pack never does, so it has been tampered with.")]
    HiddenData {
        /// The entry (or part of the ZIP) the data comes just before.
        before: String,
    },
    /// An entry's local header disagrees with the ZIP's list of contents.
    #[error("{path} is described differently in the two places a ZIP file records it, so the pack has been tampered with.")]
    Inconsistent {
        /// The entry concerned.
        path: String,
    },
    /// An entry is not the size the signed manifest gives; it is not read.
    #[error("{path} is {size} bytes inside the ZIP but the signed manifest says {expected}, so it has changed since the pack was made.")]
    WrongSize {
        /// The entry concerned.
        path: String,
        /// Its size inside the ZIP.
        size: u64,
        /// The size in the manifest.
        expected: u64,
    },
    /// The pack was signed by a key other than the one the recipient was told of.
    #[error("This pack was signed by the key with fingerprint {actual}, not the {expected} you were told, so it did not come from the sender you expect and must not be relied on.")]
    WrongSigner {
        /// The fingerprint the recipient gave.
        expected: String,
        /// The fingerprint of the key that signed the pack.
        actual: String,
    },
    /// An entry is a folder, link or other non-ordinary file.
    #[error("{path} is not an ordinary file, which a Harbour pack never contains.")]
    NotAFile {
        /// The entry name.
        path: String,
    },
    /// An entry is compressed, which Harbour never does.
    #[error("{path} is compressed inside the ZIP, which Harbour never does, so the pack has been rebuilt since it was made.")]
    Compressed {
        /// The entry name.
        path: String,
    },
    /// A file the manifest lists (or a checking file) is absent.
    #[error("{path} is missing from the pack.")]
    Missing {
        /// The missing file.
        path: String,
    },
    /// A file is present that the manifest does not list.
    #[error(
        "{path} is in the pack but not in the manifest, so it was added after the pack was made."
    )]
    Extra {
        /// The unexpected file.
        path: String,
    },
    /// `manifest.json` cannot be understood.
    #[error("manifest.json is not a valid Harbour manifest: {reason}.")]
    ManifestInvalid {
        /// What is wrong, in plain words.
        reason: String,
    },
    /// `manifest.sig` is not a hex-encoded 64-byte signature.
    #[error("manifest.sig is not a valid signature: it should be 128 hexadecimal characters.")]
    SignatureUnreadable,
    /// The signature does not verify.
    #[error("manifest.sig does not match manifest.json, so the manifest has been changed or was not signed with the key it names.")]
    BadSignature,
    /// `SHA256SUMS` is not in `sha256sum` format.
    #[error("SHA256SUMS cannot be read: line {line} is not in sha256sum format.")]
    SumsUnreadable {
        /// 1-based line number.
        line: usize,
    },
    /// `SHA256SUMS` disagrees with the manifest.
    #[error("SHA256SUMS does not agree with manifest.json about {path}.")]
    SumsMismatch {
        /// The file concerned.
        path: String,
    },
    /// A file's contents differ from what the manifest records.
    #[error(
        "{path} has changed since the pack was made: its SHA-256 does not match the manifest."
    )]
    Changed {
        /// The changed file.
        path: String,
    },
    /// A file could not be read out of the ZIP.
    #[error("{path} could not be read from the pack.")]
    ReadEntry {
        /// The file concerned.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// Checks the evidence pack at `path`. Needs nothing but the pack.
pub fn verify_pack(path: &Path) -> Result<VerifyReport, VerifyError> {
    verify_pack_expecting(path, None)
}

/// Checks the evidence pack at `path` and, given `expected` (the fingerprint the recipient
/// was told by phone), that it was signed by that key.
pub fn verify_pack_expecting(
    path: &Path,
    expected: Option<&Expected>,
) -> Result<VerifyReport, VerifyError> {
    let file = File::open(path).map_err(|source| VerifyError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    verify_reader_expecting(BufReader::new(file), expected)
}

/// Checks a pack encrypted with a passphrase (see [`crate::sealed`]), decrypting it as it
/// is read: nothing is written to disk.
pub fn verify_sealed_pack(path: &Path, passphrase: &str) -> Result<VerifyReport, VerifyError> {
    verify_sealed_pack_expecting(path, passphrase, None)
}

/// [`verify_sealed_pack`], and that the pack was signed by the key `expected` names.
pub fn verify_sealed_pack_expecting(
    path: &Path,
    passphrase: &str,
    expected: Option<&Expected>,
) -> Result<VerifyReport, VerifyError> {
    let opened = crate::sealed::open_sealed(path, passphrase)?;
    verify_reader_expecting(BufReader::with_capacity(64 * 1024, opened), expected)
}

/// Checks the pack that `reader` reads (a ZIP).
pub fn verify_reader<R: Read + Seek>(reader: R) -> Result<VerifyReport, VerifyError> {
    verify_reader_expecting(reader, None)
}

/// Checks the pack that `reader` reads (a ZIP), and its signer if `expected` is given.
pub fn verify_reader_expecting<R: Read + Seek>(
    reader: R,
    expected: Option<&Expected>,
) -> Result<VerifyReport, VerifyError> {
    let mut zip = ZipArchive::new(reader).map_err(VerifyError::NotZip)?;

    // 1. One reading only: no repeated name, entries in order without overlaps or gaps.
    if zip.has_duplicate_names() {
        return Err(layout::duplicate(zip));
    }
    layout::check_layout(&mut zip)?;

    // 2. Every entry name must be safe before anything else is looked at.
    let entries = list_entries(&mut zip)?;

    // 3. The manifest must be signed by the key it names, and that must be the key the
    //    recipient was told of.
    let manifest_bytes = read_small(&mut zip, &entries, MANIFEST_NAME, MAX_TEXT_FILE)?;
    let signature_bytes = read_small(&mut zip, &entries, SIGNATURE_NAME, MAX_SIGNATURE_FILE)?;
    let (manifest, key) = check_signature(&manifest_bytes, &signature_bytes)?;
    if let Some(expected) = expected {
        if !expected.matches(&key) {
            return Err(VerifyError::WrongSigner {
                expected: expected.shown(),
                actual: fingerprint(&key),
            });
        }
    }

    // 4. Exactly the listed files, no more and no fewer.
    let mut expected = BTreeSet::new();
    let mut folded = BTreeSet::new();
    for record in &manifest.files {
        if !is_listed_path(&record.path)
            || !expected.insert(record.path.as_str())
            || !folded.insert(record.path.to_lowercase())
        {
            return Err(VerifyError::ManifestInvalid {
                reason: format!(
                    "it lists {} in a way a Harbour pack never would",
                    record.path
                ),
            });
        }
    }
    for name in CONTROL_FILES {
        expected.insert(name);
    }
    if let Some(missing) = expected.iter().find(|p| !entries.contains_key(**p)) {
        return Err(VerifyError::Missing {
            path: missing.to_string(),
        });
    }
    if let Some(extra) = entries.keys().find(|p| !expected.contains(p.as_str())) {
        return Err(VerifyError::Extra {
            path: extra.clone(),
        });
    }

    // 5. Every file's size against the manifest before any is read, then its contents.
    for record in &manifest.files {
        check_size(&mut zip, entries[&record.path], record)?;
    }
    for record in &manifest.files {
        check_entry(&mut zip, entries[&record.path], record)?;
    }

    // 6. SHA256SUMS must say the same as the manifest.
    let sums_bytes = read_small(&mut zip, &entries, SUMS_NAME, MAX_TEXT_FILE)?;
    check_sums(&sums_bytes, &manifest, &manifest_bytes)?;

    Ok(VerifyReport {
        metadata: PackMetadata {
            incident_reference: manifest.incident_reference,
            made_at: manifest.made_at,
            made_by: manifest.made_by,
        },
        public_key_hex: manifest.signer.public_key_hex,
        fingerprint: fingerprint(&key),
        files: manifest.files,
    })
}

/// Returns entry name → index, rejecting unsafe, duplicate, compressed and
/// non-file entries.
fn list_entries<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
) -> Result<BTreeMap<String, usize>, VerifyError> {
    let mut entries = BTreeMap::new();
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(VerifyError::NotZip)?;
        let name = match std::str::from_utf8(entry.name_raw()) {
            Ok(name) if is_safe_entry_path(name) => name.to_string(),
            _ => {
                return Err(VerifyError::UnsafePath {
                    path: String::from_utf8_lossy(entry.name_raw()).into_owned(),
                })
            }
        };
        if entry.is_dir() || entry.is_symlink() {
            return Err(VerifyError::NotAFile { path: name });
        }
        if entry.compression() != CompressionMethod::Stored {
            return Err(VerifyError::Compressed { path: name });
        }
        if entries.insert(name.clone(), index).is_some() {
            return Err(VerifyError::Duplicate { path: name });
        }
    }
    Ok(entries)
}

/// Rejects names that could land outside the extraction folder on any
/// system: absolute paths, drive letters, backslashes, `..` or `.` parts,
/// empty parts and control characters.
pub fn is_safe_entry_path(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.chars().any(char::is_control)
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Paths the manifest may list: the summary, the README, or one level
/// inside `evidence/`.
fn is_listed_path(path: &str) -> bool {
    if path == SUMMARY_NAME || path == README_NAME {
        return true;
    }
    match path.split_once('/') {
        Some((dir, name)) => dir == EVIDENCE_DIR && !name.contains('/') && is_safe_entry_path(path),
        None => false,
    }
}

fn read_small<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    entries: &BTreeMap<String, usize>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, VerifyError> {
    let index = *entries.get(name).ok_or_else(|| VerifyError::Missing {
        path: name.to_string(),
    })?;
    let entry = zip.by_index(index).map_err(VerifyError::NotZip)?;
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| entry_error(name, e))?;
    if bytes.len() as u64 > limit {
        return Err(VerifyError::ReadEntry {
            path: name.to_string(),
            source: io::Error::new(io::ErrorKind::InvalidData, "file is too large"),
        });
    }
    Ok(bytes)
}

/// A read error on an entry. The ZIP library reports a CRC-32 mismatch as
/// invalid data: that means the bytes changed.
fn entry_error(path: &str, e: io::Error) -> VerifyError {
    if e.kind() == io::ErrorKind::InvalidData {
        VerifyError::Changed {
            path: path.to_string(),
        }
    } else {
        VerifyError::ReadEntry {
            path: path.to_string(),
            source: e,
        }
    }
}

fn invalid(reason: &str) -> VerifyError {
    VerifyError::ManifestInvalid {
        reason: reason.to_string(),
    }
}

/// Checks the signature; gives back the manifest and the key that signed it.
fn check_signature(
    manifest_bytes: &[u8],
    signature_bytes: &[u8],
) -> Result<(Manifest, [u8; 32]), VerifyError> {
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| invalid(&format!("it is not in the expected JSON layout ({e})")))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(invalid("it is not marked as a Harbour evidence pack"));
    }
    if manifest.format_version != MANIFEST_VERSION {
        return Err(invalid(&format!(
            "it uses format version {}, which this version of Harbour cannot check",
            manifest.format_version
        )));
    }
    let mut key = [0u8; 32];
    hex::decode_to_slice(&manifest.signer.public_key_hex, &mut key)
        .map_err(|_| invalid("the signer's public key is not 64 hexadecimal characters"))?;
    let key = VerifyingKey::from_bytes(&key)
        .map_err(|_| invalid("the signer's public key is not a valid Ed25519 key"))?;

    let text =
        std::str::from_utf8(signature_bytes).map_err(|_| VerifyError::SignatureUnreadable)?;
    let mut sig = [0u8; 64];
    hex::decode_to_slice(text.trim(), &mut sig).map_err(|_| VerifyError::SignatureUnreadable)?;
    key.verify_strict(manifest_bytes, &Signature::from_bytes(&sig))
        .map_err(|_| VerifyError::BadSignature)?;

    // Packs made by older versions of Harbour record the short (64-bit) form.
    let recorded = &manifest.signer.fingerprint;
    if *recorded != fingerprint(key.as_bytes()) && *recorded != legacy(key.as_bytes()) {
        return Err(invalid(
            "the fingerprint it gives does not belong to its public key",
        ));
    }
    let key = key.to_bytes();
    Ok((manifest, key))
}

/// Refuses an entry whose size in the ZIP is not the manifest's, without reading it.
fn check_size<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    record: &FileRecord,
) -> Result<(), VerifyError> {
    let entry = zip.by_index_raw(index).map_err(VerifyError::NotZip)?;
    for size in [entry.size(), entry.compressed_size()] {
        if size != record.size {
            return Err(VerifyError::WrongSize {
                path: record.path.clone(),
                size,
                expected: record.size,
            });
        }
    }
    Ok(())
}

fn check_entry<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    record: &FileRecord,
) -> Result<(), VerifyError> {
    let entry = zip.by_index(index).map_err(VerifyError::NotZip)?;
    let mut tally = TallyWriter::new(io::sink());
    // Never more than the signed size, whatever the ZIP claims.
    // (One byte more lets the ZIP reader reach the end and check the CRC-32.)
    io::copy(&mut entry.take(record.size.saturating_add(1)), &mut tally)
        .map_err(|e| entry_error(&record.path, e))?;
    let (size, sha256) = tally.tally.finish();
    if size != record.size || sha256 != record.sha256 {
        return Err(VerifyError::Changed {
            path: record.path.clone(),
        });
    }
    Ok(())
}

fn check_sums(sums: &[u8], manifest: &Manifest, manifest_bytes: &[u8]) -> Result<(), VerifyError> {
    let text = std::str::from_utf8(sums).map_err(|_| VerifyError::SumsUnreadable { line: 1 })?;
    let lines = parse_sums(text).map_err(|line| VerifyError::SumsUnreadable { line })?;
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for (path, hash) in lines {
        if listed.insert(path.clone(), hash).is_some() {
            return Err(VerifyError::SumsMismatch { path });
        }
    }
    let manifest_hash = hex::encode(Sha256::digest(manifest_bytes));
    let wanted = manifest
        .files
        .iter()
        .map(|r| (r.path.as_str(), r.sha256.as_str()))
        .chain(std::iter::once((MANIFEST_NAME, manifest_hash.as_str())));
    let mut count = 0;
    for (path, hash) in wanted {
        count += 1;
        if listed.get(path).map(String::as_str) != Some(hash) {
            return Err(VerifyError::SumsMismatch {
                path: path.to_string(),
            });
        }
    }
    if listed.len() != count {
        let known: BTreeSet<&str> = manifest.files.iter().map(|r| r.path.as_str()).collect();
        if let Some(path) = listed
            .keys()
            .find(|p| p.as_str() != MANIFEST_NAME && !known.contains(p.as_str()))
        {
            return Err(VerifyError::SumsMismatch { path: path.clone() });
        }
    }
    Ok(())
}
