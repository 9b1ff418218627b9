//! An OLE compound file, read with `cfb`: Outlook's `.msg` and the older Word, Excel and
//! PowerPoint files. Every stream is read (each bounded) and looked at: an attachment's
//! type or name (a `.msg` keeps them in property streams), its bytes (an attached photo,
//! archive or document), and a picture kept whole inside a stream, as the older Office
//! files keep theirs.

use std::io::{Read, Seek};
use std::path::PathBuf;

use super::signature::{embedded_picture, name_says_imagery};
use super::{Outcome, Stop, Walk, MAX_IN_MEMORY};

/// A `.msg` property stream holding text: the attachment's MIME type (0x370E) or file
/// name (0x3704 short, 0x3707 long), in UTF-16 (001F) or 8-bit (001E).
fn property_text(name: &str, bytes: &[u8]) -> Option<(u16, String)> {
    let tag = name.strip_prefix("__substg1.0_")?;
    let (prop, kind) = (tag.get(..4)?, tag.get(4..8)?);
    let prop = u16::from_str_radix(prop, 16).ok()?;
    let text = match kind {
        "001F" => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        "001E" => String::from_utf8_lossy(bytes).into_owned(),
        _ => return None,
    };
    Some((prop, text.trim_end_matches('\0').to_string()))
}

/// How a stream is named to people: "attachment 1" for the data of a `.msg` attachment,
/// otherwise its path inside the file.
fn shown_name(path: &std::path::Path) -> String {
    let attachment = path.components().find_map(|c| {
        let c = c.as_os_str().to_string_lossy();
        let n = c.strip_prefix("__attach_version1.0_#")?;
        u32::from_str_radix(n, 16).ok()
    });
    match attachment {
        Some(n) => format!("attachment {}", n + 1),
        None => path.to_string_lossy().trim_start_matches('/').to_string(),
    }
}

/// Looks at every stream of a compound file; their contents are `depth` containers deep.
pub(super) fn walk<R: Read + Seek>(w: &mut Walk, reader: R, depth: usize) -> Outcome {
    let mut file = cfb::CompoundFile::open(reader)
        .map_err(|e| Stop::unchecked(format!("it is damaged or incomplete ({e})")))?;
    let streams: Vec<(PathBuf, u64)> = file
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| (e.path().to_path_buf(), e.len()))
        .collect();
    if streams.iter().any(|(p, _)| p.ends_with("EncryptionInfo")) {
        return Err(Stop::unchecked("it is protected with a password"));
    }
    for (path, len) in streams {
        w.entry()?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = shown_name(&path);
        if len > MAX_IN_MEMORY as u64 {
            return Err(Stop::unchecked(format!(
                "a part of it is larger than {} MB, too large to check",
                MAX_IN_MEMORY / (1024 * 1024)
            ))
            .within(&shown));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.open_stream(&path)
            .and_then(|mut s| s.read_to_end(&mut bytes))
            .map_err(|e| {
                Stop::unchecked(format!("it is damaged or incomplete ({e})")).within(&shown)
            })?;
        w.spend(bytes.len())?;
        if let Some((prop, text)) = property_text(&name, &bytes) {
            let lower = text.to_ascii_lowercase();
            let imagery = match prop {
                0x370E if lower.starts_with("image/") => Some("image"),
                0x370E if lower.starts_with("video/") => Some("video"),
                0x3704 | 0x3707 => name_says_imagery(&text),
                _ => None,
            };
            if let Some(kind) = imagery {
                return Err(Stop::imagery(kind).within(&text));
            }
            continue;
        }
        w.bytes(&bytes, depth).map_err(|s| s.within(&shown))?;
        if let Some(kind) = embedded_picture(&bytes) {
            return Err(Stop::imagery(kind).within(&shown));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::property_text;

    #[test]
    fn an_attachment_s_type_and_name_are_read_from_their_streams() {
        let utf16: Vec<u8> = "image/jpeg\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(
            property_text("__substg1.0_370E001F", &utf16),
            Some((0x370E, "image/jpeg".to_string()))
        );
        assert_eq!(
            property_text("__substg1.0_3707001E", b"photo.JPG\0"),
            Some((0x3707, "photo.JPG".to_string()))
        );
        assert_eq!(property_text("__substg1.0_37010102", b"\xff\xd8"), None);
    }
}
