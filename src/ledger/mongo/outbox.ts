import type { Collection, Db, Filter } from 'mongodb';
import type { Cas } from './cas.ts';
import {
  type BeadDoc,
  COLLECTIONS,
  type CommentDoc,
  type MailDoc,
  type MergeRequestDoc,
  type PendingEvent,
  type RigDoc,
} from './documents.ts';
import type { EventLog } from './event-log.ts';
import { ripple } from './ripple.ts';
import { supersedeOlder } from './supersede.ts';

export type OutboxDoc = BeadDoc | RigDoc | MailDoc | CommentDoc | MergeRequestDoc;
export type OutboxCollection = 'beads' | 'rigs' | 'mail' | 'comments' | 'merge_requests';
export const OUTBOX_COLLECTIONS: readonly OutboxCollection[] = [
  'beads',
  'rigs',
  'mail',
  'comments',
  'merge_requests',
];

/**
 * Events, the outbox way: a change and its event are written in ONE document update (the event
 * goes into the document's `outbox`). Publishing then (1) runs the derived work — the is_blocked
 * ripple, or a submission's supersession of older MRs (supersede.ts) —, (2) appends the event to
 * the log (idempotent by event id), and (3) takes it out of the outbox. A crash anywhere leaves the
 * event in the outbox, and anyone may finish the job: every step is idempotent. The derived work
 * runs first so that whoever reacts to the event already sees readiness updated (and a submitted
 * MR's predecessors superseded).
 *
 * When (3) happens is the modes' difference: compat-outbox.ts removes each entry right after
 * logging it; swept-outbox.ts (mongodb) leaves it to a sweep a few seconds later, batched, so the
 * writer's path is the write and the append only.
 */
export interface Outbox {
  readonly log: EventLog;
  /** Publishes the events a write of this document just queued (`written`: the writer has them). */
  flush(collection: OutboxCollection, id: string, written: readonly PendingEvent[]): Promise<void>;
  /** Recovery: publishes every pending event (start-up). Returns how many documents had some. */
  flushAll(): Promise<number>;
  /** Publishes (and clears) entries queued more than `olderThanMs` ago: a crashed writer's, or swept ones. */
  flushStale(olderThanMs: number): Promise<number>;
}

/** What both outboxes share: the collections and the derived work of an event. */
export abstract class OutboxBase implements Outbox {
  protected readonly db: Db;
  protected readonly cas: Cas;
  readonly log: EventLog;

  constructor(db: Db, cas: Cas, log: EventLog) {
    this.db = db;
    this.cas = cas;
    this.log = log;
  }

  abstract flush(collection: OutboxCollection, id: string, written: readonly PendingEvent[]): Promise<void>;
  protected abstract flushWhere(filter: Filter<OutboxDoc>): Promise<number>;

  flushAll(): Promise<number> {
    return this.flushWhere({ 'outbox.0': { $exists: true } });
  }

  flushStale(olderThanMs: number): Promise<number> {
    return this.flushWhere({ 'outbox.queued_at': { $lt: new Date(Date.now() - olderThanMs) } });
  }

  protected collection(name: OutboxCollection): Collection<OutboxDoc> {
    return this.db.collection<OutboxDoc>(COLLECTIONS[name]);
  }

  /** Derived work, then the log: what publishing one event means in both modes. */
  protected async derivedThenLogged(pending: PendingEvent): Promise<void> {
    await this.derive(pending);
    await this.log.append(pending);
  }

  /** The derived work of an event, before it is logged (both kinds idempotent). */
  private async derive(pending: PendingEvent): Promise<void> {
    if (pending.ripple.kind !== 'supersede') {
      await ripple(this.db.collection<BeadDoc>(COLLECTIONS.beads), this.cas, pending.ripple);
      return;
    }
    const mrs = this.db.collection<MergeRequestDoc>(COLLECTIONS.merge_requests);
    // Their `mr_updated` events are logged before this `mr_submitted`, as in SQLite.
    for (const { id, event } of await supersedeOlder(mrs, this.cas, pending, pending.ripple))
      await this.flush('merge_requests', id, [event]);
  }
}
