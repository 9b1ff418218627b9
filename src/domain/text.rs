//! Text at the edge: what a name, a place or an account may contain, and how text that came
//! from elsewhere is shown.
//!
//! Everything typed into Harbour ends up in an append-only record that is printed on a
//! terminal, in PDFs and in the window, and handed to the police. A terminal obeys control
//! characters: an escape sequence in a learner's name can clear the screen or recolour it,
//! a carriage return or a newline can print a forged row beside the real ones, and the
//! Unicode bidirectional overrides (the "Trojan Source" characters) make text show in an
//! order other than the one stored. So text is checked once, where it comes in:
//!
//! - **one-line fields** (names, job titles, places, references, relationships) refuse
//!   every control character, line break and bidirectional override or isolate;
//! - **multi-line fields** (accounts, notes, reasons, decisions, descriptions) allow line
//!   breaks and tabs and refuse the other control characters and the overrides; a Windows
//!   line end (`\r\n`) is kept as `\n`.
//!
//! Each is also bounded in size: a name of more than [`LINE_MAX_CHARS`] characters or an
//! account of more than [`TEXT_MAX_BYTES`] is refused, because every copy of the log, every
//! bundle and every evidence pack carries it (a 20 MB account made a pack export use 1 GB).
//! A longer document belongs in the case as an evidence file.
//!
//! The marks that only hint at direction (U+200E, U+200F, U+061C) and joiners are allowed:
//! names in Arabic or Hebrew script may need them and they cannot reorder other text.
//!
//! Older data and a peer's bundles may still hold such characters, so [`shown`] and
//! [`shown_line`] escape them for display (as `\u{1b}`): the stored text is never changed,
//! only the way a terminal sees it.

use std::borrow::Cow;

use crate::{Error, Result};

/// The most characters a one-line field may hold: a long name or place is under 200.
pub const LINE_MAX_CHARS: usize = 500;

/// The most bytes a multi-line field may hold: 256 KB, about 40,000 words or a hundred
/// pages of typing. An account longer than that is a document, to be added as evidence.
pub const TEXT_MAX_BYTES: usize = 256 * 1024;

/// The bidirectional embeddings, overrides and isolates, which change the order in which
/// the text after them is shown.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The Unicode line and paragraph separators, which some programs show as a line break.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

fn describe(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => format!("a line break ({code})"),
        '\t' => format!("a tab ({code})"),
        '\u{1B}' => format!("an escape character ({code})"),
        c if is_bidi_control(c) => {
            format!("a hidden character that reverses the direction of text ({code})")
        }
        _ => format!("a control character ({code})"),
    }
}

fn refuse(what: &str, c: char) -> Error {
    let reason = match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
            format!("{what} must be on one line; remove the line break and try again.")
        }
        _ => format!(
            "{what} contains {}, which cannot be stored; remove it and try again.",
            describe(c)
        ),
    };
    Error::invalid(reason)
}

/// Checks a one-line field as given (not trimmed), refusing control characters, line
/// breaks, bidirectional overrides and more than [`LINE_MAX_CHARS`] characters.
pub fn check_line(what: &str, text: &str) -> Result<()> {
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() || is_bidi_control(c) || is_line_separator(c))
    {
        return Err(refuse(what, c));
    }
    if text.chars().count() > LINE_MAX_CHARS {
        return Err(Error::invalid(format!(
            "{what} is too long: at most {LINE_MAX_CHARS} characters."
        )));
    }
    Ok(())
}

/// Checks a multi-line field as given: line breaks and tabs are allowed, other control
/// characters and bidirectional overrides are not, nor more than [`TEXT_MAX_BYTES`].
pub fn check_block(what: &str, text: &str) -> Result<()> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control() && !is_bidi_control(c),
        };
        if !allowed {
            return Err(Error::invalid(format!(
                "{what} contains {}, which cannot be stored; remove it and try again.",
                describe(c)
            )));
        }
    }
    if text.len() > TEXT_MAX_BYTES {
        return Err(Error::invalid(format!(
            "{what} is too long: at most {} KB (about 40,000 words); add a longer document to the case as evidence instead.",
            TEXT_MAX_BYTES / 1024
        )));
    }
    Ok(())
}

