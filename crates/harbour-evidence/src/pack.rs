//! Writing an evidence pack: a ZIP file that can be checked with standard
//! tools (see [`crate::manifest::readme_text`] for what the officer does).
//!
//! Every entry is STORED, not compressed: evidence is usually already
//! compressed (photos, video), storing is much faster for multi-gigabyte
//! files, and the bytes inside the ZIP are the evidence bytes themselves.
//! Entries are marked ZIP64-capable so files over 4 GiB work.
//!
//! The ZIP is written to `<dest>.partial`, synced, and renamed to `dest` only
//! when complete; on any error the partial file is removed. Evidence is
//! streamed through a SHA-256 hasher into the ZIP, so memory use does not
//! depend on file size, and [`PackBuilder::add_evidence_with`] lets a caller
//! decrypt straight into the pack without plaintext touching the disk.
//!
//! [`PackBuilder::create_sealed`] writes the same pack encrypted with an age passphrase
//! (the standard `age` format, see [`crate::sealed`]). An encryption stream cannot seek,
//! so the ZIP is then written in its streaming form (sizes after each entry, in a data
//! descriptor); `unzip`, 7-Zip and [`crate::verify`] read both forms.

use crate::atomic::AtomicFile;
use crate::discard::{DiscardOnDrop, PackFile, Switch};
use crate::hashing::{read_full, TallyWriter};
use crate::manifest::{
    format_sums, readme_text, FileRecord, Manifest, PackMetadata, SignerInfo, EVIDENCE_DIR,
    MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, README_NAME, SIGNATURE_NAME, SUMMARY_NAME,
    SUMS_NAME,
};
use crate::naming::is_safe_name;
use crate::signing::PackSigner;
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Why a pack could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The partial pack file could not be created.
    #[error("The pack file {} could not be created.", .path.display())]
    Create {
        /// The partial file's path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An evidence name is not safe (see [`crate::naming::safe_name`]).
    #[error("The evidence file name \"{name}\" is not safe to use in a pack; pass it through safe_name first.")]
    UnsafeName {
        /// The rejected name.
        name: String,
    },
    /// Two evidence files have the same name (ignoring case).
    #[error("Two evidence files are both called \"{name}\"; each name in a pack must be unique.")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// An evidence file could not be read (or decrypted).
    #[error("The evidence file {name} could not be read while making the pack.")]
    ReadEvidence {
        /// The name of the evidence file.
        name: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Evidence added with [`PackBuilder::add_evidence_expecting`] did not have the SHA-256
    /// it was expected to have.
    #[error(
        "The evidence file {name} no longer matches the SHA-256 recorded when it was captured."
    )]
    Changed {
        /// The name of the evidence file.
        name: String,
    },
    /// Writing the ZIP failed, for example because the disk is full.
    #[error("The pack could not be written, perhaps because the disk is full.")]
    Write(#[source] io::Error),
    /// The ZIP library reported an error (other than failing to write, which is
    /// [`PackError::Write`]).
    #[error("The pack could not be written as a ZIP file.")]
    Zip(#[source] zip::result::ZipError),
    /// The manifest could not be produced.
    #[error("The pack manifest could not be produced.")]
    Manifest(#[from] serde_json::Error),
}

impl From<zip::result::ZipError> for PackError {
    /// A failure to write (a full disk, say) is reported as such, not as a ZIP problem.
    fn from(e: zip::result::ZipError) -> Self {
        match e {
            zip::result::ZipError::Io(source) => PackError::Write(source),
            other => PackError::Zip(other),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSummary {
    /// Where the pack is.
    pub path: PathBuf,
    /// The files listed in the manifest.
    pub files: Vec<FileRecord>,
    /// The signer's fingerprint (see [`crate::fingerprint`]).
    pub fingerprint: String,
}

/// The ZIP writer: seeking back to fill in sizes (a plain file), or streaming (sealed).
enum PackZip {
    Seekable(ZipWriter<PackFile>),
    Streaming(ZipWriter<zip::write::StreamWriter<PackFile>>),
}

impl PackZip {
    fn start_file(
        &mut self,
        name: &str,
        options: SimpleFileOptions,
    ) -> Result<(), zip::result::ZipError> {
        match self {
            PackZip::Seekable(z) => z.start_file(name, options),
            PackZip::Streaming(z) => z.start_file(name, options),
        }
    }

    fn finish(self) -> Result<PackFile, zip::result::ZipError> {
        match self {
            PackZip::Seekable(z) => z.finish(),
            PackZip::Streaming(z) => z.finish().map(|s| s.into_inner()),
        }
    }
}

impl Write for PackZip {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            PackZip::Seekable(z) => z.write(buf),
            PackZip::Streaming(z) => z.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            PackZip::Seekable(z) => z.flush(),
            PackZip::Streaming(z) => z.flush(),
        }
    }
}

/// Builds an evidence pack one evidence file at a time.
pub struct PackBuilder {
    /// Dropped first: a pack dropped unfinished is not finished by the ZIP writer's own
    /// `Drop` (see [`crate::discard`]).
    _discard_on_drop: DiscardOnDrop,
    switch: Arc<Switch>,
    zip: PackZip,
    out: AtomicFile,
    dest: PathBuf,
    meta: PackMetadata,
    records: Vec<FileRecord>,
    used: HashSet<String>,
    buffer: Vec<u8>,
    modified: DateTime,
    readme_note: Option<String>,
}

fn options(modified: DateTime) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true)
        .unix_permissions(0o644)
        .last_modified_time(modified)
}

/// The ZIP timestamp for every entry: the pack's `made_at` time (read from
/// the start of an RFC 3339 string, `YYYY-MM-DDTHH:MM:SS`), or the ZIP
/// default of 1980-01-01 if it cannot be read.
fn zip_time(made_at: &str) -> DateTime {
    let field = |range: std::ops::Range<usize>| made_at.get(range)?.parse::<u16>().ok();
    let parsed = (|| {
        DateTime::from_date_and_time(
            field(0..4)?,
            u8::try_from(field(5..7)?).ok()?,
            u8::try_from(field(8..10)?).ok()?,
            u8::try_from(field(11..13)?).ok()?,
            u8::try_from(field(14..16)?).ok()?,
            u8::try_from(field(17..19)?).ok()?,
        )
        .ok()
    })();
    parsed.unwrap_or_default()
}

impl PackBuilder {
    /// Starts writing a pack that will end up at `dest`. The data goes to
    /// `<dest>.partial` until [`finish`](Self::finish) succeeds.
    pub fn create(dest: &Path, meta: PackMetadata) -> Result<Self, PackError> {
        Self::start(dest, meta, None)
    }

    /// Like [`create`](Self::create), but the whole ZIP is encrypted with `passphrase` in
    /// the age format as it is written (scrypt passphrase recipient): `age -d` or `rage -d`
    /// gives back the ZIP. Nothing unencrypted is written to disk.
    pub fn create_sealed(
        dest: &Path,
        meta: PackMetadata,
        passphrase: &str,
    ) -> Result<Self, PackError> {
        Self::start(dest, meta, Some(crate::sealed::encryptor(passphrase)))
    }

    fn start(
        dest: &Path,
        meta: PackMetadata,
        sealed: Option<age::Encryptor>,
    ) -> Result<Self, PackError> {
        let mut partial = OsString::from(dest.as_os_str());
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        // A leftover from a crash is ours and incomplete: replace it.
        let _ = std::fs::remove_file(&partial);
        let mut out =
            AtomicFile::create_at(partial.clone(), dest).map_err(|source| PackError::Create {
                path: partial,
                source,
            })?;
        let file = out.file().try_clone().map_err(PackError::Write)?;
        let switch = Arc::new(Switch::default());
        let zip = match sealed {
            None => PackZip::Seekable(ZipWriter::new(PackFile::new(file, Arc::clone(&switch)))),
            Some(encryptor) => PackZip::Streaming(ZipWriter::new_stream(
                PackFile::sealed(file, Arc::clone(&switch), encryptor).map_err(PackError::Write)?,
            )),
        };
        Ok(Self {
            _discard_on_drop: DiscardOnDrop(Arc::clone(&switch)),
            switch,
            zip,
            out,
            dest: dest.to_path_buf(),
            modified: zip_time(&meta.made_at),
            meta,
            records: Vec::new(),
            used: HashSet::new(),
            buffer: vec![0u8; 256 * 1024],
            readme_note: None,
        })
    }

    /// A paragraph for the top of `README.txt` saying what this pack is for, e.g. that it
    /// is a learner's file transferred to another setting. It is covered by the signature
    /// like the rest of the README.
    pub fn readme_note(&mut self, note: &str) -> &mut Self {
        self.readme_note = Some(note.to_string());
        self
    }

    fn start_evidence(&mut self, name: &str) -> Result<String, PackError> {
        if !is_safe_name(name) {
            return Err(PackError::UnsafeName {
                name: name.to_string(),
            });
        }
        if !self.used.insert(name.to_lowercase()) {
            return Err(PackError::DuplicateName {
                name: name.to_string(),
            });
        }
        let path = format!("{EVIDENCE_DIR}/{name}");
        self.zip.start_file(path.as_str(), options(self.modified))?;
        Ok(path)
    }

    /// Adds an evidence file, copying everything from `reader`. `name` must
    /// already be safe (from [`crate::naming::safe_name`]) and unique.
    pub fn add_evidence(
        &mut self,
        name: &str,
        mut reader: impl Read,
    ) -> Result<FileRecord, PackError> {
        let path = self.start_evidence(name)?;
        let mut buffer = std::mem::take(&mut self.buffer);
        let mut out = TallyWriter::new(&mut self.zip);
        let result = loop {
            match read_full(&mut reader, &mut buffer) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    if let Err(e) = out.write_all(&buffer[..n]) {
                        break Err(PackError::Write(e));
                    }
                }
                Err(e) => {
                    break Err(PackError::ReadEvidence {
                        name: name.to_string(),
                        source: Box::new(e),
                    })
                }
            }
        };
        let (size, sha256) = out.tally.finish();
        self.buffer = buffer;
        result?;
        Ok(self.record(path, size, sha256))
    }

    /// Adds an evidence file whose bytes are produced by `produce`, which is
    /// given a writer into the pack. Use this to decrypt stored evidence
    /// straight into the pack:
    ///
    /// ```no_run
    /// # use harbour_evidence::{decrypt_stream, MasterKey, PackBuilder, PackMetadata};
    /// # fn demo(builder: &mut PackBuilder, master: &MasterKey) -> Result<(), Box<dyn std::error::Error>> {
    /// let stored = std::fs::File::open("store/0192f0c4.hbev")?;
    /// builder.add_evidence_with("chat.txt", |w| decrypt_stream(master, "0192f0c4", stored, w))?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// If `produce` fails, the whole pack fails and nothing is left at `dest`.
    pub fn add_evidence_with<T, E, F>(&mut self, name: &str, produce: F) -> Result<T, PackError>
    where
        F: FnOnce(&mut dyn Write) -> Result<T, E>,
        E: std::error::Error + Send + Sync + 'static,
    {
        self.produce_evidence(name, produce).map(|(value, _)| value)
    }

    /// Like [`add_evidence_with`](Self::add_evidence_with), for bytes that must have the
    /// SHA-256 `expected` (lower-case hex), such as evidence whose hash was recorded at
    /// capture. The pack hashes every byte it stores anyway, so `produce` need not hash them
    /// again: use [`crate::decrypt_stream_unhashed`]. Anything else fails with
    /// [`PackError::Changed`], and the pack is not finished.
    pub fn add_evidence_expecting<T, E, F>(
        &mut self,
        name: &str,
        expected: &str,
        produce: F,
    ) -> Result<T, PackError>
    where
        F: FnOnce(&mut dyn Write) -> Result<T, E>,
        E: std::error::Error + Send + Sync + 'static,
    {
        let (value, record) = self.produce_evidence(name, produce)?;
        if !record.sha256.eq_ignore_ascii_case(expected.trim()) {
            return Err(PackError::Changed {
                name: name.to_string(),
            });
        }
        Ok(value)
    }

    fn produce_evidence<T, E, F>(
        &mut self,
        name: &str,
        produce: F,
    ) -> Result<(T, FileRecord), PackError>
    where
        F: FnOnce(&mut dyn Write) -> Result<T, E>,
        E: std::error::Error + Send + Sync + 'static,
    {
        let path = self.start_evidence(name)?;
        let mut out = TallyWriter::new(&mut self.zip);
        let value = produce(&mut out).map_err(|e| PackError::ReadEvidence {
            name: name.to_string(),
            source: Box::new(e),
        })?;
        let (size, sha256) = out.tally.finish();
        Ok((value, self.record(path, size, sha256)))
    }

    fn record(&mut self, path: String, size: u64, sha256: String) -> FileRecord {
        let record = FileRecord { path, size, sha256 };
        self.records.push(record.clone());
        record
    }

    fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<FileRecord, PackError> {
        self.zip.start_file(path, options(self.modified))?;
        let mut out = TallyWriter::new(&mut self.zip);
        out.write_all(bytes).map_err(PackError::Write)?;
        let (size, sha256) = out.tally.finish();
        Ok(FileRecord {
            path: path.to_string(),
            size,
            sha256,
        })
    }

    /// Adds `summary.pdf`, `README.txt`, `manifest.json`, `manifest.sig` and
    /// `SHA256SUMS`, finishes the ZIP, syncs it and renames it into place.
    pub fn finish(
        mut self,
        summary_pdf: &[u8],
        signer: &PackSigner,
    ) -> Result<PackSummary, PackError> {
        let public_key_hex = signer.public_key_hex();
        let fingerprint = signer.fingerprint();

        let summary = self.add_bytes(SUMMARY_NAME, summary_pdf)?;
        self.records.push(summary);
        let mut readme = readme_text(&self.meta, &public_key_hex, &fingerprint);
        if let Some(note) = &self.readme_note {
            readme = format!("{}\n\n{readme}", note.trim_end());
        }
        let readme = self.add_bytes(README_NAME, readme.as_bytes())?;
        self.records.push(readme);

        let manifest = Manifest {
            format: MANIFEST_FORMAT.to_string(),
            format_version: MANIFEST_VERSION,
            incident_reference: self.meta.incident_reference.clone(),
            made_at: self.meta.made_at.clone(),
            made_by: self.meta.made_by.clone(),
            signer: SignerInfo {
                algorithm: "Ed25519".to_string(),
                public_key_hex,
                fingerprint: fingerprint.clone(),
            },
            files: self.records.clone(),
        };
        let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
        manifest_bytes.push(b'\n');
        let manifest_record = self.add_bytes(MANIFEST_NAME, &manifest_bytes)?;

        let signature = format!("{}\n", hex::encode(signer.sign(&manifest_bytes)));
        self.add_bytes(SIGNATURE_NAME, signature.as_bytes())?;

        let mut summed = self.records.clone();
        summed.push(manifest_record);
        self.add_bytes(SUMS_NAME, format_sums(&summed).as_bytes())?;

        let writer = self.zip.finish()?;
        writer.into_inner().map_err(PackError::Write)?;
        if self.switch.failed() {
            return Err(PackError::Write(io::Error::other(
                "an earlier write to the pack failed",
            )));
        }
        self.out.commit().map_err(PackError::Write)?;
        Ok(PackSummary {
            path: self.dest,
            files: self.records,
            fingerprint,
        })
    }
}

/// Writes a complete pack in one call: each `(safe name, reader)` becomes
/// `evidence/<name>`, followed by the summary and the checking files.
pub fn write_pack<R: Read>(
    dest: &Path,
    evidence: impl IntoIterator<Item = (String, R)>,
    summary_pdf: &[u8],
    meta: PackMetadata,
    signer: &PackSigner,
) -> Result<PackSummary, PackError> {
    let mut builder = PackBuilder::create(dest, meta)?;
    for (name, reader) in evidence {
        builder.add_evidence(&name, reader)?;
    }
    builder.finish(summary_pdf, signer)
}
