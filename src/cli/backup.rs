//! `harbour backup create|verify|restore` and `harbour status`.
//!
//! Checking and restoring a backup need no data folder to be open: a backup carries its own
//! wrapped key, opened with its passphrase (as for `harbour` itself) or its recovery key.

use std::path::{Path, PathBuf};

use harbour::backup;
use harbour::keys::Passphrase;
use harbour::{Error, Harbour, Result, Unlock};

use super::args::{BackupCmd, BackupKeyArgs};
use super::output::Out;
use super::secrets;

pub fn run(dir: &Path, pf: Option<&PathBuf>, c: BackupCmd, out: &Out) -> Result<()> {
    match c {
        BackupCmd::Create { out: folder } => {
            let h = super::open(dir, pf)?;
            let made = backup::create(&h, &folder)?;
            out.emit(&made, || made.message.clone());
        }
        BackupCmd::Verify { file, key } => {
            let checked = with_key(&key, pf, |how| backup::check_file(&file, how))?;
            out.emit(&checked, || checked.message.clone());
        }
        BackupCmd::Restore { file, key } => {
            let restored = with_key(&key, pf, |how| backup::restore(&file, how, dir))?;
            out.emit(&restored, || {
                format!(
                    "{} The new card: harbour peer card --out FILE",
                    restored.message
                )
            });
        }
    }
    Ok(())
}

/// Runs `f` with the backup's key: the recovery key when asked for, else the passphrase
/// given by a script, else the keyring (the same computer), else a typed passphrase.
fn with_key<T>(
    key: &BackupKeyArgs,
    pf: Option<&PathBuf>,
    f: impl Fn(Unlock<'_>) -> Result<T>,
) -> Result<T> {
    if key.recovery_key || key.recovery_key_file.is_some() {
        let r = secrets::recovery_key(key.recovery_key_file.as_ref())?;
        return f(Unlock::Recovery(&r));
    }
    if let Some(p) = secrets::given_passphrase(pf)? {
        return f(Unlock::Passphrase(&p));
    }
    match f(Unlock::Keyring) {
        Ok(v) => return Ok(v),
        Err(Error::KeyringEmpty) | Err(Error::KeyringUnavailable(_)) => {}
        Err(other) => return Err(other),
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Error::PassphraseNeeded);
    }
    let typed = rpassword::prompt_password("Passphrase for the backup: ")
        .map_err(|_| Error::PassphraseNeeded)?;
    f(Unlock::Passphrase(&Passphrase::new(typed)))
}

pub fn status(h: &Harbour, out: &Out) -> Result<()> {
    let s = backup::backup_status(h.log().conn())?;
    let forks = harbour::store::fork::forks(h.log().conn())?;
    let due = harbour::read::retention::count_due(
        h.log().conn(),
        h.log().device().author,
        harbour::domain::time::today(),
    )?;
    let urgent = harbour::read::urgent::open_cases(h.log().conn(), h.log().device().author)?;
    let policy =
        harbour::read::dashboard::policy_review(h.log().conn(), harbour::domain::time::today())?;
    out.emit(
        &serde_json::json!({
            "urgent": urgent,
            "backup": s,
            "forks": forks,
            "retention_due": due,
            "policy_review": policy,
        }),
        || {
            // The urgent thing first.
            let mut text = String::new();
            for case in &urgent {
                let why: Vec<&str> = case.reasons.iter().map(|r| r.text.as_str()).collect();
                text.push_str(&format!(
                    "URGENT: {} needs a police referral. {} (harbour incident refer {} --agency police)\n",
                    case.reference,
                    why.join(" "),
                    case.reference
                ));
            }
            text.push_str(&s.message);
            if s.overdue {
                text.push_str(" To make one: harbour backup create --out FOLDER");
            }
            for f in &forks {
                text.push('\n');
                text.push_str(&f.message);
            }
            match due {
                0 => {}
                1 => text.push_str("\n1 record is due for review under its retention rule."),
                n => text.push_str(&format!(
                    "\n{n} records are due for review under their retention rule."
                )),
            }
            if let Some(p) = &policy {
                text.push('\n');
                text.push_str(&p.message);
            }
            text
        },
    );
    Ok(())
}
