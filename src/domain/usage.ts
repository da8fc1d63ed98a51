import type { Usage } from './agent-output.ts';

/**
 * What an agent spent, as the ledger keeps it (docs/costs.md): one record per usage report, each
 * the *difference* it adds — so a resumed session, whose CLI reports running totals that already
 * include its earlier turns, is counted once. Money is kept in whole micro-dollars: sums of many
 * small costs stay exact (0.30 × 4 is 1.2, not 1.2000000000000002).
 */

export interface UsageTokens {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

/** How a record's dollars are known: the CLI said so, the price table computed them, or neither could. */
export type CostSource = 'reported' | 'estimated' | 'unpriced';

/** Dollars of `usage` from the price table (config/prices.json); null: the model has no price there. */
export type Pricer = (usage: Usage) => number | null;

/** A report as the runner sends it (`gt usage report`), checked, with the convoy it counts towards. */
export interface UsageReport {
  bead: string;
  /** The open convoy tracking the bead when the report came (the one its budget is), else the latest. */
  convoy: string | null;
  rig: string;
  agent: string;
  usage: Usage;
  /** The figures are the session's running totals (`session` is then required). */
  cumulative: boolean;
  session: string | null;
}

/** A session's running totals as last reported: what the next cumulative report is compared with. */
export interface SessionTotals extends UsageTokens {
  /** Null: the CLI reported no cost in it. */
  cost_micros: number | null;
}

/** What one report adds. */
export interface UsageStep {
  tokens: UsageTokens;
  cost_micros: number | null;
  cost_source: CostSource;
  /** Cumulative reports: the session's totals after this one; null otherwise. */
  totals: SessionTotals | null;
  /** The session's totals went down: a new process counting from zero, not negative usage. */
  restarted: boolean;
}

/** One stored report. */
export interface UsageRecord {
  id: string;
  at: string;
  bead: string;
  convoy: string | null;
  rig: string;
  agent: string;
  session: string | null;
  model: string | null;
  tokens: UsageTokens;
  /** Null: unpriced (no cost from the CLI and no price for the model). */
  cost_usd: number | null;
  /** Computed from the price table, not reported by the CLI. */
  estimated: boolean;
  reported_by: string;
}

const KINDS = ['input', 'output', 'cache_read', 'cache_write'] as const;

export const ZERO_TOKENS: UsageTokens = { input: 0, output: 0, cache_read: 0, cache_write: 0 };

export const toMicros = (usd: number): number => Math.round(usd * 1_000_000);
export const toUsd = (micros: number): number => micros / 1_000_000;

const tokensOf = (u: Usage): UsageTokens => ({
  input: u.input_tokens,
  output: u.output_tokens,
  cache_read: u.cache_read_tokens,
  cache_write: u.cache_write_tokens,
});

/** The dollars of `tokens` from the table, in micros; null when unpriced (or the pricer misbehaves). */
function priced(tokens: UsageTokens, model: string | null, price: Pricer | undefined): number | null {
  const usd = price?.({
    input_tokens: tokens.input,
    output_tokens: tokens.output,
    cache_read_tokens: tokens.cache_read,
    cache_write_tokens: tokens.cache_write,
    model,
    cost_usd: null,
  });
  return typeof usd === 'number' && Number.isFinite(usd) && usd >= 0 ? toMicros(usd) : null;
}

const isZero = (t: UsageTokens) => KINDS.every((k) => t[k] === 0);

/**
 * What `report` adds, given the totals last recorded for its (bead, session) when it is
 * cumulative; null when it adds nothing (a repeat of the last totals, an all-zero report).
 *
 * A cumulative report whose totals went down (any count, or the reported cost) is a new process
 * counting from zero — a restart without `--resume` that kept the session id — so it is counted
 * whole from there ("restarted"); a stale report delivered out of order would look the same,
 * which is why the runner sends a session's reports one at a time, in order.
 */
export function usageStep(
  report: Pick<UsageReport, 'usage' | 'cumulative'>,
  previous: SessionTotals | null,
  price?: Pricer,
): UsageStep | null {
  const now = tokensOf(report.usage);
  const reported = report.usage.cost_usd === null ? null : toMicros(report.usage.cost_usd);
  if (!report.cumulative) {
    if (isZero(now) && !reported) return null;
    return { ...costOf(now, reported, report.usage.model, price), totals: null, restarted: false };
  }
  const totals: SessionTotals = { ...now, cost_micros: reported };
  const restarted =
    previous !== null &&
    (KINDS.some((k) => now[k] < previous[k]) ||
      (reported !== null && previous.cost_micros !== null && reported < previous.cost_micros));
  const base = previous === null || restarted ? null : previous;
  const tokens = base ? sub(now, base) : now;
  // The CLI's dollars are a difference too, when both ends have them; else the table prices the tokens.
  const cost =
    reported !== null && (base === null || base.cost_micros !== null)
      ? reported - (base?.cost_micros ?? 0)
      : null;
  if (!restarted && isZero(tokens) && !cost) return null;
  return { ...costOf(tokens, cost, report.usage.model, price), totals, restarted };
}

function costOf(
  tokens: UsageTokens,
  reported: number | null,
  model: string | null,
  price: Pricer | undefined,
): Pick<UsageStep, 'tokens' | 'cost_micros' | 'cost_source'> {
  if (reported !== null) return { tokens, cost_micros: reported, cost_source: 'reported' };
  const micros = priced(tokens, model, price);
  return { tokens, cost_micros: micros, cost_source: micros === null ? 'unpriced' : 'estimated' };
}

const sub = (a: UsageTokens, b: UsageTokens): UsageTokens => ({
  input: a.input - b.input,
  output: a.output - b.output,
  cache_read: a.cache_read - b.cache_read,
  cache_write: a.cache_write - b.cache_write,
});

/**
 * The key of a cumulative report's chain: its bead and session (a session resumed by another
 * polecat of the same bead is still one session). JSON, so no bead or session text can make two
 * chains collide; a record's id is `<chain>#<n>`, unique in both ledgers.
 */
export const chainKey = (bead: string, session: string): string => JSON.stringify([bead, session]);
