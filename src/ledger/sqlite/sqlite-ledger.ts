import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { BeadWrites } from './bead-writes.ts';
import { Database } from './database.ts';
import { DependencyWrites } from './dependency-writes.ts';
import { MailStore } from './mail-store.ts';
import { MergeRequestWrites } from './merge-request-writes.ts';
import { NudgeStore } from './nudge-store.ts';
import { Queries } from './queries.ts';
import { compactSqlite } from './retention.ts';
import { RigWrites } from './rig-writes.ts';
import { auditFromRow, beadFromRow, eventFromRow } from './rows.ts';
import { SlotStore } from './slot-store.ts';
import { UsageStore } from './usage-store.ts';
import { Writer } from './writer.ts';

interface Parts {
  beads: BeadWrites;
  deps: DependencyWrites;
  rigs: RigWrites;
  queries: Queries;
  mail: MailStore;
  nudges: NudgeStore;
  slots: SlotStore;
  mrs: MergeRequestWrites;
  usage: UsageStore;
}

export interface SqliteLedgerOptions {
  /** A file path, or ':memory:' for fast unit tests. */
  path: string;
  synchronous?: 'NORMAL' | 'FULL';
}

/**
 * The embedded ledger: one SQLite file (WAL). Every write is one transaction containing the
 * change, the `is_blocked` ripple and the event, so a crash leaves either all or nothing.
 * One process owns the file at a time (the service takes a lock in $GT_HOME).
 */
export class SqliteLedger implements Ledger {
  readonly kind = 'sqlite' as const;
  private readonly options: SqliteLedgerOptions;
  private db: Database | undefined;
  private parts: Parts | undefined;

  constructor(options: SqliteLedgerOptions) {
    this.options = options;
  }

  /** An embedded file has no connection to lose: its errors are never an outage. */
  isUnavailableError(_err: unknown): boolean {
    return false;
  }

  async init(): Promise<void> {
    if (this.options.path !== ':memory:') mkdirSync(dirname(this.options.path), { recursive: true });
    const opts = this.options.synchronous ? { synchronous: this.options.synchronous } : {};
    this.db = new Database(this.options.path, opts);
    const writer = new Writer(this.db);
    this.parts = {
      beads: new BeadWrites(writer),
      deps: new DependencyWrites(writer),
      rigs: new RigWrites(writer),
      queries: new Queries(this.db, writer.view),
      mail: new MailStore(writer),
      nudges: new NudgeStore(this.db),
      slots: new SlotStore(this.db),
      mrs: new MergeRequestWrites(writer),
      usage: new UsageStore(this.db),
    };
  }

  private get p() {
    if (!this.parts) throw new Error('SqliteLedger used before init()');
    return this.parts;
  }

  private get database(): Database {
    if (!this.db) throw new Error('SqliteLedger used before init()');
    return this.db;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.parts = undefined;
  }

  async ping(): Promise<void> {
    this.database.get('SELECT 1');
  }

  describe(): Record<string, string> {
    return { kind: 'sqlite' };
  }

  async addRig(rig: NewRig, ctx: WriteContext): Promise<Rig> {
    return this.p.rigs.add(rig, ctx);
  }

  async getRig(name: string): Promise<Rig | null> {
    return this.p.rigs.find(name);
  }

  async listRigs(): Promise<Rig[]> {
    return this.p.rigs.list();
  }

  async setRigParked(name: string, parked: boolean, ctx: WriteContext): Promise<Rig> {
    return this.p.rigs.setParked(name, parked, ctx);
  }

  async setRigMergePolicy(name: string, policy: Partial<MergePolicy>, ctx: WriteContext): Promise<Rig> {
    return this.p.rigs.setMergePolicy(name, policy, ctx);
  }

  async setRigFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Promise<Rig> {
    return this.p.rigs.setFrozen(name, freeze, ctx);
  }

  async setRigUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Promise<Rig | null> {
    return this.p.rigs.setUsageLimit(name, limit, expectVersion, ctx);
  }

