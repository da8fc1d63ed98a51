import { type Collection, type Db, MongoClient, type ObjectId } from 'mongodb';
import type { Bead, BeadPatch, NewBead } from '../../domain/bead.ts';
import type { Dependency, DepType, WaitsForGate } from '../../domain/dependency.ts';
import type { Mail } from '../../domain/mail.ts';
import type { Nudge } from '../../domain/nudge.ts';
import type { ReadyFilter } from '../../domain/readiness.ts';
import type { NewRig, Rig } from '../../domain/rig.ts';
import type {
  AuditRecord,
  BeadFilter,
  BlockedBead,
  ClaimRequest,
  CloseOptions,
  Comment,
  Ledger,
  LedgerEvent,
  MailMark,
  Slot,
  WriteContext,
} from '../port.ts';
import { BeadWrites } from './bead-writes.ts';
import { Cas, type LockDoc } from './cas.ts';
import { DependencyWrites } from './dependency-writes.ts';
import { type BeadDoc, COLLECTIONS, ensureIndexes, type RigDoc } from './documents.ts';
import { type MailDoc, MailStore } from './mail-store.ts';
import { NudgeStore } from './nudge-store.ts';
import { Outbox } from './outbox.ts';
import { Queries } from './queries.ts';
import { RigWrites } from './rig-writes.ts';

type CommentDoc = Comment & { _id: string };
type AuditDoc = AuditRecord & { _id?: ObjectId };

/**
 * The production ledger on MongoDB (tested against FerretDB 1.24 and real MongoDB). Only
 * single-document atomic operations: compare-and-swap on a revision for every transition, an
 * outbox inside the changed document for events, no transactions, no change streams.
 */
export class MongoLedger implements Ledger {
  readonly kind = 'mongo' as const;
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly outbox: Outbox;
  private readonly beadWrites: BeadWrites;
  private readonly deps: DependencyWrites;
  private readonly rigs: RigWrites;
  private readonly queries: Queries;
  private readonly mail: MailStore;
  private readonly nudges: NudgeStore;

  constructor(client: MongoClient, dbName: string) {
    this.client = client;
    this.db = client.db(dbName);
    const beads = this.db.collection<BeadDoc>(COLLECTIONS.beads);
    const rigs = this.db.collection<RigDoc>(COLLECTIONS.rigs);
    const cas = new Cas(this.db.collection<LockDoc>(COLLECTIONS.locks));
    this.outbox = new Outbox(this.db, cas);
    this.beadWrites = new BeadWrites(beads, rigs, cas, this.outbox);
    this.deps = new DependencyWrites(beads, cas, this.outbox);
    this.rigs = new RigWrites(rigs, cas, this.outbox);
    this.queries = new Queries(beads);
    this.nudges = new NudgeStore(this.db.collection(COLLECTIONS.nudges));
    this.mail = new MailStore(this.db.collection<MailDoc>(COLLECTIONS.mail), cas, this.outbox);
  }

  private get comments(): Collection<CommentDoc> {
    return this.db.collection<CommentDoc>(COLLECTIONS.comments);
  }

