import type { Collection, UpdateFilter } from 'mongodb';
import { conflict } from '../../domain/errors.ts';

/**
 * Compare-and-swap on one document, made atomic even where the server's conditional update is
 * not. `findOneAndUpdate({_id, rev})` is atomic on MongoDB, but FerretDB 1.24 (our test server)
 * evaluates the filter and writes the whole document in separate steps: measured, 8 concurrent
 * CAS updates of one revision let ~4 through, and a blind `$set` can overwrite a concurrent
 * change. An insert with a unique `_id` IS atomic on both. So a writer first inserts the lock
 * document `<collection>:<id>@<rev>`; only its winner may move the document from `rev`, with
 * `rev` still in the update filter. The lock is removed once the revision has moved on; a lock
 * left by a crashed writer is taken over after LOCK_STALE_MS.
 */
export interface Revisioned {
  _id: string;
  rev: number;
}

export type Plan<D, R> = { update: UpdateFilter<D>; result: R } | { skip: R };

const LOCK_STALE_MS = 30_000;
const MAX_ATTEMPTS = 50;

export interface LockDoc {
  _id: string;
  at: Date;
}

export class Cas {
  private readonly locks: Collection<LockDoc>;

  constructor(locks: Collection<LockDoc>) {
    this.locks = locks;
  }

  /**
   * Reads the document, asks `plan` what to do, and applies it only if nobody moved the
   * document meanwhile; otherwise reads and plans again. `missing` builds the error for an
   * absent document.
   */
  async write<D extends Revisioned, R>(
    collection: Collection<D>,
    id: string,
    plan: (doc: D) => Promise<Plan<D, R>> | Plan<D, R>,
    missing: () => Error,
  ): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = (await collection.findOne({ _id: id } as never)) as D | null;
      if (!doc) throw missing();
      const decision = await plan(doc);
      if ('skip' in decision) return decision.skip;
      const lockId = `${collection.collectionName}:${id}@${doc.rev}`;
      if (!(await this.acquire(lockId))) {
        await pause(attempt);
        continue;
      }
      const update = {
        ...decision.update,
        $set: { ...(decision.update.$set ?? {}), rev: doc.rev + 1 },
      } as UpdateFilter<D>;
      let moved: boolean;
      try {
        moved = (await collection.updateOne({ _id: id, rev: doc.rev } as never, update)).modifiedCount === 1;
      } finally {
        await this.locks.deleteOne({ _id: lockId }); // even when the update failed: never hold a rev
      }
      if (moved) return decision.result;
    }
    throw conflict('busy', `${id} is changing too fast to update safely; retry`);
  }

  private async acquire(lockId: string): Promise<boolean> {
    try {
      await this.locks.insertOne({ _id: lockId, at: new Date() });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    const held = await this.locks.findOne({ _id: lockId });
    if (held && Date.now() - held.at.getTime() > LOCK_STALE_MS) {
      await this.locks.deleteOne({ _id: lockId, at: held.at }); // abandoned by a crashed writer
    }
    return false;
  }
}

const pause = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.min(50, 1 + attempt * 2) * Math.random()));
