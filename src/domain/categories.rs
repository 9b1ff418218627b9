//! The built-in categories, read from `assets/categories.toml`.
//!
//! They are data, not code, so the list can be read and changed without touching Rust. At
//! set-up each one is recorded in the case log, so every device that syncs sees the same list.

use serde::Deserialize;

use super::FourC;
use crate::{Error, Result};

const BUILT_IN: &str = include_str!("../../assets/categories.toml");

/// One category as the data file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CategoryDef {
    pub code: String,
    pub name: String,
    pub four_c: FourC,
    #[serde(default)]
    pub restricted: bool,
}

#[derive(Deserialize)]
struct File {
    category: Vec<CategoryDef>,
}

/// The built-in categories, in the file's order.
pub fn built_in() -> Result<Vec<CategoryDef>> {
    let file: File = toml::from_str(BUILT_IN)
        .map_err(|e| Error::Integrity(format!("the built-in categories file is damaged: {e}")))?;
    Ok(file.category)
}

/// Checks a category code: lower-case letters, digits and hyphens.
pub fn check_code(code: &str) -> Result<String> {
    let c = code.trim().to_lowercase();
    if c.is_empty()
        || c.len() > 40
        || !c
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        return Err(Error::invalid(format!(
            "\"{code}\" is not a usable category code: use lower-case letters, digits and hyphens."
        )));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_cover_the_four_cs_and_the_seed_kinds() {
        let cats = built_in().expect("categories");
        for c in FourC::ALL {
            assert!(cats.iter().any(|d| d.four_c == *c), "no category for {c:?}");
        }
        for code in [
            "cyberbullying",
            "nudes",
            "upskirting",
            "radicalisation",
            "allegation-staff",
        ] {
            assert!(cats.iter().any(|d| d.code == code), "missing {code}");
        }
        let mut codes: Vec<_> = cats.iter().map(|c| c.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), cats.len(), "duplicate codes");
        assert!(cats.iter().all(|c| check_code(&c.code).is_ok()));
        assert_eq!(cats.iter().filter(|c| c.restricted).count(), 1);
    }
}
