import { toUsd, type UsageTokens, ZERO_TOKENS } from './usage.ts';
import type { UsageGroup, UsageSum } from './usage-filter.ts';

/**
 * What `gt costs`, `gt convoy status` and the convoy cards show of the ledger's usage sums
 * (CLI-CONTRACT.md "Costs and budgets": `{total_usd, estimated, tokens, by}`).
 */

/** Dollars and tokens of some usage. */
export interface CostLine {
  total_usd: number;
  /** Some of the dollars were computed from the price table, not reported by the agent's CLI. */
  estimated: boolean;
  tokens: UsageTokens;
  /** Reports with no dollars at all (their model has no price): total_usd leaves them out. */
  unpriced: number;
}

export type CostRow = CostLine & Partial<Record<UsageGroup, string | null>>;

export interface CostsReport extends CostLine {
  /** What `by` is broken down by. */
  group: UsageGroup;
  /** One row per group, most expensive first. */
  by: CostRow[];
}

/** A convoy's cost in one line (status and cards); null when nothing was reported. */
export interface CostSummary {
  total_usd: number;
  estimated: boolean;
  /** Some reports had no dollars at all (their model has no price): total_usd leaves them out. */
  unpriced: boolean;
}

function lineOf(sums: readonly UsageSum[]): CostLine & { micros: number; reports: number } {
  const tokens = { ...ZERO_TOKENS };
  let micros = 0;
  let estimated = 0;
  let unpriced = 0;
  let reports = 0;
  for (const s of sums) {
    for (const k of Object.keys(tokens) as (keyof UsageTokens)[]) tokens[k] += s.tokens[k];
    micros += s.cost_micros;
    estimated += s.estimated;
    unpriced += s.unpriced;
    reports += s.reports;
  }
  return { total_usd: toUsd(micros), estimated: estimated > 0, tokens, unpriced, micros, reports };
}

/** The report of `gt costs` from the ledger's sums grouped by `group` (keys unique). */
export function costsReport(sums: readonly UsageSum[], group: UsageGroup): CostsReport {
  const { micros: _m, reports: _r, ...total } = lineOf(sums);
  const rows = [...sums].sort(
    (a, b) => b.cost_micros - a.cost_micros || (a.key ?? '').localeCompare(b.key ?? ''),
  );
  return {
    ...total,
    group,
    by: rows.map((s) => {
      const { micros: _mm, reports: _rr, ...line } = lineOf([s]);
      return { [group]: s.key, ...line };
    }),
  };
}

export function costSummary(sums: readonly UsageSum[]): CostSummary | null {
  const line = lineOf(sums);
  if (line.reports === 0) return null;
  return { total_usd: line.total_usd, estimated: line.estimated, unpriced: line.unpriced > 0 };
}

/** `$1.23`; under a cent, four decimals (`$0.0042`), so small spends do not read as nothing. */
export function formatUsd(usd: number): string {
  return usd === 0 || usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

/** The cost line of a convoy card and `gt convoy status`: `cost $1.23 (estimated)`. */
export function costText(
  c: Pick<CostSummary, 'total_usd' | 'estimated'> & { unpriced: boolean | number },
): string {
  const notes = [c.estimated && 'estimated', c.unpriced && 'some usage unpriced'].filter(Boolean);
  return `cost ${formatUsd(c.total_usd)}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** `1.2M`, `34k`, `512`: token counts at a glance. */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1).replace(/\.0$/, '')}k`;
  return String(n);
}
