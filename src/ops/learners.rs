//! Recording learners, one at a time or from a CSV file of new starters.
//!
//! A CSV import is all or nothing: every row is checked first, and if any row is wrong the
//! report names each bad row by its line number in the file and nothing is recorded. A
//! learner already held (same name, date of birth and centre) is skipped and counted, so
//! importing the same file again doubles nobody.

use std::collections::HashSet;
use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

mod csv_input;

use crate::domain::text;
use crate::domain::time::parse_date;
use crate::domain::Carer;
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

/// A CSV row skipped because its learner is already held (the same name, date of birth and
/// centre), or is an earlier row of the same file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlreadyHeld {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub line: u64,
    pub name: String,
}

/// What a CSV file would import: the good rows, the bad ones, and the learners it names
/// who are already held.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvPreview {
    pub learners: Vec<NewLearner>,
    pub problems: Vec<RowProblem>,
    pub already_held: Vec<AlreadyHeld>,
}

fn check(log: &CaseLog, l: NewLearner) -> Result<NewLearner> {
    let name = text::line("The learner's name", &l.name)?;
    let centre = super::org::existing_centre(log, &l.centre)?;
    super::dates::check_dob(l.dob)?;
    let employer = text::optional_line("The employer", l.employer.as_deref())?;
    let mut carers = Vec::new();
    for c in l.carers {
        carers.push(Carer {
            name: text::line("A parent or carer's name", &c.name)?,
            relationship: text::line("A parent or carer's relationship", &c.relationship)?,
            phone: text::optional_line("A parent or carer's phone number", c.phone.as_deref())?,
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

/// Who a learner is, for recognising one already held: the name ignoring case and spacing,
/// the date of birth and the centre.
type Identity = (String, NaiveDate, String);

fn identity(name: &str, dob: NaiveDate, centre: &str) -> Identity {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (name.to_lowercase(), dob, centre.to_uppercase())
}

fn held(log: &CaseLog) -> Result<HashSet<Identity>> {
    let mut stmt = log
        .conn()
        .prepare("SELECT name, dob, centre_code FROM learners")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = HashSet::new();
    for row in rows {
        let (name, dob, centre) = row?;
        if let Ok(dob) = dob.parse::<NaiveDate>() {
            out.insert(identity(&name, dob, &centre));
        }
    }
    Ok(out)
}

/// Reads a CSV of learners (header row: name, dob, centre; optional employer, carer_name,
/// carer_relationship, carer_phone) and checks every row without recording anything.
///
/// Rows with nothing in them (spreadsheets write them at the end, sometimes as commas
/// only) are ignored. A row whose learner is already held, or repeats an earlier row, is
/// skipped and listed in `already_held`, so importing the same file twice adds nobody. The
/// file is read through [`csv_input::read`]: at most 10 MB, UTF-8 only.
pub fn preview_csv(log: &CaseLog, input: impl Read) -> Result<CsvPreview> {
    let content = csv_input::read(input)?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(content.as_bytes());
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
    let mut known = held(log)?;
    let mut preview = CsvPreview {
        learners: Vec::new(),
        problems: Vec::new(),
        already_held: Vec::new(),
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                preview.problems.push(RowProblem {
                    line: csv_input::line_of(&content, e.position()),
                    problem: "the row could not be read as CSV".into(),
                });
                continue;
            }
        };
        let line = csv_input::line_of(&content, record.position());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if let Some(problem) = csv_input::row_problem(&record, headers.len()) {
            preview.problems.push(RowProblem { line, problem });
            continue;
        }
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
            Ok(l) => {
                if known.insert(identity(&l.name, l.dob, &l.centre)) {
                    preview.learners.push(l);
                } else {
                    preview
                        .already_held
                        .push(AlreadyHeld { line, name: l.name });
                }
            }
            Err(e) => preview.problems.push(RowProblem {
                line,
                problem: e.to_string(),
            }),
        }
    }
    if preview.learners.is_empty() && preview.problems.is_empty() && preview.already_held.is_empty()
    {
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
    if preview.learners.is_empty() {
        return Ok(Vec::new());
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
