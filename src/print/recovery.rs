//! The recovery sheet: what to keep, where, and what to do with it.
//!
//! The recovery key is never stored, so a sheet with the key can be printed only when the key
//! is at hand: at set-up, or later by typing the key in (it is checked against this folder
//! first). A sheet without the key says so plainly and carries the folder's id, so the key
//! written down elsewhere can be matched to the right folder.
//!
//! The file is written readable by its owner only (0600 on Unix): with the key on it, it
//! opens every record, and even without it, it says where they are.

use std::path::Path;

use harbour_pdf::DocumentBuilder;
use serde::Serialize;

use crate::domain::time::show_date;
use crate::{fsutil, Harbour, Result};

/// A laid-out recovery sheet, ready to write.
pub struct Sheet(DocumentBuilder);

impl Sheet {
    /// Writes the sheet to `path` atomically, readable by its owner only.
    pub fn write_to(self, path: &Path) -> Result<()> {
        let bytes = self.0.finish()?;
        fsutil::write_private(path, &bytes).map_err(|e| match e {
            // Said as any other PDF that cannot be written, not as the data folder.
            crate::Error::DataFolder { path, reason } => crate::Error::Print(format!(
                "{} could not be written because {reason}",
                path.display()
            )),
            other => other,
        })
    }
}

/// What goes on the sheet, apart from the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetDetails {
    pub organisation: String,
    pub device_label: String,
    pub device_id: String,
    pub folder_id: String,
    pub data_dir: String,
    pub printed_on: String,
}

/// Reads the details from an open folder.
pub fn details(h: &Harbour) -> Result<SheetDetails> {
    let conn = h.log().conn();
    let organisation: String =
        conn.query_row("SELECT name FROM org WHERE id = 1", [], |r| r.get(0))?;
    let device = h.log().device().id.to_string();
    let device_label: String = conn
        .query_row("SELECT label FROM devices WHERE id = ?1", [&device], |r| {
            r.get(0)
        })
        .unwrap_or_else(|_| "this computer".into());
    Ok(SheetDetails {
        organisation,
        device_label,
        device_id: device,
        folder_id: h.folder_id().to_string(),
        data_dir: h.dir().display().to_string(),
        printed_on: show_date(crate::domain::time::today()),
    })
}

/// Lays out the sheet; with `key` (the eight groups) it carries the key itself.
pub fn render(d: &SheetDetails, key: Option<&[String]>) -> Result<Sheet> {
    let mut doc = DocumentBuilder::new("Harbour recovery sheet")?;
    doc.footer_text(&format!(
        "{} \u{2013} Harbour recovery sheet",
        d.organisation
    ));
    doc.title("Harbour recovery sheet");
    doc.key_value("Organisation", &d.organisation);
    doc.key_value("Computer", &d.device_label);
    doc.key_value("Device id", &d.device_id);
    doc.key_value("Data folder id", &d.folder_id);
    doc.key_value("Data folder", &d.data_dir);
    doc.key_value("Printed on", &d.printed_on);
    match key {
        Some(groups) => {
            doc.heading("Recovery key");
            doc.paragraph(&groups.join("   "));
            doc.paragraph(
                "This key opens every case record on this computer. Anyone who has this sheet and \
                 the computer can read them, so keep it as securely as the records themselves.",
            );
        }
        None => {
            doc.heading("This sheet does NOT show the recovery key");
            doc.paragraph(
                "Harbour never stores the recovery key, so it cannot print it again. The key was \
                 shown once, when Harbour was set up on this computer. Write it by hand in the box \
                 below from the copy made then, or print a sheet with the key using \
                 `harbour recovery-sheet`, which asks for the key and checks it against this \
                 folder first.",
            );
            doc.signature_block(&["Recovery key", "", "Written by", "Date"]);
        }
    }
    doc.heading("What to do with this sheet");
    for line in [
        "Keep it locked away, apart from this computer: a locked cabinet or safe at the centre, or with the Designated Safeguarding Lead.",
        "Do not photograph it, scan it, e-mail it or store it on any computer or phone.",
        "If the passphrase is forgotten, run `harbour recover` on this computer and type the key when asked; Harbour then asks for a new passphrase. Each group of five characters has its own check character, so a mistyped group is named before anything is tried.",
        "The key belongs to the data folder whose id is printed above; a key for another computer's folder will not open this one.",
        "If the sheet is lost or may have been seen by someone else, tell the Designated Safeguarding Lead straight away.",
        "When this computer is replaced or its records are moved, shred this sheet once the new set-up has its own.",
    ] {
        doc.paragraph(&format!("\u{2022}  {line}"));
    }
    Ok(Sheet(doc))
}
