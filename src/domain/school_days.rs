//! School days, Monday to Friday, for KCSIE's expectation that a child-protection file is
//! transferred within five school days. Bank holidays and term dates differ by setting and
//! are not known to Harbour, so they are counted as school days: the count never flatters.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The school days KCSIE allows for a transfer.
pub const TRANSFER_DAYS: u32 = 5;

fn is_school_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// School days after `from` up to and including `to` (0 when `to` is not after `from`).
pub fn between(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let days = (to - from).num_days();
    let weeks = (days / 7) as u32;
    let mut count = weeks * 5;
    let mut d = from + Duration::days(weeks as i64 * 7);
    while d < to {
        d += Duration::days(1);
        if is_school_day(d) {
            count += 1;
        }
    }
    count
}

/// The date `n` school days after `from`.
pub fn add(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if is_school_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_weekend_is_not_counted() {
        // Friday 20/11/2026 to Monday 23/11/2026: one school day.
        assert_eq!(between(day("2026-11-20"), day("2026-11-23")), 1);
        assert_eq!(between(day("2026-11-20"), day("2026-11-22")), 0);
        assert_eq!(between(day("2026-11-20"), day("2026-11-20")), 0);
        assert_eq!(between(day("2026-11-20"), day("2026-11-27")), 5);
        assert_eq!(add(day("2026-11-20"), 5), day("2026-11-27"));
        assert_eq!(add(day("2026-11-21"), 1), day("2026-11-23"));
    }

    #[test]
    fn counting_matches_walking_day_by_day() {
        let start = day("2026-01-01");
        for offset in 0..40 {
            let from = start + Duration::days(offset);
            for len in 0..60 {
                let to = from + Duration::days(len);
                let walked = (1..=len)
                    .filter(|i| is_school_day(from + Duration::days(*i)))
                    .count() as u32;
                assert_eq!(between(from, to), walked, "{from} to {to}");
                if walked > 0 {
                    assert_eq!(between(from, add(from, walked)), walked);
                }
            }
        }
    }
}
