//! Whether a file is, or holds at any depth, an image or a video.
//!
//! On an incident about sharing nudes or up-skirting staff must never store the imagery, so
//! Harbour never does — and real evidence rarely arrives as a bare photo: a WhatsApp "export
//! chat with media" or a data download is a ZIP of photos and a text file, an e-mail carries
//! the photo as an attachment, a Word document, a PDF or a saved web page embeds it. So a
//! file is looked into, whatever it is called: ZIP-based files (DOCX, XLSX, ODT, EPUB…),
//! archives inside archives, e-mail and MHTML (`mail-parser`), Outlook `.msg` and older
//! Office files (OLE, `cfb`), PDFs (`lopdf`: image objects, pictures drawn inline, files
//! attached), web pages and RTF with pictures written into them.
//!
//! What cannot be looked into — a password, damage, archives nested too deep, too many
//! entries, a kind of archive Harbour cannot open — is not taken on trust: the verdict says
//! so, with the reason, and the file is refused like imagery.
//!
//! Memory stays flat: a ZIP file is read one entry at a time straight from the file, and of
//! an ordinary entry only the first bytes are read. Only an archive or document inside
//! another one is held in memory to look into (up to `MAX_IN_MEMORY`), and the bytes read
//! in all are bounded (`MAX_BYTES`). Nothing is ever unpacked to disk.

mod mail;
mod ole;
mod pdf;
mod signature;
mod text;
mod zipped;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

pub use signature::{kind_of, kind_of_file};

/// How many archives or documents deep Harbour looks (a ZIP in a ZIP is two).
pub const MAX_DEPTH: usize = 5;
/// The most files an archive (and everything inside it) may hold to be checked.
pub const MAX_ENTRIES: usize = 50_000;
/// The largest archive or document inside another one that is read into memory to check.
pub const MAX_IN_MEMORY: usize = 64 * 1024 * 1024;
/// The largest PDF or e-mail file that is read whole to check.
pub const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;
/// The most bytes read (after decompression) to check one file.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// What looking into a file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No image or video anywhere in it.
    Clear,
    /// An image or video: what it is, and where (outermost name first; empty for the file
    /// itself).
    Imagery { kind: String, inside: Vec<String> },
    /// It could not be looked into: why, and where.
    Unchecked { reason: String, inside: Vec<String> },
}

impl Verdict {
    pub fn is_clear(&self) -> bool {
        matches!(self, Verdict::Clear)
    }

    /// The verdict as the middle of a sentence: "it is a JPEG image", "it holds an image
    /// (“IMG-0001.jpg” in “chat.zip”)", "it could not be checked for images or videos: …".
    pub fn describe(&self) -> String {
        match self {
            Verdict::Clear => "it holds no image or video".into(),
            Verdict::Imagery { kind, inside } if inside.is_empty() => {
                format!("it is {}", with_article(kind))
            }
            Verdict::Imagery { kind, inside } => {
                format!("it holds {} ({})", with_article(kind), place(inside))
            }
            Verdict::Unchecked { reason, inside } if inside.is_empty() => {
                format!("it could not be checked for images or videos: {reason}")
            }
            Verdict::Unchecked { reason, inside } => format!(
                "it could not be checked for images or videos: {reason} ({})",
                place(inside)
            ),
        }
    }
}

fn with_article(kind: &str) -> String {
    let an = kind
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {kind}", if an { "an" } else { "a" })
}

fn place(inside: &[String]) -> String {
    inside
        .iter()
        .rev()
        .map(|n| format!("\u{201c}{n}\u{201d}"))
        .collect::<Vec<_>>()
        .join(" in ")
}

/// Looks into a file on disk. An error only when the file itself cannot be read.
pub fn inspect_file(path: &Path) -> std::io::Result<Verdict> {
    let mut f = File::open(path)?;
    let size = f.metadata()?.len();
    let mut head = Vec::with_capacity(signature::HEAD);
    (&mut f)
        .take(signature::HEAD as u64)
        .read_to_end(&mut head)?;
    let mut walk = Walk::default();
    Ok(verdict(walk.file(f, size, &head)))
}

/// Looks into bytes in memory (an evidence file carried in a sync bundle).
pub fn inspect_bytes(bytes: &[u8]) -> Verdict {
    let mut walk = Walk::default();
    verdict(walk.bytes(bytes, 0))
}

fn verdict(r: Outcome) -> Verdict {
    match r {
        Ok(()) => Verdict::Clear,
        Err(Stop::Imagery { kind, inside }) => Verdict::Imagery { kind, inside },
        Err(Stop::Unchecked { reason, inside }) => Verdict::Unchecked { reason, inside },
    }
}

