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
import type { Compacted, RetentionPolicy } from '../../domain/retention.ts';
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
import { type BeadDoc, beadFromDoc, COLLECTIONS } from './documents.ts';
import { HeartbeatWatchdog } from './heartbeat-watchdog.ts';
import { ensureIndexes } from './indexes.ts';
import { chooseMode, type ModeChoice, type MongoModeSetting } from './mode.ts';
import { type EventPage, PagedEventLog } from './paged-event-log.ts';
import { compactPages } from './paged-retention.ts';
import { compactMongo } from './retention.ts';
import { openStores, type Stores } from './stores.ts';
import { Upkeep } from './upkeep.ts';

/** The mode to use (default: from the server), and what to call on a reconnect or a failed upkeep round. */
export interface MongoLedgerOptions {
  mode?: MongoModeSetting;
  onReconnect?: (stuckMs: number) => void;
  onUpkeepError?: (err: unknown) => void;
  /** How often the background chores run (upkeep.ts; default 5 s). */
  upkeepEveryMs?: number;
}

/**
 * The production ledger on MongoDB (tested against FerretDB 1.24 and real MongoDB). Only
 * single-document atomic operations: compare-and-swap on a revision for every transition, an
 * outbox inside the changed document for events, no transactions, no change streams. Its mode
 * (mode.ts) is chosen at init from the server's own answer unless configured.
 */
export class MongoLedger implements Ledger {
  readonly kind = 'mongo' as const;
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly options: MongoLedgerOptions;
  private s!: Stores;
  private choice: ModeChoice | null = null;
  private upkeep: Upkeep | null = null;
  private readonly watchdog: HeartbeatWatchdog;

  constructor(client: MongoClient, dbName: string, options: MongoLedgerOptions = {}) {
    this.client = client;
    this.options = options;
    this.watchdog = new HeartbeatWatchdog(client, options.onReconnect ?? (() => {}));
    this.db = client.db(dbName);
  }

  async init(): Promise<void> {
    this.watchdog.start();
    await this.client.connect();
    const choice = await chooseMode(this.db, this.options.mode ?? 'auto');
    const { ttl } = await ensureIndexes(this.db);
    this.s = await openStores(this.db, choice.mode);
    this.choice = choice;
    this.upkeep = new Upkeep(this.db, this.s.outbox, ttl, this.options.upkeepEveryMs);
    if (!ttl) await this.upkeep.prune();
    if (choice.mode === 'mongodb') this.upkeep.start(this.options.onUpkeepError ?? (() => {}));
    // Finish whatever a crash interrupted between a write and its event.
    // Best effort: an entry whose bead other replicas keep changing (CAS busy) is flushed by a
    // later sweep (upkeep.ts); it must not stop this replica from starting.
    await this.flushOutbox().catch(() => 0);
  }

  /**
   * Publishes every event still waiting in an outbox (left by a crash between a write and its
   * publish), re-running its is_blocked ripple first, and clears logged ones (mongodb mode).
   * Idempotent; init() runs it, and the upkeep (upkeep.ts) for entries older than a few seconds.
   * Returns how many documents had some.
   */
  flushOutbox(): Promise<number> {
    return this.s.outbox.flushAll();
  }

