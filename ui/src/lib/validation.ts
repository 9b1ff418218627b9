// Checks made in the window before anything is sent, worded as the core words them.
// The core checks everything again: these only save a round trip and guide the person.

export const MIN_PASSPHRASE = 10;

export type Strength = { score: 0 | 1 | 2 | 3; hint: string };

/** A hint for a new passphrase: length matters most, then variety. */
export function passphraseStrength(p: string): Strength {
  if (p.length < MIN_PASSPHRASE) {
    return { score: 0, hint: `Too short: use at least ${MIN_PASSPHRASE} characters.` };
  }
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const words = p.trim().split(/\s+/).length;
  if (p.length >= 20 || (words >= 4 && p.length >= 16)) {
    return { score: 3, hint: "Strong: a long passphrase is hard to guess." };
  }
  if (p.length >= 14 || kinds >= 3) {
    return { score: 2, hint: "Good: longer still, or a few more words, would be stronger." };
  }
  return { score: 1, hint: "Weak: add words to make it longer." };
}

export type IncidentDraft = {
  learners: { learnerId: string; role: string }[];
  categories: string[];
  account: string;
  occurredAt: string;
  reporterName: string;
  reporterTitle: string;
};

/** Problems with a new incident, by field; empty when it can be recorded. */
export function incidentProblems(d: IncidentDraft, now: Date = new Date()): Record<string, string> {
  const p: Record<string, string> = {};
  if (d.learners.length === 0) p.learners = "Name at least one learner involved, with their role.";
  const ids = d.learners.map((l) => l.learnerId);
  if (new Set(ids).size !== ids.length) p.learners = "The same learner is listed twice.";
  if (d.learners.some((l) => !l.role)) p.learners = "Give each learner their own role.";
  if (d.categories.length === 0) p.categories = "Choose at least one category.";
  if (!d.account.trim()) p.account = "Write what happened, in the learner's own words.";
  if (!d.occurredAt) p.occurredAt = "Say when it happened.";
  else if (new Date(d.occurredAt).getTime() > now.getTime() + 5 * 60_000) {
    p.occurredAt = "When it happened is in the future.";
  }
  if (!d.reporterName.trim()) p.reporterName = "Give the full name of who reported it.";
  if (!d.reporterTitle.trim()) p.reporterTitle = "Give their job title.";
  return p;
}

/** The recovery key group the person is asked to type back, checked without fuss about case. */
export function groupMatches(expected: string, typed: string): boolean {
  const clean = (s: string) => s.replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0");
  return clean(expected) === clean(typed) && clean(typed).length > 0;
}
