//! Answering a subject access request (UK GDPR article 15): everything Harbour holds about
//! one learner, written as a readable, redacted PDF with a list of every redaction for the
//! coordinator to review before release, the evidence files chosen copied beside it
//! (decrypted and checked against their SHA-256), and the disclosure recorded in the case log.
//!
//! Every check is made before anything is written, and if writing or logging fails, what
//! was written is removed: a refused request leaves the folder it was given, and the data
//! folder, as they were. Incidents about the person using this device are left out, as from
//! every view on it (`read::learners::detail`).

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use harbour_evidence::AtomicFile;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use uuid::Uuid;

use crate::domain::redaction::{self, Kind, Redactor};
use crate::domain::time::today;
use crate::ops::disclosures::{self, Disclosed};
use crate::ops::evidence::{self as evidence, Item};
use crate::ops::{imagery, resolve_learner};
use crate::print::sar::{self as print, Release, SarConsent, SarIncident, SarWithdrawal};
use crate::{Error, Harbour, Result};

/// Whose records to release, to whom, where to write them, and which evidence files to add.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SarExportRequest {
    /// The learner: an id, or the unique beginning of one.
    pub learner: String,
    /// The folder to write the document, the redaction list and any evidence files into.
    pub out_dir: PathBuf,
    /// To whom the records are released (the learner, a parent, a solicitor…); None when it
    /// is the person who asked and they are not named.
    pub to: Option<String>,
    /// Evidence items (ids, or unique beginnings of them) whose files are released too.
    pub include_evidence: Vec<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SarExported {
    pub disclosure_id: String,
    /// The short form printed on the document.
    pub disclosure: String,
    pub learner_name: String,
    pub released_on: NaiveDate,
    pub document: PathBuf,
    pub document_sha256: String,
    /// The list of redactions to review before release.
    pub redaction_list: PathBuf,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub redactions: usize,
    /// The incidents in the document, by reference.
    pub incidents: Vec<String>,
    /// The evidence files copied beside the document.
    pub evidence_files: Vec<PathBuf>,
}

/// The last eight hexadecimal digits of a learner's id, as file names use it (the first
/// ones are a time, shared by learners added together).
fn learner_short(id: Uuid) -> String {
    crate::ops::transfers::short(id).to_lowercase()
}

/// A file name's extension, if it is a plain one (letters and digits, at most ten).
fn extension(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((_, ext))
            if !ext.is_empty()
                && ext.len() <= 10
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!(".{}", ext.to_lowercase())
        }
        _ => String::new(),
    }
}

fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| Error::Integrity("a record's id is damaged.".into()))
}

