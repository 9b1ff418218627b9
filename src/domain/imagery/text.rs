//! Pictures written into text: a web page's `data:image/…` address (a saved page, an
//! HTML e-mail body), and an RTF document's `\pict` group. Read as a stream, a chunk at a
//! time, so a large chat log costs no memory.

use std::io::Read;

use super::{Outcome, Stop};

/// What each pattern means when found (lower case; the text is compared in lower case).
const WEB: &[(&[u8], &str)] = &[
    (b"data:image/", "an image written into the page"),
    (b"data:video/", "a video written into the page"),
];
const RTF: &[(&[u8], &str)] = &[
    (b"\\pict", "a picture embedded in the document"),
    (b"\\objdata", ""),
];

const CHUNK: usize = 64 * 1024;

fn check(window: &[u8], rtf: bool) -> Outcome {
    let lower = window.to_ascii_lowercase();
    let patterns = WEB
        .iter()
        .chain(RTF.iter().take(if rtf { RTF.len() } else { 0 }));
    for (pattern, meaning) in patterns {
        if super::signature::find(&lower, pattern).is_some() {
            return Err(if meaning.is_empty() {
                Stop::unchecked("it holds an embedded object Harbour cannot look inside")
            } else {
                Stop::imagery(*meaning)
            });
        }
    }
    Ok(())
}

/// Reads text to its end, looking for pictures written into it.
pub(super) fn scan_stream(mut r: impl Read, rtf: bool) -> Outcome {
    let keep = 16;
    let mut buf = vec![0u8; CHUNK + keep];
    let mut carried = 0;
    loop {
        let n = match r.read(&mut buf[carried..]) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Stop::unchecked(format!(
                    "it could not be read to the end ({e})"
                )))
            }
        };
        let filled = carried + n;
        check(&buf[..filled], rtf)?;
        // Keep the last few bytes so a pattern split between two reads is still seen.
        let from = filled.saturating_sub(keep);
        buf.copy_within(from..filled, 0);
        carried = filled - from;
    }
}

/// As `scan_stream`, for text already in memory.
pub(super) fn scan_bytes(data: &[u8], rtf: bool) -> Outcome {
    scan_stream(data, rtf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_split_between_two_reads_is_still_found() {
        // A reader that hands over one byte at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !buf.is_empty() => {
                        buf[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let page = b"<p>hi</p><img src=\"DATA:Image/png;base64,iVBORw0KGgo=\">";
        assert!(scan_stream(Trickle(page), false).is_err());
        assert!(scan_stream(Trickle(b"<p>just words</p>"), false).is_ok());
    }

    #[test]
    fn an_rtf_picture_is_imagery_and_an_rtf_object_cannot_be_checked() {
        assert!(matches!(
            scan_bytes(b"{\\rtf1 {\\pict\\pngblip 89504e47}}", true),
            Err(Stop::Imagery { .. })
        ));
        assert!(matches!(
            scan_bytes(b"{\\rtf1 {\\object\\objemb{\\objdata 0105}}}", true),
            Err(Stop::Unchecked { .. })
        ));
        assert!(scan_bytes(b"{\\rtf1 Plain words about pictures}", true).is_ok());
    }
}
