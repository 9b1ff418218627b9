//! Reading a learner CSV file safely: bounded in size, UTF-8 only, rows bounded in length.
//!
//! A list of new starters is small (a thousand learners is under 100 KB), so a file larger
//! than [`MAX_FILE_BYTES`] is the wrong file — `learner import /dev/zero` used to read until
//! memory ran out and abort. It is read at most that far, into memory, and refused with one
//! sentence.
//!
//! The file must be UTF-8. Excel's plain "CSV" choice saves in the Windows code page
//! (Windows-1252), and its "CSV UTF-8" choice in UTF-8. Harbour does not guess: a name read
//! in the wrong encoding would be stored misspelt in a record that is never edited in
//! place, and a guess cannot tell Windows-1252 from the other code pages a spreadsheet may
//! use. Re-saving as "CSV UTF-8" is one step, so a file that is not UTF-8 is refused with
//! that step and the line of the first character that could not be read.

use std::io::Read;

use crate::{Error, Result};

/// The largest learner CSV file read: 10 MB, about 100,000 learners.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The longest row: 16 KB. A learner's row of seven columns is a few hundred bytes.
pub const MAX_ROW_BYTES: usize = 16 * 1024;

/// Reads the whole file (at most [`MAX_FILE_BYTES`]) as UTF-8 text, without a byte-order
/// mark.
pub fn read(input: impl Read) -> Result<String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Error::invalid(format!(
                "The CSV file could not be read: {}.",
                crate::error::plain_io(&e)
            ))
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::invalid(format!(
            "The file is larger than {} MB, far too large for a list of learners; check that it is the right file.",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let line = body[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(Error::invalid(format!(
                "The file is not saved as UTF-8 (line {line} has a character that cannot be read); in Excel choose Save As, then \"CSV UTF-8 (Comma delimited)\", and import that file."
            )))
        }
    }
}

/// The line of the file a record starts on. The csv crate's position for a record is where
/// reading it began, before the blank lines it skipped, so those are counted here.
pub fn line_of(content: &str, position: Option<&csv::Position>) -> u64 {
    let Some(p) = position else {
        return 0;
    };
    let skipped = content
        .as_bytes()
        .get(p.byte() as usize..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    p.line() + skipped as u64
}

/// What is wrong with a row's shape, if anything: too long, or not as many columns as the
/// header (columns beyond the header's that are empty, as spreadsheets add, are fine).
pub fn row_problem(record: &csv::StringRecord, columns: usize) -> Option<String> {
    if record.as_slice().len() > MAX_ROW_BYTES {
        return Some(format!(
            "the row is longer than {} KB, far longer than a learner's details",
            MAX_ROW_BYTES / 1024
        ));
    }
    let extra_filled = record.iter().skip(columns).any(|f| !f.is_empty());
    if record.len() < columns || extra_filled {
        return Some(format!(
            "the row has {} columns but the header has {columns}",
            record.len()
        ));
    }
    None
}
