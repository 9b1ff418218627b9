//! `harbour evidence …`, `harbour procedure …` and `harbour pack …`

use std::path::{Path, PathBuf};

use harbour::domain::procedures;
use harbour::domain::time::{parse_date, show_millis, today};
use harbour::ops::evidence::{self as ops, NewEvidence};
use harbour::ops::incidents::resolve;
use harbour::ops::packs;
use harbour::ops::procedures::{self as procs, StepOutcome};
use harbour::read::{evidence as read, procedures as read_procs};
use harbour::{Harbour, Result};

use super::args::{EvidenceCmd, PackCmd, ProcedureCmd};
use super::output::Out;
use super::secrets::pack_passphrase;

pub fn evidence(h: &mut Harbour, c: EvidenceCmd, out: &Out) -> Result<()> {
    match c {
        EvidenceCmd::Add {
            reference,
            file,
            description,
            shows,
            source,
            username,
            platform,
            device_held_by,
            device_location,
        } => {
            let id = resolve(h.log(), &reference)?;
            let captured = ops::add(
                h,
                id,
                NewEvidence {
                    file,
                    description,
                    shows,
                    source,
                    username,
                    platform,
                    device_held_by,
                    device_location,
                },
            )
            .map_err(|e| match e {
                harbour::Error::ImageryRefused {
                    what,
                    reference,
                    hint: _,
                } => harbour::Error::ImageryRefused {
                    hint: format!(" On the command line: harbour evidence imagery {reference} --where \"…\" --held-by \"…\"."),
                    what,
                    reference,
                },
                other => other,
            })?;
            out.emit(&captured, || {
                format!(
                    "Evidence stored: {}\nSHA-256: {}",
                    captured.item_id, captured.sha256
                )
            });
        }
        EvidenceCmd::List { reference } => {
            let id = resolve(h.log(), &reference)?;
            let e = read::for_incident_in(h, id)?;
            out.emit(&e, || {
                let mut s = String::new();
                if e.items.is_empty() {
                    s.push_str("No evidence files are held for this incident.\n");
                }
                for i in &e.items {
                    let status = match i.status.as_str() {
                        "handed_over" => "handed over",
                        "missing" => "MISSING from the evidence store: run `harbour verify`",
                        "damaged" => "DAMAGED in the evidence store: run `harbour verify`",
                        _ => "held",
                    };
                    s.push_str(&format!(
                        "{}  {} ({}, {} bytes, {status})\n  SHA-256 {}\n",
                        i.id, i.description, i.file_name, i.size, i.sha256
                    ));
                    for c in &i.custody {
                        s.push_str(&format!(
                            "    {}  {}  {}\n",
                            show_millis(c.at_ms),
                            c.by,
                            c.detail
                        ));
                    }
                }
                for im in &e.imagery {
                    s.push_str(&format!(
                        "Imagery (not stored), recorded {} by {}: where: {}; held by: {}\n",
                        show_millis(im.at_ms),
                        im.recorded_by,
                        im.location,
                        im.held_by
                    ));
                }
                s
            });
        }
        EvidenceCmd::Imagery {
            reference,
            location,
            held_by,
            device_owner,
            action_taken,
        } => {
            let log = h.log_mut();
            let id = resolve(log, &reference)?;
            ops::record_imagery(log, id, &location, &held_by, device_owner, action_taken)?;
            out.done("Recorded that the imagery exists; it has not been stored.");
        }
        EvidenceCmd::Open {
            item,
            out: path,
            reason,
        } => {
            let i = ops::open(h, &item, &path, reason.as_deref())?;
            out.done(&format!(
                "Evidence item {} decrypted to {}; its SHA-256 matched and the opening is logged.",
                i.id,
                path.display()
            ));
        }
        EvidenceCmd::Handover {
            item,
            to,
            agency,
            crime_reference,
            date,
        } => {
            let date = date
                .as_deref()
                .map(parse_date)
                .transpose()?
                .unwrap_or_else(today);
            let i = ops::handover(h.log_mut(), &item, &to, &agency, &crime_reference, date)?;
            out.done(&format!("Hand-over of evidence item {} recorded.", i.id));
        }
        EvidenceCmd::Returned { item } => {
            let i = ops::returned(h.log_mut(), &item)?;
            out.done(&format!("Return of evidence item {} recorded.", i.id));
        }
        EvidenceCmd::Erase { item, reason } => {
            let i = ops::erase(h, &item, &reason)?;
            out.done(&format!(
                "Harbour\u{2019}s copy of evidence item {} is erased; the record of it is kept.",
                i.id
            ));
        }
    }
    Ok(())
}

