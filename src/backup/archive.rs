//! The entries inside a backup's encrypted stream.
//!
//! ```text
//! entry: 1 byte kind (1 database, 2 evidence file, 0 end)
//!        2 bytes name length, big-endian; the name (UTF-8)
//!        8 bytes size, big-endian; that many bytes
//! ```
//!
//! The database comes first, as `harbour.db` (a SQLCipher file under the same data key);
//! evidence files follow as `<item id>.hbev`, exactly as they are stored (already encrypted);
//! an end entry closes the archive, so a stream cut at an entry boundary is not mistaken for
//! a whole backup. Both sides work in constant memory: the writer is a `Read` that opens one
//! file at a time, the reader a `Write` that sends each entry's bytes straight to its file
//! and has each evidence file checked as it goes by ([`super::evidence_check`]).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use harbour_evidence::MasterKey;
use uuid::Uuid;

use super::evidence_check::{Checker, Found};

pub const KIND_END: u8 = 0;
pub const KIND_DATABASE: u8 = 1;
pub const KIND_EVIDENCE: u8 = 2;

/// The database's name inside a backup.
pub const DATABASE_NAME: &str = "harbour.db";

fn entry_head(kind: u8, name: &str, size: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(11 + name.len());
    out.push(kind);
    out.extend_from_slice(&(name.len() as u16).to_be_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&size.to_be_bytes());
    out
}

enum Part {
    Bytes(Vec<u8>, usize),
    File {
        path: PathBuf,
        open: Option<io::Take<File>>,
        size: u64,
    },
}

/// The error a reader gives when `keep_going` said stop (not `Interrupted`, which readers
/// retry).
#[derive(Debug)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stopped")
    }
}

impl std::error::Error for Stopped {}

/// Whether an I/O error is a stop asked for by the coordinator.
pub fn is_stop(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Stopped>())
}

/// The archive as a stream of bytes, read one part at a time.
pub struct ArchiveReader<'a> {
    parts: VecDeque<Part>,
    done: u64,
    total: u64,
    keep_going: &'a mut dyn FnMut(u64, u64) -> bool,
}

impl<'a> ArchiveReader<'a> {
    /// An archive of these files (kind, name, path, size), then the end entry.
    /// `keep_going(done, total)` is asked as bytes are read; false stops with [`Stopped`].
    pub fn new(
        files: Vec<(u8, String, PathBuf, u64)>,
        keep_going: &'a mut dyn FnMut(u64, u64) -> bool,
    ) -> Self {
        let mut parts = VecDeque::new();
        let mut total = 0;
        for (kind, name, path, size) in files {
            let head = entry_head(kind, &name, size);
            total += head.len() as u64 + size;
            parts.push_back(Part::Bytes(head, 0));
            parts.push_back(Part::File {
                path,
                open: None,
                size,
            });
        }
        parts.push_back(Part::Bytes(entry_head(KIND_END, "", 0), 0));
        ArchiveReader {
            parts,
            done: 0,
            total,
            keep_going,
        }
    }

    /// How many bytes the archive holds (for progress).
    pub fn total(&self) -> u64 {
        self.total
    }
}

impl Read for ArchiveReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(part) = self.parts.front_mut() else {
                return Ok(0);
            };
            let n = match part {
                Part::Bytes(bytes, at) => {
                    let n = (bytes.len() - *at).min(buf.len());
                    buf[..n].copy_from_slice(&bytes[*at..*at + n]);
                    *at += n;
                    n
                }
                Part::File { path, open, size } => {
                    if open.is_none() {
                        *open = Some(File::open(&*path)?.take(*size));
                    }
                    let reader = open.as_mut().ok_or_else(|| io::Error::other("not open"))?;
                    let n = reader.read(buf)?;
                    if n == 0 && reader.limit() > 0 {
                        // The file is shorter than when it was listed.
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("{} changed while it was being backed up", path.display()),
                        ));
                    }
                    n
                }
            };
            if n == 0 {
                self.parts.pop_front();
                continue;
            }
            self.done += n as u64;
            if !(self.keep_going)(self.done, self.total) {
                return Err(io::Error::other(Stopped));
            }
            return Ok(n);
        }
    }
}

/// An archive entry's place in the folder being filled, or why it has none.
/// What an entry is, from its kind and name: the database, or the evidence file of an item.
fn entry_of(kind: u8, name: &str) -> io::Result<Option<Uuid>> {
    match kind {
        KIND_DATABASE if name == DATABASE_NAME => Ok(None),
        KIND_EVIDENCE => name
            .strip_suffix(".hbev")
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(Some)
            .ok_or_else(|| damaged_entry("an evidence file's name")),
        _ => Err(damaged_entry("an entry")),
    }
}

