//! Packs encrypted with a passphrase, in the standard age format (<https://age-encryption.org>).
//!
//! A pack that travels by e-mail or on a USB stick to someone without Harbour is encrypted
//! with a passphrase sent separately (age's scrypt passphrase recipient). The recipient
//! decrypts it with the free `age` or `rage` tools (`age -d -o pack.zip pack.zip.age`, which
//! asks for the passphrase) and then checks the ZIP as usual. Harbour checks an encrypted
//! pack without writing the ZIP to disk: age streams can be read from any position.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use age::secrecy::SecretString;

use crate::verify::VerifyError;

/// The first bytes of every age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// The file-name ending of an encrypted pack.
pub const SEALED_EXTENSION: &str = ".zip.age";

/// The scrypt work factor (N = 2^18) every encrypted pack is made with: the default of the
/// reference `age` tool. Left to itself the age library picks a factor that takes a second on
/// the computer exporting the pack, and refuses to decrypt one that would take more than about
/// sixteen seconds on the computer opening it; so a pack made on a fast desktop could not be
/// opened on a slow or busy laptop (seen in Harbour's own tests on a loaded machine).
const WORK_FACTOR: u8 = 18;

/// The most work Harbour accepts when opening a pack (N = 2^22, the reference `age` tool's
/// limit): fixed, so the answer does not depend on how busy this computer is.
const MAX_WORK_FACTOR: u8 = 22;

/// The encryptor for `passphrase`, at the fixed work factor.
pub(crate) fn encryptor(passphrase: &str) -> age::Encryptor {
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_string()));
    recipient.set_work_factor(WORK_FACTOR);
    age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .unwrap_or_else(|_| unreachable!("one passphrase recipient is always accepted"))
}

/// Whether the file at `path` is age-encrypted (by its first bytes, not its name).
pub fn is_sealed(path: &Path) -> io::Result<bool> {
    let mut head = [0u8; AGE_MAGIC.len()];
    let mut file = File::open(path)?;
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got == head.len() && head == AGE_MAGIC)
}

/// The decrypted pack, readable and seekable.
pub type Opened = age::stream::StreamReader<BufReader<File>>;

/// Opens an encrypted pack with `passphrase`.
pub fn open_sealed(path: &Path, passphrase: &str) -> Result<Opened, VerifyError> {
    let file = File::open(path).map_err(|source| VerifyError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let decryptor =
        age::Decryptor::new(BufReader::new(file)).map_err(|_| VerifyError::NotSealed)?;
    if !decryptor.is_scrypt() {
        return Err(VerifyError::NotSealed);
    }
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_string()));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                VerifyError::WrongPassphrase
            }
            _ => VerifyError::NotSealed,
        })
}
