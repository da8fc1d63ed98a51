import {
  type Db,
  type MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import type { ApprovalRule } from '../../domain/approval-rules.ts';
import type { Bead, BeadPatch, NewBead } from '../../domain/bead.ts';
import type { TrackedState } from '../../domain/convoy.ts';
import type { Dependency, DepType, WaitsForGate } from '../../domain/dependency.ts';
import { notFound } from '../../domain/errors.ts';
import type { Mail } from '../../domain/mail.ts';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import type { MergeRequest, NewMergeRequest } from '../../domain/merge-request.ts';
import type { Nudge } from '../../domain/nudge.ts';
import type { ReadyFilter } from '../../domain/readiness.ts';
import type { MqFreeze, NewRig, Rig } from '../../domain/rig.ts';
import type { Pricer, UsageRecord, UsageReport } from '../../domain/usage.ts';
import type { UsageFilter, UsageGroup, UsageSum } from '../../domain/usage-filter.ts';
import type { UsageLimit } from '../../domain/usage-limit.ts';
import type {
  AuditRecord,
  BeadCount,
  BeadFilter,
  BlockedBead,
  ClaimRequest,
  CloseOptions,
  Comment,
  Ledger,
  LedgerEvent,
  MailMark,
  MergeRequestChange,
  MergeRequestFilter,
  MergeSubmission,
  Slot,
  SlotHook,
  WriteContext,
} from '../port.ts';
import { BeadWrites } from './bead-writes.ts';
import { Cas, type LockDoc } from './cas.ts';
import { type CommentDoc, CommentStore } from './comments.ts';
import { DependencyWrites } from './dependency-writes.ts';
import { type BeadDoc, beadFromDoc, COLLECTIONS, type MergeRequestDoc, type RigDoc } from './documents.ts';
import { HeartbeatWatchdog } from './heartbeat-watchdog.ts';
import { ensureIndexes } from './indexes.ts';
import { type MailDoc, MailStore } from './mail-store.ts';
import { MergeRequestWrites } from './merge-request-writes.ts';
import { NudgeStore } from './nudge-store.ts';
import { Outbox } from './outbox.ts';
import { Queries } from './queries.ts';
import { Records } from './records.ts';
import { RigWrites } from './rig-writes.ts';
import { SlotStore } from './slot-store.ts';
import { Upkeep } from './upkeep.ts';
import { type UsageDoc, UsageStore } from './usage-store.ts';

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
  private readonly comments: CommentStore;
  private readonly slots: SlotStore;
  private readonly records: Records;
  private readonly mrs: MergeRequestWrites;
  private readonly usage: UsageStore;
  private upkeep: Upkeep | null = null;
  private readonly watchdog: HeartbeatWatchdog;

  /** `onReconnect` hears when a wedged driver monitor made the client reconnect (heartbeat-watchdog.ts). */
  constructor(client: MongoClient, dbName: string, onReconnect: (stuckMs: number) => void = () => {}) {
    this.client = client;
    this.watchdog = new HeartbeatWatchdog(client, onReconnect);
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
    this.comments = new CommentStore(this.db.collection<CommentDoc>(COLLECTIONS.comments), this.outbox);
    this.slots = new SlotStore(this.db.collection(COLLECTIONS.slots), beads);
    this.records = new Records(
      this.db.collection(COLLECTIONS.audit),
      this.db.collection(COLLECTIONS.idempotency),
    );
    this.mail = new MailStore(this.db.collection<MailDoc>(COLLECTIONS.mail), cas, this.outbox);
    const mrs = this.db.collection<MergeRequestDoc>(COLLECTIONS.merge_requests);
    this.mrs = new MergeRequestWrites(mrs, { rigs, beads }, cas, this.outbox);
    this.usage = new UsageStore(this.db.collection<UsageDoc>(COLLECTIONS.usage));
  }

  async init(): Promise<void> {
    this.watchdog.start();
    await this.client.connect();
    const { ttl } = await ensureIndexes(this.db);
    this.upkeep = new Upkeep(this.db, this.outbox, ttl);
    if (!ttl) await this.upkeep.prune();
    // Finish whatever a crash interrupted between a write and its event.
    // Best effort: an entry whose bead other replicas keep changing (CAS busy) is flushed by a
    // later event read (upkeep.ts); it must not stop this replica from starting.
    await this.flushOutbox().catch(() => 0);
  }

  /**
   * Publishes every event still waiting in an outbox (left by a crash between a write and its
   * publish), re-running its is_blocked ripple first. Idempotent; init() runs it, and event reads
   * run it for entries older than a few seconds (upkeep.ts). Returns how many documents had some.
   */
  flushOutbox(): Promise<number> {
    return this.outbox.flushAll();
  }

  async close(): Promise<void> {
    await this.watchdog.stop();
    await this.client.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  /** Network, server selection and closed-client errors: the database was out of reach. */
  isUnavailableError(err: unknown): boolean {
    return (
      err instanceof MongoNetworkError ||
      err instanceof MongoServerSelectionError ||
      err instanceof MongoNotConnectedError ||
      err instanceof MongoTopologyClosedError
    );
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

  setRigMergePolicy(name: string, policy: Partial<MergePolicy>, ctx: WriteContext): Promise<Rig> {
    return this.rigs.setMergePolicy(name, policy, ctx);
  }

  setRigFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Promise<Rig> {
    return this.rigs.setFrozen(name, freeze, ctx);
  }

  setRigUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Promise<Rig | null> {
    return this.rigs.setUsageLimit(name, limit, expectVersion, ctx);
  }

  setRigAccount(name: string, account: string | null, ctx: WriteContext): Promise<Rig> {
    return this.rigs.setAccount(name, account, ctx);
  }

  addRigApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Promise<Rig> {
    return this.rigs.addApprovalRule(name, rule, ctx);
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

  async addComment(id: string, text: string, ctx: WriteContext): Promise<Comment> {
    return this.comments.add(await this.beadWrites.load(id), text, ctx);
  }

  listComments(id: string): Promise<Comment[]> {
    return this.comments.list(id);
  }

  async restoreUpdatedAt(id: string, updatedAt: string): Promise<void> {
    // `rev` moves too: a compare-and-swap that read the bead before this must read it again.
    const { matchedCount } = await this.db
      .collection<BeadDoc>(COLLECTIONS.beads)
      .updateOne({ _id: id }, { $set: { updated_at: updatedAt }, $inc: { version: 1, rev: 1 } });
    if (matchedCount !== 1) throw notFound('bead', id);
  }

  async beadsAfter(after: string | null, limit: number, rig?: string): Promise<Bead[]> {
    const docs = await this.db
      .collection<BeadDoc>(COLLECTIONS.beads)
      .find(
        { ...(after !== null && { _id: { $gt: after } }), ...(rig !== undefined && { rig }) },
        { projection: { outbox: 0 } },
      )
      .sort({ _id: 1 })
      .limit(Math.max(1, Math.floor(limit)))
      .toArray();
    return docs.map(beadFromDoc);
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

  countBeads(): Promise<BeadCount[]> {
    return this.queries.countBeads();
  }

  listOpenConvoyTracks(): Promise<Map<string, TrackedState[]>> {
    return this.queries.listOpenConvoyTracks();
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

  takeSlot(rig: string, beadId: string, names: readonly string[], ctx: WriteContext): Promise<string | null> {
    return this.slots.take(rig, beadId, names, ctx);
  }

  freeSlot(rig: string, name: string, beadId: string): Promise<boolean> {
    return this.slots.free(rig, name, beadId);
  }

  listSlots(rig: string): Promise<Slot[]> {
    return this.slots.list(rig);
  }

  listSlotHooks(): Promise<SlotHook[]> {
    return this.slots.hooks();
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

  submitMergeRequest(input: NewMergeRequest, ctx: WriteContext): Promise<MergeSubmission> {
    return this.mrs.submit(input, ctx);
  }

  getMergeRequest(id: string): Promise<MergeRequest | null> {
    return this.mrs.get(id);
  }

  listMergeRequests(filter: MergeRequestFilter): Promise<MergeRequest[]> {
    return this.mrs.list(filter);
  }

  updateMergeRequest(
    id: string,
    change: MergeRequestChange,
    ctx: WriteContext,
  ): Promise<MergeRequest | null> {
    return this.mrs.update(id, change, ctx);
  }

  recordUsage(report: UsageReport, ctx: WriteContext, price?: Pricer): Promise<UsageRecord | null> {
    return this.usage.record(report, ctx, price);
  }

  usageTotals(filter: UsageFilter, by: UsageGroup | null): Promise<UsageSum[]> {
    return this.usage.totals(filter, by);
  }

  async eventsSince(seq: number, limit = 1000): Promise<LedgerEvent[]> {
    await this.upkeep?.maybeRun();
    return this.outbox.log.since(seq, limit);
  }

  appendAudit(record: AuditRecord): Promise<void> {
    return this.records.appendAudit(record);
  }

  listAudit(limit: number): Promise<AuditRecord[]> {
    return this.records.listAudit(limit);
  }

  recordIdempotencyKey(key: string, expiresAt: Date): Promise<boolean> {
    return this.records.recordIdempotencyKey(key, expiresAt);
  }
}
