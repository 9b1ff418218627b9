//! Opening a backup: its header, its key (passphrase, recovery key or keyring), and its
//! entries decrypted into a folder. Shared by `backup verify` and `backup restore`.
//!
//! Each chunk is authenticated before its bytes are written, but a later chunk can still fail,
//! so what is written is trusted only once the whole stream has opened and its end entry has
//! been read; callers write into a place that is discarded on failure.

use crate::code::Code;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use harbour_evidence::{MasterKey, StreamError};

use super::archive::{self, ArchiveSink};
use super::format::{self, Header};
use super::{damaged, refused};
use crate::keys::{keyring_store, DataKey};
use crate::{Error, Result, Unlock};

/// An opened backup file, its header read and its key unwrapped; nothing decrypted yet.
pub struct Opened {
    pub header: Header,
    pub key: DataKey,
    checksum: [u8; 32],
    reader: BufReader<File>,
    len: u64,
    path: PathBuf,
}

/// What decrypting wrote, and what it found of each evidence file.
pub struct Unpacked {
    pub evidence_files: usize,
    pub found: Vec<super::evidence_check::Found>,
}

fn read_error(path: &Path, e: &std::io::Error) -> Error {
    Error::ReadFile {
        path: path.to_path_buf(),
        reason: crate::error::plain_io(e),
    }
}

/// "Northbridge Training (MAN), made 02/12/2026 17:20", for sentences about a backup.
pub fn describe(header: &Header) -> String {
    let who = if header.centre.is_empty() {
        header.organisation.clone()
    } else {
        format!("{} ({})", header.organisation, header.centre)
    };
    format!(
        "{who}, made {}",
        crate::domain::time::show_millis(header.made_ms)
    )
}

/// Reads the header and unwraps the data key. A wrong key changes nothing anywhere.
pub fn open(path: &Path, how: Unlock<'_>) -> Result<Opened> {
    let file = File::open(path).map_err(|e| read_error(path, &e))?;
    let len = file.metadata().map_err(|e| read_error(path, &e))?.len();
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let (header, checksum) = format::read(&mut reader, path)?;
    let key = match how {
        Unlock::Passphrase(p) => header.keys.unlock_with_passphrase(p),
        Unlock::Recovery(r) => header.keys.unlock_with_recovery(r),
        Unlock::Keyring => keyring_store::recall(header.keys.folder_id),
    }
    .map_err(|e| match e {
        Error::WrongPassphrase => refused(
            Code::BackupWrongPassphrase,
            format!(
                "That passphrase does not open this backup of {}; if it is another organisation's backup, it needs their passphrase. Nothing was changed.",
                describe(&header)
            ),
        ),
        Error::WrongRecoveryKey => refused(
            Code::BackupWrongRecoveryKey,
            format!(
                "That recovery key does not open this backup of {}; if it is another organisation's backup, it needs their recovery key. Nothing was changed.",
                describe(&header)
            ),
        ),
        other => other,
    })?;
    Ok(Opened {
        header,
        key,
        checksum,
        reader,
        len,
        path: path.to_path_buf(),
    })
}

struct Counting<'a, R> {
    inner: R,
    done: u64,
    total: u64,
    keep_going: &'a mut dyn FnMut(u64, u64) -> bool,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if !(self.keep_going)(self.done, self.total) {
            return Err(std::io::Error::other(archive::Stopped));
        }
        Ok(n)
    }
}

impl Opened {
    /// Decrypts every entry: the database to `db_path`, evidence files into `evidence_dir`
    /// (with none, evidence files are only checked, not written). On failure, files already
    /// written are listed in `written` for the caller to remove.
    pub fn unpack_into(
        self,
        db_path: PathBuf,
        evidence_dir: Option<PathBuf>,
        written: &mut Vec<PathBuf>,
        keep_going: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Unpacked> {
        let master = MasterKey::from_bytes(*self.key.expose());
        let target = evidence_dir.clone().unwrap_or_else(|| db_path.clone());
        let mut sink = ArchiveSink::new(
            db_path,
            evidence_dir,
            MasterKey::from_bytes(*self.key.expose()),
        );
        let reader = Counting {
            inner: self.reader,
            done: 0,
            total: self.len,
            keep_going,
        };
        let result = harbour_evidence::decrypt_stream_unhashed(
            &master,
            &Header::stream_item(&self.checksum),
            reader,
            &mut sink,
        );
        written.append(&mut sink.written);
        match result {
            Ok(_) => {}
            Err(StreamError::Read(e)) if archive::is_stop(&e) => return Err(Error::Cancelled),
            Err(StreamError::Write(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(damaged())
            }
            Err(StreamError::Write(e)) => return Err(Error::io(&target, &e)),
            Err(StreamError::Read(e)) => return Err(read_error(&self.path, &e)),
            Err(_) => return Err(damaged()),
        }
        if !sink.complete() || !sink.has_database {
            return Err(damaged());
        }
        Ok(Unpacked {
            evidence_files: sink.evidence_files,
            found: std::mem::take(&mut sink.found),
        })
    }
}
