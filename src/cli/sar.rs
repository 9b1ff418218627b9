//! `harbour sar export`: a subject access disclosure for one learner (see `api::sar`).

use harbour::api::sar::{self as api, SarExportRequest};
use harbour::domain::text::shown_line;
use harbour::domain::time::show_date;
use harbour::{Harbour, Result};

use super::args::SarCmd;
use super::output::Out;

pub fn run(h: &mut Harbour, c: SarCmd, out: &Out) -> Result<()> {
    match c {
        SarCmd::Export {
            learner,
            out: dir,
            to,
            include_evidence,
        } => {
            let x = api::export_sar(
                h,
                SarExportRequest {
                    learner,
                    out_dir: dir,
                    to,
                    include_evidence,
                },
            )?;
            out.emit(&x, || {
                let mut s = format!(
                    "The records held about {} ({} incident(s)) are in {}.\n\
                     SHA-256 of the document: {}\n\
                     {} redaction(s) are listed in {}: review each one before the document is released.\n",
                    shown_line(&x.learner_name),
                    x.incidents.len(),
                    x.document.display(),
                    x.document_sha256,
                    x.redactions,
                    x.redaction_list.display(),
                );
                for f in &x.evidence_files {
                    s.push_str(&format!("Evidence file released: {}\n", f.display()));
                }
                s.push_str(&format!(
                    "Disclosure {} is recorded as released on {}.",
                    x.disclosure,
                    show_date(x.released_on)
                ));
                s
            });
        }
    }
    Ok(())
}
