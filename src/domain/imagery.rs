//! Telling an image or video apart from other files by its first bytes, not its name.
//!
//! Used to refuse imagery on incidents about sharing nudes or up-skirting: staff must never
//! store it, so Harbour never does, whatever the file is called.

use std::io::Read;
use std::path::Path;

/// What the first bytes of a file say it is, if it is an image or a video.
pub fn kind_of(head: &[u8]) -> Option<&'static str> {
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
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)?.take(64).read_to_end(&mut head)?;
    Ok(kind_of(&head))
}

#[cfg(test)]
mod tests {
    use super::kind_of;

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
