import { usageError } from './errors.ts';
import { parseDuration } from './formula/duration.ts';
import type { UsageTokens } from './usage.ts';

/** Which usage records a sum covers (all given fields must match). */
export interface UsageFilter {
  bead?: string;
  convoy?: string;
  rig?: string;
  agent?: string;
  /** ISO time: records at or after it. */
  since?: string;
}

/** What a sum is broken down by. */
export type UsageGroup = 'rig' | 'convoy' | 'bead' | 'agent' | 'model';

export const USAGE_GROUPS: readonly UsageGroup[] = ['rig', 'convoy', 'bead', 'agent', 'model'];

/** The usage of one group (`key` null: no group, or records without that field, e.g. no convoy). */
export interface UsageSum {
  key: string | null;
  tokens: UsageTokens;
  /** Dollars of the priced records (reported and estimated), in micros. */
  cost_micros: number;
  reports: number;
  /** Records priced from the table. */
  estimated: number;
  /** Records with no dollars at all (unknown model, no cost from the CLI). */
  unpriced: number;
}

/**
 * `--since`: an ISO time (`2026-11-22`, `2026-11-22T10:00:00Z`) or a span back from now (`90m`,
 * `24h`, `7d`, `1h30m`), as an ISO time.
 */
export function parseSince(raw: string, now: Date): string {
  const text = raw.trim();
  const span = parseDuration(text);
  if (span !== null) return new Date(now.getTime() - span).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at))
    throw usageError(
      'bad_since',
      `--since ${JSON.stringify(raw)} is neither a time nor a span; use an ISO time (2026-11-22T10:00:00Z) or a span back from now (24h, 7d, 90m)`,
    );
  return new Date(at).toISOString();
}
