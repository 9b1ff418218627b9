//! Which dates are possible: a learner's date of birth, when an incident happened and was
//! reported, when a referral was made and when an action is due.
//!
//! A mistyped year (0001, 1800, 2090) stays in an append-only record for good and puts a
//! case in the wrong quarter of every report, so each is refused with one sentence naming
//! the field. The bounds, and why:
//!
//! - **Date of birth**: an age today of at least [`MIN_AGE`] (school starting age in
//!   England: the youngest learner a school, college or training centre has) and at most
//!   [`MAX_AGE`] (adult learners are welcome; a learner older than that is a typo).
//! - **When it happened**: not before the birth of any learner involved (nor more than
//!   [`MAX_AGE`] years ago, for an allegation about staff with no learner), and not in the
//!   future beyond [`CLOCK_SLACK_MINUTES`] minutes (a computer's clock may be a little out).
//! - **When it was reported**: not before it happened, and not in the future (same slack).
//! - **A referral**: not before the incident happened, and not in the future.
//! - **An action's due date**: not before the incident happened (an action recorded late
//!   may already be overdue, so a past date is fine), and at most [`MAX_DUE_YEARS`] years
//!   ahead (a review a few years off is real; 2206 is a typo).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;
use uuid::Uuid;

use crate::domain::time::{age_on, show_date, show_instant, today};
use crate::store::CaseLog;
use crate::{Error, Result};

/// The youngest learner, in whole years.
pub const MIN_AGE: u32 = 4;
/// The oldest learner, in whole years.
pub const MAX_AGE: u32 = 100;
/// How far in the future a time may be, for a clock that is a little fast.
pub const CLOCK_SLACK_MINUTES: i64 = 5;
/// How far ahead an action may be due.
pub const MAX_DUE_YEARS: u32 = 10;

/// Checks a learner's date of birth against today.
pub fn check_dob(dob: NaiveDate) -> Result<()> {
    let today = today();
    if dob > today {
        return Err(Error::invalid(format!(
            "The date of birth ({}) is in the future; check the year.",
            show_date(dob)
        )));
    }
    match age_on(dob, today) {
        Some(age) if age < MIN_AGE => Err(Error::invalid(format!(
            "The date of birth ({}) would make the learner {age}, and a learner is at least {MIN_AGE}; check the year.",
            show_date(dob)
        ))),
        Some(age) if age > MAX_AGE => Err(Error::invalid(format!(
            "The date of birth ({}) would make the learner {age}, and a learner is at most {MAX_AGE}; check the year.",
            show_date(dob)
        ))),
        _ => Ok(()),
    }
}

fn uk_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// Checks when an incident happened and when it was reported (now if not given); returns
/// when it was reported.
pub fn check_times(
    occurred: DateTime<Utc>,
    reported: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>> {
    let now = Utc::now();
    let latest = now + Duration::minutes(CLOCK_SLACK_MINUTES);
    if occurred > latest {
        return Err(Error::invalid(format!(
            "When it happened ({}) is in the future.",
            show_instant(occurred)
        )));
    }
    let earliest = today()
        .checked_sub_months(chrono::Months::new(12 * MAX_AGE))
        .unwrap_or(NaiveDate::MIN);
    if uk_date(occurred) < earliest {
        return Err(Error::invalid(format!(
            "When it happened ({}) is more than {MAX_AGE} years ago; check the year.",
            show_date(uk_date(occurred))
        )));
    }
    let reported = reported.unwrap_or(now);
    if reported > latest {
        return Err(Error::invalid(format!(
            "When it was reported ({}) is in the future.",
            show_instant(reported)
        )));
    }
    if reported < occurred {
        return Err(Error::invalid(
            "It was reported before it happened; check both times.",
        ));
    }
    Ok(reported)
}

/// Refuses an incident that happened before this learner was born.
pub fn occurred_after_birth(log: &CaseLog, occurred: DateTime<Utc>, learner: Uuid) -> Result<()> {
    let (name, dob): (String, String) = log.conn().query_row(
        "SELECT name, dob FROM learners WHERE id = ?1",
        [learner.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let Ok(dob) = dob.parse::<NaiveDate>() else {
        return Ok(());
    };
    if uk_date(occurred) < dob {
        return Err(Error::invalid(format!(
            "When it happened ({}) is before {} was born ({}); check the date.",
            show_date(uk_date(occurred)),
            crate::domain::text::shown_line(&name),
            show_date(dob)
        )));
    }
    Ok(())
}

/// When a recorded incident happened.
pub fn occurred_at(log: &CaseLog, incident: Uuid) -> Result<DateTime<Utc>> {
    let text: String = log.conn().query_row(
        "SELECT occurred_at FROM incidents WHERE id = ?1",
        [incident.to_string()],
        |r| r.get(0),
    )?;
    DateTime::parse_from_rfc3339(&text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| Error::invalid("This incident's date could not be read."))
}

/// Checks a referral's date: not in the future, not before the incident happened.
pub fn check_referral(log: &CaseLog, incident: Uuid, date: NaiveDate) -> Result<()> {
    if date > today() {
        return Err(Error::invalid(format!(
            "The referral date ({}) is in the future.",
            show_date(date)
        )));
    }
    let happened = uk_date(occurred_at(log, incident)?);
    if date < happened {
        return Err(Error::invalid(format!(
            "The referral date ({}) is before the incident happened ({}); check the date.",
            show_date(date),
            show_date(happened)
        )));
    }
    Ok(())
}

/// Checks an action's due date: not before the incident happened, at most ten years ahead.
pub fn check_due(log: &CaseLog, incident: Uuid, due: NaiveDate) -> Result<()> {
    let happened = uk_date(occurred_at(log, incident)?);
    if due < happened {
        return Err(Error::invalid(format!(
            "The action's due date ({}) is before the incident happened ({}); check the date.",
            show_date(due),
            show_date(happened)
        )));
    }
    let latest = today()
        .checked_add_months(chrono::Months::new(12 * MAX_DUE_YEARS))
        .unwrap_or(NaiveDate::MAX);
    if due > latest {
        return Err(Error::invalid(format!(
            "The action's due date ({}) is more than {MAX_DUE_YEARS} years away; check the year.",
            show_date(due)
        )));
    }
    Ok(())
}
