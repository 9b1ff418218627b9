//! `harbour transfer …`: a learner's file sent to a setting that does not use Harbour, its
//! receipt, and the list of transfers with school days since sending.

use harbour::domain::school_days::TRANSFER_DAYS;
use harbour::domain::time::{parse_date, show_date, today};
use harbour::ops::{resolve_learner, transfers};
use harbour::read::transfers as read;
use harbour::{Harbour, Result};

use super::args::TransferCmd;
use super::output::Out;
use super::secrets::pack_passphrase;

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn run(h: &mut Harbour, c: TransferCmd, out: &Out) -> Result<()> {
    match c {
        TransferCmd::Export {
            learner,
            to,
            out: dir,
            pack_passphrase_file,
        } => {
            let id = resolve_learner(h.log(), &learner)?;
            let passphrase = pack_passphrase(pack_passphrase_file.as_ref(), true)?;
            let s = transfers::send(h, id, &to, &dir, &passphrase)?;
            out.emit(&s, || {
                format!(
                    "The child-protection file of {} ({}, {}) is in {}.\n\
                     SHA-256 of the file: {}\n\
                     The receipt form is {}: print it and send it with the file, to be signed and returned.\n\
                     The file is encrypted: send the passphrase to {} by another route (for example by telephone), never with the file.\n\
                     Transfer {} is logged as sent on {}; record the receipt with `harbour transfer receipt {} --date …`.",
                    s.learner_name,
                    count(s.incidents.len(), "incident", "incidents"),
                    count(s.evidence_files, "evidence file", "evidence files"),
                    s.pack.display(),
                    s.pack_sha256,
                    s.receipt.display(),
                    s.to_setting,
                    s.transfer,
                    show_date(s.sent_on),
                    s.transfer,
                )
            });
        }
        TransferCmd::Receipt {
            transfer,
            date,
            signed_by,
        } => {
            let log = h.log_mut();
            let id = transfers::resolve(log, &transfer)?;
            let date = parse_date(&date)?;
            transfers::record_receipt(log, id, date, signed_by.as_deref())?;
            out.done(&format!(
                "Receipt for transfer {} recorded (received {}).",
                transfers::short(id),
                show_date(date)
            ));
        }
        TransferCmd::List { awaiting } => {
            let conn = h.log().conn();
            let rows = if awaiting {
                read::awaiting(conn, today())?
            } else {
                read::list(conn, today())?
            };
            out.emit(&rows, || {
                if rows.is_empty() {
                    return if awaiting {
                        "No transfer is awaiting its receipt.".to_string()
                    } else {
                        "No learner's file has been transferred.".to_string()
                    };
                }
                let mut s = String::new();
                for t in &rows {
                    let id = uuid::Uuid::parse_str(&t.id)
                        .map(transfers::short)
                        .unwrap_or_else(|_| t.id.clone());
                    s.push_str(&format!(
                        "{id}  {} to {}, sent {} by {}\n",
                        t.learner_name,
                        t.to_setting,
                        show_date(t.sent_on),
                        t.sent_by
                    ));
                    match t.received_on {
                        Some(r) => s.push_str(&format!(
                            "    receipt received {}{} ({} school days after sending)\n",
                            show_date(r),
                            t.receipt_signed_by
                                .as_deref()
                                .map(|b| format!(", signed by {b}"))
                                .unwrap_or_default(),
                            t.school_days
                        )),
                        None => s.push_str(&format!(
                            "    awaiting receipt: {} school days since sending{}\n",
                            t.school_days,
                            if t.overdue {
                                format!(
                                    " (OVERDUE: expected within {TRANSFER_DAYS}, by {})",
                                    show_date(t.expected_by)
                                )
                            } else {
                                format!(" (expected by {})", show_date(t.expected_by))
                            }
                        )),
                    }
                }
                s
            });
        }
    }
    Ok(())
}
