// What a screen says after an action: a plain-sentence error or a notice. One helper so every
// screen reports success and failure the same way.
import { HarbourError, messageOf, type Code } from "./api";

export class Feedback {
  error = $state("");
  notice = $state("");
  /** The code of the last error from the core (e.g. `imagery_refused`), or "" when none. */
  code = $state<Code | "">("");

  clear() {
    this.error = this.notice = this.code = "";
  }

  /**
   * Runs an action (a promise, or a function returning one that may also throw a sentence),
   * then `after` (usually a reload). Says `what` on success, the error's sentence on failure.
   */
  async run(
    what: string,
    p: Promise<unknown> | (() => Promise<unknown>),
    after?: () => Promise<unknown>,
  ): Promise<boolean> {
    this.clear();
    try {
      await (typeof p === "function" ? p() : p);
      this.notice = what;
      if (after) await after();
      return true;
    } catch (e) {
      this.error = messageOf(e);
      this.code = e instanceof HarbourError ? e.code : "";
      return false;
    }
  }
}
