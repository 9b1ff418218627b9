//! Keeping centres in step: this device's card, trusted peers, bundles sent and received
//! (as files or through a shared folder), and fields changed on two devices.
//!
//! Each command wraps one call of `harbour::sync` or the conflicts module; the values here
//! only reshape the core's reports (paths as text, clock values as numbers) for the window.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use harbour::log::Field;
use harbour::read::conflicts::{self, Conflict};
use harbour::sync::{export, folder, import, peers, receive, PeerCard};
use harbour::Error;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::error::AppResult;
use crate::state::AppState;

/// A device's card: who it is and the fingerprint to read over the phone.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CardView {
    pub device_id: String,
    pub label: String,
    pub centre: String,
    pub coordinator: String,
    pub fingerprint: String,
    /// Where the card is (the file written, or the file read).
    pub path: String,
}

impl CardView {
    fn of(card: &PeerCard, path: &Path) -> Self {
        CardView {
            device_id: card.device_id.to_string(),
            label: card.label.clone(),
            centre: card.centre.clone(),
            coordinator: card.coordinator.clone(),
            fingerprint: card.fingerprint(),
            path: path.display().to_string(),
        }
    }
}

/// A peer this device trusts, or has revoked.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PeerView {
    pub device_id: String,
    pub label: String,
    pub centre: String,
    pub coordinator: String,
    pub fingerprint: String,
    pub added_ms: f64,
    pub revoked_ms: Option<f64>,
}

impl From<peers::Peer> for PeerView {
    fn from(p: peers::Peer) -> Self {
        PeerView {
            device_id: p.device_id.to_string(),
            label: p.label,
            centre: p.centre,
            coordinator: p.coordinator,
            fingerprint: p.fingerprint,
            added_ms: p.added_ms as f64,
            revoked_ms: p.revoked_ms.map(|m| m as f64),
        }
    }
}

/// What sending a bundle wrote.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SentBundle {
    pub path: String,
    pub peers: Vec<String>,
    pub events: u32,
    /// Events about a restricted record, sent without their content.
    pub withheld: u32,
    pub evidence: u32,
    pub bytes: f64,
}

/// What receiving one bundle did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReceivedBundle {
    pub path: Option<String>,
    pub sender: String,
    pub new_incidents: Vec<String>,
    pub updated_incidents: Vec<String>,
    /// "REFERENCE: field" for each field now changed on two devices.
    pub conflicts: Vec<String>,
    pub events: u32,
    pub evidence: u32,
    /// Events held aside until the events before them arrive.
    pub waiting: u32,
    pub already_imported: bool,
}

impl From<import::Imported> for ReceivedBundle {
    fn from(i: import::Imported) -> Self {
        ReceivedBundle {
            path: i.file.map(|f| f.display().to_string()),
            sender: i.sender,
            new_incidents: i.new_incidents,
            updated_incidents: i.updated_incidents,
            conflicts: i.conflicts,
            events: i.events as u32,
            evidence: i.evidence as u32,
            waiting: i.waiting as u32,
            already_imported: i.already_imported,
        }
    }
}

/// A bundle in the shared folder that was not taken in, and why.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RefusedBundle {
    pub path: String,
    pub reason: String,
}

/// What receiving bundle files did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ReceiveRun {
    pub received: Vec<ReceivedBundle>,
    /// Stopped by the coordinator: the bundles listed were taken in, the rest were left
    /// as they were.
    pub stopped: bool,
}

/// The event that carries a receive's progress to the window.
pub const SYNC_PROGRESS: &str = "sync-progress";

/// Reports progress to the window (each new bundle, then every few hundred events) and
/// answers whether to go on, from the flag `cancel_work` raises.
fn reporter<'a>(
    app: &'a AppHandle,
    cancel: &'a AtomicBool,
) -> impl FnMut(receive::Progress) -> bool + 'a {
    move |p| {
        let _ = app.emit(SYNC_PROGRESS, p);
        !cancel.load(Ordering::Relaxed)
    }
}

/// What one run over the shared folder did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct FolderRun {
    pub received: Vec<ReceivedBundle>,
    /// Stopped by the coordinator before every bundle was taken in; no bundle was written.
    pub stopped: bool,
    pub refused: Vec<RefusedBundle>,
    /// Bundles imported before, or made for other devices.
    pub skipped: u32,
    pub written: Vec<String>,
    /// The folder's state after the run, to tell later whether it has changed.
    pub state: String,
}

/// Writes this device's card to `path`, for the other coordinator to add.
#[tauri::command]
#[specta::specta]
pub async fn save_own_card(state: State<'_, AppState>, path: String) -> AppResult<CardView> {
    state.with(|h| {
        let path = PathBuf::from(path.trim());
        let card = peers::own_card(h.log())?;
        let text = serde_json::to_vec_pretty(&card)
            .map_err(|_| Error::invalid("The card could not be written."))?;
        harbour::fsutil::write_atomically(&path, &text)?;
        Ok(CardView::of(&card, &path))
    })
}

