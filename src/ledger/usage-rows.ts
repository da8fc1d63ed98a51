import { randomUUID } from 'node:crypto';
import {
  type CostSource,
  chainKey,
  type SessionTotals,
  toUsd,
  type UsageRecord,
  type UsageReport,
  type UsageStep,
  ZERO_TOKENS,
} from '../domain/usage.ts';
import type { UsageSum } from '../domain/usage-filter.ts';
import type { WriteContext } from './port.ts';

/**
 * A usage record as both ledgers store it: flat (the sums are one GROUP BY / $group over plain
 * fields), money in micro-dollars. A cumulative report's record is a link of its session's
 * chain: `chain` is its (bead, session), `chain_seq` its place, `totals` the running totals the
 * next link is compared with; its id `<chain>#<seq>` is what makes two racing reports of one
 * session take turns (the second insert of a place fails, and that writer reads again).
 */
export interface StoredUsage {
  id: string;
  at: string;
  bead: string;
  convoy: string | null;
  rig: string;
  agent: string;
  session: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_micros: number | null;
  cost_source: CostSource;
  chain: string | null;
  chain_seq: number | null;
  totals: SessionTotals | null;
  reported_by: string;
}

/** The chain a report extends (null: not cumulative). */
export const chainOf = (report: UsageReport): string | null =>
  report.cumulative && report.session !== null ? chainKey(report.bead, report.session) : null;

/** The stored form of a report's step; `previousSeq`: the chain's last place (0: none yet). */
export function storedUsage(
  report: UsageReport,
  step: UsageStep,
  previousSeq: number,
  ctx: WriteContext,
): StoredUsage {
  const chain = chainOf(report);
  const seq = chain === null ? null : previousSeq + 1;
  return {
    id: chain === null ? randomUUID() : `${chain}#${seq}`,
    at: ctx.now.toISOString(),
    bead: report.bead,
    convoy: report.convoy,
    rig: report.rig,
    agent: report.agent,
    session: report.session,
    model: report.usage.model,
    input_tokens: step.tokens.input,
    output_tokens: step.tokens.output,
    cache_read_tokens: step.tokens.cache_read,
    cache_write_tokens: step.tokens.cache_write,
    cost_micros: step.cost_micros,
    cost_source: step.cost_source,
    chain,
    chain_seq: seq,
    totals: step.totals,
    reported_by: ctx.actor,
  };
}

export function usageRecordOf(s: StoredUsage): UsageRecord {
  return {
    id: s.id,
    at: s.at,
    bead: s.bead,
    convoy: s.convoy,
    rig: s.rig,
    agent: s.agent,
    session: s.session,
    model: s.model,
    tokens: {
      input: s.input_tokens,
      output: s.output_tokens,
      cache_read: s.cache_read_tokens,
      cache_write: s.cache_write_tokens,
    },
    cost_usd: s.cost_micros === null ? null : toUsd(s.cost_micros),
    estimated: s.cost_source === 'estimated',
    reported_by: s.reported_by,
  };
}

/** A partial sum as the stores group it: by key and cost source. */
export interface PartialSum {
  key: string | null;
  source: string;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  cost_micros: number | null;
  reports: number;
}

/** Folds the stores' (key, source) partial sums into one sum per key. */
export function foldSums(parts: readonly PartialSum[]): UsageSum[] {
  const byKey = new Map<string | null, UsageSum>();
  for (const p of parts) {
    let sum = byKey.get(p.key);
    if (!sum) {
      sum = { key: p.key, tokens: { ...ZERO_TOKENS }, cost_micros: 0, reports: 0, estimated: 0, unpriced: 0 };
      byKey.set(p.key, sum);
    }
    sum.tokens.input += Number(p.input);
    sum.tokens.output += Number(p.output);
    sum.tokens.cache_read += Number(p.cache_read);
    sum.tokens.cache_write += Number(p.cache_write);
    sum.cost_micros += Number(p.cost_micros ?? 0);
    sum.reports += Number(p.reports);
    if (p.source === 'estimated') sum.estimated += Number(p.reports);
    if (p.source === 'unpriced') sum.unpriced += Number(p.reports);
  }
  return [...byKey.values()];
}
