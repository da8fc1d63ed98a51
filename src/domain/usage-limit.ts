import { usageError } from './errors.ts';

/**
 * A rig's usage-limit pause (issue 18 item 4): one of its polecats exited because the agent's
 * account hit a usage limit. A limit is not a crash — respawning into the same wall only burns
 * the next window (gastown#3398, gascity#1400) — so the bead goes back to the queue, and the rig
 * takes no new work until `until`; then the lift job (services/limit-lift.ts) lifts it and the
 * queue is fed again.
 *
 * The record outlives the pause: once lifted (`lifted_at` set) it keeps the backoff of a limit
 * that named no reset time, so the next such limit waits longer (usage-limit-backoff.ts). Pure:
 * every time is passed in.
 */
export interface UsageLimit {
  /** ISO time dispatch may resume: the reset time plus jitter, or now plus the backoff. */
  until: string;
  /** The agent's own words about the limit, on one line. */
  reason: string;
  /** The backoff this pause waited when the agent named no reset time; 0 when it named one. */
  backoff_s: number;
  /** The polecat whose limit started the pause, and when. */
  by: string;
  at: string;
  /** When the pause was lifted; null while it holds. */
  lifted_at: string | null;
}

/** The longest reason kept: it is shown on one line wherever the rig is. */
export const MAX_LIMIT_REASON = 300;

/** Whether the pause has not been lifted yet (it may be due: the lift job has not run). */
export const isPauseOpen = (l: UsageLimit | null): l is UsageLimit => l !== null && l.lifted_at === null;

/**
 * Whether the rig takes no new work at `now`. Past `until` it does, even before the lift job
 * ran: a late or stopped job delays the re-feed, never the work itself.
 */
export const isPaused = (l: UsageLimit | null, now: Date): l is UsageLimit =>
  isPauseOpen(l) && now.getTime() < Date.parse(l.until);

/** A pause whose time has come and that nobody lifted yet. */
export const isDue = (l: UsageLimit | null, now: Date): l is UsageLimit =>
  isPauseOpen(l) && now.getTime() >= Date.parse(l.until);

/** The pause as lifted at `now` (the backoff stays for the next limit without a reset time). */
export const liftedLimit = (l: UsageLimit, now: Date): UsageLimit => ({ ...l, lifted_at: now.toISOString() });

/** `usage limit until 2026-12-05T14:00:12.000Z (You've hit your limit · resets 2pm)`. */
export const describeLimit = (l: UsageLimit): string =>
  `usage limit until ${l.until}${l.reason ? ` (${l.reason})` : ''}`;

/** The notice people get once per pause: `rig alpha paused: usage limit until … (…)`. */
export const pauseNotice = (rigs: readonly string[], l: UsageLimit): string =>
  `${rigs.length > 1 ? `rigs ${rigs.join(', ')}` : `rig ${rigs[0]}`} paused: ${describeLimit(l)}`;

/** The agent's message on one line, at most MAX_LIMIT_REASON characters. */
export function limitReason(raw: string): string {
  const text = raw.replace(/\s+/g, ' ').trim();
  return text.length > MAX_LIMIT_REASON ? `${text.slice(0, MAX_LIMIT_REASON - 1)}…` : text;
}

/** `--reset-at`: when the agent said its limit lifts, as an ISO time. */
export function parseResetAt(raw: string): string {
  const at = /^\d{4}-\d{2}-\d{2}T/.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (Number.isNaN(at))
    throw usageError(
      'bad_reset_at',
      `--reset-at ${JSON.stringify(raw)} is not a time; give an ISO time (2026-12-05T14:00:00Z), or leave it out when the agent named none`,
    );
  return new Date(at).toISOString();
}

/**
 * Dispatch's check (`gt sling`): why new work for the rig waits in its queue instead of going to
 * a polecat — a usage-limit pause holds — or null. Kept apart from the other dispatch guards:
 * it defers, never refuses.
 */
export const dispatchPause = (
  rig: { name: string; usage_limit: UsageLimit | null },
  now: Date,
): string | null =>
  isPaused(rig.usage_limit, now) ? `rig ${rig.name} is paused: ${describeLimit(rig.usage_limit)}` : null;
