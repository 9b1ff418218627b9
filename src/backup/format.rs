//! The backup file's header, and how the encrypted stream after it is bound to it.
//!
//! ```text
//! 8 bytes   magic "HBBACKUP"
//! 2 bytes   format version, big-endian (this build writes and reads 1)
//! 4 bytes   header length N, big-endian
//! N bytes   header, JSON (`Header`): backup id, when made, organisation, centre, device,
//!           and `keys.json` exactly as in the data folder
//! 32 bytes  SHA-256 of the N header bytes
//! ...       the stream: `harbour_evidence::stream` (HBEV v1, ChaCha20-Poly1305 STREAM in
//!           64 KiB chunks) under the data key, item id "harbour-backup/v1/" + hex(SHA-256)
//! ```
//!
//! The header's checksum makes a damaged header say "damaged" rather than "wrong
//! passphrase"; the stream's key being derived from that checksum is what authenticates the
//! header: change any byte of it and the stream no longer opens.

use crate::code::Code;
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{damaged, refused};
use crate::keys::KeyFile;
use crate::{Error, Result};

/// The first bytes of every backup.
pub const MAGIC: &[u8; 8] = b"HBBACKUP";
/// The format version this build writes and reads.
pub const VERSION: u16 = 1;
/// Headers are small (a key file and a few names); anything larger is damage.
const MAX_HEADER: u32 = 64 * 1024;

/// What the header says, in the clear: nothing more than the file name shows, plus the
/// wrapped key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub backup_id: Uuid,
    /// When the database copy was taken (milliseconds since 1970, UTC).
    pub made_ms: i64,
    pub organisation: String,
    pub centre: String,
    /// The device whose data folder this is.
    pub device_id: Uuid,
    /// `keys.json` as it is: the data key wrapped under the passphrase and the recovery key.
    pub keys: KeyFile,
}

impl Header {
    /// The item id the stream's key is derived for, bound to the header's exact bytes.
    pub fn stream_item(checksum: &[u8; 32]) -> String {
        format!("harbour-backup/v1/{}", hex::encode(checksum))
    }
}

/// Writes the header; returns its checksum (for the stream's key).
pub fn write(w: &mut impl Write, header: &Header) -> std::io::Result<[u8; 32]> {
    let json = serde_json::to_vec(header).map_err(std::io::Error::other)?;
    let sum: [u8; 32] = Sha256::digest(&json).into();
    w.write_all(MAGIC)?;
    w.write_all(&VERSION.to_be_bytes())?;
    w.write_all(&(json.len() as u32).to_be_bytes())?;
    w.write_all(&json)?;
    w.write_all(&sum)?;
    Ok(sum)
}

/// Fills `buf`; returns how many bytes there were (fewer at the end of the file).
fn fill(r: &mut impl Read, buf: &mut [u8], path: &std::path::Path) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::ReadFile {
                    path: path.to_path_buf(),
                    reason: crate::error::plain_io(&e),
                })
            }
        }
    }
    Ok(got)
}

fn read_exact_or(r: &mut impl Read, buf: &mut [u8], path: &std::path::Path) -> Result<bool> {
    Ok(fill(r, buf, path)? == buf.len())
}

fn not_a_backup() -> Error {
    refused(
        Code::NotABackup,
        "This file is not a Harbour backup; nothing was changed.",
    )
}

/// Reads and checks the header; returns it with its checksum.
pub fn read(r: &mut impl Read, path: &std::path::Path) -> Result<(Header, [u8; 32])> {
    let mut magic = [0u8; 8];
    let got = fill(r, &mut magic, path)?;
    if got < MAGIC.len() {
        // A file cut short inside the magic is still recognisably a backup.
        return Err(if got > 0 && magic[..got] == MAGIC[..got] {
            damaged()
        } else {
            not_a_backup()
        });
    }
    if &magic != MAGIC {
        return Err(not_a_backup());
    }
    let mut fixed = [0u8; 6];
    if !read_exact_or(r, &mut fixed, path)? {
        return Err(damaged());
    }
    let version = u16::from_be_bytes([fixed[0], fixed[1]]);
    if version > VERSION {
        return Err(refused(
            Code::BackupNewerVersion,
            format!("This backup was made by a newer version of Harbour (backup format {version}); update Harbour to open it. Nothing was changed."),
        ));
    }
    if version == 0 {
        return Err(damaged());
    }
    let len = u32::from_be_bytes([fixed[2], fixed[3], fixed[4], fixed[5]]);
    if len > MAX_HEADER {
        return Err(damaged());
    }
    let mut json = vec![0u8; len as usize];
    let mut sum = [0u8; 32];
    if !read_exact_or(r, &mut json, path)? || !read_exact_or(r, &mut sum, path)? {
        return Err(damaged());
    }
    let actual: [u8; 32] = Sha256::digest(&json).into();
    if actual != sum {
        return Err(damaged());
    }
    let header: Header = serde_json::from_slice(&json).map_err(|_| damaged())?;
    if header.keys.format > crate::keys::keyfile::FORMAT {
        return Err(refused(
            Code::BackupNewerVersion,
            "This backup was made by a newer version of Harbour; update Harbour to open it. Nothing was changed.",
        ));
    }
    Ok((header, sum))
}
