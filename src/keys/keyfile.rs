//! `keys.json`: the data key, wrapped by the passphrase and by the recovery key.
//!
//! The file holds no secret in the clear. It is replaced atomically (written beside, synced,
//! renamed), so a crash or a full disk while changing the passphrase leaves the old file.

use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::recovery::RecoveryKey;
use super::secret::{DataKey, Passphrase};
use super::wrap::{self, KdfParams, Sealed};
use crate::{fsutil, Error, Result};

/// The version of this file's layout that this build writes and reads.
pub const FORMAT: u32 = 1;

/// The contents of `keys.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: u32,
    /// A random id for this data folder: the keyring entry's name and the AEAD's context.
    pub folder_id: Uuid,
    pub kdf: KdfParams,
    pub passphrase: Sealed,
    pub recovery: Sealed,
}

impl KeyFile {
    /// Wraps a data key for a new folder under both the passphrase and the recovery key.
    pub fn create(
        key: &DataKey,
        passphrase: &Passphrase,
        recovery: &RecoveryKey,
        kdf: KdfParams,
    ) -> Result<Self> {
        let folder_id = Uuid::now_v7();
        let aad = aad(folder_id);
        Ok(KeyFile {
            format: FORMAT,
            folder_id,
            kdf,
            passphrase: wrap::seal_with_passphrase(key, passphrase, &kdf, &aad)?,
            recovery: wrap::seal_with_recovery(key, recovery.expose(), &aad)?,
        })
    }

    pub fn unlock_with_passphrase(&self, passphrase: &Passphrase) -> Result<DataKey> {
        wrap::open_with_passphrase(
            &self.passphrase,
            passphrase,
            &self.kdf,
            &aad(self.folder_id),
        )
    }

    pub fn unlock_with_recovery(&self, recovery: &RecoveryKey) -> Result<DataKey> {
        wrap::open_with_recovery(&self.recovery, recovery.expose(), &aad(self.folder_id))
    }

    /// A copy with the data key wrapped under a new passphrase; the recovery wrap is kept.
    pub fn with_new_passphrase(&self, key: &DataKey, passphrase: &Passphrase) -> Result<Self> {
        passphrase.check_new()?;
        let kdf = if self.kdf.memory_kib < KdfParams::MINIMUM.memory_kib
            || self.kdf.iterations < KdfParams::MINIMUM.iterations
        {
            KdfParams::MINIMUM
        } else {
            self.kdf
        };
        Ok(KeyFile {
            kdf,
            passphrase: wrap::seal_with_passphrase(key, passphrase, &kdf, &aad(self.folder_id))?,
            ..self.clone()
        })
    }

    pub fn read(path: &Path) -> Result<Self> {
        // Bounded: a larger file is not a key file, and fails to parse below.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| {
                let mut bounded = std::io::Read::take(f, crate::limits::KEY_FILE_BYTES);
                std::io::Read::read_to_end(&mut bounded, &mut bytes)
            })
            .map_err(|e| Error::io(path, &e))?;
        let file: KeyFile = serde_json::from_slice(&bytes)
            .map_err(|_| Error::KeyFile("it is not in a form Harbour can read".into()))?;
        if file.format > FORMAT {
            return Err(Error::NewerVersion);
        }
        Ok(file)
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|_| Error::KeyFile("it could not be written".into()))?;
        fsutil::write_private(path, &text)
    }
}

fn aad(folder_id: Uuid) -> Vec<u8> {
    let mut out = b"harbour data key v1 ".to_vec();
    out.extend_from_slice(folder_id.as_bytes());
    out
}
