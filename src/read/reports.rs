//! The figures for the executive team's quarterly report, for any date range.
//!
//! The command line renders them as a PDF; the app shows the same struct. Incidents about the
//! person using this device are left out, as everywhere. No learner is named unless the
//! named appendix is asked for.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Europe::London;
use rusqlite::Connection;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::time::{show_date, today};
use crate::domain::{Agency, LearnerRole};
use crate::{Error, Result};

/// A date range: from its first day up to (not including) `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Period {
    pub label: String,
    pub from: NaiveDate,
    /// The day after the last day.
    pub to: NaiveDate,
}

impl Period {
    /// The days from `first` to `last`, both included; refused if `last` comes first.
    pub fn between(first: NaiveDate, last: NaiveDate) -> Result<Period> {
        if last < first {
            return Err(Error::invalid(format!(
                "The period ends ({}) before it starts ({}).",
                show_date(last),
                show_date(first)
            )));
        }
        let to = last.succ_opt().unwrap_or(last);
        Ok(Period {
            label: quarter_label(first, to).unwrap_or_else(|| range_label(first, to)),
            from: first,
            to,
        })
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.from && d < self.to
    }

    /// The last day in the period.
    pub fn last_day(&self) -> NaiveDate {
        self.to.pred_opt().unwrap_or(self.to)
    }

    /// The period of the same length just before this one (a quarter: the previous quarter).
    pub fn previous(&self) -> Period {
        let months = months_between(self.from, self.to);
        if months > 0 && self.from.day() == 1 && self.to.day() == 1 {
            let from = self.from - Months::new(months);
            return Period {
                label: quarter_label(from, self.from)
                    .unwrap_or_else(|| range_label(from, self.from)),
                from,
                to: self.from,
            };
        }
        let from = self.from - (self.to - self.from);
        Period {
            label: range_label(from, self.from),
            from,
            to: self.from,
        }
    }
}

fn months_between(a: NaiveDate, b: NaiveDate) -> u32 {
    let m = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
    m.max(0) as u32
}

fn range_label(from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "{} to {}",
        show_date(from),
        show_date(to.pred_opt().unwrap_or(to))
    )
}

fn quarter_label(from: NaiveDate, to: NaiveDate) -> Option<String> {
    if from.day() == 1 && (from.month() - 1).is_multiple_of(3) && months_between(from, to) == 3 {
        Some(format!("{}-Q{}", from.year(), (from.month() - 1) / 3 + 1))
    } else {
        None
    }
}

/// Reads `2026-Q4` as 01/10/2026 to 31/12/2026; also as people write it, `Q4 2026`,
/// `Q4-2026` or `2026 Q4`.
pub fn parse_quarter(text: &str) -> Result<Period> {
    let bad = || {
        Error::invalid(format!(
            "\"{text}\" is not a quarter: write it as the year and quarter, e.g. 2026-Q4 or Q4 2026."
        ))
    };
    let t = text.trim().to_uppercase().replace([' ', '/'], "-");
    let parts: Vec<&str> = t.split('-').filter(|p| !p.is_empty()).collect();
    let (year, q) = match parts.as_slice() {
        [y, q] if q.starts_with('Q') => (*y, &q[1..]),
        [q, y] if q.starts_with('Q') => (*y, &q[1..]),
        _ => return Err(bad()),
    };
    let year: i32 = year.parse().map_err(|_| bad())?;
    let q: u32 = q.parse().map_err(|_| bad())?;
    if !(1..=4).contains(&q) || !(2000..=2200).contains(&year) {
        return Err(bad());
    }
    let from = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1).ok_or_else(bad)?;
    let to = from + Months::new(3);
    Ok(Period {
        label: format!("{year}-Q{q}"),
        from,
        to,
    })
}

/// A count this period and last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Count {
    pub key: String,
    pub label: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub current: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub previous: u64,
}

/// Incidents in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthCount {
    /// `2026-10`.
    pub month: String,
    /// `October 2026`.
    pub label: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub count: u64,
    /// Whether the month is in the report's period (else the one before).
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OpenCase {
    pub reference: String,
    pub centre: String,
    pub reported_on: NaiveDate,
    /// Days open on the report's date.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub age_days: i64,
    pub risk_level: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OverdueAction {
    pub reference: String,
    pub description: String,
    pub owner: String,
    pub due: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormsOutstanding {
    pub form: String,
    pub title: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub learners: u64,
}

/// A learner named in the appendix, with their role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NamedLearner {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NamedIncident {
    pub reference: String,
    pub occurred_on: NaiveDate,
    pub categories: Vec<String>,
    pub status: String,
    pub learners: Vec<NamedLearner>,
}

/// Everything the quarterly report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Figures {
    pub organisation: String,
    pub period: Period,
    pub previous: Period,
    /// The date open cases' ages and overdue actions are measured on.
    pub as_of: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub incidents: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub incidents_previous: u64,
    pub by_category: Vec<Count>,
    pub by_centre: Vec<Count>,
    pub by_month: Vec<MonthCount>,
    pub open_cases: Vec<OpenCase>,
    pub overdue_actions: Vec<OverdueAction>,
    pub referrals_by_agency: Vec<Count>,
    pub forms_outstanding: Vec<FormsOutstanding>,
    pub policy_review_date: Option<NaiveDate>,
    /// Only when the named appendix is asked for; otherwise empty.
    pub named: Vec<NamedIncident>,
}

