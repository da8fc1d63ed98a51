import type { SQLInputValue } from 'node:sqlite';
import {
  type Pricer,
  type SessionTotals,
  type UsageRecord,
  type UsageReport,
  usageStep,
} from '../../domain/usage.ts';
import type { UsageFilter, UsageGroup, UsageSum } from '../../domain/usage-filter.ts';
import type { WriteContext } from '../port.ts';
import { chainOf, foldSums, type PartialSum, storedUsage, usageRecordOf } from '../usage-rows.ts';
import type { Database } from './database.ts';

/** Grouping columns by name: never text from a caller in the SQL. */
const GROUP_COLUMN: Record<UsageGroup, string> = {
  rig: 'rig',
  convoy: 'convoy',
  bead: 'bead',
  agent: 'agent',
  model: 'model',
};

/**
 * Usage records in SQLite (table usage_records). A cumulative report reads its chain's last
 * link and inserts the next inside one transaction: node:sqlite is synchronous and the file has
 * one writer, so no other report of the session comes between (the primary key on `<chain>#<n>`
 * would refuse it anyway).
 */
export class UsageStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  record(report: UsageReport, ctx: WriteContext, price?: Pricer): UsageRecord | null {
    return this.db.transaction(() => {
      const chain = chainOf(report);
      const last =
        chain === null
          ? undefined
          : this.db.get(
              'SELECT chain_seq, totals FROM usage_records WHERE chain = $chain ORDER BY chain_seq DESC LIMIT 1',
              { chain },
            );
      const previous = last ? (JSON.parse(String(last.totals)) as SessionTotals) : null;
      const step = usageStep(report, previous, price);
      if (!step) return null;
      const row = storedUsage(report, step, Number(last?.chain_seq ?? 0), ctx);
      this.db.run(
        `INSERT INTO usage_records (id, at, bead, convoy, rig, agent, session, model, input_tokens, output_tokens,
           cache_read_tokens, cache_write_tokens, cost_micros, cost_source, chain, chain_seq, totals, reported_by)
         VALUES ($id, $at, $bead, $convoy, $rig, $agent, $session, $model, $input_tokens, $output_tokens,
           $cache_read_tokens, $cache_write_tokens, $cost_micros, $cost_source, $chain, $chain_seq, $totals, $reported_by)`,
        { ...row, totals: row.totals === null ? null : JSON.stringify(row.totals) },
      );
      return usageRecordOf(row);
    });
  }

  totals(filter: UsageFilter, by: UsageGroup | null): UsageSum[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    for (const field of ['bead', 'convoy', 'rig', 'agent'] as const) {
      const value = filter[field];
      if (value === undefined) continue;
      where.push(`${GROUP_COLUMN[field]} = ?`);
      params.push(value);
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      params.push(filter.since);
    }
    const key = by === null ? 'NULL' : GROUP_COLUMN[by];
    const rows = this.db.allPositional(
      `SELECT ${key} AS key, cost_source AS source, SUM(input_tokens) AS input, SUM(output_tokens) AS output,
         SUM(cache_read_tokens) AS cache_read, SUM(cache_write_tokens) AS cache_write,
         SUM(cost_micros) AS cost_micros, COUNT(*) AS reports
       FROM usage_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY 1, 2`,
      params,
    );
    return foldSums(rows as unknown as PartialSum[]);
  }
}
