//! Recording learners, one at a time or from a CSV file of new starters.
//!
//! A CSV import is all or nothing: every row is checked first, and if any row is wrong the
//! report names each bad row by its line number and nothing is recorded.

use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::time::{parse_date, today};
use crate::domain::{required, Carer};
use crate::log::Body;
use crate::store::CaseLog;
use crate::{Error, Result};

/// A learner about to be recorded.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewLearner {
    pub name: String,
    pub dob: NaiveDate,
    pub centre: String,
    pub employer: Option<String>,
    pub carers: Vec<Carer>,
}

/// A CSV row that could not be used, by its line in the file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub line: u64,
    pub problem: String,
}

/// What a CSV file would import: the good rows and the bad ones.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvPreview {
    pub learners: Vec<NewLearner>,
    pub problems: Vec<RowProblem>,
}

fn check(log: &CaseLog, l: NewLearner) -> Result<NewLearner> {
    let name = required("The learner's name", &l.name)?;
    let centre = super::org::existing_centre(log, &l.centre)?;
    if l.dob > today() {
        return Err(Error::invalid("The date of birth is in the future."));
    }
    if l.dob < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(Error::invalid("The date of birth is before 1900."));
    }
    let employer = l
        .employer
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    let mut carers = Vec::new();
    for c in l.carers {
        let name = required("A parent or carer's name", &c.name)?;
        let relationship = required("A parent or carer's relationship", &c.relationship)?;
        carers.push(Carer {
            name,
            relationship,
            phone: c
                .phone
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
        });
    }
    Ok(NewLearner {
        name,
        dob: l.dob,
        centre,
        employer,
        carers,
    })
}

fn body(id: Uuid, l: NewLearner) -> Body {
    Body::LearnerAdded {
        learner_id: id,
        name: l.name,
        dob: l.dob,
        centre: l.centre,
        employer: l.employer,
        carers: l.carers,
    }
}

/// Records one learner and returns their id.
pub fn add(log: &mut CaseLog, learner: NewLearner) -> Result<Uuid> {
    let learner = check(log, learner)?;
    let id = Uuid::now_v7();
    log.append(body(id, learner))?;
    Ok(id)
}

/// Reads a CSV of learners (header row: name, dob, centre; optional employer, carer_name,
/// carer_relationship, carer_phone) and checks every row without recording anything.
pub fn preview_csv(log: &CaseLog, input: impl Read) -> Result<CsvPreview> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| Error::invalid("The CSV file's header row could not be read."))?
        .iter()
        .map(|h| h.to_lowercase().replace([' ', '-'], "_"))
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let (Some(name_col), Some(dob_col), Some(centre_col)) = (
        col(&["name", "full_name", "learner"]),
        col(&["dob", "date_of_birth", "birth_date"]),
        col(&["centre", "centre_code"]),
    ) else {
        return Err(Error::invalid(
            "The CSV file needs a header row with the columns name, dob and centre.",
        ));
    };
    let employer_col = col(&["employer"]);
    let carer_cols = (
        col(&["carer_name", "parent_name", "parent_or_carer"]),
        col(&["carer_relationship", "relationship"]),
        col(&["carer_phone", "phone"]),
    );
    let mut preview = CsvPreview {
        learners: Vec::new(),
        problems: Vec::new(),
    };
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                preview.problems.push(RowProblem {
                    line,
                    problem: "the row does not have the same number of columns as the header"
                        .into(),
                });
                continue;
            }
        };
        let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        let carers = match carer_cols {
            (Some(_), _, _) if field(carer_cols.0).is_empty() => vec![],
            (Some(n), r, p) => vec![Carer {
                name: field(Some(n)),
                relationship: if field(r).is_empty() {
                    "Parent or carer".into()
                } else {
                    field(r)
                },
                phone: Some(field(p)),
            }],
            _ => vec![],
        };
        let parsed = parse_date(&field(Some(dob_col))).and_then(|dob| {
            check(
                log,
                NewLearner {
                    name: field(Some(name_col)),
                    dob,
                    centre: field(Some(centre_col)),
                    employer: Some(field(employer_col)),
                    carers,
                },
            )
        });
        match parsed {
            Ok(l) => preview.learners.push(l),
            Err(e) => preview.problems.push(RowProblem {
                line,
                problem: e.to_string(),
            }),
        }
    }
    if preview.learners.is_empty() && preview.problems.is_empty() {
        return Err(Error::invalid("The CSV file has no learners in it."));
    }
    Ok(preview)
}

/// Imports a previewed CSV: all rows in one transaction, or none if any row was bad.
pub fn import(log: &mut CaseLog, preview: CsvPreview) -> Result<Vec<Uuid>> {
    import_with(log, preview, &mut |_, _| true)
}

/// As `import`, telling `progress(done, total)` after each learner; when it answers false
/// the import stops with `Error::Cancelled` and nothing is imported.
pub fn import_with(
    log: &mut CaseLog,
    preview: CsvPreview,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Vec<Uuid>> {
    if !preview.problems.is_empty() {
        let listed: Vec<String> = preview
            .problems
            .iter()
            .map(|p| format!("line {}: {}", p.line, p.problem.trim_end_matches('.')))
            .collect();
        return Err(Error::invalid(format!(
            "Nothing was imported because {} row{} could not be used — {}.",
            preview.problems.len(),
            if preview.problems.len() == 1 { "" } else { "s" },
            listed.join("; ")
        )));
    }
    let ids: Vec<Uuid> = preview.learners.iter().map(|_| Uuid::now_v7()).collect();
    let bodies = ids
        .iter()
        .zip(preview.learners)
        .map(|(id, l)| body(*id, l))
        .collect();
    let total = ids.len();
    log.append_all_with(bodies, &mut |done| progress(done, total))?;
    Ok(ids)
}
