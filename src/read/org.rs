//! The organisation's settings as the app and the command line show them.

use rusqlite::Connection;
use serde::Serialize;

use crate::Result;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Centre {
    pub code: String,
    pub name: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub job_title: String,
    pub centre: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub role: String,
    pub staff_id: String,
    pub name: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub four_c: String,
    pub restricted: bool,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub name: String,
    pub policy_review_date: Option<String>,
    pub centres: Vec<Centre>,
    pub staff: Vec<Staff>,
    pub contacts: Vec<Contact>,
}

pub fn organisation(conn: &Connection) -> Result<Organisation> {
    let (name, policy_review_date) = conn.query_row(
        "SELECT name, policy_review_date FROM org WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let centres = conn
        .prepare("SELECT code, name FROM centres ORDER BY code")?
        .query_map([], |r| {
            Ok(Centre {
                code: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let staff = conn
        .prepare("SELECT id, name, job_title, centre_code FROM staff ORDER BY name, id")?
        .query_map([], |r| {
            Ok(Staff {
                id: r.get(0)?,
                name: r.get(1)?,
                job_title: r.get(2)?,
                centre: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let contacts = conn
        .prepare("SELECT c.role, c.staff_id, coalesce(s.name, '') FROM contacts c LEFT JOIN staff s ON s.id = c.staff_id ORDER BY c.role")?
        .query_map([], |r| Ok(Contact { role: r.get(0)?, staff_id: r.get(1)?, name: r.get(2)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Organisation {
        name,
        policy_review_date,
        centres,
        staff,
        contacts,
    })
}

pub fn categories(conn: &Connection) -> Result<Vec<Category>> {
    let rows = conn
        .prepare("SELECT code, name, four_c, restricted FROM categories ORDER BY four_c, name")?
        .query_map([], |r| {
            Ok(Category {
                code: r.get(0)?,
                name: r.get(1)?,
                four_c: r.get(2)?,
                restricted: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
