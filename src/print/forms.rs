//! The forms handed out at induction, pre-filled: each learner's, one learner after another,
//! then the staff Acceptable Use agreement for each member of staff being inducted.
//!
//! Each person's forms start on a new page, and so does each form. Which forms a learner is
//! given follows their age on the induction date (see `domain::forms`). Every page's footer
//! names the person and the form, because forms are printed in piles and a second page that
//! comes loose must still say whose it is.
//!
//! The forms are printed in the organisation's current wording (`forms::all`): `plan` reads
//! it once and keeps it in the plan, so each page shows exactly the version the plan lists
//! and `consent record` later records.

use chrono::NaiveDate;
use harbour_pdf::DocumentBuilder;
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::forms::{self, FormTemplate, Signer, ADULT_AGE};
use crate::domain::time::{age_on, show_date};
use crate::{Error, Result};

/// A learner as their forms are filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormLearner {
    pub id: String,
    pub name: String,
    pub dob: NaiveDate,
    pub centre_code: String,
    pub centre_name: String,
    /// Age on the induction date.
    pub age: u32,
    /// The forms printed for them, as `id` and version.
    pub forms: Vec<(String, String)>,
}

/// A member of staff as their Acceptable Use agreement is filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormStaff {
    pub id: String,
    pub name: String,
    pub job_title: String,
    /// The centre as printed, e.g. "Manchester (MAN)", if they belong to one.
    pub centre: Option<String>,
    /// The form printed for them, as `id` and version.
    pub form: (String, String),
}

/// What a print run holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormsPrint {
    pub organisation: String,
    pub induction: NaiveDate,
    pub learners: Vec<FormLearner>,
    /// Members of staff given the staff Acceptable Use agreement, after the learners.
    pub staff: Vec<FormStaff>,
    /// Every form in the organisation's current wording, as read when the plan was made.
    #[serde(skip)]
    templates: Vec<FormTemplate>,
}

/// The form every member of staff signs.
const STAFF_FORM: &str = "staff-aup";

