//! Printing results: readable lines for people, or JSON with `--json`.
//!
//! Output goes through a locked standard output with `writeln!` rather than `println!`,
//! because `println!` panics when the reader has gone away (`harbour incident list | head
//! -1`). A closed pipe means nobody wants the rest, so Harbour stops quietly with success: the
//! work was done and recorded before anything was printed.

use std::io::Write;

use serde::Serialize;

pub struct Out {
    pub json: bool,
}

/// Writes `text` and a line end to standard output. A closed pipe ends the program quietly
/// with success; any other failure to write ends it with one sentence on standard error.
pub fn line(text: &str) {
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
                Ok(text) => line(&text),
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
