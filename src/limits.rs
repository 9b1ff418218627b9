//! Size bounds on the files Harbour reads whole: a file is checked against its bound before
//! it is read, and read no further than the bound, so a wrong or hostile file (a 3 GB file
//! named like a bundle, `/dev/zero` given as a CSV) is refused with one sentence instead of
//! exhausting memory.
//!
//! Every reader of a file a person or a peer can give Harbour, and its bound:
//!
//! | File | Bound | Where |
//! |---|---|---|
//! | learner CSV (`learner import`, `forms print --cohort`, the app) | 10 MB, rows 16 KB | `ops::learners` |
//! | account file (`incident new --account-file`) | 256 KB, as a typed account | [`read_text`] |
//! | form and procedure templates (`forms adapt`, `procedure adapt`) | [`TEMPLATE_BYTES`] | [`read_text`] |
//! | passphrase or recovery-key file | [`SECRET_FILE_BYTES`] | [`read_text`] |
//! | the data folder's `keys.json` | [`KEY_FILE_BYTES`] | `keys::keyfile` |
//! | peer card (`peer add`) | [`CARD_BYTES`] | `sync::peers` |
//! | sync bundle (`sync import`, shared folder) | [`crate::sync::envelope::MAX_BUNDLE_BYTES`], and its header first | `sync::envelope::read_file` |
//!
//! Evidence files are never read whole: they are streamed through the hash and the
//! encryption in small blocks, so their size bounds only disk space. The imagery check
//! reads the first 64 bytes of a file.

use std::io::Read;
use std::path::Path;

use crate::{Error, Result};

/// A form or procedure template: a TOML file of a few KB.
pub const TEMPLATE_BYTES: u64 = 1024 * 1024;

/// A file holding a passphrase or recovery key on its first line.
pub const SECRET_FILE_BYTES: u64 = 64 * 1024;

/// The data folder's `keys.json`: a few hundred bytes of JSON.
pub const KEY_FILE_BYTES: u64 = 1024 * 1024;

/// A peer's card: a small JSON file.
pub const CARD_BYTES: u64 = 64 * 1024;

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// The sentence for a file over its bound.
pub fn too_large(path: &Path, what: &str, max: u64) -> Error {
    Error::invalid(format!(
        "{} is larger than {}, too large to be {what}; check that it is the right file.",
        path.display(),
        size(max)
    ))
}

/// Reads a whole file of at most `max` bytes; `what` names what it should be ("a form
/// template"). A larger file is refused without being read.
pub fn read_bytes(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    let unreadable = |e: std::io::Error| Error::ReadFile {
        path: path.to_path_buf(),
        reason: crate::error::plain_io(&e),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.len() > max {
        return Err(too_large(path, what, max));
    }
    // Not trusting the size alone: a device or a growing file reports 0.
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max {
        return Err(too_large(path, what, max));
    }
    Ok(bytes)
}

/// As [`read_bytes`], for a text file, which must be UTF-8.
pub fn read_text(path: &Path, max: u64, what: &str) -> Result<String> {
    let bytes = read_bytes(path, max, what)?;
    String::from_utf8(bytes).map_err(|_| {
        Error::invalid(format!(
            "{} is not saved as UTF-8 text; save it as UTF-8 and try again.",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_its_bound_is_refused_and_one_within_it_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("t.toml");
        std::fs::write(&path, vec![b'a'; 2048]).expect("write");
        assert_eq!(
            read_text(&path, 2048, "a template").expect("read").len(),
            2048
        );
        let e = read_text(&path, 2047, "a template").expect_err("too large");
        assert!(e.to_string().contains("too large to be a template"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_read_no_further_than_the_bound() {
        let e = read_bytes(Path::new("/dev/zero"), 4096, "a card").expect_err("endless");
        assert!(e.to_string().contains("larger than 4 KB"), "{e}");
    }
}