/// The consent forms returned for a learner, and withdrawals, oldest first.
fn consents(conn: &Connection, learner: Uuid) -> Result<(Vec<SarConsent>, Vec<SarWithdrawal>)> {
    let key = learner.to_string();
    let rows = conn
        .prepare(
            "SELECT event_id, form, form_version, signed_on, signed_by, relationship FROM consents
             WHERE learner_id = ?1 ORDER BY signed_on, at_ms, at_count, device_id, seq",
        )?
        .query_map([&key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let date = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_default();
    let mut answers = conn.prepare(
        "SELECT purpose, answer FROM consent_answers WHERE event_id = ?1 ORDER BY purpose",
    )?;
    let mut held = Vec::with_capacity(rows.len());
    for (event, form, form_version, signed_on, signed_by, relationship) in rows {
        held.push(SarConsent {
            form,
            form_version,
            signed_on: date(&signed_on),
            signed_by,
            relationship,
            answers: answers
                .query_map([&event], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        });
    }
    let withdrawals = conn
        .prepare(
            "SELECT form, purpose, withdrawn_on, note FROM consent_withdrawals
             WHERE learner_id = ?1 ORDER BY withdrawn_on, at_ms, at_count, device_id, seq",
        )?
        .query_map([&key], |r| {
            let on: String = r.get(2)?;
            Ok(SarWithdrawal {
                form: r.get(0)?,
                purpose: r.get(1)?,
                withdrawn_on: date(&on),
                note: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((held, withdrawals))
}

/// Every name the document replaces wherever it appears: members of staff, the people who
/// reported each incident, people at agencies, action owners, and every other learner in
/// the incidents (their role in each incident is added as each is laid out).
fn build_redactor(
    conn: &Connection,
    learner: &crate::read::learners::LearnerDetail,
    incidents: &[SarIncident],
) -> Result<Redactor> {
    let mut r = Redactor::new(&learner.learner.name);
    for c in &learner.carers {
        r.keep(&c.name);
    }
    let staff: Vec<String> = conn
        .prepare("SELECT name FROM staff ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for s in &staff {
        r.add(s, Kind::Staff, "a member of staff", false);
    }
    for i in incidents {
        let d = &i.detail;
        r.add(
            &d.reporter_name,
            Kind::Reporter,
            "the person who reported it",
            false,
        );
        for x in &d.referrals {
            r.add(
                &x.person,
                Kind::AgencyPerson,
                "a person at the agency",
                false,
            );
        }
        for x in &d.actions {
            r.add(&x.owner, Kind::Staff, "a member of staff", false);
        }
        for e in &i.evidence {
            r.add(&e.captured_by, Kind::Staff, "a member of staff", false);
        }
        for o in &d.learners {
            r.add(&o.name, Kind::OtherLearner, "another learner", true);
        }
    }
    for officer in handover_officers(conn, incidents)? {
        r.add(
            &officer,
            Kind::AgencyPerson,
            "a person at the agency",
            false,
        );
    }
    Ok(r)
}

/// The officers evidence in these incidents was handed over to, as their custody events
/// record them (the chronology names them; no table keeps the name on its own).
fn handover_officers(conn: &Connection, incidents: &[SarIncident]) -> Result<Vec<String>> {
    let mut handed = conn.prepare_cached(
        "SELECT e.payload FROM evidence_custody c JOIN events e ON e.id = c.event_id
         WHERE c.incident_id = ?1 AND c.action = 'handed_over'",
    )?;
    let mut officers = Vec::new();
    for i in incidents {
        let payloads = handed
            .query_map([&i.detail.summary.id], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for p in payloads {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&p) else {
                continue;
            };
            if let Some(officer) = v["handover"]["officer"].as_str() {
                officers.push(officer.to_string());
            }
        }
    }
    Ok(officers)
}

/// Files written so far, removed again if the export does not finish.
struct Written(Vec<PathBuf>);

impl Written {
    fn remove_all(&mut self) {
        for p in self.0.drain(..) {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Writes the disclosure into `r.out_dir` and records it. See the module's documentation.
pub fn export_sar(h: &mut Harbour, r: SarExportRequest) -> Result<SarExported> {
    let learner = resolve_learner(h.log(), &r.learner)?;
    if !r.out_dir.is_dir() {
        return Err(Error::invalid(format!(
            "The folder {} does not exist; choose a folder to write the disclosure into.",
            r.out_dir.display()
        )));
    }
    let to = r.to.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let log = h.log();
    let conn = log.conn();
    let viewer = log.device().author;
    let detail = crate::read::learners::detail(conn, viewer, learner)?;

    let mut incidents = Vec::with_capacity(detail.incidents.len());
    for i in &detail.incidents {
        let id = uuid(&i.id)?;
        incidents.push(SarIncident {
            role: i.role.clone(),
            detail: crate::read::incidents::detail(conn, viewer, id)?,
            evidence: crate::read::evidence::items(conn, id)?,
            released: BTreeMap::new(),
        });
    }

    // The evidence files asked for: each on an incident of this learner's that this device's
    // user may see, not erased, and not imagery that must never be opened.
    let released_on = today();
    let stem = format!("harbour-sar-{}-{released_on}", learner_short(learner));
    let mut items: Vec<(Item, PathBuf)> = Vec::new();
    let mut seen = HashSet::new();
    for text in &r.include_evidence {
        let item = evidence::resolve_item(log, text)?;
        if !seen.insert(item.id) {
            continue;
        }
        let Some(incident) = incidents
            .iter_mut()
            .find(|i| i.detail.summary.id == item.incident.to_string())
        else {
            return Err(Error::invalid(format!(
                "Evidence item {} is not from an incident {} appears in, so it cannot be released with their records.",
                text.trim(),
                detail.learner.name
            )));
        };
        if item.status == "erased" {
            return Err(imagery::erased(&item));
        }
        imagery::refuse_if_locked(h, &item)?;
        let number = incident
            .evidence
            .iter()
            .position(|e| e.id == item.id.to_string())
            .map(|n| n + 1)
            .unwrap_or(0);
        let name = format!(
            "{stem}-{}-item-{number}{}",
            incident.detail.summary.reference,
            extension(&item.file_name)
        );
        incident.released.insert(item.id.to_string(), name.clone());
        items.push((item, r.out_dir.join(name)));
    }

    let document = r.out_dir.join(format!("{stem}.pdf"));
    let list_path = r.out_dir.join(format!("{stem}-redactions.txt"));
    for p in [&document, &list_path]
        .into_iter()
        .chain(items.iter().map(|(_, p)| p))
    {
        crate::ops::pack_write::refuse_existing(p)?;
    }

    let (held, withdrawals) = consents(conn, learner)?;
    let organisation = crate::read::org::organisation(conn)?.name;
    let prepared_by = crate::ops::packs::made_by(log)?;
    let disclosure_id = Uuid::now_v7();
    let disclosure = disclosures::short(disclosure_id);
    let release = Release {
        organisation: &organisation,
        to,
        released_on,
        prepared_by: &prepared_by,
        at: Utc::now(),
        disclosure: &disclosure,
    };
    let mut redactor = build_redactor(conn, &detail, &incidents)?;
    let pdf = print::render(
        conn,
        &detail,
        &incidents,
        &held,
        &withdrawals,
        &release,
        &mut redactor,
    )?;
    let list = redaction::list(
        &format!(
            "Redactions in subject access disclosure {disclosure} ({}.pdf), to review before release",
            stem
        ),
        redactor.redactions(),
    );
    let document_sha256 = hex::encode(sha2::Sha256::digest(&pdf));

    let mut written = Written(Vec::new());
    let result = (|| -> Result<()> {
        crate::fsutil::write_private(&document, &pdf)?;
        written.0.push(document.clone());
        crate::fsutil::write_private(&list_path, list.as_bytes())?;
        written.0.push(list_path.clone());
        copy_items(h, &items, &mut written)?;
        disclosures::record(
            h.log_mut(),
            Disclosed {
                disclosure_id,
                learner_id: learner,
                to: to.map(str::to_string),
                released_on,
                document: format!("{stem}.pdf"),
                document_sha256: document_sha256.clone(),
                incidents: incidents.len() as u32,
                consent_records: (held.len() + withdrawals.len()) as u32,
                evidence_described: incidents.iter().map(|i| i.evidence.len() as u32).sum(),
                redactions: redactor.redactions().len() as u32,
            },
            &items.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>(),
        )
    })();
    if let Err(e) = result {
        written.remove_all();
        return Err(e);
    }
    Ok(SarExported {
        disclosure_id: disclosure_id.to_string(),
        disclosure,
        learner_name: detail.learner.name.clone(),
        released_on,
        document,
        document_sha256,
        redaction_list: list_path,
        redactions: redactor.redactions().len(),
        incidents: incidents
            .iter()
            .map(|i| i.detail.summary.reference.clone())
            .collect(),
        evidence_files: items.into_iter().map(|(_, p)| p).collect(),
    })
}

/// Decrypts each item to its place, checked against the SHA-256 recorded at capture.
fn copy_items(h: &Harbour, items: &[(Item, PathBuf)], written: &mut Written) -> Result<()> {
    let master = evidence::master_key(h);
    for (item, out) in items {
        let mut file = AtomicFile::create(out).map_err(|e| evidence::cannot_write(out, &e))?;
        // Noted before any plain evidence is written, so a killed run's copy is removed later.
        let _noted = crate::leftovers::note_unfinished(h.dir(), file.temp_path())?;
        evidence::decrypt_checked(h.dir(), &master, item, file.file())?;
        file.commit().map_err(|e| evidence::cannot_write(out, &e))?;
        written.0.push(out.clone());
    }
    Ok(())
}
