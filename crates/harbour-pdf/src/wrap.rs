//! Greedy word wrapping against measured glyph widths.
//!
//! Kept free of PDF types so it can be unit-tested with a fake measurer and
//! reused by every block that wraps text (paragraphs, table cells, labels).

/// Wraps `text` into lines no wider than `max_width`, as measured by `measure`.
///
/// * `\n` (and `\r\n`) force a line break; blank lines are preserved as `""`.
/// * Words are split on ASCII spaces and tabs only, so a no-break space
///   (U+00A0) keeps e.g. `£ 50` together.
/// * Runs of spaces collapse to one.
/// * A single word wider than `max_width` (a long e-mail address, say) is
///   broken between characters rather than allowed to overrun the margin.
pub(crate) fn wrap_text<F>(text: &str, max_width: f32, measure: F) -> Vec<String>
where
    F: Fn(&str) -> f32,
{
    let space = measure(" ");
    let mut lines = Vec::new();
    for hard_line in text.split('\n') {
        let hard_line = hard_line.strip_suffix('\r').unwrap_or(hard_line);
        let mut current = String::new();
        let mut current_width = 0.0_f32;
        for word in hard_line.split([' ', '\t']).filter(|w| !w.is_empty()) {
            let word_width = measure(word);
            if current.is_empty() {
                if word_width <= max_width {
                    current.push_str(word);
                    current_width = word_width;
                } else {
                    let (mut pieces, last) = break_word(word, max_width, &measure);
                    lines.append(&mut pieces);
                    current_width = measure(&last);
                    current = last;
                }
            } else if current_width + space + word_width <= max_width {
                current.push(' ');
                current.push_str(word);
                current_width += space + word_width;
            } else {
                lines.push(std::mem::take(&mut current));
                if word_width <= max_width {
                    current.push_str(word);
                    current_width = word_width;
                } else {
                    let (mut pieces, last) = break_word(word, max_width, &measure);
                    lines.append(&mut pieces);
                    current_width = measure(&last);
                    current = last;
                }
            }
        }
        lines.push(current);
    }
    lines
}

/// Splits an over-long word into full-width pieces plus the remainder, which
/// the caller keeps as the start of the next line. Always places at least one
/// character per piece so it terminates even if `max_width` is tiny.
fn break_word<F>(word: &str, max_width: f32, measure: &F) -> (Vec<String>, String)
where
    F: Fn(&str) -> f32,
{
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut width = 0.0_f32;
    let mut buf = [0_u8; 4];
    for c in word.chars() {
        let w = measure(c.encode_utf8(&mut buf));
        if !current.is_empty() && width + w > max_width {
            pieces.push(std::mem::take(&mut current));
            width = 0.0;
        }
        current.push(c);
        width += w;
    }
    (pieces, current)
}

/// Shortens `text` with a trailing ellipsis so it fits `max_width`.
/// Used for single-line slots such as the footer.
pub(crate) fn truncate_to_width<F>(text: &str, max_width: f32, measure: F) -> String
where
    F: Fn(&str) -> f32,
{
    if measure(text) <= max_width {
        return text.to_owned();
    }
    let ellipsis = '…';
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        out.push(ellipsis);
        let fits = measure(&out) <= max_width;
        out.pop();
        if !fits {
            out.pop();
            break;
        }
    }
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    out.push(ellipsis);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is 1 unit wide.
    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn wraps_on_spaces() {
        let lines = wrap_text("the quick brown fox jumps", 10.0, chars);
        assert_eq!(lines, vec!["the quick", "brown fox", "jumps"]);
    }

    #[test]
    fn keeps_hard_breaks_and_blank_lines() {
        let lines = wrap_text("one\n\ntwo", 10.0, chars);
        assert_eq!(lines, vec!["one", "", "two"]);
    }

    #[test]
    fn breaks_overlong_words() {
        let lines = wrap_text("ab abcdefghijkl cd", 5.0, chars);
        assert_eq!(lines, vec!["ab", "abcde", "fghij", "kl cd"]);
        assert!(lines.iter().all(|l| chars(l) <= 5.0));
    }

    #[test]
    fn no_break_space_is_not_a_break() {
        let lines = wrap_text("pay £\u{a0}50 now", 6.0, chars);
        assert_eq!(lines, vec!["pay", "£\u{a0}50", "now"]);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(wrap_text("", 10.0, chars), vec![String::new()]);
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate_to_width("short", 10.0, chars), "short");
        assert_eq!(truncate_to_width("a longer footer", 8.0, chars), "a longe…");
    }
}
