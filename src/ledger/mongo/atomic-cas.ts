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
 * Compare-and-swap for servers that apply a conditional update atomically (MongoDB): one
 * `findOneAndUpdate` with the expected revision in its filter. MongoDB evaluates the filter and
 * applies the update to one document as one atomic operation, so of two writers that read the same
 * revision exactly one matches; the other gets null, re-reads and re-plans (docs/decisions.md,
 * "MongoDB adapter modes"). No lock documents, one round trip per write after the read.
 */
export class AtomicCas extends CasBase {
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
      // No projection: FerretDB (where the contract suite also runs this mode) has none for findAndModify.
      const written = (await collection.findOneAndUpdate(
        { _id: id, rev: doc.rev } as never,
        withNextRev(decision.update, doc.rev),
        { returnDocument: 'after' },
      )) as D | null;
      if (written) return { result: decision.result, written };
      doc = null; // moved by someone else: read and decide again
      if (attempt > 0) await pause(attempt);
    }
    throw conflict('busy', `${id} is changing too fast to update safely; retry`);
  }
}