  async close(): Promise<void> {
    await this.upkeep?.stop();
    await this.watchdog.stop();
    await this.client.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  describe(): Record<string, string> {
    const c = this.choice;
    return c ? { kind: 'mongo', mode: c.mode, server: c.server, why: c.why } : { kind: 'mongo' };
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
    return this.s.rigs.add(rig, ctx);
  }

  getRig(name: string): Promise<Rig | null> {
    return this.s.rigs.find(name);
  }

  listRigs(): Promise<Rig[]> {
    return this.s.rigs.list();
  }

  setRigParked(name: string, parked: boolean, ctx: WriteContext): Promise<Rig> {
    return this.s.rigs.setParked(name, parked, ctx);
  }

  setRigMergePolicy(name: string, policy: Partial<MergePolicy>, ctx: WriteContext): Promise<Rig> {
    return this.s.rigs.setMergePolicy(name, policy, ctx);
  }

  setRigFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Promise<Rig> {
    return this.s.rigs.setFrozen(name, freeze, ctx);
  }

  setRigUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Promise<Rig | null> {
    return this.s.rigs.setUsageLimit(name, limit, expectVersion, ctx);
  }

  setRigAccount(name: string, account: string | null, ctx: WriteContext): Promise<Rig> {
    return this.s.rigs.setAccount(name, account, ctx);
  }

  addRigApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Promise<Rig> {
    return this.s.rigs.addApprovalRule(name, rule, ctx);
  }

  removeRigApprovalRule(
    name: string,
    rule: ApprovalRule,
    ctx: WriteContext,
    expectVersion?: number,
  ): Promise<Rig> {
    return this.s.rigs.removeApprovalRule(name, rule, ctx, expectVersion);
  }

  createBead(input: NewBead, ctx: WriteContext): Promise<Bead> {
    return this.s.beadWrites.create(input, ctx);
  }

  async getBead(id: string): Promise<Bead | null> {
    return (await this.s.queries.listBeads({ ids: [id], all: true }))[0] ?? null;
  }

  listBeads(filter: BeadFilter): Promise<Bead[]> {
    return this.s.queries.listBeads(filter);
  }

  updateBead(id: string, patch: BeadPatch, ctx: WriteContext): Promise<Bead> {
    return this.s.beadWrites.update(id, patch, ctx);
  }

  closeBead(id: string, options: CloseOptions, ctx: WriteContext): Promise<Bead> {
    return this.s.beadWrites.close(id, options, ctx);
  }

  reopenBead(id: string, ctx: WriteContext): Promise<Bead> {
    return this.s.beadWrites.reopen(id, ctx);
  }

  claimBead(id: string, claim: ClaimRequest, ctx: WriteContext): Promise<Bead | null> {
    return this.s.beadWrites.claim(id, claim, ctx);
  }

  async addComment(id: string, text: string, ctx: WriteContext): Promise<Comment> {
    return this.s.comments.add(await this.s.beadWrites.load(id), text, ctx);
  }

  listComments(id: string): Promise<Comment[]> {
    return this.s.comments.list(id);
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
    return this.s.deps.add(issueId, dependsOnId, type, ctx, gate);
  }

  removeDependency(issueId: string, dependsOnId: string, ctx: WriteContext): Promise<boolean> {
    return this.s.deps.remove(issueId, dependsOnId, ctx);
  }

  dependenciesOf(id: string): Promise<Dependency[]> {
    return this.s.queries.dependenciesOf(id);
  }

  dependentsOf(id: string): Promise<Dependency[]> {
    return this.s.queries.dependentsOf(id);
  }

  countBeads(): Promise<BeadCount[]> {
    return this.s.queries.countBeads();
  }

  listOpenConvoyTracks(): Promise<Map<string, TrackedState[]>> {
    return this.s.queries.listOpenConvoyTracks();
  }

  listReady(filter: ReadyFilter): Promise<Bead[]> {
    return this.s.queries.listReady(filter);
  }

  listBlocked(filter: { rig?: string }): Promise<BlockedBead[]> {
    return this.s.queries.listBlocked(filter);
  }

  findCycles(): Promise<string[][]> {
    return this.s.queries.findCycles();
  }

  takeSlot(rig: string, beadId: string, names: readonly string[], ctx: WriteContext): Promise<string | null> {
    return this.s.slots.take(rig, beadId, names, ctx);
  }

  freeSlot(rig: string, name: string, beadId: string): Promise<boolean> {
    return this.s.slots.free(rig, name, beadId);
  }

  listSlots(rig: string): Promise<Slot[]> {
    return this.s.slots.list(rig);
  }

  listSlotHooks(): Promise<SlotHook[]> {
    return this.s.slots.hooks();
  }

  putMail(mail: Mail, ctx: WriteContext): Promise<Mail> {
    return this.s.mail.put(mail, ctx);
  }

  getMail(id: string): Promise<Mail | null> {
    return this.s.mail.get(id);
  }

  listMail(to: readonly string[], options: { archived?: boolean }): Promise<Mail[]> {
    return this.s.mail.list(to, options.archived ?? false);
  }

  markMail(id: string, mark: MailMark, ctx: WriteContext): Promise<Mail> {
    return this.s.mail.mark(id, mark, ctx);
  }

  mailThread(threadId: string): Promise<Mail[]> {
    return this.s.mail.thread(threadId);
  }

  queueNudge(nudge: Nudge, max: number): Promise<string[]> {
    return this.s.nudges.queue(nudge, max);
  }

  takeNudges(to: string, now: Date): Promise<Nudge[]> {
    return this.s.nudges.take(to, now);
  }

  submitMergeRequest(input: NewMergeRequest, ctx: WriteContext): Promise<MergeSubmission> {
    return this.s.mrs.submit(input, ctx);
  }

  getMergeRequest(id: string): Promise<MergeRequest | null> {
    return this.s.mrs.get(id);
  }

  listMergeRequests(filter: MergeRequestFilter): Promise<MergeRequest[]> {
    return this.s.mrs.list(filter);
  }

  updateMergeRequest(
    id: string,
    change: MergeRequestChange,
    ctx: WriteContext,
  ): Promise<MergeRequest | null> {
    return this.s.mrs.update(id, change, ctx);
  }

  recordUsage(report: UsageReport, ctx: WriteContext, price?: Pricer): Promise<UsageRecord | null> {
    return this.s.usage.record(report, ctx, price);
  }

  usageTotals(filter: UsageFilter, by: UsageGroup | null): Promise<UsageSum[]> {
    return this.s.usage.totals(filter, by);
  }

  async eventsSince(seq: number, limit = 1000): Promise<LedgerEvent[]> {
    // Compat mode sweeps from here (no timer of its own); mongodb mode's reads never write.
    if (this.choice?.mode === 'compat') await this.upkeep?.maybeRun();
    return this.s.outbox.log.since(seq, limit);
  }

  appendAudit(record: AuditRecord): Promise<void> {
    return this.s.records.appendAudit(record);
  }

  listAudit(limit: number): Promise<AuditRecord[]> {
    return this.s.records.listAudit(limit);
  }

  recordIdempotencyKey(key: string, expiresAt: Date): Promise<boolean> {
    return this.s.records.recordIdempotencyKey(key, expiresAt);
  }

  /** Retention: events (either layout), audit and expired keys (retention.ts, paged-retention.ts). */
  async compactHistory(policy: RetentionPolicy): Promise<Compacted> {
    const log = this.s.outbox.log;
    if (!(log instanceof PagedEventLog)) return compactMongo(this.db, policy);
    // The compat-era log a switched ledger continues (empty otherwise), then the pages.
    const done = await compactMongo(this.db, policy);
    const pages = this.db.collection<EventPage>(COLLECTIONS.event_pages);
    if (policy.events) done.events += await compactPages(pages, log.base, policy.events, policy.batch);
    return done;
  }
}
