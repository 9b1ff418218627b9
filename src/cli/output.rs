//! Printing results: readable lines for people, or JSON with `--json`.

use serde::Serialize;

pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON, or the readable text `human` makes.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(text) => println!("{text}"),
                Err(_) => println!("{{}}"),
            }
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
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
