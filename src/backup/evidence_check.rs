//! Checking each evidence file while a backup is unpacked.
//!
//! An evidence entry's bytes are an evidence file exactly as stored (`HBEV`, encrypted). As
//! they are read out of the backup, they are also fed through a pipe to a second thread that
//! decrypts them and takes the plaintext's SHA-256, so each evidence byte is read out of the
//! backup once and the two decryptions run on two cores. The hashes are compared with the
//! ones the log recorded at capture once the database is open.

use crate::code::Code;
use std::io::{self, BufWriter, PipeWriter, Write};
use std::sync::Arc;
use std::thread::JoinHandle;

use harbour_evidence::MasterKey;
use uuid::Uuid;

/// What decrypting one evidence file found: its plaintext's SHA-256, or `None` when it did not
/// decrypt (damaged, cut short, or not encrypted for that item).
pub type Found = (Uuid, Option<String>);

/// The check of one evidence file, fed as its bytes go by.
pub struct Checker {
    id: Uuid,
    feed: Option<BufWriter<PipeWriter>>,
    worker: JoinHandle<Option<String>>,
}

impl Checker {
    /// Starts checking the evidence file of item `id`.
    pub fn start(master: &Arc<MasterKey>, id: Uuid) -> io::Result<Checker> {
        let (from, to) = io::pipe()?;
        let master = Arc::clone(master);
        let worker = std::thread::Builder::new()
            .name("harbour-evidence-check".into())
            .spawn(move || {
                let reader = io::BufReader::with_capacity(256 * 1024, from);
                harbour_evidence::decrypt_stream(&master, &id.to_string(), reader, io::sink())
                    .ok()
                    .map(|summary| summary.sha256)
            })?;
        Ok(Checker {
            id,
            feed: Some(BufWriter::with_capacity(256 * 1024, to)),
            worker,
        })
    }

    /// Feeds the next bytes. A file that has already failed is fed no more: the worker has
    /// stopped reading, and its answer is already known.
    pub fn feed(&mut self, bytes: &[u8]) {
        if let Some(feed) = &mut self.feed {
            if feed.write_all(bytes).is_err() {
                self.feed = None;
            }
        }
    }

    /// Ends the file and waits for the worker's answer.
    pub fn finish(mut self) -> Found {
        if let Some(mut feed) = self.feed.take() {
            let _ = feed.flush();
        }
        (self.id, self.worker.join().ok().flatten())
    }
}

/// Every evidence item the backed-up log holds (and has not erased) had its file in the
/// backup, and the file decrypted to the SHA-256 recorded at capture.
pub fn compare(conn: &rusqlite::Connection, found: &[Found]) -> crate::Result<()> {
    let found: std::collections::HashMap<String, &Option<String>> = found
        .iter()
        .map(|(id, sha256)| (id.to_string(), sha256))
        .collect();
    let mut stmt = conn.prepare(
        "SELECT id, description, sha256 FROM evidence_items WHERE status <> 'erased' ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (id, description, sha256): (String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        match found.get(&id) {
            None => {
                return Err(super::refused(
                    Code::BackupEvidenceMissing,
                    format!("The backup does not hold the file of evidence item {id} (\u{201c}{description}\u{201d}), so it is not a whole backup."),
                ))
            }
            Some(Some(got)) if *got == sha256 => {}
            Some(_) => {
                return Err(crate::Error::EvidenceChanged {
                    item: id,
                    description,
                })
            }
        }
    }
    Ok(())
}
