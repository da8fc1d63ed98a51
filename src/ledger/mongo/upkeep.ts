import type { Db } from 'mongodb';
import { COLLECTIONS } from './documents.ts';
import type { LockDoc } from './locking-cas.ts';
import type { Outbox } from './outbox.ts';

/** An outbox entry this old was abandoned by its writer (a live writer publishes in milliseconds). */
export const STALE_OUTBOX_MS = 5_000;
const UPKEEP_EVERY_MS = 5_000;
const STALE_LOCK_MS = 3_600_000;

/**
 * Background chores, at most every few seconds:
 *  - publish outbox entries abandoned by a crashed replica, and (mongodb mode) clear the ones their
 *    writers left behind once logged (swept-outbox.ts);
 *  - where the server has no TTL indexes (FerretDB), delete expired idempotency keys and locks.
 * Compat mode runs them from the relay's event reads (so a replica needs no timer of its own);
 * mongodb mode keeps read paths free of writes and runs them on a timer (`start`).
 */
export class Upkeep {
  private readonly db: Db;
  private readonly outbox: Outbox;
  private readonly ttlIndexes: boolean;
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  private readonly everyMs: number;

  constructor(db: Db, outbox: Outbox, ttlIndexes: boolean, everyMs = UPKEEP_EVERY_MS) {
    this.db = db;
    this.outbox = outbox;
    this.ttlIndexes = ttlIndexes;
    this.everyMs = everyMs;
  }

  async maybeRun(): Promise<void> {
    if (Date.now() - this.last < this.everyMs) return;
    this.last = Date.now();
    await this.run();
  }

  /** Runs the chores every few seconds until `stop`; a failed round (database away) waits for the next. */
  start(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => {
      if (this.running !== null) return; // the last round is still going
      this.running = this.run()
        .catch(onError)
        .finally(() => {
          this.running = null;
        });
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async run(): Promise<void> {
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
