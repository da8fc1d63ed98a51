import type { Collection, Db, IndexDescription } from 'mongodb';
import { COLLECTIONS } from './documents.ts';

/**
 * Every index of the MongoDB ledger, created idempotently at start (`ensureIndexes`).
 *
 * TTL indexes (`expireAfterSeconds`) only reclaim space: correctness never waits for them
 * (`recordIdempotencyKey` treats an expired key as absent, `Cas` takes over stale locks). FerretDB
 * 1.24 does not implement them ("Index option expireAfterSeconds is not implemented yet"), so there
 * the same index is created without the option and init() prunes expired documents itself.
 */
const TTL_DEFAULT_S = 0;
const STALE_LOCK_TTL_S = 3600;

const OUTBOX = { key: { 'outbox.queued_at': 1 }, name: 'outbox_queued' } as const;

const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.beads]: [
    { key: { status: 1, is_blocked: 1, priority: 1, created_at: 1, _id: 1 }, name: 'ready' },
    { key: { 'deps.depends_on_id': 1 }, name: 'dependents' },
    { key: { parent: 1 }, name: 'parent' },
    { key: { rig: 1, status: 1 }, name: 'rig_status' },
    { key: { prefix: 1 }, name: 'prefix' },
    OUTBOX,
  ],
  [COLLECTIONS.rigs]: [{ key: { prefix: 1 }, name: 'prefix_unique', unique: true }, OUTBOX],
  [COLLECTIONS.slots]: [{ key: { rig: 1 }, name: 'rig' }],
  [COLLECTIONS.nudges]: [{ key: { to: 1, created_at: 1 }, name: 'recipient' }],
  [COLLECTIONS.mail]: [
    { key: { to: 1, archived: 1, created_at: 1 }, name: 'inbox' },
    { key: { thread_id: 1, created_at: 1 }, name: 'thread' },
    OUTBOX,
  ],
  [COLLECTIONS.events]: [{ key: { seq: 1 }, name: 'seq_unique', unique: true }],
  // An event is logged once whichever page it lands on (enforced on MongoDB; paged-event-log.ts).
  [COLLECTIONS.event_pages]: [{ key: { 'events.id': 1 }, name: 'event_id_unique', unique: true }],
  [COLLECTIONS.comments]: [{ key: { issue_id: 1, created_at: 1 }, name: 'issue' }, OUTBOX],
  [COLLECTIONS.merge_requests]: [
    // Hands out submission order within a lane (supersede.ts): the unique insert is atomic on FerretDB too.
    { key: { lane: 1, lane_seq: 1 }, name: 'lane_seq_unique', unique: true },
    { key: { rig: 1, status: 1, created_at: 1 }, name: 'rig_status' },
    // A rig's last landings, newest first (listMergeRequests' `newest`: the queue card), read without its whole history.
    { key: { rig: 1, status: 1, merged_at: -1, _id: -1 }, name: 'rig_merged' },
    { key: { bead_id: 1, created_at: 1 }, name: 'bead' },
    OUTBOX,
  ],
  // A session's chain is read newest link first (usage-store.ts); the sums filter by one field and time.
  [COLLECTIONS.usage]: [
    { key: { chain: 1, chain_seq: -1 }, name: 'chain' },
    { key: { bead: 1, at: 1 }, name: 'bead' },
    { key: { convoy: 1, at: 1 }, name: 'convoy' },
    { key: { rig: 1, at: 1 }, name: 'rig' },
    { key: { agent: 1, at: 1 }, name: 'agent' },
    { key: { at: 1 }, name: 'at' },
  ],
  [COLLECTIONS.idempotency]: [{ key: { expires_at: 1 }, name: 'expiry', expireAfterSeconds: TTL_DEFAULT_S }],
  [COLLECTIONS.locks]: [{ key: { at: 1 }, name: 'stale', expireAfterSeconds: STALE_LOCK_TTL_S }],
};

/** Whether the server lacks a feature (FerretDB: NotImplemented 238; old servers: 115). */
export const notImplemented = (err: unknown): boolean => {
  const e = err as { code?: number; message?: string };
  return e.code === 238 || e.code === 115 || /not implemented/i.test(e.message ?? '');
};

/**
 * Creates the indexes that do not exist yet (by name). Re-issuing createIndexes for existing
 * indexes should be a no-op, but FerretDB 1.24 drops the connection on it for some definitions,
 * so start-up only asks for what is missing. Returns whether every TTL index is really a TTL
 * index (false on FerretDB: the caller prunes expired documents itself).
 */
export async function ensureIndexes(db: Db): Promise<{ ttl: boolean }> {
  let ttl = true;
  for (const [name, indexes] of Object.entries(INDEXES)) {
    const collection = db.collection(name);
    const existing = new Map(
      (
        await collection
          .listIndexes()
          .toArray()
          .catch(() => [])
      ).map((i: { name?: string; expireAfterSeconds?: number }) => [i.name, i]),
    );
    for (const index of indexes) {
      const found = existing.get(index.name);
      if (index.expireAfterSeconds === undefined) {
        if (!found) await collection.createIndexes([index]);
      } else if (!(await ensureTtlIndex(db, collection, index, found))) {
        ttl = false;
      }
    }
  }
  return { ttl };
}

async function ensureTtlIndex(
  db: Db,
  collection: Collection,
  index: IndexDescription,
  found: { expireAfterSeconds?: number } | undefined,
): Promise<boolean> {
  if (found?.expireAfterSeconds !== undefined) return true;
  try {
    if (found) {
      // An index made before it was a TTL index (or by a server without TTL): MongoDB ≥ 5.1 converts it.
      await db.command({
        collMod: collection.collectionName,
        index: { name: index.name, expireAfterSeconds: index.expireAfterSeconds },
      });
    } else {
      await collection.createIndexes([index]);
    }
    return true;
  } catch (err) {
    if (found) return false; // cannot convert (FerretDB, MongoDB < 5.1): the plain index stays, we prune
    if (!notImplemented(err)) throw err;
    const { expireAfterSeconds: _unsupported, ...plain } = index;
    await collection.createIndexes([plain]);
    return false;
  }
}