/// A required one-line field: trimmed (a stray line end at either end is harmless),
/// checked, and refused if empty.
pub fn line(what: &str, text: &str) -> Result<String> {
    let t = text.trim();
    check_line(what, t)?;
    if t.is_empty() {
        return Err(Error::invalid(format!("{what} cannot be empty.")));
    }
    Ok(t.to_string())
}

/// An optional one-line field: checked and trimmed; empty means not given.
pub fn optional_line(what: &str, text: Option<&str>) -> Result<Option<String>> {
    match text {
        None => Ok(None),
        Some(t) => {
            let t = t.trim();
            check_line(what, t)?;
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
    }
}

/// A required multi-line field: checked, trimmed, Windows line ends made `\n`, and refused
/// if empty.
pub fn block(what: &str, text: &str) -> Result<String> {
    let t = text.trim();
    check_block(what, t)?;
    if t.is_empty() {
        return Err(Error::invalid(format!("{what} cannot be empty.")));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// An optional multi-line field: checked and trimmed; empty means not given.
pub fn optional_block(what: &str, text: Option<&str>) -> Result<Option<String>> {
    match text {
        None => Ok(None),
        Some(t) => {
            let t = t.trim();
            check_block(what, t)?;
            Ok((!t.is_empty()).then(|| t.replace("\r\n", "\n")))
        }
    }
}

fn escape(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a terminal would obey this character rather than show it (a line break and a
/// tab aside): a control character or a bidirectional override.
pub fn obeyed_by_terminals(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Text made safe to show on a terminal, keeping its line breaks and tabs: every other
/// control character and every bidirectional override is shown escaped (`\u{1b}`).
pub fn shown(text: &str) -> Cow<'_, str> {
    escape(text, obeyed_by_terminals)
}

/// A one-line field made safe to show in a row: as [`shown`], and its line breaks and tabs
/// escaped too, so that it can never print a row of its own.
pub fn shown_line(text: &str) -> Cow<'_, str> {
    escape(text, |c| {
        c.is_control() || is_bidi_control(c) || is_line_separator(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_in_any_script_is_kept() {
        for name in [
            "Alex Example",
            "Zoë O'Brien-Łukasz",
            "محمد علي",
            "\u{200F}דנה",
        ] {
            assert_eq!(line("The learner's name", name).expect(name), name);
        }
    }

    #[test]
    fn a_one_line_field_refuses_escapes_newlines_and_overrides_naming_the_field() {
        for bad in [
            "A\u{1b}[2J",
            "A\nB",
            "A\rB",
            "A\u{202E}B",
            "A\u{2067}B",
            "A\u{9b}B",
        ] {
            let e = line("The learner's name", bad).expect_err(bad).to_string();
            assert!(e.starts_with("The learner's name "), "{e}");
        }
        assert!(line("The place", "A\tB").is_err());
    }

    #[test]
    fn a_multi_line_field_keeps_lines_and_tabs_but_not_other_controls() {
        assert_eq!(
            block("The account", " First line\r\n\tSecond line ").expect("ok"),
            "First line\n\tSecond line"
        );
        assert!(block("The account", "one\rtwo").is_err());
        assert!(block("The account", "one\u{1b}[2Jtwo").is_err());
        assert!(block("The account", "one\u{202E}two").is_err());
    }

    #[test]
    fn fields_are_bounded_in_size() {
        assert!(line("The name", &"a".repeat(LINE_MAX_CHARS)).is_ok());
        assert!(line("The name", &"a".repeat(LINE_MAX_CHARS + 1)).is_err());
        assert!(block("The account", &"a".repeat(TEXT_MAX_BYTES)).is_ok());
        let e = block("The account", &"a".repeat(TEXT_MAX_BYTES + 1)).expect_err("too long");
        assert!(e.to_string().contains("evidence"), "{e}");
    }

    #[test]
    fn display_escapes_what_a_terminal_would_obey() {
        assert_eq!(shown("a\u{1b}[2Jb\nc\td"), "a\\u{1b}[2Jb\nc\td");
        assert_eq!(shown_line("a\nb\u{202e}c"), "a\\nb\\u{202e}c");
        assert!(matches!(shown("plain"), Cow::Borrowed(_)));
    }
}
