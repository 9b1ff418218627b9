//! Adding a learner, as both front ends offer it: a blank centre means the only centre, and a
//! learner with the same name and date of birth as one already recorded is shown before a
//! second record of the same person is made.

use rusqlite::OptionalExtension;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::time::{parse_date, show_date};
use crate::domain::Carer;
use crate::ops::learners::{self, NewLearner};
use crate::{Error, Harbour, Result};

/// A learner to record, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddLearnerRequest {
    pub name: String,
    /// The date of birth, e.g. 2009-04-17.
    pub dob: String,
    /// The centre's code; blank for the only centre, where there is one.
    pub centre: String,
    pub employer: Option<String>,
    pub carers: Vec<Carer>,
    /// Add the learner even though one with the same name and date of birth is recorded:
    /// the coordinator has said this is a different person.
    pub even_if_duplicate: bool,
}

/// Records the learner and returns their id.
pub fn add_learner(h: &mut Harbour, r: AddLearnerRequest) -> Result<Uuid> {
    let dob = parse_date(&r.dob)?;
    let log = h.log_mut();
    if !r.even_if_duplicate {
        let same: Option<(String, String)> = log
            .conn()
            .query_row(
                "SELECT l.name, coalesce(c.name, l.centre_code) FROM learners l
                 LEFT JOIN centres c ON c.code = l.centre_code
                 WHERE lower(trim(l.name)) = lower(trim(?1)) AND l.dob = ?2 LIMIT 1",
                rusqlite::params![r.name, dob.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((name, centre)) = same {
            return Err(Error::PossibleDuplicate {
                name,
                dob: show_date(dob),
                centre,
            });
        }
    }
    learners::add(
        log,
        NewLearner {
            name: r.name,
            dob,
            centre: r.centre,
            employer: r.employer,
            carers: r.carers,
        },
    )
}
