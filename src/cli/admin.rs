//! Set-up, organisation settings, categories, verification and keys.

use std::path::{Path, PathBuf};

use harbour::domain::{ContactRole, FourC};
use harbour::folder::Setup;
use harbour::ops::org as ops;
use harbour::read::org as read;
use harbour::store::verify::check_all;
use harbour::{Error, Harbour, Result};

use super::args::{CategoryCmd, InitArgs, KeyringCmd, OrgCmd, PassphraseCmd, RecoverArgs};
use super::output::Out;
use super::secrets;

pub fn init(dir: &Path, pf: Option<&PathBuf>, a: InitArgs, out: &Out) -> Result<()> {
    let [code, name] = <[String; 2]>::try_from(a.centre)
        .map_err(|_| Error::invalid("Give the first centre as --centre CODE \"Name\"."))?;
    let passphrase = match secrets::given_passphrase(pf)? {
        Some(p) => {
            p.check_new()?;
            p
        }
        None => secrets::new_passphrase(None, "HARBOUR_PASSPHRASE")?,
    };
    let setup = Setup {
        organisation: a.org,
        centre_code: code,
        centre_name: name,
        coordinator: a.coordinator,
        role: a.role,
        device_label: a.device_label,
    };
    let (h, recovery) = Harbour::init(dir, &setup, &passphrase)?;
    let keyring_note = if a.remember {
        match h.remember_in_keyring() {
            Ok(()) => "This computer's keyring now remembers the key.".to_string(),
            Err(e) => e.to_string(),
        }
    } else {
        String::new()
    };
    let groups = recovery.groups();
    let sheet_note = match &a.recovery_sheet {
        // Set-up has happened: if the sheet cannot be written, the key is still shown below.
        Some(path) => match harbour::print::recovery::details(&h).and_then(|d| {
            harbour::print::recovery::render(&d, Some(&groups))?.write_to(path)?;
            Ok(())
        }) {
            Ok(()) => format!(
                "The recovery sheet, with the key, is in {}.",
                path.display()
            ),
            Err(e) => format!("The recovery sheet was not printed: {e} Copy the key by hand."),
        },
        None => String::new(),
    };
    out.emit(
        &serde_json::json!({
            "data_dir": dir,
            "device_id": h.log().device().id,
            "coordinator_id": h.log().device().author,
            "recovery_key": groups.join("-"),
            "keyring": keyring_note,
            "recovery_sheet": a.recovery_sheet,
        }),
        || {
            format!(
                "Harbour is set up in {}.\n\n\
                 RECOVERY KEY — shown once. Print it or copy it by hand now, and keep it locked away\n\
                 apart from this computer. It is the only way in if the passphrase is forgotten.\n\n    {}\n\n{}\n{}",
                dir.display(),
                groups.join("  "),
                keyring_note,
                sheet_note
            )
        },
    );
    Ok(())
}

pub fn org(h: &mut Harbour, c: OrgCmd, out: &Out) -> Result<()> {
    let log = h.log_mut();
    match c {
        OrgCmd::Show => {
            let o = read::organisation(log.conn())?;
            out.emit(&o, || {
                let mut s = format!("{}\n", o.name);
                if let Some(d) = &o.policy_review_date {
                    let shown = harbour::domain::time::parse_date(d)
                        .map(harbour::domain::time::show_date)
                        .unwrap_or_else(|_| d.clone());
                    s.push_str(&format!("Policy review due: {shown}\n"));
                }
                s.push_str("\nCentres:\n");
                for c in &o.centres {
                    s.push_str(&format!("  {}  {}\n", c.code, c.name));
                }
                s.push_str("\nStaff:\n");
                for st in &o.staff {
                    s.push_str(&format!("  {}  {}, {}\n", st.id, st.name, st.job_title));
                }
                s.push_str("\nKey contacts:\n");
                for k in &o.contacts {
                    let label = ContactRole::parse(&k.role)
                        .map(|r| r.label())
                        .unwrap_or("Other");
                    s.push_str(&format!("  {label}: {}\n", k.name));
                }
                s
            });
        }
        OrgCmd::Rename { name } => {
            ops::rename_organisation(log, &name)?;
            out.done("The organisation's name is changed.");
        }
        OrgCmd::BackupInterval { days } => {
            harbour::backup::status::set_interval(log, days)?;
            out.done(&format!(
                "Harbour now reminds you when the last backup is more than {days} day{} old.",
                if days == 1 { "" } else { "s" }
            ));
        }
        OrgCmd::AddCentre { code, name } => {
            let code = ops::add_centre(log, &code, &name)?;
            out.done(&format!("Centre {code} added."));
        }
        OrgCmd::AddStaff {
            name,
            job_title,
            centre,
        } => {
            let id = ops::add_staff(log, &name, &job_title, centre.as_deref())?;
            out.emit(&serde_json::json!({ "id": id }), || id.to_string());
        }
        OrgCmd::Contact { role, staff } => {
            let role = ContactRole::parse(&role)?;
            ops::assign_contact(log, role, &staff)?;
            out.done(&format!("{} recorded.", role.label()));
        }
        OrgCmd::PolicyReview { date } => {
            let d = harbour::domain::time::parse_date(&date)?;
            ops::set_policy_review(log, d)?;
            out.done(&format!(
                "The policy is next reviewed by {}.",
                harbour::domain::time::show_date(d)
            ));
        }
    }
    Ok(())
}

