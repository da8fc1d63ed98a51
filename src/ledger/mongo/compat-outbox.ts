import type { Collection, Filter } from 'mongodb';
import type { PendingEvent } from './documents.ts';
import { OUTBOX_COLLECTIONS, OutboxBase, type OutboxCollection, type OutboxDoc } from './outbox.ts';

/**
 * The outbox of the compat mode: whoever publishes takes each entry out right after logging it
 * (a compare-and-swap), and always publishes the document's WHOLE outbox in order — so the next
 * writer of a document finishes what a crashed one left, and events of one document are logged in
 * the order they were written. Event reads run the stale sweep (upkeep.ts).
 */
export class CompatOutbox extends OutboxBase {
  /** The whole outbox of the document, in order, not only `_written`: see above. */
  async flush(
    collection: OutboxCollection,
    id: string,
    _written: readonly PendingEvent[] = [],
  ): Promise<void> {
    const coll = this.collection(collection);
    const doc = await coll.findOne({ _id: id }, { projection: { outbox: 1 } });
    for (const pending of doc?.outbox ?? []) await this.publish(coll, id, pending);
  }

  protected async flushWhere(filter: Filter<OutboxDoc>): Promise<number> {
    let count = 0;
    for (const name of OUTBOX_COLLECTIONS) {
      const pending = await this.collection(name)
        .find(filter, { projection: { _id: 1 } })
        .toArray();
      for (const { _id } of pending) {
        await this.flush(name, _id);
        count++;
      }
    }
    return count;
  }

  private async publish(coll: Collection<OutboxDoc>, id: string, pending: PendingEvent): Promise<void> {
    await this.derivedThenLogged(pending);
    await this.cas.write(
      coll,
      id,
      (doc) =>
        doc.outbox.some((e) => e.id === pending.id)
          ? { update: { $set: { outbox: doc.outbox.filter((e) => e.id !== pending.id) } }, result: undefined }
          : { skip: undefined },
      () => new Error(`${id} vanished while publishing its events`),
    );
  }
}
