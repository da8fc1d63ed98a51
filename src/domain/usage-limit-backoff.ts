import { isPaused, limitReason, type UsageLimit } from './usage-limit.ts';

/**
 * How long a usage limit pauses a rig (issue 18 item 4). Gas Town waits a fixed 60 s whatever
 * the reset time, so a 5-hour limit allows some 300 futile restarts (reference agent-runtimes.md
 * §4.3); rigs sharing an account that all resume at once re-saturate it together (gascity#3279).
 * So: the agent's reset time when it named one, plus jitter; without one an exponential backoff
 * per rig — 1, 2, 4 … minutes, capped at an hour — that starts over once work got through.
 */
export const BASE_BACKOFF_S = 60;
export const MAX_BACKOFF_S = 3600;
/** Jitter is up to a tenth of the wait, within these bounds. */
export const MIN_JITTER_MS = 1000;
export const MAX_JITTER_MS = 60_000;

/** What the agent reported: the runner's reading of its output (domain/runtimes/). */
export interface LimitReport {
  agent: string;
  /** ISO; null when the agent did not say when the limit lifts. */
  reset_at: string | null;
  message: string;
}

export interface PauseContext {
  now: Date;
  /** In [0, 1): the jitter's randomness, passed in so tests choose it. */
  random: () => number;
  /**
   * Whether the rig's agents got work through (spent tokens) since its previous pause ended: a
   * successful run, after which a limit without a reset time is a new wall, not the same one.
   */
  workedSincePrevious: boolean;
}

export interface PauseChange {
  limit: UsageLimit;
  /** A new pause (people get a notice), rather than a running one made longer. */
  started: boolean;
}

/** Up to a tenth of the wait, so rigs of one account do not all come back in the same second. */
export function jitterMs(waitMs: number, random: () => number): number {
  const span = Math.min(MAX_JITTER_MS, Math.max(MIN_JITTER_MS, waitMs / 10));
  return Math.floor(Math.min(Math.max(random(), 0), 0.999_999) * span);
}

/**
 * The wait for a limit that named no reset time: double the previous pause's backoff unless work
 * got through since it ended (then start over), never above MAX_BACKOFF_S.
 */
export function nextBackoffS(previous: UsageLimit | null, workedSincePrevious: boolean): number {
  if (!previous || previous.backoff_s <= 0 || workedSincePrevious) return BASE_BACKOFF_S;
  return Math.min(previous.backoff_s * 2, MAX_BACKOFF_S);
}

/**
 * The rig's pause after `report`, or null when the pause it has already covers it. While a
 * pause holds, more polecats hitting the same wall only make it longer (never shorter, never a
 * doubled backoff: one wall, one step); otherwise a new pause starts. A reset time already past
 * says nothing usable: it counts as none.
 */
export function nextPause(
  previous: UsageLimit | null,
  report: LimitReport,
  c: PauseContext,
): PauseChange | null {
  const now = c.now.getTime();
  const reset = report.reset_at === null ? Number.NaN : Date.parse(report.reset_at);
  const holding = isPaused(previous, c.now) ? previous : null;
  const backoff_s =
    reset > now
      ? 0
      : holding
        ? holding.backoff_s || BASE_BACKOFF_S
        : nextBackoffS(previous, c.workedSincePrevious);
  const wait = reset > now ? reset - now : backoff_s * 1000;
  const until = new Date(now + wait + jitterMs(wait, c.random)).toISOString();
  const reason = limitReason(report.message);
  if (holding) {
    if (Date.parse(until) <= Date.parse(holding.until)) return null;
    return { limit: { ...holding, until, reason, backoff_s }, started: false };
  }
  return {
    limit: { until, reason, backoff_s, by: report.agent, at: c.now.toISOString(), lifted_at: null },
    started: true,
  };
}
