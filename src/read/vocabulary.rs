//! The words Harbour shows for its codes, for any front end: each word's value (as requests
//! take it), its stored code and its label, all from the core's vocabulary (`domain`), so no
//! front end keeps a list of labels or of agencies of its own.
//!
//! Why both a value and a code: requests and events spell a word as its name
//! (`alleged-perpetrator`), and the tables and the command line as its short code
//! (`alleged`). Both spellings were fixed by released data; a front end finds a word by
//! either with [`Word`]'s two fields.

use serde::Serialize;

use crate::domain::{Agency, ContactRole, FourC, LearnerRole, RiskLevel, Status};

/// One word of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Word<T> {
    /// The word as requests take it.
    pub value: T,
    /// The word as the tables, reports and the command line store it.
    pub code: &'static str,
    /// The word shown to people.
    pub label: &'static str,
}

/// Every list of words a front end shows, each in the order shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Vocabulary {
    pub roles: Vec<Word<LearnerRole>>,
    pub risk_levels: Vec<Word<RiskLevel>>,
    pub agencies: Vec<Word<Agency>>,
    pub contact_roles: Vec<Word<ContactRole>>,
    pub areas: Vec<Word<FourC>>,
    pub statuses: Vec<Word<Status>>,
}

macro_rules! words {
    ($kind:ty) => {
        <$kind>::ALL
            .iter()
            .map(|&value| Word {
                value,
                code: value.code(),
                label: value.label(),
            })
            .collect()
    };
}

/// The whole vocabulary.
pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        roles: words!(LearnerRole),
        risk_levels: words!(RiskLevel),
        agencies: words!(Agency),
        contact_roles: words!(ContactRole),
        areas: words!(FourC),
        statuses: words!(Status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_has_one_label_and_reads_back_from_either_spelling() {
        let v = vocabulary();
        let agencies = serde_json::to_value(&v.agencies).expect("serialise");
        let social = agencies
            .as_array()
            .expect("list")
            .iter()
            .find(|w| w["code"] == "social-care")
            .expect("social care");
        assert_eq!(social["value"], "childrens-social-care");
        assert_eq!(social["label"], "Children's social care");
        let deputy = v
            .contact_roles
            .iter()
            .find(|w| w.code == "deputy-dsl")
            .expect("deputy");
        assert_eq!(deputy.label, "Deputy Designated Safeguarding Lead");
        for w in &v.roles {
            let value = serde_json::to_value(w.value).expect("serialise");
            let by_value = LearnerRole::parse(value.as_str().expect("text")).expect("parse");
            assert_eq!(by_value, w.value, "{} does not read back", w.label);
            assert_eq!(LearnerRole::parse(w.code).expect("parse"), w.value);
        }
        assert_eq!(v.risk_levels.len(), RiskLevel::ALL.len());
    }
}
