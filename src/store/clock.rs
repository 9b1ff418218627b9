//! Is this computer's clock plausible? Checked against the case log before anything is
//! written, and reported as a warning when the two are far apart.
//!
//! Harbour runs offline, so the only other witness of the date is the log itself: the
//! newest event held (this device's or a peer's). A clock that is wrong by a year stamps
//! events a year into the future, and peers refuse them until the calendar catches up
//! (see `log::hlc`). So:
//! - **Refused**: writing while the computer's clock is more than `LONGEST_PAUSE_MS` (six
//!   months) after the newest event held. Not "a day": a coordinator who records nothing
//!   over a weekend or the summer holidays must not be stopped on their return, and nothing
//!   offline can tell a long pause from a fast clock. Six months is longer than any school
//!   holiday and catches the common mistakes (the wrong year, a flat clock battery reset to
//!   another year). When the date really is right after a longer pause, the coordinator
//!   confirms it once (`confirm`), and the check then counts from the confirmation.
//! - **Refused at set-up** (no event to check against): a clock before `EARLIEST_MS` (the
//!   date of this Harbour's clock rules: a computer cannot be using it earlier) or more than
//!   ten years after it. A clock a few months fast at set-up cannot be told from a right
//!   one; the warning below shows it once the clock is put right, and the device recovers.
//! - **Warned** (`warning`): the computer's clock is more than a day *behind* the newest
//!   event (this clock is slow, or an event was stamped by a fast one), or more than a month
//!   ahead of it (a long pause, or a fast clock not yet far enough to refuse).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::time::{show_date, show_millis};
use crate::log::hlc::TOLERANCE_MS;
use crate::log::{Body, Hlc};
use crate::{Error, Result};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The longest the computer's clock may be past the newest event before writing is refused.
pub const LONGEST_PAUSE_MS: i64 = 183 * DAY_MS;

/// How far past the newest event the clock may be before a warning.
pub const WARN_PAUSE_MS: i64 = 31 * DAY_MS;

/// The earliest date a computer running this Harbour can have (1 November 2026, before this
/// release): a clock before it is certainly wrong.
pub const EARLIEST_MS: i64 = 1_793_491_200_000;

/// The latest plausible date at set-up: ten years after `EARLIEST_MS`.
pub const LATEST_AT_SET_UP_MS: i64 = EARLIEST_MS + 3_653 * DAY_MS;

const CONFIRMED_KEY: &str = "clock_confirmed_ms";

/// A warning that this computer's clock and the case log disagree, for the CLI (stderr) and
/// the app to show.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockWarning {
    /// `clock_behind_log` or `clock_far_ahead_of_log`.
    pub code: String,
    pub message: String,
}

/// The newest event's clock time, if the log holds any event.
pub fn newest_ms(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT max(hlc_ms) FROM events", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten())
}

fn confirmed_ms(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [CONFIRMED_KEY],
            |r| r.get(0),
        )
        .optional()?)
}

fn date_of(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|d| show_date(d.with_timezone(&chrono_tz::Europe::London).date_naive()))
        .unwrap_or_else(|| show_millis(ms))
}

/// Refuses to write when the wall clock `wall_ms` is implausible against the log (or, with
/// an empty log, against this release). Writes nothing.
pub fn check_before_write(conn: &Connection, wall_ms: i64) -> Result<()> {
    let Some(newest) = newest_ms(conn)? else {
        return check_at_set_up(wall_ms);
    };
    let since = newest.max(confirmed_ms(conn)?.unwrap_or(i64::MIN));
    if wall_ms > since.saturating_add(LONGEST_PAUSE_MS) {
        return Err(Error::ClockWrong(format!(
            "This computer's clock says {}, more than six months after the newest entry in the case log ({}), so the clock looks wrong and nothing was recorded: set the correct date and time in the computer's settings and try again (if the date really is right, confirm it first with `harbour clock confirm`).",
            date_of(wall_ms),
            date_of(newest)
        )));
    }
    Ok(())
}

/// The set-up check, when there is no event to compare with.
pub fn check_at_set_up(wall_ms: i64) -> Result<()> {
    if !(EARLIEST_MS..=LATEST_AT_SET_UP_MS).contains(&wall_ms) {
        return Err(Error::ClockWrong(format!(
            "This computer's clock says {}, which cannot be right for this version of Harbour, so nothing was set up: set the correct date and time in the computer's settings and try again.",
            date_of(wall_ms)
        )));
    }
    Ok(())
}

