//! Telling an image or video apart from other files by its first bytes, not its name.
//!
//! The `infer` crate knows most signatures; the small table here covers what it does not
//! (older QuickTime atoms, 3GP, JPEG 2000 codestreams, icons, every ISO media brand but the
//! audio ones) and is not meant to grow. Inside archives and documents, where a name is all
//! that is left of some pictures (EMF drawings in a Word file, say), a name with an image or
//! video extension counts too: refusing a mis-named text file there is the safe mistake.

use std::io::Read;
use std::path::Path;

/// What the first bytes of a file say it is, if it is an image or a video.
pub fn kind_of(head: &[u8]) -> Option<&'static str> {
    if let Some(kind) = by_table(head) {
        return Some(kind);
    }
    if is_svg(head) {
        return Some("SVG image");
    }
    let found = infer::get(head)?;
    // `infer` takes any file starting "BM" for a bitmap and four bytes for an icon, so a
    // chat log about a BMX club would be an image: the table's stricter checks decide these.
    if matches!(
        found.mime_type(),
        "image/bmp" | "image/x-icon" | "image/vnd.microsoft.icon"
    ) {
        return None;
    }
    match found.matcher_type() {
        infer::MatcherType::Image => Some("image"),
        infer::MatcherType::Video => Some("video"),
        _ => None,
    }
}

/// A text file whose first element is `<svg` (after any XML declaration, comment or
/// doctype): a drawing, which is imagery too. A web page with an icon drawn inline is not
/// taken for one.
fn is_svg(head: &[u8]) -> bool {
    let mut rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    loop {
        let start = rest.iter().position(|b| !b.is_ascii_whitespace());
        rest = match start {
            Some(i) => &rest[i..],
            None => return false,
        };
        if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
            let end = if rest.starts_with(b"<!--") {
                find(rest, b"-->").map(|i| i + 3)
            } else {
                rest.iter().position(|b| *b == b'>').map(|i| i + 1)
            };
            match end {
                Some(e) => rest = &rest[e..],
                None => return false,
            }
            continue;
        }
        return rest.len() > 4 && rest[..4].eq_ignore_ascii_case(b"<svg");
    }
}

/// Where `needle` first occurs in `hay`.
pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A picture stored whole somewhere inside other bytes (an older Word, Excel or PowerPoint
/// file keeps its pictures this way): a PNG, GIF or JPEG (with its JFIF or Exif header)
/// signature anywhere. These signatures are long enough that other data does not make them
/// by chance.
pub fn embedded_picture(bytes: &[u8]) -> Option<&'static str> {
    if find(bytes, b"\x89PNG\r\n\x1a\n").is_some() {
        return Some("PNG image");
    }
    if find(bytes, b"GIF89a").is_some() || find(bytes, b"GIF87a").is_some() {
        return Some("GIF image");
    }
    let mut from = 0;
    while let Some(i) = find(&bytes[from..], &[0xFF, 0xD8, 0xFF]) {
        let at = from + i;
        let tail = &bytes[at..];
        let marker = tail.get(3).copied();
        let label = tail.get(6..10);
        if (marker == Some(0xE0) && label == Some(b"JFIF"))
            || (marker == Some(0xE1) && label == Some(b"Exif"))
        {
            return Some("JPEG image");
        }
        from = at + 3;
    }
    None
}

/// Whether a name inside an archive or e-mail ends as an image or video file's does.
pub fn name_says_imagery(name: &str) -> Option<&'static str> {
    const IMAGE: &[&str] = &[
        "jpg", "jpeg", "jpe", "jfif", "png", "apng", "gif", "webp", "heic", "heif", "avif", "bmp",
        "dib", "tif", "tiff", "svg", "svgz", "ico", "jxl", "jp2", "j2k", "dng", "cr2", "cr3",
        "nef", "arw", "orf", "raf", "rw2", "psd", "emf", "wmf", "emz", "wmz", "pict",
    ];
    const VIDEO: &[&str] = &[
        "mp4", "m4v", "mov", "qt", "avi", "mkv", "webm", "wmv", "flv", "3gp", "3g2", "mpg", "mpeg",
        "mts", "m2ts", "ogv", "vob", "asf",
    ];
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (_, ext) = base.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    if IMAGE.contains(&ext.as_str()) {
        Some("image")
    } else if VIDEO.contains(&ext.as_str()) {
        Some("video")
    } else {
        None
    }
}

/// The hand-written table (kept for what `infer` does not know; see the module's note).
fn by_table(head: &[u8]) -> Option<&'static str> {
    let at = |i: usize, m: &[u8]| head.get(i..i + m.len()) == Some(m);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Some("JPEG image");
    }
    if at(0, &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some("PNG image");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some("GIF image");
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some("WebP image");
    }
    if at(0, b"RIFF") && at(8, b"AVI ") {
        return Some("AVI video");
    }
    if at(0, b"II*\0") || at(0, b"MM\0*") {
        return Some("TIFF image");
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some("WebM or Matroska video");
    }
    if at(0, &[0x00, 0x00, 0x00, 0x0C, b'j', b'P', b' ', b' ']) || at(0, &[0xFF, 0x4F, 0xFF, 0x51])
    {
        return Some("JPEG 2000 image");
    }
    if at(0, &[0xFF, 0x0A]) || at(0, &[0x00, 0x00, 0x00, 0x0C, b'J', b'X', b'L', b' ']) {
        return Some("JPEG XL image");
    }
    if at(0, b"FLV\x01") {
        return Some("Flash video");
    }
    if at(0, &[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) {
        return Some("Windows Media video");
    }
    if at(0, &[0x00, 0x00, 0x01, 0xBA]) || at(0, &[0x00, 0x00, 0x01, 0xB3]) {
        return Some("MPEG video");
    }
    if at(0, &[0x00, 0x00, 0x01, 0x00]) && head.len() > 6 && head[4] > 0 {
        return Some("icon image");
    }
    if is_bmp(head) {
        return Some("BMP image");
    }
    if at(4, b"ftyp") {
        let brand = head.get(8..12).unwrap_or_default();
        return match brand {
            // Audio-only brands: not imagery.
            b"M4A " | b"M4B " | b"M4P " => None,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Some("HEIC/HEIF image")
            }
            b"avif" | b"avis" => Some("AVIF image"),
            b"qt  " => Some("QuickTime (MOV) video"),
            b if b.starts_with(b"3g") => Some("3GP video"),
            // Every other ISO media file (MP4, M4V, …) may hold video.
            _ => Some("MP4 video"),
        };
    }
    // Older QuickTime files start with an atom other than `ftyp`.
    if at(4, b"moov") || at(4, b"mdat") || at(4, b"wide") || at(4, b"pnot") {
        return Some("QuickTime (MOV) video");
    }
    None
}

