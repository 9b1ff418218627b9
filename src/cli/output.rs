//! Printing results: readable lines for people, or JSON with `--json`.
//!
//! Output goes through a locked standard output with `writeln!` rather than `println!`,
//! because `println!` panics when the reader has gone away (`harbour incident list | head
//! -1`). A closed pipe means nobody wants the rest, so Harbour stops quietly with success: the
//! work was done and recorded before anything was printed.
//!
//! Everything printed is made safe for a terminal first: text from older data or from a
//! peer's bundle may hold escape sequences or bidirectional overrides that the checks at the
//! edge (`harbour::domain::text`) now refuse. Readable output keeps its line breaks and tabs
//! and shows every other control character escaped (`\u{1b}`); one-line fields in rows are
//! escaped where the row is made (`shown_line`), so they cannot print a row of their own.
//! JSON escapes them as `\u001b`, which a JSON reader turns back into the same text.

use std::io::Write;

use harbour::domain::text::{obeyed_by_terminals, shown};
use serde::Serialize;

pub struct Out {
    pub json: bool,
}

/// Writes `text` and a line end to standard output. A closed pipe ends the program quietly
/// with success; any other failure to write ends it with one sentence on standard error.
pub fn line(text: &str) {
    let text = shown(text);
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "The result could not be printed: {}.",
                harbour::error::plain_io(&e)
            );
            std::process::exit(1);
        }
    }
}

impl Out {
    /// Prints `value` as JSON, or the readable text `human` makes.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(text) => line(&json_safe(&text)),
                Err(_) => line("{}"),
            }
        } else {
            let text = human();
            if !text.is_empty() {
                line(text.trim_end());
            }
        }
    }

    /// A short confirmation: `{"ok": true, …}` in JSON.
    pub fn done(&self, message: &str) {
        self.emit(
            &serde_json::json!({ "ok": true, "message": message }),
            || message.to_string(),
        );
    }
}

/// JSON with every character a terminal would obey written as a `\uXXXX` escape. Such
/// characters can only be inside strings (JSON's own syntax is plain ASCII), where the
/// escape means the same character, so the JSON reads back as the same value.
pub fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if !obeyed_by_terminals(c) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// An error sentence made safe for a terminal, as `line` does for results.
pub fn error_text(text: &str) -> String {
    shown(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_read_back_as_the_same_text() {
        let value = serde_json::json!({ "name": "A\u{1b}[2J\u{202e}B\u{85}", "note": "x\ny" });
        let text = json_safe(&serde_json::to_string_pretty(&value).expect("json"));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, value);
    }
}
