import type { Collection, Db, Filter } from 'mongodb';
import type { Cas } from './cas.ts';
import {
  type BeadDoc,
  COLLECTIONS,
  type CommentDoc,
  type EventDoc,
  type MailDoc,
  type MergeRequestDoc,
  type PendingEvent,
  type RigDoc,
} from './documents.ts';
import { EventLog } from './event-log.ts';
import { ripple } from './ripple.ts';
import { supersedeOlder } from './supersede.ts';

type OutboxDoc = BeadDoc | RigDoc | MailDoc | CommentDoc | MergeRequestDoc;
export type OutboxCollection = 'beads' | 'rigs' | 'mail' | 'comments' | 'merge_requests';
const OUTBOX_COLLECTIONS: readonly OutboxCollection[] = [
  'beads',
  'rigs',
  'mail',
  'comments',
  'merge_requests',
];

/**
 * Events, the outbox way: a change and its event are written in ONE document update (the event
 * goes into the document's `outbox`). Publishing then (1) runs the derived work — the is_blocked
 * ripple, or a submission's supersession of older MRs (supersede.ts) —, (2) appends the event to
 * the log (event-log.ts: next `seq`, idempotent by event id), and (3) removes it from the outbox. A crash anywhere leaves the event in the outbox, and anyone may
 * finish the job — every step is idempotent, so two publishers of one entry are harmless:
 *  - the writer itself, right after its update;
 *  - the next writer of the same document (it publishes the whole outbox, in order);
 *  - `flushAll` at start, and `flushStale` (entries older than a few seconds, i.e. abandoned by a
 *    crashed replica), which the ledger runs from its event reads.
 * The derived work runs first so that whoever reacts to the event already sees readiness updated
 * (and a submitted MR's predecessors superseded).
 */
export class Outbox {
  private readonly db: Db;
  private readonly cas: Cas;
  readonly log: EventLog;

  constructor(db: Db, cas: Cas) {
    this.db = db;
    this.cas = cas;
    this.log = new EventLog(db.collection<EventDoc>(COLLECTIONS.events));
  }

  private collection(name: OutboxCollection): Collection<OutboxDoc> {
    return this.db.collection<OutboxDoc>(COLLECTIONS[name]);
  }

  /** Publishes the pending events of one document, in order. */
  async flush(collection: OutboxCollection, id: string): Promise<void> {
    const coll = this.collection(collection);
    const doc = await coll.findOne({ _id: id }, { projection: { outbox: 1 } });
    for (const pending of doc?.outbox ?? []) await this.publish(coll, id, pending);
  }

  /** Recovery: publishes every pending event (start-up). Returns how many documents had some. */
  flushAll(): Promise<number> {
    return this.flushWhere({ 'outbox.0': { $exists: true } });
  }

  /**
   * Publishes entries queued more than `olderThanMs` ago: a replica that crashed between a write
   * and its publish leaves them, and the other replicas would otherwise wait for a restart.
   */
  flushStale(olderThanMs: number): Promise<number> {
    return this.flushWhere({ 'outbox.queued_at': { $lt: new Date(Date.now() - olderThanMs) } });
  }

  private async flushWhere(filter: Filter<OutboxDoc>): Promise<number> {
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
    await this.derive(pending);
    await this.log.append(pending);
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

  /** The derived work of an event, before it is logged (both kinds idempotent). */
  private async derive(pending: PendingEvent): Promise<void> {
    if (pending.ripple.kind !== 'supersede') {
      await ripple(this.db.collection<BeadDoc>(COLLECTIONS.beads), this.cas, pending.ripple);
      return;
    }
    const mrs = this.db.collection<MergeRequestDoc>(COLLECTIONS.merge_requests);
    // Their `mr_updated` events are logged before this `mr_submitted`, as in SQLite.
    for (const id of await supersedeOlder(mrs, this.cas, pending, pending.ripple))
      await this.flush('merge_requests', id);
  }
}
