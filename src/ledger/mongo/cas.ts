import type { Collection, UpdateFilter } from 'mongodb';

/**
 * Compare-and-swap on one document's revision: the only way a ledger document changes after it is
 * inserted. Two implementations, chosen by the adapter's mode (mode.ts):
 *  - atomic-cas.ts (mongodb): one `findOneAndUpdate({_id, rev})`, atomic on MongoDB;
 *  - locking-cas.ts (compat): a lock document per revision first, for servers (FerretDB 1.24) whose
 *    conditional updates are not atomic.
 */
export interface Revisioned {
  _id: string;
  rev: number;
}

export type Plan<D, R> = { update: UpdateFilter<D>; result: R } | { skip: R };

export interface CasOptions<D> {
  /** A document already read (a snapshot's): planned against first, re-read only if it moved. */
  start?: D;
}

export interface CasOutcome<D, R> {
  result: R;
  /** The document as the write left it; null when the plan skipped or the server does not say. */
  written: D | null;
}

export interface Cas {
  /**
   * Reads the document, asks `plan` what to do, and applies it only if nobody moved the document
   * meanwhile; otherwise reads and plans again. `missing` builds the error for an absent document.
   */
  write<D extends Revisioned, R>(
    collection: Collection<D>,
    id: string,
    plan: (doc: D) => Promise<Plan<D, R>> | Plan<D, R>,
    missing: () => Error,
    options?: CasOptions<D>,
  ): Promise<R>;

  /** `write`, and the document as written (to answer without reading it back). */
  writeReturning<D extends Revisioned, R>(
    collection: Collection<D>,
    id: string,
    plan: (doc: D) => Promise<Plan<D, R>> | Plan<D, R>,
    missing: () => Error,
    options?: CasOptions<D>,
  ): Promise<CasOutcome<D, R>>;
}

/** `write` in terms of `writeReturning`: each implementation writes one loop. */
export abstract class CasBase implements Cas {
  async write<D extends Revisioned, R>(
    collection: Collection<D>,
    id: string,
    plan: (doc: D) => Promise<Plan<D, R>> | Plan<D, R>,
    missing: () => Error,
    options: CasOptions<D> = {},
  ): Promise<R> {
    return (await this.writeReturning(collection, id, plan, missing, options)).result;
  }

  abstract writeReturning<D extends Revisioned, R>(
    collection: Collection<D>,
    id: string,
    plan: (doc: D) => Promise<Plan<D, R>> | Plan<D, R>,
    missing: () => Error,
    options?: CasOptions<D>,
  ): Promise<CasOutcome<D, R>>;
}

/** The update with the revision moved on: every change of a document is a new revision. */
export function withNextRev<D>(update: UpdateFilter<D>, rev: number): UpdateFilter<D> {
  return { ...update, $set: { ...(update.$set ?? {}), rev: rev + 1 } } as unknown as UpdateFilter<D>;
}

export const MAX_CAS_ATTEMPTS = 50;

/** A short random pause between attempts, growing with them, so racing writers spread out. */
export const pause = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.min(50, 1 + attempt * 2) * Math.random()));
