import { describe, expect, it } from "vitest";
import { groupMatches, incidentProblems, passphraseStrength } from "./validation";

const good = {
  learners: [
    { learnerId: "a", role: "subject" },
    { learnerId: "b", role: "alleged" },
  ],
  categories: ["cyberbullying"],
  account: "They kept messaging me",
  occurredAt: "2026-11-20T15:30",
  reporterName: "Chris Tutor",
  reporterTitle: "Assessor",
};
const now = new Date("2026-11-23T12:00:00Z");

describe("passphrase strength", () => {
  it("refuses short passphrases and rewards length", () => {
    expect(passphraseStrength("short").score).toBe(0);
    expect(passphraseStrength("abcdefghij").score).toBe(1);
    expect(passphraseStrength("abcdefghijklmn").score).toBe(2);
    expect(passphraseStrength("correct horse battery staple").score).toBe(3);
  });
});

describe("new incident", () => {
  it("accepts a complete draft", () => {
    expect(incidentProblems(good, now)).toEqual({});
  });

  it("names each missing piece", () => {
    const p = incidentProblems(
      { ...good, learners: [], categories: [], account: " ", reporterName: "", reporterTitle: "" },
      now,
    );
    expect(Object.keys(p).sort()).toEqual([
      "account",
      "categories",
      "learners",
      "reporterName",
      "reporterTitle",
    ]);
  });

  it("refuses a learner listed twice and a time in the future", () => {
    const twice = { ...good, learners: [good.learners[0], good.learners[0]] };
    expect(incidentProblems(twice, now).learners).toMatch(/twice/);
    expect(incidentProblems({ ...good, occurredAt: "2026-11-24T09:00" }, now).occurredAt).toMatch(
      /future/,
    );
  });
});

describe("recovery key check", () => {
  it("matches a group typed back loosely", () => {
    expect(groupMatches("7K2QX", "7k2qx")).toBe(true);
    expect(groupMatches("7K20X", "7k2ox")).toBe(true);
    expect(groupMatches("7K2QX", "7K2QY")).toBe(false);
    expect(groupMatches("7K2QX", "")).toBe(false);
  });
});
