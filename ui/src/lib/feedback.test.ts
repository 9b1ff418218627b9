import { describe, expect, it, vi } from "vitest";

// The bindings call into Tauri; only HarbourError and messageOf are used here.
vi.mock("./bindings", () => ({ commands: {} }));

import { HarbourError } from "./api";
import { Feedback } from "./feedback.svelte";

describe("Feedback", () => {
  it("says what was done, then runs the reload", async () => {
    const fb = new Feedback();
    let reloaded = false;
    const ok = await fb.run("Note added.", Promise.resolve(), async () => {
      reloaded = true;
    });
    expect(ok).toBe(true);
    expect(fb.notice).toBe("Note added.");
    expect(fb.error).toBe("");
    expect(reloaded).toBe(true);
  });

  it("shows the core's sentence and keeps its code, without reloading", async () => {
    const fb = new Feedback();
    let reloaded = false;
    const refusal = new HarbourError({
      code: "imagery_refused",
      message: "Harbour will not store this file.",
    });
    const ok = await fb.run("Stored.", Promise.reject(refusal), async () => {
      reloaded = true;
    });
    expect(ok).toBe(false);
    expect(fb.error).toBe("Harbour will not store this file.");
    expect(fb.code).toBe("imagery_refused");
    expect(fb.notice).toBe("");
    expect(reloaded).toBe(false);
  });

  it("catches a sentence thrown while checking input, and clears the last result", async () => {
    const fb = new Feedback();
    await fb.run("Saved.", Promise.resolve());
    const ok = await fb.run("Saved.", () => {
      throw new Error("Write the date as dd/mm/yyyy, e.g. 01/12/2026.");
    });
    expect(ok).toBe(false);
    expect(fb.notice).toBe("");
    expect(fb.code).toBe("");
    expect(fb.error).toContain("dd/mm/yyyy");
  });
});
