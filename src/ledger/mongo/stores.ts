import type { Db } from 'mongodb';
import { AtomicCas } from './atomic-cas.ts';
import { BeadWrites } from './bead-writes.ts';
import type { Cas } from './cas.ts';
import { type CommentDoc, CommentStore } from './comments.ts';
import { CompatOutbox } from './compat-outbox.ts';
import { DependencyWrites } from './dependency-writes.ts';
import { type BeadDoc, COLLECTIONS, type EventDoc, type MergeRequestDoc, type RigDoc } from './documents.ts';
import { settleEventLayout } from './event-layout.ts';
import { type EventLog, InsertEventLog } from './event-log.ts';
import { type LockDoc, LockingCas } from './locking-cas.ts';
import { type MailDoc, MailStore } from './mail-store.ts';
import { MergeRequestWrites } from './merge-request-writes.ts';
import type { MongoMode } from './mode.ts';
import { NudgeStore } from './nudge-store.ts';
import type { Outbox } from './outbox.ts';
import { type EventPage, PagedEventLog } from './paged-event-log.ts';
import { Queries } from './queries.ts';
import { Records } from './records.ts';
import { RigWrites } from './rig-writes.ts';
import { SlotStore } from './slot-store.ts';
import { SweptOutbox } from './swept-outbox.ts';
import { type UsageDoc, UsageStore } from './usage-store.ts';

/** Every store of the MongoDB ledger, wired for one mode. */
export interface Stores {
  mode: MongoMode;
  outbox: Outbox;
  beadWrites: BeadWrites;
  deps: DependencyWrites;
  rigs: RigWrites;
  queries: Queries;
  mail: MailStore;
  nudges: NudgeStore;
  comments: CommentStore;
  slots: SlotStore;
  records: Records;
  mrs: MergeRequestWrites;
  usage: UsageStore;
}

const compatLog = (db: Db) => new InsertEventLog(db.collection<EventDoc>(COLLECTIONS.events));

/** The compat mode's compare-and-swap, log and outbox (to finish a switch to mongodb mode). */
function compatOutbox(db: Db): Outbox {
  return new CompatOutbox(db, new LockingCas(db.collection<LockDoc>(COLLECTIONS.locks)), compatLog(db));
}

/**
 * The mongodb mode's log: event pages continuing after `base`, the seq the compat log (read for the
 * seqs up to it) ended at. `init()` it before use.
 */
function pagedLog(db: Db, base: number): PagedEventLog {
  return new PagedEventLog(
    db.collection<EventPage>(COLLECTIONS.event_pages),
    base,
    base > 0 ? compatLog(db) : null,
  );
}

/** The stores for `mode`, once the database's event layout is settled for it (event-layout.ts). */
export async function openStores(db: Db, mode: MongoMode): Promise<Stores> {
  const { base } = await settleEventLayout(db, mode, {
    finish: () => compatOutbox(db).flushAll(),
    lastSeq: () => compatLog(db).lastSeq(),
  });
  if (mode === 'compat') return buildStores(db, mode, compatLog(db));
  const log = pagedLog(db, base);
  await log.init();
  return buildStores(db, mode, log);
}

function buildStores(db: Db, mode: MongoMode, log: EventLog): Stores {
  const beads = db.collection<BeadDoc>(COLLECTIONS.beads);
  const rigs = db.collection<RigDoc>(COLLECTIONS.rigs);
  const cas: Cas =
    mode === 'mongodb' ? new AtomicCas() : new LockingCas(db.collection<LockDoc>(COLLECTIONS.locks));
  const outbox = mode === 'mongodb' ? new SweptOutbox(db, cas, log) : new CompatOutbox(db, cas, log);
  const mrs = db.collection<MergeRequestDoc>(COLLECTIONS.merge_requests);
  return {
    mode,
    outbox,
    beadWrites: new BeadWrites(beads, rigs, cas, outbox),
    deps: new DependencyWrites(beads, cas, outbox),
    rigs: new RigWrites(rigs, cas, outbox),
    queries: new Queries(beads),
    mail: new MailStore(db.collection<MailDoc>(COLLECTIONS.mail), cas, outbox),
    nudges: new NudgeStore(db.collection(COLLECTIONS.nudges)),
    comments: new CommentStore(db.collection<CommentDoc>(COLLECTIONS.comments), outbox),
    slots: new SlotStore(db.collection(COLLECTIONS.slots), beads),
    records: new Records(db.collection(COLLECTIONS.audit), db.collection(COLLECTIONS.idempotency)),
    mrs: new MergeRequestWrites(mrs, { rigs, beads }, cas, outbox),
    usage: new UsageStore(db.collection<UsageDoc>(COLLECTIONS.usage)),
  };
}
