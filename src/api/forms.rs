//! Printing induction forms: for learners chosen by name or id, for a CSV of new starters
//! (imported on the way), and for members of staff — any mix of the three.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::domain::time::parse_date;
use crate::ops::{learners, resolve_learner, resolve_staff};
use crate::print::forms::{self as print, FormLearner, FormStaff};
use crate::{Error, Harbour, Result};

/// Whose forms to print, and where to write the PDF.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrintFormsRequest {
    /// Learners already in Harbour: each an id, or the unique beginning of one.
    pub learners: Vec<String>,
    /// Members of staff, each an id or its unique beginning: each gets the staff Acceptable
    /// Use agreement.
    pub staff: Vec<String>,
    /// A CSV of new starters, imported first; its learners are added to `learners`.
    pub cohort_csv: Option<PathBuf>,
    /// The induction date printed on the forms, e.g. 2026-09-07.
    pub induction: String,
    /// The PDF to write.
    pub path: PathBuf,
}

/// What a print run wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrintedForms {
    pub path: PathBuf,
    pub pages: u32,
    /// Learners imported from the cohort CSV on the way.
    pub imported: u32,
    pub learners: Vec<FormLearner>,
    pub staff: Vec<FormStaff>,
}

/// Prints the forms. The cohort's learners are added to those chosen (never in place of
/// them); a run with no one to print for is refused and writes nothing.
pub fn print_forms(h: &mut Harbour, r: PrintFormsRequest) -> Result<PrintedForms> {
    let induction = parse_date(&r.induction)?;
    let log = h.log_mut();
    let mut ids = r
        .learners
        .iter()
        .map(|l| resolve_learner(log, l))
        .collect::<Result<Vec<_>>>()?;
    let staff = r
        .staff
        .iter()
        .map(|s| resolve_staff(log, s))
        .collect::<Result<Vec<_>>>()?;
    if ids.is_empty() && staff.is_empty() && r.cohort_csv.is_none() {
        return Err(Error::invalid(
            "Choose at least one learner or member of staff, or a CSV of new starters, to print forms for.",
        ));
    }
    let mut imported = 0;
    if let Some(path) = r.cohort_csv {
        let file = std::fs::File::open(&path).map_err(|e| Error::ReadFile {
            reason: crate::error::plain_io(&e),
            path,
        })?;
        let preview = learners::preview_csv(log, file)?;
        let new = learners::import(log, preview)?;
        imported = new.len() as u32;
        for id in new {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let mut plan = print::plan(log.conn(), &ids, induction)?;
    plan.staff = print::plan_staff(log.conn(), &staff)?;
    let doc = print::render(&plan)?;
    let pages = doc.page_count() as u32;
    doc.write_to(&r.path)?;
    Ok(PrintedForms {
        path: r.path,
        pages,
        imported,
        learners: plan.learners,
        staff: plan.staff,
    })
}
