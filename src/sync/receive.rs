//! Receiving several bundles one after another, with progress and a way to stop.
//!
//! A first bundle between two centres can carry every event of years of cases, and taking it
//! in (checking each event's chain and signature) takes a while. The coordinator sees which
//! bundle of how many is being taken in and how many of its events are done, and can stop.
//! Each bundle is taken in whole or not at all, so stopping keeps the bundles already
//! received and leaves the one in progress, and any after it, exactly as they were: they are
//! received the next time.

use std::path::PathBuf;

use serde::Serialize;

use super::import::{self, Imported};
use crate::{Error, Harbour, Result};

/// How far a receive has got, for a progress bar (the app's `sync-progress` event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// Named for the window's bindings, beside the pack export's `Progress`; JSON is unchanged.
#[serde(rename = "SyncProgress")]
pub struct Progress {
    /// The bundle being taken in, counting from 1.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub bundle: usize,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub bundles: usize,
    /// Events of this bundle applied so far, and how many it carries.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub events_done: usize,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub events: usize,
}

/// Turns `report` into the `keep_going(done, total)` of one bundle's import: bundle
/// `bundle` of `bundles`.
pub(crate) fn for_bundle(
    bundle: usize,
    bundles: usize,
    report: &mut dyn FnMut(Progress) -> bool,
) -> impl FnMut(usize, usize) -> bool + '_ {
    move |events_done, events| {
        report(Progress {
            bundle,
            bundles,
            events_done,
            events,
        })
    }
}

/// What receiving several bundles did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Received {
    pub imported: Vec<Imported>,
    /// The coordinator stopped before every bundle was taken in.
    pub stopped: bool,
}

/// Takes in bundle files in the order given; stops at the first refused (its error says
/// why) or when `report` answers false.
pub fn files(
    h: &mut Harbour,
    paths: &[PathBuf],
    report: &mut dyn FnMut(Progress) -> bool,
) -> Result<Received> {
    let mut out = Received::default();
    for (i, path) in paths.iter().enumerate() {
        let done = import::import_file_with(h, path, &mut for_bundle(i + 1, paths.len(), report));
        match done {
            Ok(imported) => out.imported.push(imported),
            Err(Error::Cancelled) => {
                out.stopped = true;
                break;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