/// Reads the learners and works out their forms, in the organisation's current wording.
pub fn plan(conn: &Connection, learners: &[Uuid], induction: NaiveDate) -> Result<FormsPrint> {
    let templates = forms::all(conn)?;
    let organisation: String =
        conn.query_row("SELECT name FROM org WHERE id = 1", [], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT l.name, l.dob, l.centre_code, coalesce(c.name, l.centre_code) FROM learners l
         LEFT JOIN centres c ON c.code = l.centre_code WHERE l.id = ?1",
    )?;
    let mut out = Vec::with_capacity(learners.len());
    for id in learners {
        let (name, dob, centre_code, centre_name): (String, String, String, String) = stmt
            .query_row([id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let dob = NaiveDate::parse_from_str(&dob, "%Y-%m-%d")
            .map_err(|_| Error::Integrity(format!("learner {id} has a damaged date of birth.")))?;
        let age = age_on(dob, induction).ok_or_else(|| {
            Error::invalid(format!(
                "The induction date {} is before {name} was born.",
                show_date(induction)
            ))
        })?;
        let forms = templates
            .iter()
            .filter(|f| f.applies_to_age(age))
            .map(|f| (f.id.clone(), f.version.clone()))
            .collect();
        out.push(FormLearner {
            id: id.to_string(),
            name,
            dob,
            centre_code,
            centre_name,
            age,
            forms,
        });
    }
    Ok(FormsPrint {
        organisation,
        induction,
        learners: out,
        staff: Vec::new(),
        templates,
    })
}

/// Reads members of staff (by id) for the staff Acceptable Use agreement (the
/// organisation's current version).
pub fn plan_staff(conn: &Connection, staff: &[Uuid]) -> Result<Vec<FormStaff>> {
    let form = forms::find_in(conn, STAFF_FORM)?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.name, s.job_title, s.centre_code, c.name FROM staff s
         LEFT JOIN centres c ON c.code = s.centre_code WHERE s.id = ?1",
    )?;
    staff
        .iter()
        .map(|id| {
            let (name, job_title, code, centre): (String, String, Option<String>, Option<String>) =
                stmt.query_row([id.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?;
            let centre = code.map(|code| match centre {
                Some(name) => format!("{name} ({code})"),
                None => code,
            });
            Ok(FormStaff {
                id: id.to_string(),
                name,
                job_title,
                centre,
                form: (form.id.clone(), form.version.clone()),
            })
        })
        .collect()
}

/// The footer of every page of one person's form: their name first, so that it survives if
/// the line is too long and has to be shortened.
fn footer(p: &FormsPrint, name: &str, f: &FormTemplate) -> String {
    format!(
        "{name} \u{2013} {} version {} \u{2013} {} \u{2013} induction {}",
        f.id,
        f.version,
        p.organisation,
        show_date(p.induction)
    )
}

fn bullet_list(doc: &mut DocumentBuilder, items: &[String]) {
    for item in items {
        doc.paragraph(&format!("\u{2022}  {item}"));
    }
}

fn one_form(doc: &mut DocumentBuilder, p: &FormsPrint, l: &FormLearner, f: &FormTemplate) {
    doc.page_break();
    doc.running_footer(&footer(p, &l.name, f));
    doc.title(&f.title);
    doc.key_value("Organisation", &p.organisation);
    doc.key_value("Centre", &format!("{} ({})", l.centre_name, l.centre_code));
    doc.key_value("Learner", &l.name);
    doc.key_value("Date of birth", &show_date(l.dob));
    doc.key_value("Induction date", &show_date(p.induction));
    // Named as people call it; the reference (as the footer gives it) matches a returned
    // form to its wording.
    doc.key_value(
        "Form",
        &format!("{}, version {} (reference {})", f.title, f.version, f.id),
    );
    let parent_signs = f.parent_signs(l.age);
    doc.heading("About this form");
    doc.paragraph(&f.purpose);
    if f.signer == Signer::Parent && !parent_signs {
        doc.paragraph(&format!(
            "{} was {} on the induction date, so they give or refuse consent themselves and sign this form.",
            l.name, l.age
        ));
    }
    if !f.notes.is_empty() {
        doc.heading(if f.questions.is_empty() {
            "What I agree to"
        } else {
            "Please note"
        });
        bullet_list(doc, &f.notes);
    }
    if !f.questions.is_empty() {
        doc.heading(if f.questions.len() > 1 {
            "Your choices: tick yes or no for each one"
        } else {
            "Your choice: tick yes or no"
        });
        for q in &f.questions {
            doc.paragraph(&q.text);
            doc.key_value("", "Yes \u{2610}      No \u{2610}");
        }
    }
    doc.heading("How long the record is kept");
    doc.paragraph(&f.retention);
    doc.heading("How to withdraw");
    doc.paragraph(&f.withdraw);
    doc.heading("Signature");
    let who = if parent_signs {
        format!(
            "To be signed by a parent or carer of {}, who is under {ADULT_AGE}.",
            l.name
        )
    } else {
        format!("To be signed by {}, the learner.", l.name)
    };
    doc.paragraph(&who);
    if parent_signs {
        doc.signature_block(harbour_pdf::SIGNATURE_LABELS);
    } else {
        doc.signature_block(&["Signature", "Name", "Relationship: Self", "Date"]);
    }
}

fn staff_form(doc: &mut DocumentBuilder, p: &FormsPrint, s: &FormStaff, f: &FormTemplate) {
    doc.page_break();
    doc.running_footer(&footer(p, &s.name, f));
    doc.title(&f.title);
    doc.key_value("Organisation", &p.organisation);
    if let Some(centre) = &s.centre {
        doc.key_value("Centre", centre);
    }
    doc.key_value("Member of staff", &s.name);
    doc.key_value("Job title", &s.job_title);
    doc.key_value("Induction date", &show_date(p.induction));
    // Named as people call it; the reference (as the footer gives it) matches a returned
    // form to its wording.
    doc.key_value(
        "Form",
        &format!("{}, version {} (reference {})", f.title, f.version, f.id),
    );
    doc.heading("About this agreement");
    doc.paragraph(&f.purpose);
    if !f.notes.is_empty() {
        doc.heading("What I agree to");
        bullet_list(doc, &f.notes);
    }
    doc.heading("How long the record is kept");
    doc.paragraph(&f.retention);
    doc.heading("Questions about it");
    doc.paragraph(&f.withdraw);
    doc.heading("Signature");
    doc.paragraph(&format!("To be signed by {}, the member of staff.", s.name));
    doc.signature_block(&["Signature", "Name", "Job title", "Date"]);
}

/// Lays out every learner's forms, then each member of staff's agreement; `finish` or
/// `write_to` the result.
pub fn render(p: &FormsPrint) -> Result<DocumentBuilder> {
    let templates = &p.templates;
    let mut doc = DocumentBuilder::new(&format!("Induction forms {}", show_date(p.induction)))?;
    doc.footer_text(&format!(
        "{} \u{2013} induction forms \u{2013} {}",
        p.organisation,
        show_date(p.induction)
    ));
    for l in &p.learners {
        doc.page_break();
        for (id, _) in &l.forms {
            if let Some(f) = templates.iter().find(|t| &t.id == id) {
                one_form(&mut doc, p, l, f);
            }
        }
    }
    for s in &p.staff {
        doc.page_break();
        if let Some(f) = templates.iter().find(|t| t.id == s.form.0) {
            staff_form(&mut doc, p, s, f);
        }
    }
    Ok(doc)
}
