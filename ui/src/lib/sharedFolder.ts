// The shared folder another service carries between sites (a network share, OneDrive,
// Syncthing). Its path and whether to sync when it changes belong to this computer, so they
// are kept here rather than in the case log. While Harbour is unlocked and watching is on,
// the folder's state is read every little while and a sync runs only when it has changed.
import { call, commands, type FolderRun } from "./api";

const PATH_KEY = "harbour.sharedFolder";
const WATCH_KEY = "harbour.sharedFolderWatch";
export const WATCH_SECONDS = 20;

export function sharedFolder(): string {
  return localStorage.getItem(PATH_KEY) ?? "";
}

export function setSharedFolder(path: string): void {
  localStorage.setItem(PATH_KEY, path.trim());
}

export function watching(): boolean {
  return localStorage.getItem(WATCH_KEY) === "1";
}

export function setWatching(on: boolean): void {
  localStorage.setItem(WATCH_KEY, on ? "1" : "0");
}

/** Whether a sync should run: watching, a folder set, and its state unlike the last seen. */
export function shouldSync(
  on: boolean,
  path: string,
  seen: string | undefined,
  now: string,
): boolean {
  return on && path.trim() !== "" && now !== "" && seen !== now;
}

let lastSeen: string | undefined;

/** Remembers the folder's state after a sync, so the sync's own bundles do not set it off. */
export function noteState(state: string): void {
  lastSeen = state;
}

/** Starts watching; returns a function that stops. `onRun` hears of each run, or its error. */
export function watchSharedFolder(onRun: (r: FolderRun | Error) => void): () => void {
  let busy = false;
  const tick = async () => {
    const path = sharedFolder();
    if (busy || !watching() || !path) return;
    busy = true;
    try {
      const now = await call(commands.sharedFolderState(path));
      if (shouldSync(watching(), path, lastSeen, now)) {
        // Noted before the run, so a sync that fails is reported once, not every tick,
        // and tried again when the folder next changes.
        lastSeen = now;
        const run = await call(commands.syncSharedFolder(path));
        lastSeen = run.state;
        onRun(run);
      }
    } catch (e) {
      onRun(e instanceof Error ? e : new Error(String(e)));
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(tick, WATCH_SECONDS * 1000);
  return () => clearInterval(timer);
}

/** One run's report in a sentence or two. */
export function describeRun(r: FolderRun): string {
  const incoming = r.received.filter((b) => !b.already_imported);
  const parts = [
    `${incoming.length} bundle${incoming.length === 1 ? "" : "s"} received`,
    `${r.refused.length} refused`,
    `${r.written.length} written for other centres`,
  ];
  const said = `Shared folder: ${parts.join(", ")}.`;
  return r.stopped
    ? `${said} Stopped before every bundle was taken in; the rest are left in the folder, unchanged, for the next sync.`
    : said;
}