/// Why the walk stopped early: the first image or video found, or what could not be
/// checked. `inside` is filled in innermost first as the walk unwinds, then turned round.
#[derive(Debug)]
pub(crate) enum Stop {
    Imagery { kind: String, inside: Vec<String> },
    Unchecked { reason: String, inside: Vec<String> },
}

impl Stop {
    pub(crate) fn imagery(kind: impl Into<String>) -> Stop {
        Stop::Imagery {
            kind: kind.into(),
            inside: Vec::new(),
        }
    }

    pub(crate) fn unchecked(reason: impl Into<String>) -> Stop {
        Stop::Unchecked {
            reason: reason.into(),
            inside: Vec::new(),
        }
    }

    /// The same stop, one level further in: inside `name`.
    pub(crate) fn within(mut self, name: &str) -> Stop {
        match &mut self {
            Stop::Imagery { inside, .. } | Stop::Unchecked { inside, .. } => {
                inside.insert(0, name.to_string())
            }
        }
        self
    }
}

pub(crate) type Outcome = std::result::Result<(), Stop>;

/// What the first bytes say a file is, for deciding how to look into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Imagery(&'static str),
    Zip,
    Pdf,
    Ole,
    Mail,
    Rtf,
    /// An archive or container Harbour cannot open (7z, RAR, gzip, tar…).
    Sealed(&'static str),
    Text,
    /// Anything else (audio, a font, an unknown binary): nothing to look into.
    Other,
}

fn shape(head: &[u8]) -> Shape {
    if let Some(kind) = kind_of(head) {
        return Shape::Imagery(kind);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Shape::Zip;
    }
    if head.starts_with(b"PK\x07\x08") {
        return Shape::Sealed("a ZIP archive split into parts");
    }
    if signature::find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Shape::Pdf;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Shape::Ole;
    }
    if head.starts_with(b"{\\rtf") {
        return Shape::Rtf;
    }
    if let Some(t) = infer::get(head) {
        if t.matcher_type() == infer::MatcherType::Archive {
            return Shape::Sealed(sealed_name(t.extension()));
        }
    }
    if mail::looks_like_mail(head) {
        return Shape::Mail;
    }
    if !head.contains(&0) {
        return Shape::Text;
    }
    Shape::Other
}

fn sealed_name(ext: &str) -> &'static str {
    match ext {
        "7z" => "a 7-Zip archive",
        "rar" => "a RAR archive",
        "gz" => "a gzip file",
        "bz2" => "a bzip2 file",
        "xz" | "lz" | "lz4" | "zst" | "Z" => "a compressed file",
        "tar" => "a tar archive",
        "cab" => "a cabinet archive",
        "sqlite" => "a database file",
        "swf" => "a Flash file",
        "ps" => "a PostScript file",
        _ => "an archive or container",
    }
}

/// The state of one walk: what is left of the budgets.
#[derive(Debug)]
pub(crate) struct Walk {
    bytes_left: u64,
    entries_left: usize,
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            bytes_left: MAX_BYTES,
            entries_left: MAX_ENTRIES,
        }
    }
}

impl Walk {
    /// Counts bytes read against the budget.
    pub(crate) fn spend(&mut self, n: usize) -> Outcome {
        self.bytes_left = self
            .bytes_left
            .checked_sub(n as u64)
            .ok_or_else(|| Stop::unchecked("it is too large to check completely"))?;
        Ok(())
    }

    /// Counts one more file inside against the budget.
    pub(crate) fn entry(&mut self) -> Outcome {
        self.entries_left = self.entries_left.checked_sub(1).ok_or_else(|| {
            Stop::unchecked(format!(
                "it holds more than {MAX_ENTRIES} files, too many to check"
            ))
        })?;
        Ok(())
    }

    /// Looks into a file on disk, whose first bytes are `head`.
    fn file(&mut self, mut f: File, size: u64, head: &[u8]) -> Outcome {
        let damaged = |e: std::io::Error| Stop::unchecked(format!("it could not be read ({e})"));
        match shape(head) {
            Shape::Zip => {
                f.seek(SeekFrom::Start(0)).map_err(damaged)?;
                zipped::walk(self, f, 1)
            }
            Shape::Ole => {
                f.seek(SeekFrom::Start(0)).map_err(damaged)?;
                ole::walk(self, f, 1)
            }
            Shape::Pdf | Shape::Mail => {
                if size > MAX_DOCUMENT {
                    return Err(Stop::unchecked(format!(
                        "it is larger than {} MB, too large to check",
                        MAX_DOCUMENT / (1024 * 1024)
                    )));
                }
                f.seek(SeekFrom::Start(0)).map_err(damaged)?;
                let mut all = Vec::with_capacity(size as usize);
                f.read_to_end(&mut all).map_err(damaged)?;
                self.spend(all.len())?;
                self.bytes(&all, 0)
            }
            Shape::Text | Shape::Rtf => {
                f.seek(SeekFrom::Start(0)).map_err(damaged)?;
                let rtf = shape(head) == Shape::Rtf;
                text::scan_stream(
                    Counted {
                        inner: f,
                        walk: self,
                    },
                    rtf,
                )
            }
            other => leaf(other),
        }
    }

