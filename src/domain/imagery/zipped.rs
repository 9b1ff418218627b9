//! Looking into a ZIP file (a chat export, a data download, DOCX, XLSX, PPTX, ODT, EPUB…)
//! one entry at a time, straight from the file or from memory, never unpacked to disk.

use std::io::{Read, Seek};

use zip::result::ZipError;
use zip::ZipArchive;

use super::signature::name_says_imagery;
use super::{Outcome, Stop, Walk};

fn reason(e: &ZipError) -> String {
    match e {
        ZipError::UnsupportedArchive(what) if what.to_lowercase().contains("password") => {
            "it is protected with a password".into()
        }
        ZipError::InvalidPassword => "it is protected with a password".into(),
        ZipError::CompressionMethodNotSupported(_) | ZipError::UnsupportedArchive(_) => {
            "it uses a kind of compression Harbour cannot read".into()
        }
        ZipError::Io(io) => format!("it is damaged or incomplete ({io})"),
        _ => "it is damaged or incomplete".into(),
    }
}

/// Looks at every entry of a ZIP archive whose entries are `depth` containers deep.
pub(super) fn walk<R: Read + Seek>(w: &mut Walk, reader: R, depth: usize) -> Outcome {
    let mut archive = ZipArchive::new(reader).map_err(|e| Stop::unchecked(reason(&e)))?;
    for i in 0..archive.len() {
        w.entry()?;
        let (name, encrypted, is_dir) = {
            let raw = archive
                .by_index_raw(i)
                .map_err(|e| Stop::unchecked(reason(&e)))?;
            let name = raw
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("entry {}", i + 1));
            (name, raw.encrypted(), raw.is_dir())
        };
        if is_dir {
            continue;
        }
        if encrypted {
            return Err(Stop::unchecked("it is protected with a password").within(&name));
        }
        if let Some(kind) = name_says_imagery(&name) {
            return Err(Stop::imagery(kind).within(&name));
        }
        let entry = archive
            .by_index(i)
            .map_err(|e| Stop::unchecked(reason(&e)).within(&name))?;
        w.stream(entry, depth).map_err(|s| s.within(&name))?;
    }
    Ok(())
}
