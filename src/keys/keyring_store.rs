//! Remembering the data key in the operating system's keyring, so one computer can unlock
//! without the passphrase.
//!
//! Every keyring failure becomes one plain sentence (`KeyringUnavailable`), and callers fall
//! back to the passphrase: a headless Linux box without a Secret Service is normal.

use uuid::Uuid;

use super::secret::DataKey;
use crate::{Error, Result};

const SERVICE: &str = "Harbour";

fn entry(folder_id: Uuid) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("data-key-{folder_id}")).map_err(unavailable)
}

fn unavailable(err: keyring::Error) -> Error {
    let why = match err {
        keyring::Error::NoStorageAccess(_) => "it is locked or not running".to_string(),
        keyring::Error::PlatformFailure(_) => "no keyring service is running".to_string(),
        keyring::Error::NoEntry => "nothing is stored".to_string(),
        _ => "it refused the request".to_string(),
    };
    Error::KeyringUnavailable(why)
}

/// Stores the data key for this folder.
pub fn remember(folder_id: Uuid, key: &DataKey) -> Result<()> {
    entry(folder_id)?
        .set_password(&key.to_hex())
        .map_err(unavailable)
}

/// Fetches the data key for this folder, if one is stored.
pub fn recall(folder_id: Uuid) -> Result<DataKey> {
    match entry(folder_id)?.get_password() {
        Ok(text) => {
            let text = zeroize::Zeroizing::new(text);
            DataKey::from_hex(&text).ok_or(Error::KeyringEmpty)
        }
        Err(keyring::Error::NoEntry) => Err(Error::KeyringEmpty),
        Err(other) => Err(unavailable(other)),
    }
}

/// Removes the stored key; forgetting what was never stored is not an error.
pub fn forget(folder_id: Uuid) -> Result<()> {
    match entry(folder_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(other) => Err(unavailable(other)),
    }
}
