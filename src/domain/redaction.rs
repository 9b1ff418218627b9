//! Redaction for a subject access disclosure: other people's names are replaced by what
//! they were to the learner ("another learner (alleged perpetrator)", "a member of staff"),
//! and every replacement is noted so that the coordinator can review each one before the
//! document is released.
//!
//! Names are matched as whole words, ignoring case, so "Jordan's" is caught and
//! "Jordanstown" is not. Another learner's name is matched whole and by each of its parts
//! (a first name alone is how accounts usually name people), except a part the learner's own
//! name shares (a sibling's surname), which would otherwise redact the learner themselves.
//! Redacting too much is the safer mistake: the coordinator reviews the list. The list says
//! where each redaction is and what replaced it, never the text removed, because it is kept
//! beside the document and could be sent with it by mistake; the original is in Harbour.

/// What kind of person a redaction hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OtherLearner,
    Staff,
    Reporter,
    AgencyPerson,
}

impl Kind {
    /// How the redaction list names it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::OtherLearner => "another learner's name",
            Kind::Staff => "a member of staff's name",
            Kind::Reporter => "the name of the person who reported it",
            Kind::AgencyPerson => "the name of a person at an agency",
        }
    }
}

/// One redaction: where, what kind of name, and what replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// Where in the document, e.g. "Incident MAN-2026-0001, the account".
    pub place: String,
    pub kind: Kind,
    /// The text shown instead, e.g. "[another learner (alleged perpetrator)]".
    pub replacement: String,
    /// Which match in that passage (1 for the first); 0 when the whole entry was replaced.
    pub occurrence: u32,
}

#[derive(Debug, Clone)]
struct Pattern {
    chars: Vec<char>,
    kind: Kind,
    replacement: String,
}

/// Replaces names in the text of one document and keeps the list of what it replaced.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    own_parts: Vec<String>,
    kept: Vec<String>,
    global: Vec<Pattern>,
    scoped: Vec<Pattern>,
    done: Vec<Redaction>,
}

fn fold(text: &str) -> String {
    text.to_lowercase()
}

fn same(a: char, b: char) -> bool {
    a == b || (a.is_whitespace() && b.is_whitespace()) || a.to_lowercase().eq(b.to_lowercase())
}

impl Redactor {
    /// A redactor for a document about the learner of this name, whose own name is kept.
    pub fn new(own_name: &str) -> Redactor {
        let mut r = Redactor {
            own_parts: own_name.split_whitespace().map(fold).collect(),
            ..Redactor::default()
        };
        r.keep(own_name);
        r
    }

    /// A name that is the learner's own record (a parent or carer's), never redacted.
    pub fn keep(&mut self, name: &str) {
        self.kept
            .push(fold(&name.split_whitespace().collect::<Vec<_>>().join(" ")));
    }

