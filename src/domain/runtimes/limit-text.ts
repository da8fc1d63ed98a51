import type { AgentEvent } from '../agent-output.ts';
import { clip } from './fields.ts';
import { durationMs, epochToIso, hour24, monthNumber, nextMonthDay, nextWallClock } from './reset-time.ts';

/**
 * Usage limits said in English (reference §1): Claude's result text, Codex's error line,
 * Copilot's and Gemini's messages. A parser applies these to a result or error message only,
 * never to tool output, which can quote a limit message without being one.
 */
const LIMIT_TEXT: readonly RegExp[] = [
  /you(?:'|’)ve hit your (?:[\w-]+ )?limit/i, // Claude "session limit", "limit"; Codex "usage limit"
  /you(?:'|’)re out of extra usage/i, // Claude
  /usage limit (?:has been |was )?reached/i, // Claude API error, "Claude AI usage limit reached|<epoch>", Gemini TUI
  /\brate limit reached\b/i, // Claude "API Error: Rate limit reached"
  /you(?:'|’)ve hit a rate limit/i, // Copilot
  /\b402\b[^\n]*no quota/i, // Copilot "402 You have no quota"
  /exceeded your copilot token usage/i, // Copilot
  /exhausted your (?:daily )?quota/i, // Gemini TerminalQuotaError
  /\bquota (?:exceeded|exhausted)\b/i,
];

export const isLimitText = (text: string): boolean => LIMIT_TEXT.some((re) => re.test(text));

type Reading = (m: RegExpMatchArray, now: Date) => string | null;

/** How each form of reset time reads; the first that matches wins. */
const RESET_FORMS: ReadonlyArray<[RegExp, Reading]> = [
  // "resets 9am (Europe/Berlin)", "resets 7:30pm (America/Los_Angeles)", "resets 5pm"
  [
    /resets (?:at )?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\))?/i,
    (m, now) => nextWallClock(now, hour24(Number(m[1]), m[3]), Number(m[2] ?? 0), m[4]),
  ],
  // Codex "try again at 3:28 PM" (local time, no zone)
  [
    /try again at (\d{1,2})(?::(\d{2}))?\s*(am|pm)?/i,
    (m, now) => nextWallClock(now, hour24(Number(m[1]), m[3]), Number(m[2] ?? 0)),
  ],
  // Codex "try again in 3 days 6 hours 57 minutes", Copilot "Please try again in 2 hours"
  [
    /try again in ((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i,
    (m, now) => {
      const ms = durationMs(m[1] as string);
      return ms === null ? null : new Date(now.getTime() + ms).toISOString();
    },
  ],
  // Codex "Try again Aug 18." (a local date)
  [
    /try again (?:on )?([A-Za-z]{3,9})\.? (\d{1,2})\b/i,
    (m, now) => {
      const month = monthNumber(m[1] as string);
      return month ? nextMonthDay(now, month, Number(m[2])) : null;
    },
  ],
];

/**
 * When the limit a message reports lifts, as ISO; null when it does not say (or says it in a
 * way that needs the time now and none was given). "…limit reached|1764950400" is absolute.
 */
export function resetFromText(text: string, now: Date | null): string | null {
  const epoch = /\|(\d{10,13})\b/.exec(text);
  if (epoch) return epochToIso(epoch[1]);
  if (!now) return null;
  for (const [form, read] of RESET_FORMS) {
    const m = form.exec(text);
    if (m) return read(m, now);
  }
  return null;
}

/** A `limit` event for `text` when it reports one; null when it does not. */
export function limitFromText(text: string | null, now: Date | null): AgentEvent | null {
  if (!text || !isLimitText(text)) return null;
  return { kind: 'limit', reset_at: resetFromText(text, now), message: clip(text.trim()) };
}

export type LimitEvent = Extract<AgentEvent, { kind: 'limit' }>;

/**
 * One limit from the several signals of one run (Claude: the event, the synthetic message, the
 * 429 result): the first reset time given wins (structured signals come first), the latest
 * message is kept (the result's text is the most complete).
 */
export function mergeLimits(seen: LimitEvent | null, next: LimitEvent): LimitEvent {
  return { kind: 'limit', reset_at: seen?.reset_at ?? next.reset_at, message: next.message };
}
