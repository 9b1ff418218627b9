//! When the last backup was made, and the reminder when it is older than the organisation's
//! interval (7 days unless the organisation sets another).
//!
//! The time of the last backup is this data folder's own knowledge (in `meta`), not an
//! event: a backup made on one laptop says nothing about another's. The interval is the
//! organisation's, so it is an event and reaches every centre.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::log::Body;
use crate::store::CaseLog;
use crate::{Error, Result};

/// The interval when the organisation has not set one.
pub const DEFAULT_INTERVAL_DAYS: u32 = 7;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Where backups stand, for the dashboard and `harbour status`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupStatus {
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub last_backup_ms: Option<i64>,
    pub interval_days: u32,
    /// True when there is no backup, or the last is older than the interval.
    pub overdue: bool,
    /// One sentence: when the last backup was made, and a warning if it is overdue.
    pub message: String,
}

/// Notes that a backup was made at `ms`.
pub(crate) fn record_backup(conn: &Connection, ms: i64) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_backup_ms', ?1)",
        [ms],
    )?;
    Ok(())
}

/// The organisation's backup interval in days.
pub fn interval_days(conn: &Connection) -> Result<u32> {
    let set: Option<Option<i64>> = conn
        .query_row(
            "SELECT backup_interval_days FROM org WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(set
        .flatten()
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| *d > 0)
        .unwrap_or(DEFAULT_INTERVAL_DAYS))
}

/// Sets the organisation's backup interval (1 to 365 days).
pub fn set_interval(log: &mut CaseLog, days: u32) -> Result<()> {
    if !(1..=365).contains(&days) {
        return Err(Error::invalid(
            "The backup interval must be between 1 and 365 days.",
        ));
    }
    log.append(Body::BackupIntervalSet { days })?;
    Ok(())
}

/// Where backups stand now.
pub fn backup_status(conn: &Connection) -> Result<BackupStatus> {
    backup_status_at(conn, chrono::Utc::now().timestamp_millis())
}

/// Where backups stand at `now_ms`.
pub fn backup_status_at(conn: &Connection, now_ms: i64) -> Result<BackupStatus> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'last_backup_ms'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let interval = interval_days(conn)?;
    let every = if interval == 1 {
        "every day".to_string()
    } else {
        format!("every {interval} days")
    };
    let (overdue, message) = match last {
        None => (
            true,
            format!("No backup has been made on this computer yet; your organisation asks for one {every}: make one now."),
        ),
        Some(ms) => {
            let shown = crate::domain::time::show_millis(ms);
            let age_days = (now_ms - ms).max(0) / DAY_MS;
            if now_ms - ms > i64::from(interval) * DAY_MS {
                (
                    true,
                    format!("The last backup was made {shown}, {age_days} days ago, and your organisation asks for one {every}: make one now."),
                )
            } else {
                (false, format!("The last backup was made {shown}."))
            }
        }
    };
    Ok(BackupStatus {
        last_backup_ms: last,
        interval_days: interval,
        overdue,
        message,
    })
}
