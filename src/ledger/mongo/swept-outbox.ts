import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { PendingEvent } from './documents.ts';
import { OUTBOX_COLLECTIONS, OutboxBase, type OutboxCollection, type OutboxDoc } from './outbox.ts';

/** Documents one sweep looks at per collection; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

type Swept = Pick<OutboxDoc, '_id' | 'rev' | 'outbox'>;

/**
 * The outbox of the mongodb mode. A writer publishes only the events its own write queued (it has
 * them in hand: no read), and leaves the entries in the outbox; a sweep (a timer, every few
 * seconds) clears entries older than a few seconds in batches: one query for the documents, one for
 * which of their events the log already has, one bulk write to clear them. An entry the log lacks
 * (its writer crashed between write and append) is published by the sweep first, derived work
 * included. The clearing `$set` carries the revision the sweep read in its filter but does not move
 * it, so a concurrent writer's compare-and-swap is never made to retry by a sweep, and a sweep that
 * lost to a writer simply leaves the entries for the next one.
 *
 * What this gives up against compat-outbox.ts: events of one document written by two racing writers
 * within one append's time may be logged in the other order (each writer logs its own); a crashed
 * writer's event is logged by the sweep, after later ones (docs/decisions.md, "MongoDB adapter modes").
 */
export class SweptOutbox extends OutboxBase {
  async flush(_collection: OutboxCollection, _id: string, written: readonly PendingEvent[]): Promise<void> {
    for (const pending of written) await this.derivedThenLogged(pending);
  }

  protected async flushWhere(filter: Filter<OutboxDoc>): Promise<number> {
    let count = 0;
    for (const name of OUTBOX_COLLECTIONS) {
      const docs = await this.collection(name)
        .find(filter, { projection: { _id: 1, rev: 1, outbox: 1 } })
        .limit(SWEEP_BATCH)
        .toArray();
      if (docs.length > 0) await this.sweep(name, docs);
      count += docs.length;
    }
    return count;
  }

  /**
   * Publishes what the log lacks, then clears every entry of these documents that it now has. A
   * clear loses to any write of its document since the read — the derived work just published may
   * be one (a ripple flipping a flag) — so those documents are read again and cleared once more.
   */
  private async sweep(name: OutboxCollection, docs: readonly Swept[], passes = 3): Promise<void> {
    const entries = docs.flatMap((d) => d.outbox ?? []);
    if (entries.length === 0) return;
    const logged = await this.log.published(entries.map((e) => e.id));
    for (const pending of entries) {
      if (logged.has(pending.id)) continue;
      await this.derivedThenLogged(pending);
      logged.add(pending.id);
    }
    const pendingDocs = docs.filter((d) => (d.outbox ?? []).length > 0);
    const clears: AnyBulkWriteOperation<OutboxDoc>[] = pendingDocs.map((d) => ({
      updateOne: { filter: { _id: d._id, rev: d.rev }, update: { $set: { outbox: [] } } },
    }));
    const { matchedCount } = await this.collection(name).bulkWrite(clears, { ordered: false });
    if (matchedCount === clears.length || passes <= 1) return;
    const moved = await this.collection(name)
      .find(
        { _id: { $in: pendingDocs.map((d) => d._id) }, 'outbox.0': { $exists: true } },
        { projection: { _id: 1, rev: 1, outbox: 1 } },
      )
      .toArray();
    if (moved.length > 0) await this.sweep(name, moved, passes - 1);
  }
}