    /// Whether a name is kept (the learner's or a carer's).
    pub fn is_kept(&self, name: &str) -> bool {
        self.kept.contains(&fold(
            &name.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    fn patterns(&self, name: &str, kind: Kind, replacement: &str, parts: bool) -> Vec<Pattern> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || self.is_kept(&name) {
            return Vec::new();
        }
        let mut texts = vec![name.clone()];
        if parts {
            for p in name.split_whitespace() {
                let p = p.trim_matches(|c: char| !c.is_alphanumeric());
                if p.chars().count() >= 2 && !self.own_parts.contains(&fold(p)) && p != name {
                    texts.push(p.to_string());
                }
            }
        }
        texts
            .into_iter()
            .map(|t| Pattern {
                chars: t.chars().collect(),
                kind,
                replacement: format!("[{replacement}]"),
            })
            .collect()
    }

    fn sort(list: &mut [Pattern]) {
        list.sort_by_key(|p| std::cmp::Reverse(p.chars.len()));
    }

    /// A name replaced wherever it appears in this document. `parts` also matches each
    /// part of it (for learners' names).
    pub fn add(&mut self, name: &str, kind: Kind, replacement: &str, parts: bool) {
        let new = self.patterns(name, kind, replacement, parts);
        self.global.extend(new);
        Self::sort(&mut self.global);
    }

    /// A name replaced until `clear_scoped` (one incident's learners, by their role in it);
    /// tried before the names added with `add`.
    pub fn add_scoped(&mut self, name: &str, kind: Kind, replacement: &str, parts: bool) {
        let new = self.patterns(name, kind, replacement, parts);
        self.scoped.extend(new);
        Self::sort(&mut self.scoped);
    }

    pub fn clear_scoped(&mut self) {
        self.scoped.clear();
    }

    fn match_at(&self, chars: &[char], i: usize) -> Option<(usize, Kind, String)> {
        if i > 0 && chars[i - 1].is_alphanumeric() {
            return None;
        }
        for p in self.scoped.iter().chain(self.global.iter()) {
            let n = p.chars.len();
            if i + n > chars.len() {
                continue;
            }
            if chars.get(i + n).is_some_and(|c| c.is_alphanumeric()) {
                continue;
            }
            if chars[i..i + n]
                .iter()
                .zip(&p.chars)
                .all(|(a, b)| same(*a, *b))
            {
                return Some((n, p.kind, p.replacement.clone()));
            }
        }
        None
    }

    /// The text with every name replaced; each replacement is noted under `place`.
    pub fn text(&mut self, place: &str, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut occurrence = 0;
        let mut i = 0;
        while i < chars.len() {
            if let Some((n, kind, replacement)) = self.match_at(&chars, i) {
                occurrence += 1;
                out.push_str(&replacement);
                self.done.push(Redaction {
                    place: place.to_string(),
                    kind,
                    replacement,
                    occurrence,
                });
                i += n;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    }

    /// A whole entry (a name in its own field) replaced, and noted.
    pub fn whole(&mut self, place: &str, kind: Kind, replacement: &str) -> String {
        let replacement = format!("[{replacement}]");
        self.done.push(Redaction {
            place: place.to_string(),
            kind,
            replacement: replacement.clone(),
            occurrence: 0,
        });
        replacement
    }

    /// Every redaction made so far, in the order of the document.
    pub fn redactions(&self) -> &[Redaction] {
        &self.done
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The list the coordinator reviews before release, one numbered line per redaction.
pub fn list(heading: &str, redactions: &[Redaction]) -> String {
    let mut s = format!("{heading}\n\n");
    if redactions.is_empty() {
        s.push_str("No redactions were made.\n");
        return s;
    }
    s.push_str(
        "Each line says where a name was replaced and by what. The names themselves are not \
         listed: find each one in Harbour (incident show) before releasing the document.\n\n",
    );
    for (i, r) in redactions.iter().enumerate() {
        let which = if r.occurrence == 0 {
            "the whole entry".to_string()
        } else {
            format!(
                "the {} name replaced in this passage",
                ordinal(r.occurrence)
            )
        };
        s.push_str(&format!(
            "{}. {}: {} ({which}), shown as {}\n",
            i + 1,
            r.place,
            r.kind.label(),
            r.replacement
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_learners_name_is_replaced_whole_and_by_first_name_ignoring_case() {
        let mut r = Redactor::new("Alex Example");
        r.add_scoped("Jordan Sample", Kind::OtherLearner, "another learner", true);
        let out = r.text("the account", "JORDAN SAMPLE sent it; jordan's friend saw.");
        assert_eq!(
            out,
            "[another learner] sent it; [another learner]'s friend saw."
        );
        assert_eq!(r.redactions().len(), 2);
        assert_eq!(r.redactions()[1].occurrence, 2);
    }

    #[test]
    fn a_name_inside_a_longer_word_is_left() {
        let mut r = Redactor::new("Alex Example");
        r.add("Jordan Sample", Kind::OtherLearner, "another learner", true);
        assert_eq!(r.text("x", "Jordanstown"), "Jordanstown");
        assert!(r.redactions().is_empty());
    }

    #[test]
    fn a_surname_the_learner_shares_is_not_redacted() {
        let mut r = Redactor::new("Alex Example");
        r.add("Sam Example", Kind::OtherLearner, "another learner", true);
        assert_eq!(
            r.text("x", "Alex Example and Sam Example; Sam left."),
            "Alex Example and [another learner]; [another learner] left."
        );
    }

    #[test]
    fn the_list_names_each_redaction_but_not_the_name() {
        let mut r = Redactor::new("Alex Example");
        r.add("Jordan Sample", Kind::OtherLearner, "another learner", true);
        r.text("Incident MAN-2026-0001, the account", "Jordan did it");
        r.whole(
            "Incident MAN-2026-0001, reported by",
            Kind::Reporter,
            "the person who reported it",
        );
        let l = list("Redactions", r.redactions());
        assert!(l.contains("1. Incident MAN-2026-0001, the account: another learner's name (the 1st name replaced in this passage), shown as [another learner]"));
        assert!(l.contains("2. Incident MAN-2026-0001, reported by"));
        assert!(!l.contains("Jordan"));
    }
}