  async init(): Promise<void> {
    await this.client.connect();
    await ensureIndexes(this.db);
    // Finish whatever a crash interrupted between a write and its event.
    await this.outbox.flushAll();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  addRig(rig: NewRig, ctx: WriteContext): Promise<Rig> {
    return this.rigs.add(rig, ctx);
  }

  getRig(name: string): Promise<Rig | null> {
    return this.rigs.find(name);
  }

  listRigs(): Promise<Rig[]> {
    return this.rigs.list();
  }

  setRigParked(name: string, parked: boolean, ctx: WriteContext): Promise<Rig> {
    return this.rigs.setParked(name, parked, ctx);
  }

  createBead(input: NewBead, ctx: WriteContext): Promise<Bead> {
    return this.beadWrites.create(input, ctx);
  }

  async getBead(id: string): Promise<Bead | null> {
    return (await this.queries.listBeads({ ids: [id], all: true }))[0] ?? null;
  }

  listBeads(filter: BeadFilter): Promise<Bead[]> {
    return this.queries.listBeads(filter);
  }

  updateBead(id: string, patch: BeadPatch, ctx: WriteContext): Promise<Bead> {
    return this.beadWrites.update(id, patch, ctx);
  }

  closeBead(id: string, options: CloseOptions, ctx: WriteContext): Promise<Bead> {
    return this.beadWrites.close(id, options, ctx);
  }

  reopenBead(id: string, ctx: WriteContext): Promise<Bead> {
    return this.beadWrites.reopen(id, ctx);
  }

  claimBead(id: string, claim: ClaimRequest, ctx: WriteContext): Promise<Bead | null> {
    return this.beadWrites.claim(id, claim, ctx);
  }

  addComment(id: string, text: string, ctx: WriteContext): Promise<Comment> {
    return this.beadWrites.comment(id, text, ctx, this.comments);
  }

  async listComments(id: string): Promise<Comment[]> {
    const docs = await this.comments.find({ issue_id: id }).sort({ created_at: 1, _id: 1 }).toArray();
    return docs.map(({ _id, ...c }) => c);
  }

  addDependency(
    issueId: string,
    dependsOnId: string,
    type: DepType,
    ctx: WriteContext,
    gate?: WaitsForGate,
  ): Promise<Dependency> {
    return this.deps.add(issueId, dependsOnId, type, ctx, gate);
  }

  removeDependency(issueId: string, dependsOnId: string, ctx: WriteContext): Promise<boolean> {
    return this.deps.remove(issueId, dependsOnId, ctx);
  }

  dependenciesOf(id: string): Promise<Dependency[]> {
    return this.queries.dependenciesOf(id);
  }

  dependentsOf(id: string): Promise<Dependency[]> {
    return this.queries.dependentsOf(id);
  }

  listReady(filter: ReadyFilter): Promise<Bead[]> {
    return this.queries.listReady(filter);
  }

  listBlocked(filter: { rig?: string }): Promise<BlockedBead[]> {
    return this.queries.listBlocked(filter);
  }

  findCycles(): Promise<string[][]> {
    return this.queries.findCycles();
  }

  /** A slot is a document whose _id is `<rig>/<name>`: the unique insert is the atomic take. */
  async takeSlot(
    rig: string,
    beadId: string,
    names: readonly string[],
    ctx: WriteContext,
  ): Promise<string | null> {
    for (const name of names) {
      try {
        await this.slots.insertOne({
          _id: `${rig}/${name}`,
          rig,
          name,
          bead_id: beadId,
          taken_at: ctx.now.toISOString(),
        });
        return name;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    return null;
  }

  async freeSlot(rig: string, name: string, beadId: string): Promise<boolean> {
    return (await this.slots.deleteOne({ _id: `${rig}/${name}`, bead_id: beadId })).deletedCount === 1;
  }

  async listSlots(rig: string): Promise<Slot[]> {
    return (await this.slots.find({ rig }).sort({ name: 1 }).toArray()).map(({ _id, ...slot }) => slot);
  }

  private get slots(): Collection<Slot & { _id: string }> {
    return this.db.collection<Slot & { _id: string }>(COLLECTIONS.slots);
  }

  putMail(mail: Mail, ctx: WriteContext): Promise<Mail> {
    return this.mail.put(mail, ctx);
  }

  getMail(id: string): Promise<Mail | null> {
    return this.mail.get(id);
  }

  listMail(to: readonly string[], options: { archived?: boolean }): Promise<Mail[]> {
    return this.mail.list(to, options.archived ?? false);
  }

  markMail(id: string, mark: MailMark, ctx: WriteContext): Promise<Mail> {
    return this.mail.mark(id, mark, ctx);
  }

  mailThread(threadId: string): Promise<Mail[]> {
    return this.mail.thread(threadId);
  }

  queueNudge(nudge: Nudge, max: number): Promise<string[]> {
    return this.nudges.queue(nudge, max);
  }

  takeNudges(to: string, now: Date): Promise<Nudge[]> {
    return this.nudges.take(to, now);
  }

  eventsSince(seq: number, limit = 1000): Promise<LedgerEvent[]> {
    return this.outbox.since(seq, limit);
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.db.collection<AuditDoc>(COLLECTIONS.audit).insertOne({ ...record });
  }

  /** Newest first: ObjectIds grow with insertion time (ties broken by the driver's counter). */
  async listAudit(limit: number): Promise<AuditRecord[]> {
    const docs = await this.db
      .collection<AuditDoc>(COLLECTIONS.audit)
      .find({})
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(({ _id, ...record }) => record);
  }

  async recordIdempotencyKey(key: string, expiresAt: Date): Promise<boolean> {
    const keys = this.db.collection<{ _id: string; expires_at: Date }>(COLLECTIONS.idempotency);
    await keys.deleteOne({ _id: key, expires_at: { $lte: new Date() } });
    try {
      await keys.insertOne({ _id: key, expires_at: expiresAt });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
}

/** `mongodb://host/db` → database `db` (default `gastown`), unless a name is given. */
export async function createMongoLedger(uri: string, dbName?: string): Promise<Ledger> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  const fromUri = new URL(uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.replace(/^\//, '');
  return new MongoLedger(client, dbName ?? (fromUri || 'gastown'));
}
