import type { Collection } from 'mongodb';
import type { LedgerEvent } from '../port.ts';
import type { EventDoc, PendingEvent } from './documents.ts';

/** How long a hole in the sequence may be an insert still in flight before readers step over it. */
export const GAP_SETTLE_MS = 5_000;
const MAX_APPEND_ATTEMPTS = 100;

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * The ledger's ordered event log, read by the relay from a high-water mark. Two layouts, one per
 * adapter mode (mode.ts): one document per event here (compat), event pages (paged-event-log.ts,
 * mongodb). Appending is idempotent by the event's id: two publishers of one event log it once.
 */
export interface EventLog {
  append(pending: PendingEvent): Promise<void>;
  since(seq: number, limit: number): Promise<LedgerEvent[]>;
  /** Which of these event ids are in the log already (the outbox sweep asks). */
  published(ids: readonly string[]): Promise<Set<string>>;
}

/** Stored fields of an event: the pending event without what only the writer needs. */
export function storedFields(pending: PendingEvent) {
  const { ripple: _derived, queued_at: _queued, id, ...event } = pending;
  return { id, event };
}

/**
 * The `events` collection, one document per event (compat mode).
 *
 * `seq` is "highest + 1", made unique by an index; a writer that loses the race looks again. A
 * counter document (`$inc`) is the usual way, but FerretDB 1.24 does not apply concurrent updates
 * of one document atomically (measured: 8 concurrent `$inc` of one counter → +2), while a unique
 * insert is atomic on it and on MongoDB. A seq is only taken by a successful insert, and a writer
 * only tries `n + 1` after it saw `n` committed, so the log has no holes and `n + 1` never becomes
 * visible before `n`.
 *
 * Readers still only take the contiguous run after their mark (`contiguousRun`): should a hole
 * ever appear (an event deleted by hand, a rolled-back write after a failover), it is stepped over
 * only once the event after it is older than GAP_SETTLE_MS, never while it could still be filled.
 */
export class InsertEventLog implements EventLog {
  private readonly events: Collection<EventDoc>;

  constructor(events: Collection<EventDoc>) {
    this.events = events;
  }

  /** Inserts the event once, whoever else is publishing it too (its id is the `_id`). */
  async append(pending: PendingEvent): Promise<void> {
    const { id: eventId, event } = storedFields(pending);
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      if (await this.events.findOne({ _id: eventId }, { projection: { _id: 1 } })) return; // already in
      const [last] = await this.events
        .find({}, { projection: { seq: 1 } })
        .sort({ seq: -1 })
        .limit(1)
        .toArray();
      try {
        await this.events.insertOne({
          _id: eventId,
          seq: (last?.seq ?? 0) + 1,
          ...event,
          published_at: new Date(),
        });
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // seq taken (or the event published): look again
      }
    }
    throw new Error(`could not append event ${eventId}: the event log is too busy`);
  }

  async published(ids: readonly string[]): Promise<Set<string>> {
    const found = await this.events.find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } }).toArray();
    return new Set(found.map((d) => d._id));
  }

  /** The highest seq logged (0 when none): where a paged log continues after a switch of mode. */
  async lastSeq(): Promise<number> {
    const [last] = await this.events
      .find({}, { projection: { seq: 1 } })
      .sort({ seq: -1 })
      .limit(1)
      .toArray();
    return last?.seq ?? 0;
  }

  async since(seq: number, limit: number): Promise<LedgerEvent[]> {
    const docs = await this.events
      .find({ seq: { $gt: seq } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return contiguousRun(docs, seq, Date.now()).map((d) => toLedgerEvent(d, d.seq));
  }
}

/**
 * The events (sorted by seq) that follow `after` without a hole, stepping over a hole only when
 * the event after it was published more than GAP_SETTLE_MS before `nowMs` (then the hole is
 * permanent: nothing fills it later).
 */
export function contiguousRun<E extends { seq: number; published_at?: Date }>(
  docs: readonly E[],
  after: number,
  nowMs: number,
): E[] {
  const run: E[] = [];
  let expected = after + 1;
  for (const doc of docs) {
    if (doc.seq !== expected) {
      const settled = doc.published_at === undefined || nowMs - doc.published_at.getTime() > GAP_SETTLE_MS;
      if (!settled) break;
    }
    run.push(doc);
    expected = doc.seq + 1;
  }
  return run;
}

export const toLedgerEvent = (d: Omit<EventDoc, '_id' | 'seq'>, seq: number): LedgerEvent => ({
  seq,
  type: d.type,
  bead_id: d.bead_id,
  rig: d.rig,
  actor: d.actor,
  at: d.at,
  data: d.data,
});
