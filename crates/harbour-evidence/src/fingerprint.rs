//! Fingerprints: the short form of a key that two people compare by phone.
//!
//! A signature only proves a pack was made with *some* key; the recipient trusts it because
//! the sender read them the key's fingerprint by another route. So a fingerprint must be long
//! enough that nobody can make a different key with the same one (128 bits: the first 32 hex
//! digits of a SHA-256), and easy to read aloud: eight groups of four hex digits, e.g.
//! `3F2A 9C01 B7E4 5D88 0A6C 21F9 E4B0 7D13`. Hex, not base32, so a police officer can work a
//! pack's fingerprint out with `sha256sum` alone (see `README.txt`). Harbour's peer cards use
//! the same form ([`grouped`]) over their own digest, so every fingerprint a coordinator
//! reads out looks alike.
//!
//! Harbour before this form showed 16 hex digits (64 bits), and wrote that into every pack's
//! `manifest.json`; [`legacy`] keeps those packs checkable. A recipient can no longer rely on
//! a 64-bit fingerprint, so [`Expected::parse`] refuses one with a sentence saying so.

use sha2::{Digest, Sha256};

/// Hex digits in a fingerprint: 128 bits.
pub const DIGITS: usize = 32;
/// Hex digits in the fingerprint older versions of Harbour showed (64 bits).
pub const LEGACY_DIGITS: usize = 16;

/// The fingerprint of a 32-byte Ed25519 public key: the first 32 hex digits (capitals) of
/// its SHA-256, in eight groups of four.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    grouped(&Sha256::digest(public_key))
}

/// The fingerprint older versions of Harbour wrote into packs: the first 16 hex digits of
/// the same SHA-256, in four groups of four.
pub fn legacy(public_key: &[u8; 32]) -> String {
    group_hex(&hex::encode_upper(Sha256::digest(public_key))[..LEGACY_DIGITS])
}

/// The first 128 bits of `digest` (at least 16 bytes) as eight groups of four hex digits in
/// capitals: the one form every Harbour fingerprint is shown in.
pub fn grouped(digest: &[u8]) -> String {
    let hex = hex::encode_upper(digest);
    group_hex(hex.get(..DIGITS).unwrap_or(&hex))
}

fn group_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fingerprint as a person typed or read it, for comparing: letters and digits only, in
/// capitals (so spaces, dashes and case do not matter).
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether what a person typed is the fingerprint `shown` (either as shown, in any case,
/// with or without spaces or dashes).
pub fn same(typed: &str, shown: &str) -> bool {
    let typed = normalise(typed);
    !typed.is_empty() && typed == normalise(shown)
}

/// The fingerprint a recipient was told by phone, checked for its form before any pack is
/// opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected(String);

/// Why a fingerprint given to check a pack against cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpectedError {
    /// Sixteen digits: the 64-bit form older versions of Harbour showed.
    #[error("That is the short fingerprint older versions of Harbour showed, which is too short to rely on; ask the sender for the full fingerprint of eight groups of four characters.")]
    Short,
    /// Not 32 hex digits.
    #[error("That fingerprint should be eight groups of four characters, each 0 to 9 or A to F; check what you were told.")]
    Unreadable,
}

impl Expected {
    /// Reads a fingerprint as typed: 32 hex digits in any case, with or without spaces or
    /// dashes (the full 64-digit SHA-256 of the key, as `sha256sum` prints it, is accepted
    /// too and its first 32 digits used).
    pub fn parse(text: &str) -> Result<Self, ExpectedError> {
        let digits = normalise(text);
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ExpectedError::Unreadable);
        }
        match digits.len() {
            LEGACY_DIGITS => Err(ExpectedError::Short),
            DIGITS => Ok(Self(digits)),
            64 => Ok(Self(digits[..DIGITS].to_string())),
            _ => Err(ExpectedError::Unreadable),
        }
    }

    /// Whether this is the fingerprint of `public_key`.
    pub fn matches(&self, public_key: &[u8; 32]) -> bool {
        normalise(&fingerprint(public_key)) == self.0
    }

    /// The fingerprint in its usual grouped form.
    pub fn shown(&self) -> String {
        group_hex(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7u8; 32];

    #[test]
    fn a_fingerprint_is_eight_groups_of_four_hex_digits_from_the_keys_sha256() {
        let shown = fingerprint(&KEY);
        let groups: Vec<&str> = shown.split(' ').collect();
        assert_eq!(groups.len(), 8, "{shown}");
        assert!(groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_hexdigit())));
        let full = hex::encode_upper(Sha256::digest(KEY));
        assert_eq!(shown.replace(' ', ""), full[..32]);
    }

    #[test]
    fn the_legacy_fingerprint_is_the_first_half_of_the_new_one() {
        let old = legacy(&KEY);
        assert_eq!(old.split(' ').count(), 4);
        assert!(fingerprint(&KEY).starts_with(&old));
    }

    #[test]
    fn a_fingerprint_read_back_matches_with_or_without_spaces_dashes_or_capitals() {
        let shown = fingerprint(&KEY);
        for typed in [
            shown.clone(),
            shown.to_lowercase(),
            shown.replace(' ', ""),
            shown.replace(' ', "-"),
            format!("  {}  ", shown.replace(' ', " - ")),
        ] {
            assert!(same(&typed, &shown), "{typed}");
            assert!(
                Expected::parse(&typed).expect("readable").matches(&KEY),
                "{typed}"
            );
        }
        assert!(!same("", &shown));
    }

    #[test]
    fn the_full_sha256_of_the_key_is_accepted_as_the_expected_fingerprint() {
        let full = hex::encode(Sha256::digest(KEY));
        assert!(Expected::parse(&full).expect("readable").matches(&KEY));
    }

    #[test]
    fn another_keys_fingerprint_does_not_match() {
        let other = fingerprint(&[8u8; 32]);
        assert!(!Expected::parse(&other).expect("readable").matches(&KEY));
    }

    #[test]
    fn a_short_or_mistyped_expected_fingerprint_is_refused_with_a_reason() {
        assert_eq!(
            Expected::parse(&legacy(&KEY)),
            Err(ExpectedError::Short),
            "the 64-bit form must not be relied on"
        );
        for typo in [
            "",
            "3F2A 9C01",
            "3F2A 9C01 B7E4 5D88 0A6C 21F9 E4B0 7D1",
            "ZZZZ",
        ] {
            assert_eq!(
                Expected::parse(typo),
                Err(ExpectedError::Unreadable),
                "{typo}"
            );
        }
        let with_letter_o = fingerprint(&KEY).replacen('0', "O", 1);
        if with_letter_o != fingerprint(&KEY) {
            assert_eq!(
                Expected::parse(&with_letter_o),
                Err(ExpectedError::Unreadable)
            );
        }
    }
}
