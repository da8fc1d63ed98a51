import type { Collection, Db } from 'mongodb';
import type { LedgerEvent } from '../port.ts';
import type { Cas } from './cas.ts';
import { type BeadDoc, COLLECTIONS, type EventDoc, type PendingEvent, type RigDoc } from './documents.ts';
import type { MailDoc } from './mail-store.ts';
import { ripple } from './ripple.ts';

type OutboxDoc = BeadDoc | RigDoc | MailDoc;

/**
 * Events, the outbox way: a change and its event are written in ONE document update (the event
 * goes into the document's `outbox`). Publishing then (1) runs the derived is_blocked ripple,
 * (2) inserts the event into `events` with the next `seq`, and (3) removes it from the outbox.
 * A crash anywhere leaves the event in the outbox; `flushAll` at start finishes the job. The
 * ripple runs first so that whoever reacts to the event already sees readiness updated.
 *
 * `seq` is "highest + 1", made unique by an index: a writer that loses the race retries with the
 * next number. A seq is only taken by a successful insert, so the log has no gaps and a reader
 * never skips an event.
 */
export class Outbox {
  private readonly db: Db;
  private readonly cas: Cas;

  constructor(db: Db, cas: Cas) {
    this.db = db;
    this.cas = cas;
  }

  private get events(): Collection<EventDoc> {
    return this.db.collection<EventDoc>(COLLECTIONS.events);
  }

  /** Publishes the pending events of one document, in order. */
  async flush(collection: 'beads' | 'rigs' | 'mail', id: string): Promise<void> {
    const coll = this.db.collection<OutboxDoc>(COLLECTIONS[collection]);
    const doc = await coll.findOne({ _id: id }, { projection: { outbox: 1 } });
    for (const pending of doc?.outbox ?? []) await this.publish(coll, id, pending);
  }

  /** Recovery: publishes every pending event left by a crash (start-up). */
  async flushAll(): Promise<number> {
    let count = 0;
    for (const collection of ['beads', 'rigs', 'mail'] as const) {
      const coll = this.db.collection<OutboxDoc>(COLLECTIONS[collection]);
      const pending = await coll
        .find({ 'outbox.0': { $exists: true } }, { projection: { _id: 1 } })
        .toArray();
      for (const { _id } of pending) {
        await this.flush(collection, _id);
        count++;
      }
    }
    return count;
  }

  private async publish(coll: Collection<OutboxDoc>, id: string, pending: PendingEvent): Promise<void> {
    await ripple(this.db.collection<BeadDoc>(COLLECTIONS.beads), this.cas, pending.ripple);
    await this.insertOnce(pending);
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

  private async insertOnce(pending: PendingEvent): Promise<void> {
    const { ripple: _derived, id: eventId, ...event } = pending;
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await this.events.findOne({ _id: eventId }, { projection: { _id: 1 } })) return; // already published
      const [last] = await this.events
        .find({}, { projection: { seq: 1 } })
        .sort({ seq: -1 })
        .limit(1)
        .toArray();
      try {
        await this.events.insertOne({ _id: eventId, seq: (last?.seq ?? 0) + 1, ...event });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err; // seq taken (or event published): look again
      }
    }
    throw new Error(`could not append event ${eventId}: the event log is too busy`);
  }

  async since(seq: number, limit: number): Promise<LedgerEvent[]> {
    const docs = await this.events
      .find({ seq: { $gt: seq } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({
      seq: d.seq,
      type: d.type,
      bead_id: d.bead_id,
      rig: d.rig,
      actor: d.actor,
      at: d.at,
      data: d.data,
    }));
  }
}
