//! The data folder: where Harbour keeps its encrypted database and wrapped keys, and the
//! lock that lets only one program use it at a time.
//!
//! Layout: `keys.json` (the wrapped data key), `harbour.db` (SQLCipher, WAL mode) and
//! `harbour.lock`. Set-up builds the database under a temporary name and writes `keys.json`
//! last, so an interrupted set-up leaves no half-made folder that looks ready.
//!
//! Only set-up makes a database. Opening refuses a missing, empty or damaged `harbour.db` in
//! one sentence and leaves it as it is, for restoring from a backup. The folder is 0700 and
//! its files 0600 on Unix (a folder from an older Harbour is tightened at open), and what
//! interrupted runs left behind is removed at open (see [`crate::leftovers`]).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::domain::reference::check_centre_code;
use crate::domain::{required, ContactRole};
use crate::keys::{keyring_store, DataKey, KdfParams, KeyFile, Passphrase, RecoveryKey};
use crate::log::Body;
use crate::store::{db, CaseLog};
use crate::{fsutil, Error, Result};

const DB_FILE: &str = "harbour.db";
const KEY_FILE: &str = "keys.json";
const LOCK_FILE: &str = "harbour.lock";

/// The platform's data folder for Harbour, unless `HARBOUR_DATA_DIR` or `--data-dir` says
/// otherwise.
pub fn default_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("Harbour")
}

/// Holds the folder for this process; released when dropped.
struct FolderLock {
    _file: File,
}

impl FolderLock {
    fn take(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, fsutil::PRIVATE_FILE);
        let file = options.open(&path).map_err(|e| Error::io(dir, &e))?;
        match file.try_lock() {
            Ok(()) => Ok(FolderLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::AlreadyOpen(dir.to_path_buf())),
            Err(TryLockError::Error(e)) => Err(Error::io(dir, &e)),
        }
    }
}

/// What set-up needs to know.
#[derive(Debug, Clone)]
pub struct Setup {
    pub organisation: String,
    pub centre_code: String,
    pub centre_name: String,
    pub coordinator: String,
    pub role: String,
    /// A name for this computer, e.g. "Manchester laptop".
    pub device_label: Option<String>,
}

