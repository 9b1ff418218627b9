//! Where each entry of a pack lies in the ZIP file, checked before anything is hashed.
//!
//! A ZIP file can be read in more than one way, and a forger can use that: two entries with
//! the same name (one reader shows the first, another the last, so a forged first copy of an
//! evidence file sits beside the signed one), entries whose bytes overlap (a "zip bomb": a few
//! megabytes that read as gigabytes, every entry intact), a local header that names a
//! different file from the ZIP's list of contents, or whole files hidden between the listed
//! ones where only some tools see them. Harbour writes none of these: its entries follow one
//! another from the first byte of the file to its list of contents, each exactly once, with
//! at most a data descriptor (24 bytes, written by the streaming form used for encrypted
//! packs) between them. So anything else is refused, naming the entry concerned, before a
//! single byte of evidence is read.

use std::collections::HashSet;
use std::io::{Read, Seek};

use zip::{ZipArchive, ZipReadOptions};

use crate::verify::VerifyError;

/// The most a data descriptor takes: signature, CRC-32 and two 64-bit sizes.
const MAX_DESCRIPTOR: u64 = 24;

/// One entry's place in the file.
struct Span {
    name: String,
    header_start: u64,
    data_end: u64,
    descriptor: bool,
}

/// The refusal for a ZIP whose central directory repeats a name (see
/// [`ZipArchive::has_duplicate_names`]). `ZipArchive` keeps only the last entry of a
/// repeated name, so the repeat is named from a second pass over the directory.
pub(crate) fn duplicate<R: Read + Seek>(zip: ZipArchive<R>) -> VerifyError {
    VerifyError::Duplicate {
        path: repeated_name(zip.into_inner()).unwrap_or_else(|| "One of its files".to_string()),
    }
}

/// The first name the central directory lists twice (the list `unzip` reads).
fn repeated_name<R: Read + Seek>(reader: R) -> Option<String> {
    let mut iterable =
        zip::unstable::read::ZipIterable::try_new(reader, zip::read::Config::default()).ok()?;
    let mut seen = HashSet::new();
    for entry in iterable.files().ok()? {
        let entry = entry.ok()?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if !seen.insert(name.clone()) {
            return Some(name);
        }
    }
    None
}

/// Checks that every entry's two headers agree and that the entries tile the file from its
/// first byte to the central directory, in order, without overlapping or leaving room for
/// anything else.
pub(crate) fn check_layout<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<(), VerifyError> {
    let mut spans = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(VerifyError::NotZip)?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let data_end = entry
            .data_start()
            .and_then(|start| start.checked_add(entry.compressed_size()));
        let Some(data_end) = data_end else {
            return Err(VerifyError::Inconsistent { path: name });
        };
        spans.push(Span {
            header_start: entry.header_start(),
            data_end,
            descriptor: entry.flags().is_using_data_descriptor(),
            name,
        });
    }
    spans.sort_by_key(|s| (s.header_start, s.data_end));

    let directory = zip.central_directory_start();
    let mut end = 0u64;
    let mut previous: Option<&Span> = None;
    for span in &spans {
        check_gap(previous, end, span.header_start, &span.name)?;
        if span.data_end > directory {
            return Err(VerifyError::Overlap {
                first: span.name.clone(),
                second: "the ZIP's list of contents".to_string(),
            });
        }
        end = span.data_end;
        previous = Some(span);
    }
    check_gap(previous, end, directory, "the ZIP's list of contents")?;

    // Each entry's local header must say what the list of contents says (the same name,
    // sizes, CRC-32 and method), so every tool reads the same file from it.
    for index in 0..zip.len() {
        let options = ZipReadOptions::new().enforce_header_consistency(true);
        if zip.by_index_with_options(index, options).is_err() {
            let name = match zip.name_for_index(index) {
                Some(Ok(name)) => name.into_owned(),
                _ => "One of its files".to_string(),
            };
            return Err(VerifyError::Inconsistent { path: name });
        }
    }
    Ok(())
}

/// Between the end of one entry and the start of the next (or of the central directory)
/// there may be nothing, or only the previous entry's data descriptor.
fn check_gap(
    previous: Option<&Span>,
    end: u64,
    next: u64,
    next_name: &str,
) -> Result<(), VerifyError> {
    if next < end {
        return Err(VerifyError::Overlap {
            first: previous.map(|p| p.name.clone()).unwrap_or_default(),
            second: next_name.to_string(),
        });
    }
    let room = next - end;
    let descriptor = previous.is_some_and(|p| p.descriptor);
    if room == 0 || (descriptor && room <= MAX_DESCRIPTOR) {
        return Ok(());
    }
    Err(VerifyError::HiddenData {
        before: next_name.to_string(),
    })
}
