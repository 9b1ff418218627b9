//! Dates and times: ISO 8601 in, dd/mm/yyyy and Europe/London out.
//!
//! Instants are stored as UTC; a time typed without a zone is read as UK local time, which is
//! what a coordinator in a training centre means.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;

use crate::{Error, Result};

/// Reads `2026-11-20`.
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(format!(
            "\"{text}\" is not a date: write it as year-month-day, e.g. 2026-11-20."
        ))
    })
}

/// Reads `2026-11-20T15:30`, `2026-11-20 15:30`, with optional seconds, or with a zone
/// (`Z`, `+01:00`). Without a zone the time is UK local time.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    let bad = || {
        Error::invalid(format!(
            "\"{text}\" is not a date and time: write it as 2026-11-20T15:30."
        ))
    };
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(bad)?;
    match London.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Ok(dt.with_timezone(&Utc)),
        // The hour that repeats when the clocks go back: take the first.
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        // The hour skipped when the clocks go forward: it cannot have happened.
        LocalResult::None => Err(Error::invalid(format!(
            "{text} did not happen in the UK: the clocks went forward that hour."
        ))),
    }
}

/// `20/11/2026`.
pub fn show_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `20/11/2026 15:30` in UK time.
pub fn show_instant(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Milliseconds since the epoch, as stored in the case log's clock, shown in UK time.
pub fn show_millis(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(show_instant)
        .unwrap_or_else(|| "(unknown time)".into())
}

/// Today's date in the UK.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&London).date_naive()
}

/// Whole years between a date of birth and a date (age on that date).
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> Option<u32> {
    on.years_since(dob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_follow_british_summer_time() {
        // In July the UK is one hour ahead of UTC; in November it is not.
        let summer = parse_instant("2026-07-01T15:30").expect("summer");
        assert_eq!(summer.to_rfc3339(), "2026-07-01T14:30:00+00:00");
        let winter = parse_instant("2026-11-20 15:30").expect("winter");
        assert_eq!(winter.to_rfc3339(), "2026-11-20T15:30:00+00:00");
        assert_eq!(show_instant(summer), "01/07/2026 15:30");
    }

    #[test]
    fn the_skipped_hour_is_refused() {
        assert!(parse_instant("2026-03-29T01:30").is_err());
    }

    #[test]
    fn dates_show_day_first() {
        let d = parse_date("2009-04-17").expect("date");
        assert_eq!(show_date(d), "17/04/2009");
        assert!(parse_date("17/04/2009").is_err());
    }

    #[test]
    fn age_counts_whole_years() {
        let dob = parse_date("2009-04-17").expect("dob");
        assert_eq!(age_on(dob, parse_date("2027-04-16").expect("d")), Some(17));
        assert_eq!(age_on(dob, parse_date("2027-04-17").expect("d")), Some(18));
        assert_eq!(age_on(dob, parse_date("2008-01-01").expect("d")), None);
    }
}
