//! Incident references a person can say on the phone: `MAN-2026-0042`.
//!
//! Unique without coordination: each centre's numbers are given out by one device, its home
//! device (the one that added the centre). Any other device recording an incident for that
//! centre adds its own four-character tag (`MAN-2026-0007-3F9A`), so two laptops never hand
//! out the same reference even when they have not synced.
//!
//! The year is that of the day the incident is recorded, by this computer's clock (checked
//! against the case log before anything is written, see `store::clock`), never the log's
//! hybrid clock: a device whose log holds an event from a clock that ran fast numbers its
//! next incidents by the real year, not the future one.

use crate::{Error, Result};

/// Checks a centre code: two to six letters or digits, shown in capitals.
pub fn check_centre_code(code: &str) -> Result<String> {
    let c = code.trim().to_uppercase();
    if (2..=6).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        Ok(c)
    } else {
        Err(Error::invalid(format!(
            "\"{code}\" is not a usable centre code: use two to six letters or digits, e.g. MAN."
        )))
    }
}

/// The prefix every reference of a centre and year shares, with the device tag if any.
pub fn format(centre: &str, year: i32, number: u32, device_tag: Option<&str>) -> String {
    match device_tag {
        Some(tag) => format!("{centre}-{year}-{number:04}-{tag}"),
        None => format!("{centre}-{year}-{number:04}"),
    }
}

/// The number inside a reference made by `format`, if the centre, year and tag match.
pub fn number_of(
    reference: &str,
    centre: &str,
    year: i32,
    device_tag: Option<&str>,
) -> Option<u32> {
    let rest = reference.strip_prefix(&format!("{centre}-{year}-"))?;
    let digits = match device_tag {
        Some(tag) => rest.strip_suffix(&format!("-{tag}"))?,
        None => rest,
    };
    if digits.chars().all(|c| c.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

/// A device's tag: the last four hex digits of its id, in capitals.
pub fn device_tag(device_id: &uuid::Uuid) -> String {
    let simple = device_id.simple().to_string().to_uppercase();
    simple[simple.len() - 4..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip() {
        assert_eq!(format("MAN", 2026, 42, None), "MAN-2026-0042");
        assert_eq!(number_of("MAN-2026-0042", "MAN", 2026, None), Some(42));
        assert_eq!(number_of("MAN-2026-0042-3F9A", "MAN", 2026, None), None);
        assert_eq!(
            number_of("MAN-2026-0007-3F9A", "MAN", 2026, Some("3F9A")),
            Some(7)
        );
        assert_eq!(number_of("MAN-2025-0042", "MAN", 2026, None), None);
        assert_eq!(format("LDS", 2027, 12345, None), "LDS-2027-12345");
    }

    #[test]
    fn centre_codes_are_checked() {
        assert_eq!(check_centre_code("man").expect("ok"), "MAN");
        assert!(check_centre_code("M").is_err());
        assert!(check_centre_code("MAN-1").is_err());
    }
}