fn local_date(rfc3339: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|d| d.with_timezone(&Utc).with_timezone(&London).date_naive())
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

struct Row {
    id: String,
    reference: String,
    centre: String,
    occurred: NaiveDate,
    reported: NaiveDate,
    status: String,
    risk: Option<String>,
}

fn tally(map: &mut BTreeMap<String, (u64, u64)>, key: &str, current: bool) {
    let e = map.entry(key.to_string()).or_default();
    if current {
        e.0 += 1;
    } else {
        e.1 += 1;
    }
}

fn counts(map: BTreeMap<String, (u64, u64)>, label: impl Fn(&str) -> String) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(k, (c, p))| Count {
            label: label(&k),
            key: k,
            current: c,
            previous: p,
        })
        .collect();
    v.sort_by(|a, b| b.current.cmp(&a.current).then(a.label.cmp(&b.label)));
    v
}

/// The figures for `period` as this device's user may see them.
pub fn figures(conn: &Connection, viewer: Uuid, period: &Period, named: bool) -> Result<Figures> {
    let previous = period.previous();
    let as_of = today().min(period.last_day());
    let org = super::org::organisation(conn)?;
    let viewer = viewer.to_string();
    let mut stmt = conn.prepare(
        "SELECT id, reference, centre_code, occurred_at, reported_at, status, risk_level FROM incidents
         WHERE concerns_staff IS NULL OR concerns_staff <> ?1",
    )?;
    let rows: Vec<Row> = stmt
        .query_map([&viewer], |r| {
            let occurred: String = r.get(3)?;
            let reported: String = r.get(4)?;
            Ok(Row {
                id: r.get(0)?,
                reference: r.get(1)?,
                centre: r.get(2)?,
                occurred: local_date(&occurred).unwrap_or_default(),
                reported: local_date(&reported).unwrap_or_default(),
                status: r.get(5)?,
                risk: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;

    let category_names: BTreeMap<String, String> = super::org::categories(conn)?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let centre_names: BTreeMap<String, String> = org
        .centres
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();

    let mut by_category = BTreeMap::new();
    let mut by_centre = BTreeMap::new();
    let mut by_month: BTreeMap<String, (u64, bool)> = BTreeMap::new();
    // Every month of both periods is shown, even with no incidents.
    let mut m = previous.from;
    while m < period.to {
        by_month.insert(m.format("%Y-%m").to_string(), (0, period.contains(m)));
        m = m + Months::new(1);
    }
    let (mut incidents, mut incidents_previous) = (0, 0);
    let mut cat_stmt = conn.prepare_cached(
        "SELECT code FROM incident_categories WHERE incident_id = ?1 ORDER BY code",
    )?;
    let mut in_period = Vec::new();
    for r in &rows {
        let current = period.contains(r.occurred);
        if !current && !previous.contains(r.occurred) {
            continue;
        }
        if current {
            incidents += 1;
            in_period.push(r);
        } else {
            incidents_previous += 1;
        }
        let cats: Vec<String> = cat_stmt
            .query_map([&r.id], |x| x.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for c in &cats {
            tally(&mut by_category, c, current);
        }
        tally(&mut by_centre, &r.centre, current);
        if let Some(e) = by_month.get_mut(&r.occurred.format("%Y-%m").to_string()) {
            e.0 += 1;
        }
    }

    let mut open_cases: Vec<OpenCase> = rows
        .iter()
        .filter(|r| r.status == "open" && r.occurred < period.to)
        .map(|r| OpenCase {
            reference: r.reference.clone(),
            centre: r.centre.clone(),
            reported_on: r.reported,
            age_days: (as_of - r.reported).num_days().max(0),
            risk_level: r.risk.clone(),
        })
        .collect();
    open_cases.sort_by(|a, b| {
        b.age_days
            .cmp(&a.age_days)
            .then(a.reference.cmp(&b.reference))
    });

    let visible: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut overdue_actions = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT a.incident_id, i.reference, a.description, a.owner, a.due_on FROM actions a
         JOIN incidents i ON i.id = a.incident_id WHERE a.done_ms IS NULL AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.entry = a.id)
         ORDER BY a.due_on, i.reference",
    )?;
    let actions: Vec<(String, String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (incident, reference, description, owner, due) in actions {
        let Some(due) = date(&due) else { continue };
        if visible.contains(incident.as_str()) && due < as_of {
            overdue_actions.push(OverdueAction {
                reference,
                description,
                owner,
                due,
                days_overdue: (as_of - due).num_days(),
            });
        }
    }

    let mut by_agency = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT incident_id, agency, referred_on FROM referrals r WHERE NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.entry = r.event_id)",
    )?;
    let referrals: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (incident, agency, on) in referrals {
        let Some(on) = date(&on) else { continue };
        if !visible.contains(incident.as_str()) {
            continue;
        }
        if period.contains(on) {
            tally(&mut by_agency, &agency, true);
        } else if previous.contains(on) {
            tally(&mut by_agency, &agency, false);
        }
    }

    let mut outstanding: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for m in super::consent::missing(conn, None, as_of)? {
        outstanding.entry(m.form).or_insert((m.form_title, 0)).1 += 1;
    }
    let order = crate::domain::forms::ids();
    let mut forms_outstanding: Vec<FormsOutstanding> = outstanding
        .into_iter()
        .map(|(form, (title, learners))| FormsOutstanding {
            form,
            title,
            learners,
        })
        .collect();
    forms_outstanding.sort_by_key(|f| order.iter().position(|o| *o == f.form));

    let mut named_list = Vec::new();
    if named {
        let mut cats = conn.prepare_cached(
            "SELECT coalesce(c.name, ic.code) FROM incident_categories ic
             LEFT JOIN categories c ON c.code = ic.code WHERE ic.incident_id = ?1 ORDER BY 1",
        )?;
        let mut learners = conn.prepare_cached(
            "SELECT coalesce(l.name, 'Learner not yet received'), il.role FROM incident_learners il
             LEFT JOIN learners l ON l.id = il.learner_id WHERE il.incident_id = ?1 ORDER BY 1",
        )?;
        let mut sorted = in_period.clone();
        sorted.sort_by(|a, b| {
            a.occurred
                .cmp(&b.occurred)
                .then(a.reference.cmp(&b.reference))
        });
        for r in sorted {
            named_list.push(NamedIncident {
                reference: r.reference.clone(),
                occurred_on: r.occurred,
                status: r.status.clone(),
                categories: cats
                    .query_map([&r.id], |x| x.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
                learners: learners
                    .query_map([&r.id], |x| {
                        let role: String = x.get(1)?;
                        Ok(NamedLearner {
                            name: x.get(0)?,
                            role: LearnerRole::parse(&role)
                                .map(|r| r.label().to_string())
                                .unwrap_or(role),
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?,
            });
        }
    }

    Ok(Figures {
        organisation: org.name,
        as_of,
        incidents,
        incidents_previous,
        by_category: counts(by_category, |k| {
            category_names
                .get(k)
                .cloned()
                .unwrap_or_else(|| k.to_string())
        }),
        by_centre: counts(by_centre, |k| match centre_names.get(k) {
            Some(n) => format!("{n} ({k})"),
            None => k.to_string(),
        }),
        by_month: by_month
            .into_iter()
            .map(|(month, (count, current))| MonthCount {
                label: date(&format!("{month}-01"))
                    .map(|d| d.format("%B %Y").to_string())
                    .unwrap_or_else(|| month.clone()),
                month,
                count,
                current,
            })
            .collect(),
        open_cases,
        overdue_actions,
        referrals_by_agency: counts(by_agency, |k| {
            Agency::parse(k)
                .map(|a| a.label().to_string())
                .unwrap_or_else(|_| k.to_string())
        }),
        forms_outstanding,
        policy_review_date: org.policy_review_date.as_deref().and_then(date),
        named: named_list,
        period: period.clone(),
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_the_one_before() {
        let q = parse_quarter("2026-Q1").expect("quarter");
        assert_eq!(q.from.to_string(), "2026-01-01");
        assert_eq!(q.last_day().to_string(), "2026-03-31");
        let p = q.previous();
        assert_eq!(p.label, "2025-Q4");
        assert_eq!(p.from.to_string(), "2025-10-01");
        assert!(parse_quarter("2026-Q5").is_err());
        assert!(parse_quarter("Q4").is_err());
        for typed in ["Q4 2026", "q4-2026", "2026 Q4", " 2026-q4 "] {
            assert_eq!(
                parse_quarter(typed).expect(typed).label,
                "2026-Q4",
                "{typed}"
            );
        }
        assert!(parse_quarter("Q4 Q4").is_err());
    }
}
