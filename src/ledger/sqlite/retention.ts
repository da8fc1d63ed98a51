import type { Compacted, RetentionPolicy } from '../../domain/retention.ts';
import type { Database } from './database.ts';

/**
 * Compaction of the SQLite ledger's history (domain/retention.ts). node:sqlite is synchronous: a
 * statement blocks the service's event loop as well as other writers while it runs. So nothing
 * here is one big DELETE: each statement touches at most `policy.batch` rows, and the loop yields
 * to the event loop between statements, letting commands, the relay and the feeder go on.
 */
export async function compactSqlite(db: Database, policy: RetentionPolicy): Promise<Compacted> {
  const done: Compacted = { events: 0, audit: 0, keys: 0 };
  if (policy.events) {
    // The newest event stays even when the mark is bogus (a relay mark from another ledger).
    const newest = Number(db.get('SELECT MAX(seq) AS seq FROM events')?.seq ?? 0);
    const below = Math.min(policy.events.belowSeq, newest);
    done.events = await sweep(db, 'events', 'seq', below, policy.events.before, policy.batch);
  }
  if (policy.audit) {
    const keep = policy.audit.keepNewest;
    const oldestKept =
      keep > 0
        ? Number(db.get('SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET $o', { o: keep - 1 })?.id ?? 0)
        : Number.MAX_SAFE_INTEGER;
    done.audit = await sweep(db, 'audit', 'id', oldestKept, policy.audit.before, policy.batch);
  }
  for (;;) {
    // No index on expires_at: live keys are few (they last minutes), so the scan finds expired ones first.
    const { changes } = db.run(
      'DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE expires_at <= $now LIMIT $batch)',
      { now: policy.keysExpiredBy, batch: policy.batch },
    );
    done.keys += changes;
    if (changes < policy.batch) break;
    await breathe();
  }
  return done;
}

/**
 * Deletes the rows whose key is below `below` and whose `at` is before `before`. `at` has no
 * index (a second index on the append-only log would cost every write), so the sweep walks the
 * key, the rowid, a batch at a time: each step reads at most `batch` keys of a range and deletes
 * among them. Times need not grow with the key (two replicas' clocks), so the walk goes to `below`
 * rather than stopping at the first recent row; the part it keeps is N days of rows, read once.
 */
async function sweep(
  db: Database,
  table: 'events' | 'audit',
  key: 'seq' | 'id',
  below: number,
  before: string,
  batch: number,
): Promise<number> {
  let removed = 0;
  let after = 0;
  for (;;) {
    const hi = db.get(
      `SELECT MAX(${key}) AS hi FROM (SELECT ${key} FROM ${table} WHERE ${key} > $after AND ${key} < $below ORDER BY ${key} LIMIT $batch)`,
      { after, below, batch },
    )?.hi;
    if (hi === null || hi === undefined) return removed;
    removed += db.run(`DELETE FROM ${table} WHERE ${key} > $after AND ${key} <= $hi AND at < $before`, {
      after,
      hi: Number(hi),
      before,
    }).changes;
    after = Number(hi);
    await breathe();
  }
}

const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
