//! The recovery key: 160 random bits written as eight groups a person can copy by hand.
//!
//! Each group is four characters of Crockford base32 (no I, L, O or U, so nothing is
//! confused with 1 or 0) followed by one check character computed from the group's position
//! and its four characters. A mistyped or swapped character is caught in the group it is in,
//! and Harbour names that group, before any unlocking is tried.

use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Result};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Groups in a recovery key.
pub const GROUPS: usize = 8;
/// Data characters in a group (5 bits each), before its check character.
const DATA_CHARS: usize = 4;
/// Characters in a written group, check included.
pub const GROUP_CHARS: usize = DATA_CHARS + 1;
const SECRET_BYTES: usize = GROUPS * DATA_CHARS * 5 / 8;

/// The recovery key's secret; shown once at set-up and never stored.
pub struct RecoveryKey([u8; SECRET_BYTES]);

impl Drop for RecoveryKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn check_char(group_index: usize, data: &[u8]) -> u8 {
    let mut hasher = Sha256::new();
    hasher.update(b"harbour recovery group");
    hasher.update([group_index as u8]);
    hasher.update(data);
    ALPHABET[(hasher.finalize()[0] & 31) as usize]
}

fn decode_char(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u8)
}

impl RecoveryKey {
    /// A fresh random recovery key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        RecoveryKey(bytes)
    }

    /// The secret bytes, for deriving the key that seals the data key.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The eight groups as a person copies them, e.g. `7K2QX-…`.
    pub fn groups(&self) -> Zeroizing<Vec<String>> {
        let mut values = Zeroizing::new(Vec::with_capacity(GROUPS * DATA_CHARS));
        let mut acc: u32 = 0;
        let mut bits = 0;
        for &b in self.0.iter() {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                values.push(((acc >> bits) & 31) as u8);
            }
        }
        acc.zeroize();
        let mut groups = Zeroizing::new(Vec::with_capacity(GROUPS));
        for (i, chunk) in values.chunks(DATA_CHARS).enumerate() {
            let mut text: String = chunk
                .iter()
                .map(|&v| ALPHABET[v as usize] as char)
                .collect();
            text.push(check_char(i, text.as_bytes()) as char);
            groups.push(text);
        }
        groups
    }

    /// The whole key on one line, groups joined by hyphens.
    pub fn display(&self) -> Zeroizing<String> {
        Zeroizing::new(self.groups().join("-"))
    }

    /// Reads a key as typed: hyphens and spaces ignored, case ignored, O read as 0 and I or L
    /// as 1. A group whose check character does not match is named.
    pub fn parse(text: &str) -> Result<Self> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect(),
        );
        let chars: Vec<char> = cleaned.chars().collect();
        if chars.len() != GROUPS * GROUP_CHARS {
            let found = text
                .split(|c: char| c == '-' || c.is_whitespace())
                .filter(|g| !g.is_empty())
                .count();
            return Err(Error::RecoveryKeyShape {
                expected: GROUPS,
                chars: GROUP_CHARS,
                found,
            });
        }
        let mut values = Zeroizing::new(Vec::with_capacity(GROUPS * DATA_CHARS));
        for (i, group) in chars.chunks(GROUP_CHARS).enumerate() {
            let mut data = String::with_capacity(DATA_CHARS);
            for &c in &group[..DATA_CHARS] {
                let v = decode_char(c).ok_or(Error::RecoveryKeyTypo { group: i + 1 })?;
                values.push(v);
                data.push(ALPHABET[v as usize] as char);
            }
            let check = decode_char(group[DATA_CHARS]).map(|v| ALPHABET[v as usize]);
            if check != Some(check_char(i, data.as_bytes())) {
                return Err(Error::RecoveryKeyTypo { group: i + 1 });
            }
        }
        let mut bytes = [0u8; SECRET_BYTES];
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut out = 0;
        for &v in values.iter() {
            acc = (acc << 5) | u32::from(v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes[out] = ((acc >> bits) & 0xff) as u8;
                out += 1;
            }
        }
        acc.zeroize();
        Ok(RecoveryKey(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shape_is_eight_groups_of_five() {
        let key = RecoveryKey::generate();
        let groups = key.groups();
        assert_eq!(groups.len(), 8);
        assert!(groups.iter().all(|g| g.len() == 5));
        assert!(groups
            .iter()
            .flat_map(|g| g.chars())
            .all(|c| ALPHABET.contains(&(c as u8))));
    }

    #[test]
    fn lower_case_and_spaces_and_lookalikes_are_accepted() {
        let key = RecoveryKey::from_fixed([0u8; SECRET_BYTES]);
        let text = key
            .display()
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o");
        let back = RecoveryKey::parse(&text).expect("parse");
        assert_eq!(back.expose(), key.expose());
    }

    #[test]
    fn a_missing_group_is_reported_with_the_count() {
        let key = RecoveryKey::generate();
        let groups = key.groups();
        let text = groups[..7].join("-");
        assert!(matches!(
            RecoveryKey::parse(&text),
            Err(Error::RecoveryKeyShape { found: 7, .. })
        ));
    }

    impl RecoveryKey {
        fn from_fixed(bytes: [u8; SECRET_BYTES]) -> Self {
            RecoveryKey(bytes)
        }
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::array::uniform20(any::<u8>())) {
            let key = RecoveryKey::from_fixed(bytes);
            let back = RecoveryKey::parse(&key.display()).expect("parse");
            prop_assert_eq!(back.expose(), key.expose());
        }

        /// Changing any one character to another symbol is caught and the group named,
        /// except in the rare case (1 in 32) where the check character also matches; the
        /// AEAD then refuses the key, so no wrong key is ever used.
        #[test]
        fn a_typo_names_its_group(bytes in proptest::array::uniform20(any::<u8>()),
                                  pos in 0usize..40, delta in 1u8..32) {
            let key = RecoveryKey::from_fixed(bytes);
            let mut chars: Vec<u8> = key.groups().concat().into_bytes();
            let old = ALPHABET.iter().position(|&a| a == chars[pos]).expect("symbol") as u8;
            chars[pos] = ALPHABET[((old + delta) % 32) as usize];
            let typed = String::from_utf8(chars).expect("ascii");
            match RecoveryKey::parse(&typed) {
                Err(Error::RecoveryKeyTypo { group }) => prop_assert_eq!(group, pos / 5 + 1),
                Ok(other) => prop_assert_ne!(other.expose(), key.expose()),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
    }
}
