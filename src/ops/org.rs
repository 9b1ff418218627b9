//! Organisation settings: centres, staff, key contacts, categories and the policy's review date.

use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::domain::categories::check_code;
use crate::domain::reference::check_centre_code;
use crate::domain::{required, ContactRole, FourC};
use crate::log::Body;
use crate::store::CaseLog;
use crate::{Error, Result};

pub fn add_centre(log: &mut CaseLog, code: &str, name: &str) -> Result<String> {
    let code = check_centre_code(code)?;
    let name = required("The centre's name", name)?;
    let exists = log
        .conn()
        .query_row("SELECT 1 FROM centres WHERE code = ?1", [&code], |_| Ok(()))
        .optional()?;
    if exists.is_some() {
        return Err(Error::invalid(format!(
            "There is already a centre with the code {code}."
        )));
    }
    log.append(Body::CentreAdded {
        code: code.clone(),
        name,
    })?;
    Ok(code)
}

pub fn add_staff(
    log: &mut CaseLog,
    name: &str,
    job_title: &str,
    centre: Option<&str>,
) -> Result<Uuid> {
    let name = required("The staff member's name", name)?;
    let job_title = required("The staff member's job title", job_title)?;
    let centre = match centre {
        Some(c) => Some(existing_centre(log, c)?),
        None => None,
    };
    let staff_id = Uuid::now_v7();
    log.append(Body::StaffAdded {
        staff_id,
        name,
        job_title,
        centre,
    })?;
    Ok(staff_id)
}

pub fn assign_contact(log: &mut CaseLog, role: ContactRole, staff: &str) -> Result<()> {
    let staff_id = super::resolve_id(log.conn(), "staff", "member of staff", staff)?;
    log.append(Body::ContactAssigned { role, staff_id })?;
    Ok(())
}

pub fn add_category(log: &mut CaseLog, code: &str, name: &str, four_c: FourC) -> Result<String> {
    let code = check_code(code)?;
    let name = required("The category's name", name)?;
    let exists = log
        .conn()
        .query_row("SELECT 1 FROM categories WHERE code = ?1", [&code], |_| {
            Ok(())
        })
        .optional()?;
    if exists.is_some() {
        return Err(Error::invalid(format!(
            "There is already a category \"{code}\"."
        )));
    }
    log.append(Body::CategoryAdded {
        code: code.clone(),
        name,
        four_c,
        restricted: false,
    })?;
    Ok(code)
}

pub fn set_policy_review(log: &mut CaseLog, date: NaiveDate) -> Result<()> {
    log.append(Body::PolicyReviewDue { date })?;
    Ok(())
}

pub fn rename_organisation(log: &mut CaseLog, name: &str) -> Result<()> {
    let name = required("The organisation's name", name)?;
    log.append(Body::OrganisationNamed { name })?;
    Ok(())
}

/// A centre code that exists, in capitals.
/// A centre by its code; a blank code means the only centre, where there is only one.
pub(crate) fn existing_centre(log: &CaseLog, code: &str) -> Result<String> {
    if code.trim().is_empty() {
        let mut stmt = log
            .conn()
            .prepare_cached("SELECT code FROM centres LIMIT 2")?;
        let codes = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return match codes.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(Error::Required {
                field: "centre",
                sentence: "Say which centre.",
            }),
        };
    }
    let c = code.trim().to_uppercase();
    log.conn()
        .query_row("SELECT code FROM centres WHERE code = ?1", [&c], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(Error::NotFound {
            what: "centre",
            key: code.trim().to_string(),
        })
}
