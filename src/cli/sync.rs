//! Peers, sync bundles and conflicts.

use std::io::{BufRead, IsTerminal, Write};

use harbour::log::Field;
use harbour::sync::{export, folder, import, peers};
use harbour::{Error, Harbour, Result};

use super::args::{ConflictCmd, PeerCmd, SyncCmd};
use super::output::Out;

fn ask_yes(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim().to_lowercase().as_str(), "y" | "yes")
}

pub fn peer(h: &mut Harbour, c: PeerCmd, out: &Out) -> Result<()> {
    if let PeerCmd::Revoke { peer } = c {
        return revoke(h, &peer, out);
    }
    let log = h.log();
    match c {
        PeerCmd::Card { out: path } => {
            let card = peers::own_card(log)?;
            let text = serde_json::to_vec_pretty(&card)
                .map_err(|_| Error::invalid("The card could not be written."))?;
            harbour::fsutil::write_atomically(&path, &text)?;
            out.emit(
                &serde_json::json!({ "file": path, "fingerprint": card.fingerprint(), "device_id": card.device_id }),
                || {
                    format!(
                        "This device's card is in {}.\nIts fingerprint, to read to the other coordinator: {}",
                        path.display(),
                        card.fingerprint()
                    )
                },
            );
        }
        PeerCmd::Add { card, confirm } => {
            let card = peers::read_card(&card)?;
            let fingerprint = card.fingerprint();
            let confirmed = match confirm {
                Some(c) => c,
                None => {
                    let question = format!(
                        "{} ({}, centre {}, device {}).\nFingerprint: {fingerprint}\nHas {} read you this same fingerprint over the phone?",
                        card.coordinator, card.label, card.centre, card.device_id, card.coordinator
                    );
                    if ask_yes(&question) {
                        fingerprint.clone()
                    } else {
                        return Err(Error::invalid(format!(
                            "The peer was not added: confirm its fingerprint ({fingerprint}) with the other coordinator, then run this again with --confirm \"{fingerprint}\"."
                        )));
                    }
                }
            };
            let p = peers::add(log, &card, &confirmed)?;
            out.emit(&p, || {
                format!(
                    "{} ({}, centre {}) is now a trusted peer.",
                    p.coordinator, p.label, p.centre
                )
            });
        }
        PeerCmd::List => {
            let list = peers::list(log.conn())?;
            out.emit(&list, || {
                if list.is_empty() {
                    return "No peers yet: exchange cards with `harbour peer card` and `harbour peer add`.".into();
                }
                let mut s = String::new();
                for p in &list {
                    let state = match p.revoked_ms {
                        Some(at) => format!("revoked {}", harbour::domain::time::show_millis(at)),
                        None => "trusted".into(),
                    };
                    s.push_str(&format!(
                        "{}  {}  {} ({})  {}  [{}]\n",
                        p.device_id, p.centre, p.coordinator, p.label, p.fingerprint, state
                    ));
                }
                s
            });
        }
        PeerCmd::Revoke { .. } => {}
    }
    Ok(())
}

fn revoke(h: &mut Harbour, peer: &str, out: &Out) -> Result<()> {
    let p = peers::revoke(h.log_mut(), peer)?;
    out.done(&format!(
        "{} ({}) is revoked: nothing more is sent to it, and what it records from now on is refused here and by every centre this device syncs with, whoever passes it on.",
        p.coordinator, p.centre
    ));
    Ok(())
}

pub fn sync(h: &mut Harbour, c: SyncCmd, out: &Out) -> Result<()> {
    match c {
        SyncCmd::Export { to, out: dir } => {
            let dir = dir.unwrap_or_else(|| std::path::PathBuf::from("."));
            let e = export::export(h, &to, &dir)?;
            out.emit(&e, || {
                let mut s = format!(
                    "Bundle for {} written to {}: {} event(s), {} evidence file(s), {} bytes.",
                    e.peers.join(", "),
                    e.file.display(),
                    e.events,
                    e.evidence,
                    e.bytes
                );
                if e.withheld > 0 {
                    s.push_str(&format!(
                        "\n{} event(s) about a restricted record were sent without their content.",
                        e.withheld
                    ));
                }
                s
            });
        }
        SyncCmd::Import { files } => {
            let mut all = Vec::new();
            for f in &files {
                all.push(import::import_file(h, f)?);
            }
            out.emit(&all, || {
                all.iter()
                    .map(|i| i.describe())
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        SyncCmd::Folder { path } => {
            let r = folder::sync(h, &path)?;
            out.emit(&r, || {
                let mut s = String::new();
                for i in &r.imported {
                    s.push_str(&i.describe());
                    s.push('\n');
                }
                for (f, why) in &r.refused {
                    s.push_str(&format!("Refused {}: {why}\n", f.display()));
                }
                for (f, what) in &r.conflict_copies {
                    s.push_str(&format!(
                        "A copy renamed by the service carrying the folder, {what}: {}\n",
                        f.display()
                    ));
                }
                s.push_str(&format!(
                    "{} bundle(s) imported, {} refused, {} skipped; {} written.",
                    r.imported.len(),
                    r.refused.len(),
                    r.skipped,
                    r.written.len()
                ));
                s
            });
        }
    }
    Ok(())
}

pub fn conflict(h: &mut Harbour, c: ConflictCmd, out: &Out) -> Result<()> {
    match c {
        ConflictCmd::List => {
            let log = h.log();
            let list = harbour::read::conflicts::list(log.conn(), log.device().author, None)?;
            out.emit(&list, || {
                if list.is_empty() {
                    return "Nothing has been changed on two devices.".into();
                }
                list.iter()
                    .map(harbour::read::conflicts::describe)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ConflictCmd::Resolve {
            reference,
            field,
            keep,
            reason,
        } => {
            let field = Field::parse(&field)?;
            let log = h.log_mut();
            let id = harbour::ops::incidents::resolve(log, &reference)?;
            harbour::ops::conflicts::resolve(log, id, field, &keep, &reason)?;
            out.done(&format!("The {} of {reference} is settled.", field.label()));
        }
    }
    Ok(())
}