/// Records that the coordinator confirmed today's date after a long pause.
pub fn confirm(conn: &Connection, wall_ms: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        rusqlite::params![CONFIRMED_KEY, wall_ms],
    )?;
    Ok(())
}

/// A warning when the computer's clock is far from the newest event held.
pub fn warning(conn: &Connection, wall_ms: i64) -> Result<Option<ClockWarning>> {
    let Some(newest) = newest_ms(conn)? else {
        return Ok(None);
    };
    if newest > wall_ms.saturating_add(TOLERANCE_MS) {
        return Ok(Some(ClockWarning {
            code: "clock_behind_log".into(),
            message: format!(
                "This computer's clock says {}, but the case log holds an entry dated {}: either this clock is slow, or that entry was made by a computer whose clock was fast. Check the date and time in the computer's settings; entries made now are dated by this clock.",
                show_millis(wall_ms),
                show_millis(newest)
            ),
        }));
    }
    let since = newest.max(confirmed_ms(conn)?.unwrap_or(i64::MIN));
    if wall_ms > since.saturating_add(WARN_PAUSE_MS) {
        return Ok(Some(ClockWarning {
            code: "clock_far_ahead_of_log".into(),
            message: format!(
                "This computer's clock says {}, but the newest entry in the case log is from {}: if Harbour has not been unused for that long, check the date and time in the computer's settings.",
                date_of(wall_ms),
                date_of(newest)
            ),
        }));
    }
    Ok(None)
}

/// Whether the log holds an event stamped beyond the tolerance ahead of `wall_ms`.
pub fn holds_future(conn: &Connection, wall_ms: i64) -> Result<bool> {
    Ok(newest_ms(conn)?.is_some_and(|n| n > wall_ms.saturating_add(TOLERANCE_MS)))
}

/// The latest stamp held that is not beyond the tolerance ahead of `wall_ms`.
pub fn latest_plausible(conn: &Connection, wall_ms: i64) -> Result<Hlc> {
    Ok(conn
        .prepare_cached(
            "SELECT hlc_ms, hlc_count FROM events WHERE hlc_ms <= ?1
             ORDER BY hlc_ms DESC, hlc_count DESC LIMIT 1",
        )?
        .query_row([wall_ms.saturating_add(TOLERANCE_MS)], |r| {
            Ok(Hlc {
                ms: r.get(0)?,
                count: r.get::<_, i64>(1)? as u32,
            })
        })
        .optional()?
        .unwrap_or(Hlc::ZERO))
}

/// Every id a body mentions (incidents, learners, entries it corrects or replaces…).
fn mentioned_ids(body: &Body) -> Vec<Uuid> {
    fn walk(v: &serde_json::Value, out: &mut Vec<Uuid>) {
        match v {
            serde_json::Value::String(s) if s.len() == 36 => {
                if let Ok(id) = Uuid::parse_str(s) {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(body) {
        walk(&v, &mut out);
    }
    out
}

/// The latest stamp of any event that a new event with `body` depends on: the events that
/// are, or mention, something it mentions. Only needed (and only asked, since it reads the
/// whole log) while the log holds events from the future.
pub fn depends_on(conn: &Connection, body: &Body) -> Result<Option<Hlc>> {
    let mut latest: Option<Hlc> = None;
    let mut stmt = conn.prepare_cached(
        "SELECT hlc_ms, hlc_count FROM events WHERE id = ?1 OR instr(payload, ?1) > 0
         ORDER BY hlc_ms DESC, hlc_count DESC LIMIT 1",
    )?;
    for id in mentioned_ids(body) {
        let found = stmt
            .query_row([id.to_string()], |r| {
                Ok(Hlc {
                    ms: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u32,
                })
            })
            .optional()?;
        if let Some(h) = found {
            latest = Some(latest.map_or(h, |l| l.max(h)));
        }
    }
    Ok(latest)
}

/// `EARLIEST_MS` as a date, for tests and messages.
pub fn earliest_date() -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(EARLIEST_MS)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_date_is_the_first_of_november_2026() {
        assert_eq!(
            earliest_date(),
            NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
        );
    }

    #[test]
    fn set_up_refuses_a_clock_before_this_release_or_years_after_it() {
        assert!(check_at_set_up(EARLIEST_MS).is_ok());
        assert!(check_at_set_up(EARLIEST_MS + 400 * DAY_MS).is_ok());
        let e = check_at_set_up(EARLIEST_MS - DAY_MS).expect_err("before");
        assert_eq!(e.code(), "clock_wrong");
        assert!(e.to_string().contains("31/10/2026"), "{e}");
        assert!(check_at_set_up(LATEST_AT_SET_UP_MS + 1).is_err());
    }
}