  async setRigAccount(name: string, account: string | null, ctx: WriteContext): Promise<Rig> {
    return this.p.rigs.setAccount(name, account, ctx);
  }

  async addRigApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Promise<Rig> {
    return this.p.rigs.addApprovalRule(name, rule, ctx);
  }

  async removeRigApprovalRule(
    name: string,
    rule: ApprovalRule,
    ctx: WriteContext,
    expectVersion?: number,
  ): Promise<Rig> {
    return this.p.rigs.removeApprovalRule(name, rule, ctx, expectVersion);
  }

  async createBead(input: NewBead, ctx: WriteContext): Promise<Bead> {
    return this.p.beads.create(input, ctx);
  }

  async getBead(id: string): Promise<Bead | null> {
    return this.p.queries.listBeads({ ids: [id], all: true })[0] ?? null;
  }

  async listBeads(filter: BeadFilter): Promise<Bead[]> {
    return this.p.queries.listBeads(filter);
  }

  async updateBead(id: string, patch: BeadPatch, ctx: WriteContext): Promise<Bead> {
    return this.p.beads.update(id, patch, ctx);
  }

  async closeBead(id: string, options: CloseOptions, ctx: WriteContext): Promise<Bead> {
    return this.p.beads.close(id, options, ctx);
  }

  async reopenBead(id: string, ctx: WriteContext): Promise<Bead> {
    return this.p.beads.reopen(id, ctx);
  }

  async claimBead(id: string, claim: ClaimRequest, ctx: WriteContext): Promise<Bead | null> {
    return this.p.beads.claim(id, claim, ctx);
  }

  async addComment(id: string, text: string, ctx: WriteContext): Promise<Comment> {
    return this.p.beads.comment(id, text, ctx);
  }

  async listComments(id: string): Promise<Comment[]> {
    return this.p.queries.listComments(id);
  }

  async restoreUpdatedAt(id: string, updatedAt: string): Promise<void> {
    const { changes } = this.database.run(
      'UPDATE beads SET updated_at = $at, version = version + 1 WHERE id = $id',
      { id, at: updatedAt },
    );
    if (changes !== 1) throw notFound('bead', id);
  }

  async beadsAfter(after: string | null, limit: number, rig?: string): Promise<Bead[]> {
    // BINARY collation: byte order, which is code-unit order for ids (ASCII).
    return this.database
      .all(
        `SELECT * FROM beads WHERE id > $after ${rig === undefined ? '' : 'AND rig = $rig'} ORDER BY id LIMIT $limit`,
        { after: after ?? '', limit: Math.max(0, Math.floor(limit)), ...(rig !== undefined && { rig }) },
      )
      .map(beadFromRow);
  }

  async addDependency(
    issueId: string,
    dependsOnId: string,
    type: DepType,
    ctx: WriteContext,
    gate?: WaitsForGate,
  ): Promise<Dependency> {
    return this.p.deps.add(issueId, dependsOnId, type, ctx, gate);
  }

  async removeDependency(issueId: string, dependsOnId: string, ctx: WriteContext): Promise<boolean> {
    return this.p.deps.remove(issueId, dependsOnId, ctx);
  }

  async dependenciesOf(id: string): Promise<Dependency[]> {
    return this.p.queries.dependenciesOf(id);
  }

  async dependentsOf(id: string): Promise<Dependency[]> {
    return this.p.queries.dependentsOf(id);
  }

  async listReady(filter: ReadyFilter): Promise<Bead[]> {
    return this.p.queries.listReady(filter);
  }

  async listBlocked(filter: { rig?: string }): Promise<BlockedBead[]> {
    return this.p.queries.listBlocked(filter);
  }

  async findCycles(): Promise<string[][]> {
    return this.p.queries.findCycles();
  }

  async takeSlot(
    rig: string,
    beadId: string,
    names: readonly string[],
    ctx: WriteContext,
  ): Promise<string | null> {
    return this.p.slots.take(rig, beadId, names, ctx);
  }

