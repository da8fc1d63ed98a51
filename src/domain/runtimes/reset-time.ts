/**
 * When a usage limit lifts, as an ISO instant. CLIs say it as epoch seconds (Claude's
 * `resetsAt`), as a wall-clock time in a named zone without a date ("resets 9am
 * (Europe/Berlin)": the next 09:00 there), as a local time or date without a zone (Codex: "try
 * again at 3:28 PM", "Try again Aug 18."; the machine's zone, the one the CLI printed it in), or
 * as a duration ("in 3 days 6 hours"). Everything but the epoch needs the time now, passed in.
 */

/** Epoch seconds (or milliseconds, for a value too large to be seconds) as ISO; null if not a time. */
export function epochToIso(v: unknown): string | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return null;
  const ms = n > 1e12 ? n : n * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a zone (undefined: the machine's), or null for a zone Intl does not know. */
function formatter(zone: string | undefined): Intl.DateTimeFormat | null {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        ...(zone !== undefined && { timeZone: zone }),
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch {
      return null; // RangeError: unknown time zone
    }
    formatters.set(key, f);
  }
  return f;
}

function wallClockAt(ms: number, f: Intl.DateTimeFormat): WallClock {
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

/** The instant a zone's wall clock shows `w` (the later one across a DST change; overflowing days roll). */
function instantOf(w: WallClock, f: Intl.DateTimeFormat): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsetAt = (ms: number) => {
    const seen = wallClockAt(ms, f);
    return (
      Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute) - Math.floor(ms / 60_000) * 60_000
    );
  };
  const first = asUtc - offsetAt(asUtc);
  return asUtc - offsetAt(first);
}

/** The next time (after `now`) the wall clock of `zone` shows hour:minute; null for an unknown zone. */
export function nextWallClock(now: Date, hour: number, minute: number, zone?: string): string | null {
  const f = formatter(zone);
  if (!f || hour > 23 || minute > 59) return null;
  const today = wallClockAt(now.getTime(), f);
  let at = instantOf({ ...today, hour, minute }, f);
  if (at <= now.getTime()) at = instantOf({ ...today, day: today.day + 1, hour, minute }, f);
  return new Date(at).toISOString();
}

/** The next start of day `month`/`day` (after `now`) in `zone`; null for an impossible date. */
export function nextMonthDay(now: Date, month: number, day: number, zone?: string): string | null {
  const f = formatter(zone);
  if (!f || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const today = wallClockAt(now.getTime(), f);
  let at = instantOf({ year: today.year, month, day, hour: 0, minute: 0 }, f);
  if (at <= now.getTime()) at = instantOf({ year: today.year + 1, month, day, hour: 0, minute: 0 }, f);
  return new Date(at).toISOString();
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/** "3 days 6 hours 57 minutes", "2 hours", "90s" → milliseconds; null when nothing is a duration. */
export function durationMs(text: string): number | null {
  let total = 0;
  let found = false;
  for (const m of text.matchAll(
    /(\d+(?:\.\d+)?)\s*(d(?:ays?)?|h(?:ours?|rs?)?|m(?:inutes?|ins?)?|s(?:econds?|ecs?)?)\b/gi,
  )) {
    total += Number(m[1]) * (UNIT_MS[(m[2] as string)[0]?.toLowerCase() ?? ''] ?? 0);
    found = true;
  }
  return found ? total : null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "Aug" / "August" → 8; 0 when it is no month. */
export const monthNumber = (name: string): number => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;

/** 12-hour clock to 24: "9" "am" → 9, "12" "am" → 0, "3" "PM" → 15; no am/pm: as given. */
export function hour24(hour: number, meridiem: string | undefined): number {
  if (!meridiem) return hour;
  const pm = meridiem.toLowerCase() === 'pm';
  return (hour % 12) + (pm ? 12 : 0);
}
