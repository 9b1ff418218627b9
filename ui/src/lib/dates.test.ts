import { describe, expect, it } from "vitest";
import { ageOn, parseUkDate, parseUkDateTime, showDate, showInstant, todayIso } from "./dates";

describe("dates", () => {
  it("shows ISO dates day first", () => {
    expect(showDate("2009-04-17")).toBe("17/04/2009");
    expect(showDate("not a date")).toBe("not a date");
  });

  it("shows instants in UK time, summer and winter", () => {
    expect(showInstant("2026-07-01T14:30:00Z")).toBe("01/07/2026 15:30");
    expect(showInstant("2026-11-20T15:30:00Z")).toBe("20/11/2026 15:30");
    expect(showInstant(Date.UTC(2026, 0, 2, 9, 5))).toBe("02/01/2026 09:05");
  });

  it("reads typed dd/mm/yyyy and refuses impossible dates", () => {
    expect(parseUkDate("17/04/2009")).toBe("2009-04-17");
    expect(parseUkDate(" 1/2/2010 ")).toBe("2010-02-01");
    expect(parseUkDate("31/02/2010")).toBeNull();
    expect(parseUkDate("2010-02-01")).toBeNull();
  });

  it("reads a typed date and 24-hour time", () => {
    expect(parseUkDateTime("20/11/2026", "15:30")).toBe("2026-11-20T15:30");
    expect(parseUkDateTime("20/11/2026", "9:05")).toBe("2026-11-20T09:05");
    expect(parseUkDateTime("20/11/2026", "25:00")).toBeNull();
    expect(parseUkDateTime("2026-11-20", "15:30")).toBeNull();
  });

  it("counts whole years", () => {
    expect(ageOn("2009-04-17", "2027-04-16")).toBe(17);
    expect(ageOn("2009-04-17", "2027-04-17")).toBe(18);
  });

  it("knows today's UK date just after midnight in summer", () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London.
    expect(todayIso(new Date(Date.UTC(2026, 5, 30, 23, 30)))).toBe("2026-07-01");
  });
});
