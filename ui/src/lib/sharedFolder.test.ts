import { beforeEach, describe, expect, it } from "vitest";
import {
  describeRun,
  setSharedFolder,
  setWatching,
  sharedFolder,
  shouldSync,
  watching,
} from "./sharedFolder";

// The unit tests run in Node, which has no localStorage; a Map behaves the same for these.
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

describe("the shared folder", () => {
  beforeEach(() => {
    globalThis.localStorage = memoryStorage();
  });

  it("is remembered on this computer, trimmed, and not watched until switched on", () => {
    expect(sharedFolder()).toBe("");
    expect(watching()).toBe(false);
    setSharedFolder("  /srv/harbour-share ");
    setWatching(true);
    expect(sharedFolder()).toBe("/srv/harbour-share");
    expect(watching()).toBe(true);
    setWatching(false);
    expect(watching()).toBe(false);
  });

  it("syncs only when watching, with a folder, and the folder changed", () => {
    expect(shouldSync(true, "/s", undefined, "abc")).toBe(true);
    expect(shouldSync(true, "/s", "abc", "abc")).toBe(false);
    expect(shouldSync(true, "/s", "abc", "abd")).toBe(true);
    expect(shouldSync(false, "/s", "abc", "abd")).toBe(false);
    expect(shouldSync(true, " ", "abc", "abd")).toBe(false);
    // An unreadable folder has no state; that is reported by the sync, not retried forever.
    expect(shouldSync(true, "/s", "abc", "")).toBe(false);
  });

  const bundle = (already: boolean) => ({
    path: null,
    sender: "Coordinator at MAN",
    new_incidents: [],
    updated_incidents: [],
    conflicts: [],
    events: 3,
    evidence: 0,
    waiting: 0,
    already_imported: already,
  });

  it("describes a run without counting bundles seen before", () => {
    const text = describeRun({
      received: [bundle(false), bundle(true)],
      refused: [{ path: "/s/x.harbour", reason: "Unknown sender." }],
      skipped: 2,
      written: ["/s/me/a.harbour"],
      state: "abc",
      stopped: false,
    });
    expect(text).toBe("Shared folder: 1 bundle received, 1 refused, 1 written for other centres.");
  });

  it("says when a run was stopped, and that what was left is unchanged", () => {
    const text = describeRun({
      received: [bundle(false)],
      refused: [],
      skipped: 0,
      written: [],
      state: "abc",
      stopped: true,
    });
    expect(text).toMatch(/^Shared folder: 1 bundle received, 0 refused, 0 written/);
    expect(text).toContain("Stopped before every bundle was taken in");
  });
});