  async freeSlot(rig: string, name: string, beadId: string): Promise<boolean> {
    return this.p.slots.free(rig, name, beadId);
  }

  async listSlots(rig: string): Promise<Slot[]> {
    return this.p.slots.list(rig);
  }

  async listSlotHooks(): Promise<SlotHook[]> {
    return this.p.slots.hooks();
  }

  async listOpenConvoyTracks(): Promise<Map<string, TrackedState[]>> {
    return this.p.queries.listOpenConvoyTracks();
  }

  async countBeads(): Promise<BeadCount[]> {
    return this.p.queries.countBeads();
  }

  async putMail(mail: Mail, ctx: WriteContext): Promise<Mail> {
    return this.p.mail.put(mail, ctx);
  }

  async getMail(id: string): Promise<Mail | null> {
    return this.p.mail.get(id);
  }

  async listMail(to: readonly string[], options: { archived?: boolean }): Promise<Mail[]> {
    return this.p.mail.list(to, options.archived ?? false);
  }

  async markMail(id: string, mark: MailMark, ctx: WriteContext): Promise<Mail> {
    return this.p.mail.mark(id, mark, ctx);
  }

  async mailThread(threadId: string): Promise<Mail[]> {
    return this.p.mail.thread(threadId);
  }

  async queueNudge(nudge: Nudge, max: number): Promise<string[]> {
    return this.p.nudges.queue(nudge, max);
  }

  async takeNudges(to: string, now: Date): Promise<Nudge[]> {
    return this.p.nudges.take(to, now);
  }

  async submitMergeRequest(input: NewMergeRequest, ctx: WriteContext): Promise<MergeSubmission> {
    return this.p.mrs.submit(input, ctx);
  }

  async getMergeRequest(id: string): Promise<MergeRequest | null> {
    return this.p.mrs.find(id);
  }

  async listMergeRequests(filter: MergeRequestFilter): Promise<MergeRequest[]> {
    return this.p.mrs.list(filter);
  }

  async updateMergeRequest(
    id: string,
    change: MergeRequestChange,
    ctx: WriteContext,
  ): Promise<MergeRequest | null> {
    return this.p.mrs.update(id, change, ctx);
  }

  async recordUsage(report: UsageReport, ctx: WriteContext, price?: Pricer): Promise<UsageRecord | null> {
    return this.p.usage.record(report, ctx, price);
  }

  async usageTotals(filter: UsageFilter, by: UsageGroup | null): Promise<UsageSum[]> {
    return this.p.usage.totals(filter, by);
  }

  async eventsSince(seq: number, limit = 1000): Promise<LedgerEvent[]> {
    return this.database
      .all('SELECT * FROM events WHERE seq > $seq ORDER BY seq LIMIT $limit', { seq, limit })
      .map(eventFromRow);
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    this.database.run(
      `INSERT INTO audit (at, actor, actor_kind, source, verb, args, outcome, message)
       VALUES ($at, $actor, $actor_kind, $source, $verb, $args, $outcome, $message)`,
      { ...record, args: JSON.stringify(record.args), message: record.message ?? null },
    );
  }

  async listAudit(limit: number): Promise<AuditRecord[]> {
    return this.database
      .all('SELECT * FROM audit ORDER BY id DESC LIMIT $limit', { limit })
      .map(auditFromRow);
  }

  async recordIdempotencyKey(key: string, expiresAt: Date): Promise<boolean> {
    return this.database.transaction(() => {
      const now = new Date().toISOString();
      this.database.run('DELETE FROM idempotency WHERE key = $key AND expires_at <= $now', { key, now });
      const { changes } = this.database.run(
        'INSERT OR IGNORE INTO idempotency (key, expires_at) VALUES ($key, $expires)',
        { key, expires: expiresAt.toISOString() },
      );
      return changes === 1;
    });
  }

  async compactHistory(policy: RetentionPolicy): Promise<Compacted> {
    return compactSqlite(this.database, policy);
  }
}