pub fn category(h: &mut Harbour, c: CategoryCmd, out: &Out) -> Result<()> {
    let log = h.log_mut();
    match c {
        CategoryCmd::List => {
            let cats = read::categories(log.conn())?;
            out.emit(&cats, || {
                cats.iter()
                    .map(|c| {
                        let area = FourC::parse(&c.four_c).map(|f| f.label()).unwrap_or("");
                        format!("{:<24} {:<9} {}", c.code, area, c.name)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        CategoryCmd::Add { code, name, area } => {
            let code = ops::add_category(log, &code, &name, FourC::parse(&area)?)?;
            out.done(&format!("Category {code} added."));
        }
    }
    Ok(())
}

pub fn verify(h: &Harbour, out: &Out) -> Result<()> {
    let report = check_all(h)?;
    // On a damaged database, reading the forks may fail on the damaged page: the report
    // already names it, and is what the coordinator needs to see.
    let forks = match harbour::store::fork::forks(h.log().conn()) {
        Ok(forks) => forks,
        Err(_) if !report.is_intact() => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut value = report_json(&report);
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "forks".into(),
            serde_json::to_value(&forks).unwrap_or_default(),
        );
    }
    if !report.is_intact() {
        if out.json {
            out.emit(&value, String::new);
        }
        return Err(Error::Damaged(report.sentences()));
    }
    let Some(log) = &report.log else {
        return Err(Error::Damaged(report.sentences()));
    };
    out.emit(&value, || {
        let counts = format!(
            "{} events from {} device{} checked, and all {} tables match them ({} rows)",
            log.events,
            log.devices,
            if log.devices == 1 { "" } else { "s" },
            log.tables,
            log.rows,
        );
        let files = format!(
            "The database file and all {} evidence file{} are undamaged.",
            report.evidence_checked,
            if report.evidence_checked == 1 {
                ""
            } else {
                "s"
            },
        );
        if forks.is_empty() {
            return format!("The case log is intact: {counts}. {files}");
        }
        // Intact, but not the whole story: a device ran twice.
        let mut s = format!(
            "Every chain, signature and table checks ({counts}), but a device has run twice:"
        );
        for f in &forks {
            s.push_str(&format!(
                "
  {}",
                f.message
            ));
            for e in &f.set_aside {
                s.push_str(&format!(
                    "
    Held aside: {e}"
                ));
            }
        }
        s.push_str(&format!(
            "
{files}"
        ));
        s
    });
    Ok(())
}

/// The report for scripts: the case log's figures at the top level, as before, with what
/// else was checked beside them.
fn report_json(report: &harbour::store::verify::Report) -> serde_json::Value {
    let mut map = match serde_json::to_value(&report.log) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    map.insert("intact".into(), report.is_intact().into());
    map.insert("evidence_checked".into(), report.evidence_checked.into());
    map.insert("findings".into(), serde_json::json!(report.findings));
    serde_json::Value::Object(map)
}

pub fn passphrase(h: &mut Harbour, c: PassphraseCmd, out: &Out) -> Result<()> {
    let PassphraseCmd::Change {
        new_passphrase_file,
    } = c;
    let new = secrets::new_passphrase(new_passphrase_file.as_ref(), "HARBOUR_NEW_PASSPHRASE")?;
    h.change_passphrase(&new)?;
    out.done("The passphrase is changed. The recovery key still works.");
    Ok(())
}

pub fn recover(dir: &Path, a: RecoverArgs, out: &Out) -> Result<()> {
    let key = secrets::recovery_key(a.recovery_key_file.as_ref())?;
    let new = secrets::new_passphrase(a.new_passphrase_file.as_ref(), "HARBOUR_NEW_PASSPHRASE")?;
    Harbour::recover(dir, &key, &new)?;
    out.done("The new passphrase is set. The recovery key still works: keep the sheet safe.");
    Ok(())
}

pub fn keyring(h: &Harbour, c: KeyringCmd, out: &Out) -> Result<()> {
    match c {
        KeyringCmd::Remember => {
            h.remember_in_keyring()?;
            out.done("This computer's keyring now remembers the key; Harbour opens here without the passphrase.");
        }
        KeyringCmd::Forget => {
            h.forget_keyring()?;
            out.done("This computer's keyring no longer holds the key; Harbour will ask for the passphrase.");
        }
    }
    Ok(())
}