    /// Looks into bytes held in memory, found `depth` containers deep.
    pub(crate) fn bytes(&mut self, data: &[u8], depth: usize) -> Outcome {
        let head = &data[..data.len().min(signature::HEAD)];
        let s = shape(head);
        if matches!(s, Shape::Zip | Shape::Ole | Shape::Pdf | Shape::Mail) && depth >= MAX_DEPTH {
            return Err(Stop::unchecked(format!(
                "archives or documents are nested more than {MAX_DEPTH} deep"
            )));
        }
        match s {
            Shape::Zip => zipped::walk(self, std::io::Cursor::new(data), depth + 1),
            Shape::Ole => ole::walk(self, std::io::Cursor::new(data), depth + 1),
            Shape::Pdf => pdf::walk(self, data, depth + 1),
            Shape::Mail => mail::walk(self, data, depth + 1),
            Shape::Text | Shape::Rtf => text::scan_bytes(data, s == Shape::Rtf),
            other => leaf(other),
        }
    }

    /// Looks into a file read as a stream (an entry of a ZIP), `depth` containers deep:
    /// its first bytes decide; only an archive or document is read whole, and only text is
    /// read to the end.
    pub(crate) fn stream(&mut self, mut r: impl Read, depth: usize) -> Outcome {
        let damaged =
            |e: std::io::Error| Stop::unchecked(format!("it is damaged or incomplete ({e})"));
        let mut head = Vec::with_capacity(signature::HEAD);
        (&mut r)
            .take(signature::HEAD as u64)
            .read_to_end(&mut head)
            .map_err(damaged)?;
        self.spend(head.len())?;
        let s = shape(&head);
        match s {
            Shape::Zip | Shape::Ole | Shape::Pdf | Shape::Mail => {
                let mut all = head;
                let limit = (MAX_IN_MEMORY - all.len().min(MAX_IN_MEMORY)) as u64 + 1;
                (&mut r)
                    .take(limit)
                    .read_to_end(&mut all)
                    .map_err(damaged)?;
                if all.len() > MAX_IN_MEMORY {
                    return Err(Stop::unchecked(format!(
                        "it is larger than {} MB, too large to check inside another file",
                        MAX_IN_MEMORY / (1024 * 1024)
                    )));
                }
                self.spend(all.len().saturating_sub(signature::HEAD))?;
                self.bytes(&all, depth)
            }
            Shape::Text | Shape::Rtf => {
                let counted = Counted {
                    inner: r,
                    walk: self,
                };
                text::scan_stream(std::io::Cursor::new(head).chain(counted), s == Shape::Rtf)
            }
            other => leaf(other),
        }
    }
}

fn leaf(s: Shape) -> Outcome {
    match s {
        Shape::Imagery(kind) => Err(Stop::imagery(kind)),
        Shape::Sealed(what) => Err(Stop::unchecked(format!(
            "it is {what}, which Harbour cannot look inside"
        ))),
        _ => Ok(()),
    }
}

/// A reader that counts what it reads against the walk's byte budget.
struct Counted<'a, R> {
    inner: R,
    walk: &'a mut Walk,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.walk.spend(n).map_err(|_| {
            std::io::Error::other("it is too large to check completely".to_string())
        })?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_image_is_imagery_and_plain_text_is_clear() {
        let v = inspect_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        assert_eq!(v.describe(), "it is a PNG image");
        assert!(inspect_bytes(b"They kept sending messages about me.").is_clear());
    }

    #[test]
    fn where_it_was_found_reads_outermost_last() {
        let v = Verdict::Imagery {
            kind: "JPEG image".into(),
            inside: vec!["inner.zip".into(), "IMG-1.jpg".into()],
        };
        assert_eq!(
            v.describe(),
            "it holds a JPEG image (\u{201c}IMG-1.jpg\u{201d} in \u{201c}inner.zip\u{201d})"
        );
    }

    #[test]
    fn archives_harbour_cannot_open_are_not_taken_on_trust() {
        let gz = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3];
        let v = inspect_bytes(&gz);
        assert!(matches!(v, Verdict::Unchecked { .. }), "{v:?}");
        assert!(v.describe().contains("gzip"), "{}", v.describe());
    }
}
