import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Bead, BeadPatch, IssueType, NewBead, Status } from '../../domain/bead.ts';
import type { TrackedState } from '../../domain/convoy.ts';
import type { Dependency, DepType, WaitsForGate } from '../../domain/dependency.ts';
import type { Mail } from '../../domain/mail.ts';
import type { Nudge } from '../../domain/nudge.ts';
import type { ReadyFilter } from '../../domain/readiness.ts';
import type { NewRig, Rig } from '../../domain/rig.ts';
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
  Slot,
  SlotHook,
  WriteContext,
} from '../port.ts';
import { BeadWrites } from './bead-writes.ts';
import { Database } from './database.ts';
import { DependencyWrites } from './dependency-writes.ts';
import { MailStore } from './mail-store.ts';
import { NudgeStore } from './nudge-store.ts';
import { Queries } from './queries.ts';
import { RigWrites } from './rig-writes.ts';
import { auditFromRow, eventFromRow } from './rows.ts';
import { Writer } from './writer.ts';

interface Parts {
  beads: BeadWrites;
  deps: DependencyWrites;
  rigs: RigWrites;
  queries: Queries;
  mail: MailStore;
  nudges: NudgeStore;
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
    const db = this.database;
    return db.transaction(() => {
      for (const name of names) {
        const { changes } = db.run(
          'INSERT OR IGNORE INTO slots (rig, name, bead_id, taken_at) VALUES ($rig, $name, $bead, $at)',
          { rig, name, bead: beadId, at: ctx.now.toISOString() },
        );
        if (changes === 1) return name;
      }
      return null;
    });
  }

  async freeSlot(rig: string, name: string, beadId: string): Promise<boolean> {
    const { changes } = this.database.run(
      'DELETE FROM slots WHERE rig = $rig AND name = $name AND bead_id = $bead',
      {
        rig,
        name,
        bead: beadId,
      },
    );
    return changes === 1;
  }

  async listSlots(rig: string): Promise<Slot[]> {
    return this.database.all('SELECT * FROM slots WHERE rig = $rig ORDER BY name', { rig }).map((r) => ({
      rig: String(r.rig),
      name: String(r.name),
      bead_id: String(r.bead_id),
      taken_at: String(r.taken_at),
    }));
  }

  async listOpenConvoyTracks(): Promise<Map<string, TrackedState[]>> {
    const rows = this.database.allArrays(
      `SELECT d.issue_id, b.id, b.status, b.assignee, b.is_blocked, b.issue_type, b.rig
       FROM beads c
       JOIN deps d ON d.issue_id = c.id AND d.type = 'tracks'
       JOIN beads b ON b.id = d.depends_on_id
       WHERE c.issue_type = 'convoy' AND c.status = 'open' AND b.status != 'closed'`,
    );
    const byConvoy = new Map<string, TrackedState[]>();
    for (const [convoy, id, status, assignee, blocked, type, rig] of rows) {
      const tracked = byConvoy.get(convoy as string) ?? [];
      if (tracked.length === 0) byConvoy.set(convoy as string, tracked);
      tracked.push({
        id: id as string,
        status: status as Status,
        assignee: (assignee as string | null) ?? null,
        is_blocked: Number(blocked) === 1,
        issue_type: type as IssueType,
        rig: (rig as string | null) ?? null,
      });
    }
    return byConvoy;
  }

  async countBeads(): Promise<BeadCount[]> {
    return this.database
      .allArrays('SELECT issue_type, status, COUNT(*) FROM beads GROUP BY issue_type, status')
      .map(([issue_type, status, count]) => ({
        issue_type: String(issue_type),
        status: String(status),
        count: Number(count),
      }));
  }

  async listSlotHooks(): Promise<SlotHook[]> {
    const rows = this.database.allArrays(
      `SELECT s.rig, s.name, s.bead_id, s.taken_at, b.status, b.assignee, b.labels, b.updated_at
       FROM slots s LEFT JOIN beads b ON b.id = s.bead_id ORDER BY s.rig, s.name`,
    );
    return rows.map(([rig, name, bead_id, taken_at, status, assignee, labels, updated_at]) => ({
      rig: String(rig),
      name: String(name),
      bead_id: String(bead_id),
      taken_at: String(taken_at),
      bead:
        status === null
          ? null
          : {
              id: String(bead_id),
              status: status as Status,
              assignee: (assignee as string | null) ?? null,
              labels: JSON.parse(String(labels)) as string[],
              updated_at: String(updated_at),
            },
    }));
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
}
