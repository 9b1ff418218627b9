//! The rule that imagery is never kept on an incident about sharing nudes or up-skirting,
//! kept the same on every device and whenever the incident becomes one:
//! - an evidence file arriving in a sync bundle is looked into as a file added here would
//!   be, and one that is (or may be) imagery is not stored — its event is still taken in,
//!   so the record says it was captured elsewhere — and is named in the import's report;
//! - an item already held when the incident is found to be about nudes or up-skirting (a
//!   category added later) is shown on the incident and can no longer be opened: what is
//!   left is to hand it over to the police, if they ask, and to erase Harbour's copy
//!   (`ops::evidence::erase`).

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::evidence::Item;
use crate::domain::imagery;
use crate::log::{Body, Event};
use crate::store::CaseLog;
use crate::sync::payload::EvidenceEntry;
use crate::{Error, Harbour, Result};

/// The category codes on which imagery must never be stored.
pub const FORBIDDEN: &[&str] = &["nudes", "upskirting"];

/// Evidence files of a bundle that are not to be stored here.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Withheld {
    pub items: HashSet<Uuid>,
    /// One line per file: its name, the incident, and what was found.
    pub names: Vec<String>,
}

impl Withheld {
    pub fn contains(&self, item: &Uuid) -> bool {
        self.items.contains(item)
    }
}

/// Looks into each evidence file a bundle carries whose incident — as this device knows it,
/// or as the bundle itself opens or changes it — is about sharing nudes or up-skirting.
pub fn withheld_from_bundle(
    log: &CaseLog,
    events: &[Event],
    entries: &[EvidenceEntry],
    files: &[&[u8]],
) -> Result<Withheld> {
    // Incidents the bundle makes about nudes or up-skirting, and the references it gives.
    let mut forbidden: HashSet<Uuid> = HashSet::new();
    let mut references: HashMap<Uuid, String> = HashMap::new();
    let mut captured: HashMap<Uuid, (Uuid, String)> = HashMap::new();
    for body in events
        .iter()
        .filter(|e| !e.is_withheld())
        .filter_map(|e| e.body().ok())
    {
        match body {
            Body::IncidentOpened(o) => {
                if o.categories.iter().any(|c| FORBIDDEN.contains(&c.as_str())) {
                    forbidden.insert(o.incident_id);
                }
                references.insert(o.incident_id, o.reference.clone());
            }
            Body::IncidentCategorised { incident_id, code }
                if FORBIDDEN.contains(&code.as_str()) =>
            {
                forbidden.insert(incident_id);
            }
            Body::EvidenceCaptured(c) => {
                captured.insert(c.item_id, (c.incident_id, c.file_name.clone()));
            }
            _ => {}
        }
    }
    let mut out = Withheld::default();
    for (entry, bytes) in entries.iter().zip(files.iter()) {
        let Some((incident, file_name)) = captured.get(&entry.item_id) else {
            continue;
        };
        if !forbidden.contains(incident) && !super::evidence::imagery_forbidden(log, *incident)? {
            continue;
        }
        let reference = match references.get(incident) {
            Some(r) => r.clone(),
            None => log
                .conn()
                .query_row(
                    "SELECT reference FROM incidents WHERE id = ?1",
                    [incident.to_string()],
                    |r| r.get(0),
                )
                .unwrap_or_else(|_| incident.to_string()),
        };
        let verdict = imagery::inspect_bytes(bytes);
        if !verdict.is_clear() {
            out.items.insert(entry.item_id);
            out.names.push(format!(
                "\u{201c}{file_name}\u{201d} on {reference}: {}",
                verdict.describe()
            ));
        }
    }
    Ok(out)
}

/// Why an item may not be opened or copied: it is (or may be) imagery, and its incident is
/// about sharing nudes or up-skirting. None when it may be opened. An item captured by an
/// older Harbour (which looked only at a file's first bytes) is looked into now, in memory.
pub fn lock_reason(h: &Harbour, item: &Item) -> Result<Option<String>> {
    if !super::evidence::imagery_forbidden(h.log(), item.incident)? {
        return Ok(None);
    }
    let (found, looked_into, size): (Option<String>, bool, i64) = h.log().conn().query_row(
        "SELECT imagery, looked_into, size FROM evidence_items WHERE id = ?1",
        [item.id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if found.is_some() || looked_into {
        return Ok(found);
    }
    if size as u64 > imagery::MAX_DOCUMENT {
        return Ok(Some(
            "it was stored before Harbour looked inside files, and is too large to check now"
                .into(),
        ));
    }
    let master = super::evidence::master_key(h);
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(size.max(0) as usize));
    super::evidence::decrypt_checked(h.dir(), &master, item, &mut *plain)?;
    let verdict = imagery::inspect_bytes(&plain);
    Ok((!verdict.is_clear()).then(|| verdict.describe()))
}

/// Refuses to open an item that `lock_reason` locks.
pub fn refuse_if_locked(h: &Harbour, item: &Item) -> Result<()> {
    match lock_reason(h, item)? {
        None => Ok(()),
        Some(what) => Err(Error::ImageryLocked {
            description: item.description.clone(),
            what,
            reference: h.log().conn().query_row(
                "SELECT reference FROM incidents WHERE id = ?1",
                [item.incident.to_string()],
                |r| r.get(0),
            )?,
        }),
    }
}

/// The sentence for an item whose copy was erased.
pub fn erased(item: &Item) -> Error {
    Error::invalid(format!(
        "Harbour\u{2019}s copy of evidence item \u{201c}{}\u{201d} was erased; only the record of it is kept.",
        item.description
    ))
}

/// Whether an item's file is rightly absent from this device, so a bundle leaves it out:
/// its copy was erased, or it was refused here as imagery (from another device's bundle).
pub fn not_held_here(h: &Harbour, incident: Uuid, item: Uuid) -> Result<bool> {
    if super::evidence::stored_path(h.dir(), item).exists() {
        return Ok(false);
    }
    Ok(super::evidence::is_erased(h.log(), item)?
        || super::evidence::imagery_forbidden(h.log(), incident)?)
}
