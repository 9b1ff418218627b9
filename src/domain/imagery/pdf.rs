//! A PDF, read with `lopdf`: an image object (`/Subtype /Image`) anywhere in it is imagery;
//! every other stream is decoded (with a bound) and looked at too, so a picture drawn
//! inline in a page (`BI … ID`), a video kept as a media clip and an attached file (looked
//! into like any other) are found. A PDF that needs a password to open cannot be checked.

use lopdf::{Document, LoadOptions, Object};

use super::{Outcome, Stop, Walk, MAX_IN_MEMORY};

fn name_is(obj: Option<&Object>, name: &[u8]) -> bool {
    matches!(obj, Some(Object::Name(n)) if n.as_slice() == name)
}

/// Whether decoded page content draws a picture inline: the `BI` operator, its image
/// dictionary, then `ID`.
fn draws_inline_image(content: &[u8]) -> bool {
    let ws = |b: u8| b.is_ascii_whitespace();
    let mut from = 0;
    while let Some(i) = super::signature::find(&content[from..], b"BI") {
        let at = from + i;
        let before_ok = at == 0 || ws(content[at - 1]);
        let after_ok = content.get(at + 2).is_some_and(|b| ws(*b) || *b == b'/');
        if before_ok && after_ok {
            let window = &content[at + 2..content.len().min(at + 2 + 1024)];
            let mut j = 0;
            while let Some(k) = super::signature::find(&window[j..], b"ID") {
                let p = j + k;
                let pre = p > 0 && ws(window[p - 1]);
                let post = window.get(p + 2).is_some_and(|b| ws(*b));
                if pre && post {
                    return true;
                }
                j = p + 2;
            }
        }
        from = at + 2;
    }
    false
}

/// Looks into a PDF; files attached to it are `depth` containers deep.
pub(super) fn walk(w: &mut Walk, data: &[u8], depth: usize) -> Outcome {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_IN_MEMORY),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(data, options).map_err(|e| match e {
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) => {
            Stop::unchecked("it is protected with a password")
        }
        _ => Stop::unchecked("it is damaged or is not a PDF Harbour can read"),
    })?;
    if doc.is_encrypted() && !doc.was_encrypted() {
        return Err(Stop::unchecked("it is protected with a password"));
    }
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else {
            continue;
        };
        w.entry()?;
        if name_is(stream.dict.get(b"Subtype").ok(), b"Image") {
            return Err(Stop::imagery("image"));
        }
        let attached = name_is(stream.dict.get(b"Type").ok(), b"EmbeddedFile");
        let content = match stream.decompressed_content_with_limit(MAX_IN_MEMORY) {
            Ok(c) => c,
            Err(_) if stream.dict.get(b"Filter").is_err() => stream.content.clone(),
            Err(_) if attached => {
                return Err(Stop::unchecked("a file attached to it cannot be decoded"))
            }
            // A font or other resource in a form Harbour does not decode: it is not an
            // image object, and not page content.
            Err(_) => continue,
        };
        w.spend(content.len())?;
        if attached {
            w.bytes(&content, depth)
                .map_err(|s| s.within("a file attached to it"))?;
            continue;
        }
        if let Some(kind) = super::kind_of(&content[..content.len().min(super::signature::HEAD)]) {
            return Err(Stop::imagery(kind));
        }
        if draws_inline_image(&content) {
            return Err(Stop::imagery("image drawn in a page"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::draws_inline_image;

    #[test]
    fn a_picture_drawn_inline_is_told_from_text_that_mentions_it() {
        assert!(draws_inline_image(
            b"q 10 0 0 10 0 0 cm\nBI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q"
        ));
        assert!(!draws_inline_image(b"BT /F1 12 Tf (BIG IDEA) Tj ET"));
    }
}
