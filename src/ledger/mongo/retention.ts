import type { Collection, Db, Document, Filter, ObjectId, Sort } from 'mongodb';
import type { Compacted, RetentionPolicy } from '../../domain/retention.ts';
import { COLLECTIONS, type EventDoc } from './documents.ts';

/**
 * Compaction of the MongoDB ledger's history (domain/retention.ts), against the one-document-per-
 * event `events` collection; `deleteInBatches` is exported for other layouts of the log.
 *
 * The newest event always stays: the log numbers an event "highest seq + 1" (event-log.ts), so an
 * emptied log would hand out seq 1 again, below the relay's mark, and those events would never be
 * published. Events are cut by `at` (the time of the write, as in SQLite), not `published_at`.
 */
export async function compactMongo(db: Db, policy: RetentionPolicy): Promise<Compacted> {
  const done: Compacted = { events: 0, audit: 0, keys: 0 };
  if (policy.events) {
    const events = db.collection<EventDoc>(COLLECTIONS.events);
    const [newest] = await events
      .find({}, { projection: { seq: 1 } })
      .sort({ seq: -1 })
      .limit(1)
      .toArray();
    const below = Math.min(policy.events.belowSeq, newest?.seq ?? 0);
    const filter = { seq: { $lt: below }, at: { $lt: policy.events.before } };
    done.events = await deleteInBatches(events, filter, { seq: 1 }, policy.batch);
  }
  if (policy.audit) {
    const audit = db.collection<{ _id: ObjectId; at: string }>(COLLECTIONS.audit);
    const keep = policy.audit.keepNewest;
    // ObjectIds grow with insertion (records.ts lists the trail by them): the keep-th newest bounds it.
    const [oldestKept] =
      keep > 0
        ? await audit
            .find({}, { projection: { _id: 1 } })
            .sort({ _id: -1 })
            .skip(keep - 1)
            .limit(1)
            .toArray()
        : [];
    if (keep <= 0 || oldestKept) {
      const filter = {
        at: { $lt: policy.audit.before },
        ...(oldestKept && { _id: { $lt: oldestKept._id } }),
      };
      done.audit = await deleteInBatches(audit, filter, { _id: 1 }, policy.batch);
    }
  }
  // MongoDB's TTL index removes these too; FerretDB has none (upkeep.ts prunes there as well).
  const keys = db.collection<{ _id: string; expires_at: Date }>(COLLECTIONS.idempotency);
  const expired = { expires_at: { $lte: new Date(policy.keysExpiredBy) } };
  done.keys = await deleteInBatches(keys, expired, { expires_at: 1 }, policy.batch);
  return done;
}

/**
 * Deletes what `filter` matches, `batch` documents at a time (their ids read first, oldest by
 * `sort`), so no single delete holds the server for long. Idempotent and safe to run on two
 * replicas at once: what the other removed is simply not counted here.
 */
export async function deleteInBatches<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  sort: Sort,
  batch: number,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = (
      await collection
        .find(filter, { projection: { _id: 1 } })
        .sort(sort)
        .limit(batch)
        .toArray()
    ).map((d) => d._id);
    if (ids.length === 0) return removed;
    removed += (await collection.deleteMany({ _id: { $in: ids } } as Filter<T>)).deletedCount;
    if (ids.length < batch) return removed;
  }
}