/// Reads another device's card, so its fingerprint can be checked before trusting it.
#[tauri::command]
#[specta::specta]
pub async fn read_peer_card(state: State<'_, AppState>, path: String) -> AppResult<CardView> {
    state.with(|_| {
        let path = PathBuf::from(path.trim());
        let card = peers::read_card(&path)?;
        Ok(CardView::of(&card, &path))
    })
}

/// Trusts the device whose card is at `path`, once its fingerprint was read back.
#[tauri::command]
#[specta::specta]
pub async fn add_peer(
    state: State<'_, AppState>,
    path: String,
    confirmed: String,
) -> AppResult<PeerView> {
    state.with(|h| {
        let card = peers::read_card(Path::new(path.trim()))?;
        peers::add(h.log(), &card, &confirmed).map(PeerView::from)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_peers(state: State<'_, AppState>) -> AppResult<Vec<PeerView>> {
    state.with(|h| {
        Ok(peers::list(h.log().conn())?
            .into_iter()
            .map(PeerView::from)
            .collect())
    })
}

#[tauri::command]
#[specta::specta]
pub async fn revoke_peer(state: State<'_, AppState>, device_id: String) -> AppResult<PeerView> {
    state.with(|h| peers::revoke(h.log_mut(), &device_id).map(PeerView::from))
}

/// Writes one bundle for the chosen peers (by device id) into `folder`.
#[tauri::command]
#[specta::specta]
pub async fn send_bundle(
    state: State<'_, AppState>,
    peers: Vec<String>,
    folder: String,
) -> AppResult<SentBundle> {
    state.with(|h| {
        let e = export::export(h, &peers, Path::new(folder.trim()))?;
        Ok(SentBundle {
            path: e.file.display().to_string(),
            peers: e.peers,
            events: e.events as u32,
            withheld: e.withheld as u32,
            evidence: e.evidence as u32,
            bytes: e.bytes as f64,
        })
    })
}

/// Takes in bundles received as files, one after another; stops at the first refused, or
/// when `cancel_work` is called (progress goes out as `sync-progress` events).
#[tauri::command]
#[specta::specta]
pub async fn receive_bundles(
    app: AppHandle,
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> AppResult<ReceiveRun> {
    state.with_cancellable(|h, cancel| {
        let paths: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
        if paths.is_empty() {
            return Err(Error::invalid("Choose a bundle file to receive."));
        }
        let r = receive::files(h, &paths, &mut reporter(&app, cancel))?;
        Ok(ReceiveRun {
            received: r.imported.into_iter().map(ReceivedBundle::from).collect(),
            stopped: r.stopped,
        })
    })
}

/// Takes in what others left in the shared folder, then leaves this device's bundles there.
/// Progress and stopping as for `receive_bundles`.
#[tauri::command]
#[specta::specta]
pub async fn sync_shared_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> AppResult<FolderRun> {
    state.with_cancellable(|h, cancel| {
        let root = PathBuf::from(path.trim());
        let r = folder::sync_with(h, &root, &mut reporter(&app, cancel))?;
        Ok(FolderRun {
            received: r.imported.into_iter().map(ReceivedBundle::from).collect(),
            stopped: r.stopped,
            refused: r
                .refused
                .into_iter()
                .map(|(p, reason)| RefusedBundle {
                    path: p.display().to_string(),
                    reason,
                })
                .collect(),
            skipped: r.skipped as u32,
            written: r.written.iter().map(|p| p.display().to_string()).collect(),
            state: folder::state_of(&root),
        })
    })
}

/// A short digest of the shared folder's bundles (names, sizes, times), so the window can
/// run a sync only when something in it has changed.
#[tauri::command]
#[specta::specta]
pub async fn shared_folder_state(path: String) -> AppResult<String> {
    Ok(folder::state_of(Path::new(path.trim())))
}

/// Fields changed on two devices, everywhere or for one incident (reference or id).
#[tauri::command]
#[specta::specta]
pub async fn list_conflicts(
    state: State<'_, AppState>,
    incident: Option<String>,
) -> AppResult<Vec<Conflict>> {
    state.with(|h| {
        let log = h.log_mut();
        let id = match incident {
            Some(r) => Some(harbour::ops::incidents::resolve(log, &r)?),
            None => None,
        };
        conflicts::list(log.conn(), log.device().author, id)
    })
}

/// Keeps one side of a field changed on two devices, with the reason.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    incident: String,
    field: String,
    keep: String,
    reason: String,
) -> AppResult<()> {
    state.with(|h| {
        let field = Field::parse(&field)?;
        let log = h.log_mut();
        let id = harbour::ops::incidents::resolve(log, &incident)?;
        harbour::ops::conflicts::resolve(log, id, field, &keep, &reason).map(|_| ())
    })
}
