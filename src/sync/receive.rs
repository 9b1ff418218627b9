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

/// How far a receive has got, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The bundle being taken in, counting from 1.
    pub bundle: usize,
    pub bundles: usize,
    /// Events of this bundle applied so far, and how many it carries.
    pub events_done: usize,
    pub events: usize,
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
        let mut at = Progress {
            bundle: i + 1,
            bundles: paths.len(),
            ..Progress::default()
        };
        let done = import::import_file_with(h, path, &mut |done, total| {
            at.events_done = done;
            at.events = total;
            report(at)
        });
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
