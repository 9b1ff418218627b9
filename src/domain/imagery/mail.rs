//! E-mail saved as a file (`.eml`) and saved web pages in MHTML (`.mhtml`, `.mht`), read
//! with `mail-parser`: every part is looked at — an image or video part by its type, its
//! name or its bytes, an attachment that is itself an archive or document looked into, an
//! HTML part for pictures written into it, a forwarded message part by part.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use super::signature::name_says_imagery;
use super::{text, Outcome, Stop, Walk};

/// Header names that say a file is an e-mail or MIME document.
const MAIL_HEADERS: &[&str] = &[
    "mime-version",
    "content-type",
    "received",
    "return-path",
    "message-id",
    "delivered-to",
    "from",
    "to",
    "subject",
    "date",
    "snapshot-content-location",
];

/// Whether the first bytes are e-mail headers: every line up to the first blank one is
/// `Name: value` (or a continuation), there are at least two, and one of them is a header
/// only e-mail has. A chat log's "Alex: hi" lines are not taken for one.
pub(super) fn looks_like_mail(head: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(&head[..head.len().min(4096)]) else {
        // Cut in the middle of a character, perhaps: judge what is whole.
        let valid = std::str::from_utf8(&head[..head.len().min(4096)])
            .err()
            .map(|e| e.valid_up_to())
            .unwrap_or(0);
        return valid > 0 && looks_like_mail(&head[..valid]);
    };
    let mut headers = 0;
    let mut known = false;
    let mut lines = text.lines().peekable();
    if lines.peek().is_some_and(|l| l.starts_with("From ")) {
        lines.next(); // An mbox separator line.
    }
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if headers == 0 {
                return false;
            }
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            return false;
        }
        headers += 1;
        known |= MAIL_HEADERS.contains(&name.to_ascii_lowercase().as_str());
    }
    headers >= 2 && known
}

/// Looks at every part of an e-mail or MHTML file; the parts' own contents are
/// `depth` containers deep.
pub(super) fn walk(w: &mut Walk, data: &[u8], depth: usize) -> Outcome {
    let message = MessageParser::default()
        .parse(data)
        .ok_or_else(|| Stop::unchecked("it cannot be read as an e-mail"))?;
    message_parts(w, &message, depth)
}

fn message_parts(w: &mut Walk, message: &Message<'_>, depth: usize) -> Outcome {
    for (i, part) in message.parts.iter().enumerate() {
        w.entry()?;
        let name = part
            .attachment_name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("part {}", i + 1));
        let inside = |s: Stop| s.within(&name);
        if let Some(ct) = part.content_type() {
            let main = ct.ctype().to_ascii_lowercase();
            let sub = ct.subtype().unwrap_or("").to_ascii_lowercase();
            match (main.as_str(), sub.as_str()) {
                ("image", _) => return Err(inside(Stop::imagery("image"))),
                ("video", _) => return Err(inside(Stop::imagery("video"))),
                ("multipart", "encrypted")
                | ("application", "pkcs7-mime" | "x-pkcs7-mime" | "pgp-encrypted") => {
                    return Err(inside(Stop::unchecked("it is encrypted")));
                }
                _ => {}
            }
        }
        if let Some(kind) = part.attachment_name().and_then(name_says_imagery) {
            return Err(inside(Stop::imagery(kind)));
        }
        match &part.body {
            PartType::Text(t) | PartType::Html(t) => {
                text::scan_bytes(t.as_bytes(), false).map_err(inside)?
            }
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                if part.is_encoding_problem {
                    return Err(inside(Stop::unchecked("it is damaged")));
                }
                w.spend(b.len())?;
                w.bytes(b, depth).map_err(inside)?
            }
            PartType::Message(m) => {
                if depth >= super::MAX_DEPTH {
                    return Err(inside(Stop::unchecked(format!(
                        "archives or documents are nested more than {} deep",
                        super::MAX_DEPTH
                    ))));
                }
                message_parts(w, m, depth + 1).map_err(inside)?
            }
            PartType::Multipart(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::looks_like_mail;

    #[test]
    fn e_mail_headers_are_told_from_a_chat_log() {
        assert!(looks_like_mail(
            b"From: Alex <a@example.org>\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nbody"
        ));
        assert!(looks_like_mail(
            b"From: <Saved by Blink>\nSnapshot-Content-Location: https://x\nMIME-Version: 1.0\n\n"
        ));
        assert!(!looks_like_mail(b"Alex: hi\nSam: hello there\n\nAlex: bye"));
        assert!(!looks_like_mail(b"20/11/2026, 15:30 - Alex: hi\n"));
    }
}
