//! Transfers of learners' files to settings that do not use Harbour: every one sent, and
//! those still awaiting their signed receipt, with how many school days have passed since
//! sending against KCSIE's five.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;

use crate::domain::school_days::{self, TRANSFER_DAYS};
use crate::Result;

/// One transfer as listed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub id: String,
    pub learner_id: String,
    pub learner_name: String,
    pub to_setting: String,
    pub sent_on: NaiveDate,
    pub sent_by: String,
    pub pack_file: String,
    pub pack_sha256: String,
    /// When the signed receipt came back, if it has.
    pub received_on: Option<NaiveDate>,
    pub receipt_signed_by: Option<String>,
    /// School days (Monday to Friday) after sending, up to the receipt or today.
    pub school_days: u32,
    /// The date by which the receipt is expected: five school days after sending.
    pub expected_by: NaiveDate,
    /// Still awaiting a receipt more than five school days after sending.
    pub overdue: bool,
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

fn query(conn: &Connection, today: NaiveDate, awaiting_only: bool) -> Result<Vec<Transfer>> {
    let rows = conn
        .prepare_cached(
            "SELECT t.id, t.learner_id, coalesce(l.name, 'Unknown learner'), t.to_setting, t.sent_on,
                    coalesce(s.name, 'Unknown member of staff'), t.pack_file, t.pack_sha256,
                    t.received_on, t.receipt_signed_by
             FROM transfers t
             LEFT JOIN learners l ON l.id = t.learner_id
             LEFT JOIN staff s ON s.id = t.sent_by
             WHERE (?1 = 0 OR t.received_on IS NULL)
             ORDER BY t.sent_on, t.sent_ms, t.id",
        )?
        .query_map(params![awaiting_only], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                learner_id,
                learner_name,
                to_setting,
                sent,
                sent_by,
                pack_file,
                pack_sha256,
                received,
                signed,
            )| {
                let sent_on = date(&sent);
                let received_on = received.as_deref().map(date);
                let school_days = school_days::between(sent_on, received_on.unwrap_or(today));
                Transfer {
                    id,
                    learner_id,
                    learner_name,
                    to_setting,
                    sent_on,
                    sent_by,
                    pack_file,
                    pack_sha256,
                    received_on,
                    receipt_signed_by: signed,
                    school_days,
                    expected_by: school_days::add(sent_on, TRANSFER_DAYS),
                    overdue: received_on.is_none() && school_days > TRANSFER_DAYS,
                }
            },
        )
        .collect())
}

/// Every transfer, oldest first, as of `today`.
pub fn list(conn: &Connection, today: NaiveDate) -> Result<Vec<Transfer>> {
    query(conn, today, false)
}

/// Transfers still awaiting their signed receipt, oldest first, as of `today`.
pub fn awaiting(conn: &Connection, today: NaiveDate) -> Result<Vec<Transfer>> {
    query(conn, today, true)
}