/// A Windows bitmap: "BM", then a header whose fields agree with one another, so that a text
/// file that happens to start with "BM" is not taken for one.
fn is_bmp(head: &[u8]) -> bool {
    if head.len() < 18 || &head[..2] != b"BM" {
        return false;
    }
    let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let reserved_zero = head[6..10].iter().all(|b| *b == 0);
    let dib = u32_at(14);
    reserved_zero && matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
}

/// Reads the first bytes of a file and says whether it is an image or a video.
pub fn kind_of_file(path: &Path) -> std::io::Result<Option<&'static str>> {
    let mut head = Vec::with_capacity(HEAD);
    std::fs::File::open(path)?
        .take(HEAD as u64)
        .read_to_end(&mut head)?;
    Ok(kind_of(&head))
}

/// How many first bytes are enough to tell what a file is.
pub const HEAD: usize = 8192;

#[cfg(test)]
mod tests {
    use super::{embedded_picture, kind_of, name_says_imagery};

    #[test]
    fn infer_knows_what_the_table_does_not() {
        // Photoshop and JPEG XR files: not in the hand-written table.
        assert_eq!(kind_of(b"8BPS\0\x01\0\0\0\0\0\0"), Some("image"));
        assert_eq!(kind_of(b"II\xbc\x01\x08\0\0\0"), Some("image"));
    }

    #[test]
    fn a_drawing_is_an_image_but_a_page_with_an_icon_is_not() {
        assert_eq!(
            kind_of(
                b"<?xml version=\"1.0\"?>\n<!-- x -->\n<svg xmlns=\"http://www.w3.org/2000/svg\">"
            ),
            Some("SVG image")
        );
        assert_eq!(kind_of(b"<html><body><svg></svg></body></html>"), None);
    }

    #[test]
    fn pictures_kept_whole_inside_other_bytes_are_found() {
        let mut doc = vec![0u8; 600];
        doc.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]);
        doc.extend_from_slice(b"JFIF\0");
        assert_eq!(embedded_picture(&doc), Some("JPEG image"));
        assert_eq!(
            embedded_picture(&[0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3, 4, 5, 6]),
            None
        );
        assert_eq!(embedded_picture(b"plain words"), None);
    }

    #[test]
    fn names_inside_archives_count() {
        assert_eq!(
            name_says_imagery("WhatsApp Chat/IMG-20261120-WA0001.JPG"),
            Some("image")
        );
        assert_eq!(name_says_imagery("word/media/image1.emf"), Some("image"));
        assert_eq!(name_says_imagery("VID-1.mp4"), Some("video"));
        assert_eq!(name_says_imagery("chat.txt"), None);
        assert_eq!(name_says_imagery("README"), None);
    }

    #[test]
    fn images_and_videos_are_known_by_their_bytes() {
        assert_eq!(
            kind_of(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("JPEG image")
        );
        assert_eq!(kind_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("PNG image"));
        assert_eq!(kind_of(b"GIF89a\x01\x00"), Some("GIF image"));
        assert_eq!(kind_of(b"RIFF\x10\0\0\0WEBPVP8 "), Some("WebP image"));
        assert_eq!(kind_of(b"RIFF\x10\0\0\0AVI LIST"), Some("AVI video"));
        assert_eq!(
            kind_of(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Some("HEIC/HEIF image")
        );
        assert_eq!(kind_of(b"\0\0\0\x1cftypavif\0\0\0\0"), Some("AVIF image"));
        assert_eq!(kind_of(b"\0\0\0\x18ftypisom\0\0\0\0"), Some("MP4 video"));
        assert_eq!(
            kind_of(b"\0\0\0\x14ftypqt  \0\0\0\0"),
            Some("QuickTime (MOV) video")
        );
        assert_eq!(kind_of(b"\0\0\0\x14ftyp3gp5\0\0\0\0"), Some("3GP video"));
        assert_eq!(
            kind_of(b"\x1aE\xdf\xa3\x01\0\0\0"),
            Some("WebM or Matroska video")
        );
        assert_eq!(kind_of(b"II*\0\x08\0\0\0"), Some("TIFF image"));
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0]);
        assert_eq!(kind_of(&bmp), Some("BMP image"));
    }

    #[test]
    fn ordinary_files_are_not_imagery() {
        assert_eq!(kind_of(b"BMX club chat log, 20/11/2026: hello"), None);
        assert_eq!(kind_of(b"Screenshot transcript: they said..."), None);
        assert_eq!(kind_of(b"%PDF-1.7\n"), None);
        assert_eq!(kind_of(b"\0\0\0\x20ftypM4A \0\0\0\0"), None);
        assert_eq!(kind_of(b""), None);
    }
}