pub fn procedure(h: &mut Harbour, c: ProcedureCmd, out: &Out) -> Result<()> {
    match c {
        ProcedureCmd::Show { reference } => {
            let id = resolve(h.log(), &reference)?;
            let p = read_procs::show(h.log().conn(), id)?;
            out.emit(&p, || {
                let mut s = format!("{}\n", p.reference);
                for f in &p.flags {
                    s.push_str(&format!("FLAG: {}\n", f.text));
                }
                if p.procedures.is_empty() {
                    s.push_str("No procedure is attached; `harbour procedure attach` adds one.\n");
                }
                for pr in &p.procedures {
                    s.push_str(&format!("\n{} (version {})\n", pr.title, pr.version));
                    for st in &pr.steps {
                        let req = if st.required { " [required]" } else { "" };
                        let status = match st.state.as_str() {
                            "done" => format!(
                                "done by {} on {}{}",
                                st.by.as_deref().unwrap_or("(unknown)"),
                                st.at_ms.map(show_millis).unwrap_or_default(),
                                st.note
                                    .as_deref()
                                    .map(|n| format!(" — note: {n}"))
                                    .unwrap_or_default()
                            ),
                            "not_applicable" => format!(
                                "not applicable ({}), recorded by {} on {}",
                                st.note.as_deref().unwrap_or(""),
                                st.by.as_deref().unwrap_or("(unknown)"),
                                st.at_ms.map(show_millis).unwrap_or_default()
                            ),
                            _ => "outstanding".to_string(),
                        };
                        s.push_str(&format!("  {}{req}: {}\n    {status}\n", st.id, st.text));
                    }
                }
                for sg in &p.suggested {
                    s.push('\n');
                    s.push_str(&super::incident::suggestion_line(&p.reference, sg));
                }
                s
            });
        }
        ProcedureCmd::Step {
            reference,
            step,
            done,
            note,
            not_applicable,
        } => {
            let log = h.log_mut();
            let id = resolve(log, &reference)?;
            let outcome = match (done, not_applicable) {
                (_, Some(reason)) => StepOutcome::NotApplicable { reason },
                _ => StepOutcome::Done { note },
            };
            procs::step(log, id, &step, outcome)?;
            out.done("Procedure step recorded.");
        }
        ProcedureCmd::Attach {
            reference,
            procedure,
        } => {
            let log = h.log_mut();
            let id = resolve(log, &reference)?;
            let title = procs::attach(log, id, &procedure)?;
            out.done(&format!("The incident now follows {title}."));
        }
        ProcedureCmd::Trigger { reference, trigger } => {
            let log = h.log_mut();
            let id = resolve(log, &reference)?;
            procs::trigger(log, id, &trigger)?;
            out.done("Trigger recorded: this calls for an urgent police referral.");
        }
        ProcedureCmd::Copy {
            procedure,
            out: path,
        } => {
            let text = procs::copy(h.log(), &procedure)?;
            harbour::fsutil::write_atomically(&path, text.as_bytes())?;
            out.done(&format!(
                "Procedure template written to {}; edit it, raise its version and run `harbour procedure adapt`.",
                path.display()
            ));
        }
        ProcedureCmd::Adapt { file } => {
            let text = harbour::limits::read_text(
                &file,
                harbour::limits::TEMPLATE_BYTES,
                "a procedure template",
            )?;
            let def = procs::adapt(h.log_mut(), &text)?;
            out.done(&format!(
                "Incidents opened from now on follow {} (version {}).",
                def.title, def.version
            ));
        }
        ProcedureCmd::List => {
            let all = procedures::all(h.log().conn())?;
            let rows: Vec<_> = all
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id, "version": p.version, "title": p.title,
                        "source": p.source, "categories": p.categories,
                    })
                })
                .collect();
            out.emit(&rows, || {
                all.iter()
                    .map(|p| format!("{:<24} v{}  {}", p.id, p.version, p.title))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

pub fn pack(h: &mut Harbour, c: PackCmd, out: &Out) -> Result<()> {
    match c {
        PackCmd::Export {
            reference,
            out: path,
            reason,
            encrypt,
            pack_passphrase_file,
        } => {
            let id = resolve(h.log(), &reference)?;
            let e = if encrypt {
                // Asked before anything is written, so a slip changes nothing.
                let passphrase = pack_passphrase(pack_passphrase_file.as_ref(), true)?;
                packs::export_sealed(h, id, &path, reason.as_deref(), &passphrase, |_| true)?
            } else {
                packs::export(h, id, &path, reason.as_deref())?
            };
            out.emit(&e, || {
                let mut s = format!(
                    "Evidence pack for {} written to {} ({} evidence files).\nSigned by the key with fingerprint {}.",
                    e.reference,
                    e.path.display(),
                    e.items,
                    e.fingerprint
                );
                if encrypt {
                    s.push_str("\nIt is encrypted (age format): send the passphrase by another route, never with the pack. The recipient decrypts it with `age -d` or `rage -d`, or checks it with `harbour pack verify`.");
                }
                s
            });
            Ok(())
        }
        PackCmd::Verify {
            pack,
            pack_passphrase_file,
            expect,
        } => verify_pack(&pack, pack_passphrase_file.as_ref(), expect.as_deref(), out),
    }
}

/// `harbour pack verify`: with `--expect`, a pack signed by another key is refused; without
/// it, the recipient is told to confirm the fingerprint by phone.
pub fn verify_pack(
    pack: &Path,
    passphrase_file: Option<&PathBuf>,
    expect: Option<&str>,
    out: &Out,
) -> Result<()> {
    // A mistyped fingerprint is refused before a passphrase is asked for.
    packs::expected(expect)?;
    let c = if packs::is_sealed(pack)? {
        let passphrase = pack_passphrase(passphrase_file, false)?;
        packs::verify_sealed_expecting(pack, &passphrase, expect)?
    } else {
        packs::verify_expecting(pack, expect)?
    };
    out.emit(&c, || {
        let who = if expect.is_some() {
            "the fingerprint you were given"
        } else {
            "confirm it by phone with the sender before relying on the pack"
        };
        format!(
            "The evidence pack for {} is intact: {} files match the signed manifest.\nMade by {} at {}; signed by the key with fingerprint {} ({who}).",
            c.reference, c.files, c.made_by, c.made_at, c.fingerprint
        )
    });
    Ok(())
}