fn damaged_entry(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what} is not valid"))
}

/// An entry's kind, name and size once its head is complete.
fn parse_head(head: &[u8]) -> io::Result<Option<(u8, String, u64)>> {
    if head.len() < 3 {
        return Ok(None);
    }
    let name_len = u16::from_be_bytes([head[1], head[2]]) as usize;
    if head.len() < 3 + name_len + 8 {
        return Ok(None);
    }
    let name = String::from_utf8(head[3..3 + name_len].to_vec())
        .map_err(|_| damaged_entry("an entry's name"))?;
    let mut size = [0u8; 8];
    size.copy_from_slice(&head[3 + name_len..3 + name_len + 8]);
    Ok(Some((head[0], name, u64::from_be_bytes(size))))
}

enum State {
    Head(Vec<u8>),
    Body {
        out: Option<BufWriter<File>>,
        check: Option<Checker>,
        left: u64,
    },
    End,
}

/// Receives the archive's bytes (already authenticated) and writes each entry to its file:
/// the database to `db_path`, evidence into `evidence_dir` (or, with none, nowhere: a
/// backup being checked needs only each file's hash). Every evidence file is checked.
pub struct ArchiveSink {
    db_path: PathBuf,
    evidence_dir: Option<PathBuf>,
    master: Arc<MasterKey>,
    state: State,
    pub has_database: bool,
    pub evidence_files: usize,
    pub written: Vec<PathBuf>,
    /// Each evidence file's plaintext SHA-256, as decrypting it found.
    pub found: Vec<Found>,
}

impl ArchiveSink {
    pub fn new(db_path: PathBuf, evidence_dir: Option<PathBuf>, master: MasterKey) -> Self {
        ArchiveSink {
            db_path,
            evidence_dir,
            master: Arc::new(master),
            state: State::Head(Vec::new()),
            has_database: false,
            evidence_files: 0,
            written: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Whether the end entry has been read.
    pub fn complete(&self) -> bool {
        matches!(self.state, State::End)
    }

    fn start_entry(&mut self, kind: u8, name: &str, size: u64) -> io::Result<()> {
        if kind == KIND_END {
            self.state = State::End;
            return Ok(());
        }
        let item = entry_of(kind, name)?;
        let path = match item {
            None => {
                if self.has_database {
                    return Err(damaged_entry("a second database"));
                }
                self.has_database = true;
                Some(self.db_path.clone())
            }
            Some(id) => {
                if !self.has_database {
                    return Err(damaged_entry("an entry before the database"));
                }
                self.evidence_files += 1;
                match &self.evidence_dir {
                    Some(dir) => {
                        std::fs::create_dir_all(dir)?;
                        Some(dir.join(format!("{id}.hbev")))
                    }
                    None => None,
                }
            }
        };
        let out = match path {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)?;
                self.written.push(path);
                Some(BufWriter::with_capacity(256 * 1024, file))
            }
            None => None,
        };
        let check = match item {
            Some(id) => Some(Checker::start(&self.master, id)?),
            None => None,
        };
        self.state = State::Body {
            out,
            check,
            left: size,
        };
        self.finish_body_if_done()
    }

    fn finish_body_if_done(&mut self) -> io::Result<()> {
        if let State::Body { left: 0, .. } = self.state {
            if let State::Body { out, check, .. } =
                std::mem::replace(&mut self.state, State::Head(vec![]))
            {
                if let Some(check) = check {
                    self.found.push(check.finish());
                }
                if let Some(out) = out {
                    let file = out.into_inner().map_err(|e| e.into_error())?;
                    file.sync_all()?;
                }
            }
        }
        Ok(())
    }
}

impl Write for ArchiveSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            match &mut self.state {
                State::End => return Err(damaged_entry("data after the end")),
                State::Body { out, check, left } => {
                    let n = (*left).min(rest.len() as u64) as usize;
                    if let Some(check) = check {
                        check.feed(&rest[..n]);
                    }
                    if let Some(out) = out {
                        out.write_all(&rest[..n])?;
                    }
                    *left -= n as u64;
                    rest = &rest[n..];
                    self.finish_body_if_done()?;
                }
                State::Head(head) => {
                    head.push(rest[0]);
                    rest = &rest[1..];
                    if let Some((kind, name, size)) = parse_head(head)? {
                        self.start_entry(kind, &name, size)?;
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let State::Body { out: Some(out), .. } = &mut self.state {
            out.flush()?;
        }
        Ok(())
    }
}
