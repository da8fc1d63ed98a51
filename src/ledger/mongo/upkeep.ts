import type { Db } from 'mongodb';
import type { LockDoc } from './cas.ts';
import { COLLECTIONS } from './documents.ts';
import type { Outbox } from './outbox.ts';

/** An outbox entry this old was abandoned by its writer (a live writer publishes in milliseconds). */
export const STALE_OUTBOX_MS = 5_000;
const UPKEEP_EVERY_MS = 5_000;
const STALE_LOCK_MS = 3_600_000;

/**
 * Background chores, run at most every few seconds from the relay's event reads (so a service
 * replica does them without a timer of its own):
 *  - publish outbox entries abandoned by a crashed replica (every step is idempotent);
 *  - where the server has no TTL indexes (FerretDB), delete expired idempotency keys and locks.
 */
export class Upkeep {
  private readonly db: Db;
  private readonly outbox: Outbox;
  private readonly ttlIndexes: boolean;
  private last = 0;

  constructor(db: Db, outbox: Outbox, ttlIndexes: boolean) {
    this.db = db;
    this.outbox = outbox;
    this.ttlIndexes = ttlIndexes;
  }

  async maybeRun(): Promise<void> {
    if (Date.now() - this.last < UPKEEP_EVERY_MS) return;
    this.last = Date.now();
    await this.outbox.flushStale(STALE_OUTBOX_MS);
    if (!this.ttlIndexes) await this.prune();
  }

  async prune(): Promise<void> {
    const now = Date.now();
    await this.db.collection(COLLECTIONS.idempotency).deleteMany({ expires_at: { $lte: new Date(now) } });
    await this.db
      .collection<LockDoc>(COLLECTIONS.locks)
      .deleteMany({ at: { $lt: new Date(now - STALE_LOCK_MS) } });
  }
}
