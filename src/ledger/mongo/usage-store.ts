import type { Collection, Filter } from 'mongodb';
import { conflict } from '../../domain/errors.ts';
import { type Pricer, type UsageRecord, type UsageReport, usageStep } from '../../domain/usage.ts';
import type { UsageFilter, UsageGroup, UsageSum } from '../../domain/usage-filter.ts';
import type { WriteContext } from '../port.ts';
import {
  chainOf,
  foldSums,
  type PartialSum,
  type StoredUsage,
  storedUsage,
  usageRecordOf,
} from '../usage-rows.ts';

export type UsageDoc = Omit<StoredUsage, 'id'> & { _id: string };

const MAX_ATTEMPTS = 50;
const TOKEN_FIELDS = { input_tokens: 1, output_tokens: 1, cache_read_tokens: 1, cache_write_tokens: 1 };
const EMPTY = { input: 0, output: 0, cache_read: 0, cache_write: 0, cost_micros: 0, reports: 0 };

/**
 * Usage records on MongoDB (collection `usage`). No transactions: a cumulative report reads its
 * chain's last link and inserts the next under the id `<chain>#<n+1>`. The insert of a unique
 * `_id` is atomic on MongoDB and FerretDB alike, so of two reports racing for one place exactly
 * one lands; the other reads the chain again and is compared with the winner's totals.
 */
export class UsageStore {
  private readonly usage: Collection<UsageDoc>;

  constructor(usage: Collection<UsageDoc>) {
    this.usage = usage;
  }

  async record(report: UsageReport, ctx: WriteContext, price?: Pricer): Promise<UsageRecord | null> {
    const chain = chainOf(report);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const last =
        chain === null
          ? null
          : await this.usage.findOne(
              { chain },
              { sort: { chain_seq: -1 }, projection: { chain_seq: 1, totals: 1 } },
            );
      const step = usageStep(report, last?.totals ?? null, price);
      if (!step) return null;
      const { id, ...fields } = storedUsage(report, step, last?.chain_seq ?? 0, ctx);
      try {
        await this.usage.insertOne({ _id: id, ...fields });
        return usageRecordOf({ id, ...fields });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || chain === null) throw err;
      }
    }
    throw conflict('busy', `usage of session ${report.session} is reported too fast to count safely; retry`);
  }

  async totals(filter: UsageFilter, by: UsageGroup | null): Promise<UsageSum[]> {
    const match: Filter<UsageDoc> = {};
    for (const field of ['bead', 'convoy', 'rig', 'agent'] as const) {
      const value = filter[field];
      if (value !== undefined) match[field] = value;
    }
    if (filter.since !== undefined) match.at = { $gte: filter.since };
    // Folded here, not by $group: FerretDB 1.24 computes only the first accumulator of a $group
    // (the others come back 0), which would be money silently lost.
    const projection = { _id: 0, cost_source: 1, cost_micros: 1, ...TOKEN_FIELDS, ...(by && { [by]: 1 }) };
    const parts = new Map<string, PartialSum>();
    for await (const doc of this.usage.find(match, { projection })) {
      const key = by === null ? null : ((doc[by] as string | null | undefined) ?? null);
      const id = JSON.stringify([key, doc.cost_source]);
      const part = parts.get(id) ?? { ...EMPTY, key, source: doc.cost_source };
      part.input += doc.input_tokens;
      part.output += doc.output_tokens;
      part.cache_read += doc.cache_read_tokens;
      part.cache_write += doc.cache_write_tokens;
      part.cost_micros = (part.cost_micros ?? 0) + (doc.cost_micros ?? 0);
      part.reports += 1;
      parts.set(id, part);
    }
    return foldSums([...parts.values()]);
  }
}
