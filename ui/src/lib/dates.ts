// Dates as a coordinator reads them: dd/mm/yyyy, times in UK time whatever the computer says.

const dayFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** "2009-04-17" → "17/04/2009"; anything else is returned as it was. */
export function showDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** An instant (RFC 3339 or milliseconds) → "20/11/2026 15:30" in UK time. */
export function showInstant(at: string | number | null): string {
  if (at === null) return "(unknown time)";
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  return timeFormat.format(d).replace(",", "");
}

/** An instant → "20/11/2026" in UK time. */
export function showDay(at: string | number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : dayFormat.format(d);
}

/** Reads a typed dd/mm/yyyy date into ISO "yyyy-mm-dd", or null if it is not a real date. */
export function parseUkDate(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return `${m[3]}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Whole years from a date of birth (ISO) to a day (ISO). */
export function ageOn(dobIso: string, onIso: string): number {
  const [by, bm, bd] = dobIso.split("-").map(Number);
  const [y, m, d] = onIso.split("-").map(Number);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

/** Today in UK time as ISO "yyyy-mm-dd". */
export function todayIso(now: Date = new Date()): string {
  const parts = dayFormat.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Reads a typed date (dd/mm/yyyy) and time (HH:MM, 24-hour) into "yyyy-mm-ddTHH:MM". */
export function parseUkDateTime(date: string, time: string): string | null {
  const day = parseUkDate(date);
  const m = /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$/.exec(time);
  if (!day || !m) return null;
  return `${day}T${m[1].padStart(2, "0")}:${m[2]}`;
}
