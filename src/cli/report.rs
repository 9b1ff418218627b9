//! `harbour report …` and `harbour recovery-sheet`.

use harbour::print::{recovery, report as print};
use harbour::read::reports;
use harbour::{Harbour, Result};

use super::args::{RecoverySheetArgs, ReportCmd};
use super::output::Out;
use super::secrets;

pub fn report(h: &Harbour, c: ReportCmd, out: &Out) -> Result<()> {
    match c {
        ReportCmd::Quarterly {
            quarter,
            out: path,
            named,
        } => {
            let period = reports::parse_quarter(&quarter)?;
            let viewer = h.log().device().author;
            let figures = reports::figures(h.log().conn(), viewer, &period, named)?;
            print::render(&figures)?.write_to(&path)?;
            out.emit(&figures, || {
                format!(
                    "The report for {} ({} incidents) is in {}.",
                    figures.period.label,
                    figures.incidents,
                    path.display()
                )
            });
        }
    }
    Ok(())
}

pub fn recovery_sheet(h: &Harbour, a: RecoverySheetArgs, out: &Out) -> Result<()> {
    let details = recovery::details(h)?;
    let with_key = !a.without_key;
    if with_key {
        // The key is never stored: ask for it, and check it opens this folder before printing.
        let key = secrets::recovery_key(a.recovery_key_file.as_ref())?;
        h.check_recovery_key(&key)?;
        recovery::render(&details, Some(&key.groups()))?.write_to(&a.out)?;
    } else {
        recovery::render(&details, None)?.write_to(&a.out)?;
    }
    out.emit(
        &serde_json::json!({ "file": a.out, "with_key": with_key, "folder_id": details.folder_id }),
        || {
            if with_key {
                format!(
                    "The recovery sheet, with the key, is in {}. Print it, then delete the file.",
                    a.out.display()
                )
            } else {
                format!(
                    "The recovery sheet, without the key, is in {}.",
                    a.out.display()
                )
            }
        },
    );
    Ok(())
}
