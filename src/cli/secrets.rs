//! Getting the passphrase or recovery key from a script (environment, file) or a person
//! (a prompt that does not echo), and opening the data folder with it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use harbour::keys::{Passphrase, RecoveryKey};
use harbour::{Error, Harbour, Result, Unlock};

fn first_line(path: &Path) -> Result<String> {
    let text = harbour::limits::read_text(
        path,
        harbour::limits::SECRET_FILE_BYTES,
        "a passphrase or recovery key file",
    )?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

fn prompt(question: &str) -> Result<Option<String>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(question)
        .map(Some)
        .map_err(|_| Error::PassphraseNeeded)
}

/// A secret from a file, an environment variable, or a prompt, in that order.
fn secret(file: Option<&PathBuf>, env: &str, question: &str) -> Result<Option<String>> {
    if let Some(f) = file {
        return first_line(f).map(Some);
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(Some(v));
    }
    prompt(question)
}

/// The passphrase given by a script, if any (no prompt).
pub fn given_passphrase(file: Option<&PathBuf>) -> Result<Option<Passphrase>> {
    if let Some(f) = file {
        return first_line(f).map(|p| Some(Passphrase::new(p)));
    }
    Ok(std::env::var("HARBOUR_PASSPHRASE")
        .ok()
        .map(Passphrase::new))
}

/// A new passphrase: from a file or variable, or typed twice.
pub fn new_passphrase(file: Option<&PathBuf>, env: &str) -> Result<Passphrase> {
    if let Some(p) = secret(file, env, "New passphrase: ")? {
        let p = Passphrase::new(p);
        p.check_new()?;
        if file.is_none() && std::env::var(env).is_err() {
            let again = prompt("Type it again: ")?.ok_or(Error::PassphraseNeeded)?;
            if again != p.expose() {
                return Err(Error::PassphraseMismatch);
            }
        }
        return Ok(p);
    }
    Err(Error::PassphraseNeeded)
}

/// The passphrase for an encrypted pack: from a file, HARBOUR_PACK_PASSPHRASE, or typed
/// (twice when it is new, so a typing slip cannot lock the recipient out).
pub fn pack_passphrase(file: Option<&PathBuf>, new: bool) -> Result<Passphrase> {
    let question = if new {
        "Passphrase for the pack (send it separately): "
    } else {
        "Passphrase for the pack: "
    };
    let typed = file.is_none() && std::env::var("HARBOUR_PACK_PASSPHRASE").is_err();
    let p = secret(file, "HARBOUR_PACK_PASSPHRASE", question)?
        .map(Passphrase::new)
        .ok_or(Error::PackPassphraseNeeded)?;
    if new {
        p.check_new()?;
        if typed {
            let again = prompt("Type it again: ")?.ok_or(Error::PackPassphraseNeeded)?;
            if again != p.expose() {
                return Err(Error::PassphraseMismatch);
            }
        }
    }
    Ok(p)
}

/// The recovery key: from a file, HARBOUR_RECOVERY_KEY, or typed.
pub fn recovery_key(file: Option<&PathBuf>) -> Result<RecoveryKey> {
    let text = secret(file, "HARBOUR_RECOVERY_KEY", "Recovery key: ")?.ok_or_else(|| {
        Error::invalid(
            "Harbour needs the recovery key: type it when asked, or use --recovery-key-file.",
        )
    })?;
    RecoveryKey::parse(&zeroize::Zeroizing::new(text))
}

/// A warning about this computer's clock found when the folder was opened, printed once the
/// command is done (`take_clock_warning`).
static CLOCK_WARNING: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Opens the folder (see `unlock`), and notes when this computer's clock is far from the
/// case log's.
pub fn open(dir: &Path, passphrase_file: Option<&PathBuf>) -> Result<Harbour> {
    let h = unlock(dir, passphrase_file)?;
    if let (Ok(Some(w)), Ok(mut slot)) = (h.log().clock_warning(), CLOCK_WARNING.lock()) {
        *slot = Some(w.message);
    }
    Ok(h)
}

/// The clock warning noted when the folder was opened, if any.
pub fn take_clock_warning() -> Option<String> {
    CLOCK_WARNING.lock().ok().and_then(|mut w| w.take())
}

/// Unlocks the folder: with a passphrase given by a script, else the keyring, else a prompt.
fn unlock(dir: &Path, passphrase_file: Option<&PathBuf>) -> Result<Harbour> {
    if let Some(p) = given_passphrase(passphrase_file)? {
        return Harbour::open(dir, Unlock::Passphrase(&p));
    }
    match Harbour::open(dir, Unlock::Keyring) {
        Ok(h) => return Ok(h),
        Err(Error::KeyringEmpty) | Err(Error::KeyringUnavailable(_)) => {}
        Err(other) => return Err(other),
    }
    let typed = prompt("Passphrase: ")?.ok_or(Error::PassphraseNeeded)?;
    Harbour::open(dir, Unlock::Passphrase(&Passphrase::new(typed)))
}
