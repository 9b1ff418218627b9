//! Safe file names for evidence packs.
//!
//! Original names come from phones, chat exports and downloads, and can
//! contain anything: folders (`../../etc`), control characters, characters
//! Windows refuses, right-to-left override tricks that disguise a file's
//! type, or names that differ only in case. Inside a pack every evidence file
//! must have a plain, unique name that extracts safely on any computer and
//! appears verbatim in `SHA256SUMS`.

use std::collections::HashSet;

/// Longest name (in bytes) we produce, leaving room for ` (999)` and the
/// `evidence/` folder within common 255-byte limits.
const MAX_NAME_BYTES: usize = 120;

/// Names Windows reserves for devices, whatever the extension.
const WINDOWS_RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Keeps track of the names already used in one pack, so each new name is
/// unique (ignoring case, as Windows and macOS do).
#[derive(Debug, Default, Clone)]
pub struct SafeNames {
    used: HashSet<String>,
}

impl SafeNames {
    /// An empty set of names.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a safe, unique name for `original` and records it as used.
    pub fn assign(&mut self, original: &str) -> String {
        safe_name(original, &mut self.used)
    }
}

/// Turns any original file name into a safe one, unique within `used`
/// (compared case-insensitively), and adds it to `used`.
///
/// The result has no path separators, no `..`, no leading dot, no control
/// or invisible formatting characters, none of `<>:"|?*`, is not a Windows
/// device name, is at most 120 bytes, and is never empty. A clash gets
/// ` (2)`, ` (3)` and so on before the extension.
pub fn safe_name(original: &str, used: &mut HashSet<String>) -> String {
    let base = sanitise(original);
    let (stem, ext) = split_extension(&base);
    let mut candidate = base.clone();
    let mut n = 2u64;
    while used.contains(&candidate.to_lowercase()) {
        let suffix = format!(" ({n})");
        let stem = truncate_bytes(stem, MAX_NAME_BYTES - suffix.len() - ext.len());
        candidate = format!("{stem}{suffix}{ext}");
        n += 1;
    }
    used.insert(candidate.to_lowercase());
    candidate
}

/// True if `name` is exactly what [`safe_name`] would produce for itself,
/// i.e. it is already safe to use as an evidence file name.
pub fn is_safe_name(name: &str) -> bool {
    sanitise(name) == name
}

fn is_unwanted(c: char) -> bool {
    c.is_control()
        || matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*')
        // Zero-width and bidirectional formatting characters, which can hide
        // or reverse part of a name (e.g. "invoice\u{202E}gpj.exe").
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn sanitise(original: &str) -> String {
    let mut out = String::with_capacity(original.len());
    for c in original.chars() {
        let c = if is_unwanted(c) { '_' } else { c };
        // Collapse runs of dots so `..` can never appear.
        if c == '.' && out.ends_with('.') {
            continue;
        }
        // Turn any other kind of whitespace into a plain space.
        out.push(if c.is_whitespace() { ' ' } else { c });
    }
    // No leading dots or spaces (hidden files) and no trailing dots or
    // spaces (Windows drops them).
    let mut name = out.trim_matches(|c: char| c == '.' || c == ' ').to_string();
    if name.is_empty() {
        name = "file".to_string();
    }
    let stem_upper = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_ascii_uppercase();
    if WINDOWS_RESERVED.contains(&stem_upper.as_str()) {
        name.insert(0, '_');
    }
    if name.len() > MAX_NAME_BYTES {
        let (stem, ext) = split_extension(&name);
        let ext = if ext.len() > 20 { "" } else { ext };
        let stem = truncate_bytes(stem, MAX_NAME_BYTES - ext.len());
        name = format!("{}{ext}", stem.trim_end_matches(['.', ' ']));
    }
    name
}

/// Splits `photo.final.png` into (`photo.final`, `.png`). A name with no dot
/// after its first character has no extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    }
}

/// The longest prefix of `s` of at most `max` bytes ending on a character
/// boundary.
fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