/// How to unlock.
pub enum Unlock<'a> {
    Passphrase(&'a Passphrase),
    Recovery(&'a RecoveryKey),
    Keyring,
}

/// An unlocked data folder.
pub struct Harbour {
    dir: PathBuf,
    keys: KeyFile,
    data_key: DataKey,
    log: CaseLog,
    _lock: FolderLock,
}

/// Turns a storage failure into the sentence a person needs. SQLite reports a full disk in
/// some places (growing the WAL's shared memory, for one) as a plain I/O error, so after any
/// database or I/O failure Harbour looks at the free space itself.
pub fn explain(dir: &Path, err: Error) -> Error {
    const NEARLY_FULL: u64 = 4 * 1024 * 1024;
    match err {
        Error::Database(_) | Error::DataFolder { .. } => match fs4::available_space(dir) {
            Ok(free) if free < NEARLY_FULL => Error::DiskFull,
            _ => err,
        },
        other => other,
    }
}

/// Whether a folder has been set up.
pub fn is_set_up(dir: &Path) -> bool {
    dir.join(KEY_FILE).exists()
}

impl Harbour {
    /// Sets up a new data folder and returns it open, with the recovery key to show once.
    pub fn init(
        dir: &Path,
        setup: &Setup,
        passphrase: &Passphrase,
    ) -> Result<(Harbour, RecoveryKey)> {
        Self::init_with(dir, setup, passphrase, KdfParams::default())
    }

    /// As `init`, with stronger key-derivation settings than the minimum if wanted.
    pub fn init_with(
        dir: &Path,
        setup: &Setup,
        passphrase: &Passphrase,
        kdf: KdfParams,
    ) -> Result<(Harbour, RecoveryKey)> {
        passphrase.check_new()?;
        if kdf.memory_kib < KdfParams::MINIMUM.memory_kib
            || kdf.iterations < KdfParams::MINIMUM.iterations
        {
            return Err(Error::invalid(
                "Key-derivation settings below 64 MiB and 3 passes are not allowed.",
            ));
        }
        let organisation = required("The organisation's name", &setup.organisation)?;
        let centre_code = check_centre_code(&setup.centre_code)?;
        let centre_name = required("The centre's name", &setup.centre_name)?;
        let coordinator = required("The coordinator's name", &setup.coordinator)?;
        let role = required("The coordinator's role", &setup.role)?;

        fsutil::create_private_dir(dir)?;
        if is_set_up(dir) {
            return Err(Error::AlreadySetUp(dir.to_path_buf()));
        }
        let lock = FolderLock::take(dir)?;
        if dir.join(DB_FILE).exists() {
            return Err(Error::DataFolder {
                path: dir.to_path_buf(),
                reason: "it holds a Harbour database but no key file, so nothing was changed"
                    .into(),
            });
        }

        let data_key = DataKey::generate();
        let recovery = RecoveryKey::generate();
        let keys = KeyFile::create(&data_key, passphrase, &recovery, kdf)?;
        let final_db = dir.join(DB_FILE);
        let partial_db = fsutil::partial_name(&final_db);
        // Only an earlier set-up that was interrupted makes this name: it never finished.
        remove_db_files(&partial_db);
        let built = (|| -> Result<()> {
            let conn = db::create(&partial_db, &data_key)?;
            let staff_id = Uuid::now_v7();
            let label = setup
                .device_label
                .clone()
                .unwrap_or_else(|| format!("{centre_name} ({coordinator})"));
            let mut log = CaseLog::create(conn, staff_id, &label, Some(centre_code.clone()))?;
            let mut bodies = vec![
                Body::OrganisationNamed { name: organisation },
                Body::CentreAdded {
                    code: centre_code.clone(),
                    name: centre_name,
                },
                Body::StaffAdded {
                    staff_id,
                    name: coordinator,
                    job_title: role.clone(),
                    centre: Some(centre_code),
                },
            ];
            if let Some(contact) = contact_role_for(&role) {
                bodies.push(Body::ContactAssigned {
                    role: contact,
                    staff_id,
                });
            }
            bodies.extend(crate::log::body::built_in_categories()?);
            log.append_all(bodies)?;
            // Closing the last connection checkpoints the WAL into the file.
            log.into_conn().close().map_err(|(_, e)| Error::from(e))?;
            std::fs::rename(&partial_db, &final_db).map_err(|e| Error::io(dir, &e))?;
            keys.write(&dir.join(KEY_FILE))
        })();
        if let Err(e) = built {
            remove_db_files(&partial_db);
            remove_db_files(&final_db);
            return Err(e);
        }
        let conn = db::open_existing(&final_db, &data_key)?;
        let log = CaseLog::load(conn)?;
        Ok((
            Harbour {
                dir: dir.to_path_buf(),
                keys,
                data_key,
                log,
                _lock: lock,
            },
            recovery,
        ))
    }

    /// Opens a set-up folder. A wrong passphrase changes nothing on disk.
    pub fn open(dir: &Path, how: Unlock<'_>) -> Result<Harbour> {
        if !is_set_up(dir) {
            return Err(Error::NotSetUp(dir.to_path_buf()));
        }
        let lock = FolderLock::take(dir)?;
        let keys = KeyFile::read(&dir.join(KEY_FILE))?;
        let data_key = match how {
            Unlock::Passphrase(p) => keys.unlock_with_passphrase(p)?,
            Unlock::Recovery(r) => keys.unlock_with_recovery(r)?,
            Unlock::Keyring => keyring_store::recall(keys.folder_id)?,
        };
        let db_path = dir.join(DB_FILE);
        if !db_path.exists() {
            return Err(Error::DataFolder {
                path: dir.to_path_buf(),
                reason: "its database file is missing".into(),
            });
        }
        let conn = db::open_existing(&db_path, &data_key).map_err(|e| match e {
            // The key unwrapped, so it is the right key: the file itself is damaged.
            Error::NotADatabase => {
                Error::DatabaseDamaged("its file cannot be read with the folder's key".into())
            }
            other => other,
        })?;
        let log = CaseLog::load(conn)?;
        fsutil::tighten(
            dir,
            &[DB_FILE, KEY_FILE, LOCK_FILE, crate::leftovers::JOURNAL],
            crate::ops::evidence::EVIDENCE_DIR,
        );
        crate::leftovers::clean(dir, log.conn());
        Ok(Harbour {
            dir: dir.to_path_buf(),
            keys,
            data_key,
            log,
            _lock: lock,
        })
    }

    /// Sets a new passphrase from the recovery key, and opens the folder.
    pub fn recover(dir: &Path, recovery: &RecoveryKey, new: &Passphrase) -> Result<Harbour> {
        new.check_new()?;
        let mut h = Harbour::open(dir, Unlock::Recovery(recovery))?;
        h.change_passphrase(new)?;
        Ok(h)
    }

    /// Rewraps the data key under a new passphrase. The database is not re-encrypted.
    pub fn change_passphrase(&mut self, new: &Passphrase) -> Result<()> {
        let keys = self.keys.with_new_passphrase(&self.data_key, new)?;
        keys.write(&self.dir.join(KEY_FILE))?;
        self.keys = keys;
        Ok(())
    }

    /// Checks that a recovery key opens this folder (without changing anything).
    pub fn check_recovery_key(&self, recovery: &RecoveryKey) -> Result<()> {
        self.keys.unlock_with_recovery(recovery).map(|_| ())
    }

    /// Remembers the data key in this computer's keyring.
    pub fn remember_in_keyring(&self) -> Result<()> {
        keyring_store::remember(self.keys.folder_id, &self.data_key)
    }

    /// Forgets the data key in this computer's keyring.
    pub fn forget_keyring(&self) -> Result<()> {
        keyring_store::forget(self.keys.folder_id)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn folder_id(&self) -> Uuid {
        self.keys.folder_id
    }

    pub fn log(&self) -> &CaseLog {
        &self.log
    }

    pub fn log_mut(&mut self) -> &mut CaseLog {
        &mut self.log
    }

    /// The data key, for other parts of the core that encrypt at rest (evidence files).
    pub fn data_key(&self) -> &DataKey {
        &self.data_key
    }
}

/// Removes a database file and its WAL and shared-memory files, if they are there.
fn remove_db_files(p: &Path) {
    let _ = std::fs::remove_file(p);
    let _ = std::fs::remove_file(with_suffix(p, "-wal"));
    let _ = std::fs::remove_file(with_suffix(p, "-shm"));
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The key-contact role a job title implies, if it names one.
fn contact_role_for(role: &str) -> Option<ContactRole> {
    let r = role.to_lowercase();
    if r.contains("deputy") && r.contains("safeguarding") {
        Some(ContactRole::DeputyDsl)
    } else if r.contains("designated safeguarding") || r == "dsl" {
        Some(ContactRole::Dsl)
    } else if r.contains("safety") {
        Some(ContactRole::OnlineSafetyCoordinator)
    } else if r.contains("general manager") {
        Some(ContactRole::GeneralManager)
    } else {
        None
    }
}
