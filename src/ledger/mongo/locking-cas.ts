import type { Collection } from 'mongodb';
import { conflict } from '../../domain/errors.ts';
import {
  CasBase,
  type CasOptions,
  type CasOutcome,
  MAX_CAS_ATTEMPTS,
  type Plan,
  pause,
  type Revisioned,
  withNextRev,
} from './cas.ts';

/**
 * Compare-and-swap made atomic where the server's conditional update is not (compat mode).
 * `findOneAndUpdate({_id, rev})` is atomic on MongoDB, but FerretDB 1.24 (our test server)
 * evaluates the filter and writes the whole document in separate steps: measured, 8 concurrent
 * CAS updates of one revision let ~4 through, and a blind `$set` can overwrite a concurrent
 * change. An insert with a unique `_id` IS atomic on both. So a writer first inserts the lock
 * document `<collection>:<id>@<rev>`; only its winner may move the document from `rev`, with
 * `rev` still in the update filter. The lock is removed once the revision has moved on; a lock
 * left by a crashed writer is taken over after LOCK_STALE_MS.
 */
const LOCK_STALE_MS = 30_000;

export interface LockDoc {
  _id: string;
  at: Date;
}

export class LockingCas extends CasBase {
  private readonly locks: Collection<LockDoc>;

  constructor(locks: Collection<LockDoc>) {
    super();
    this.locks = locks;
  }

  /** The server does not return the written document here (`written` null): callers read it back. */
  async writeReturning<D extends Revisioned, R>(
    collection: Collection<D>,
    id: string,
    plan: (doc: D) => Promise<Plan<D, R>> | Plan<D, R>,
    missing: () => Error,
    options: CasOptions<D> = {},
  ): Promise<CasOutcome<D, R>> {
    let doc: D | null = options.start ?? null;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      doc ??= (await collection.findOne({ _id: id } as never)) as D | null;
      if (!doc) throw missing();
      const decision = await plan(doc);
      if ('skip' in decision) return { result: decision.skip, written: null };
      const lockId = `${collection.collectionName}:${id}@${doc.rev}`;
      let moved = false;
      if (await this.acquire(lockId)) {
        try {
          const update = withNextRev(decision.update, doc.rev);
          moved =
            (await collection.updateOne({ _id: id, rev: doc.rev } as never, update)).modifiedCount === 1;
        } finally {
          await this.locks.deleteOne({ _id: lockId }); // even when the update failed: never hold a rev
        }
      }
      if (moved) return { result: decision.result, written: null };
      doc = null;
      await pause(attempt);
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
