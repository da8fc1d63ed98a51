import type { GateProgress } from '../../domain/gate-progress.ts';
import { DEFAULT_MAX_WAIT_MS, nextBatch } from '../../domain/merge-batch.ts';
import { batchSize, MAX_PARALLEL } from '../../domain/merge-policy.ts';
import { MERGING_LABEL, type MergeRequest } from '../../domain/merge-request.ts';
import type { Rig } from '../../domain/rig.ts';
import { REFINERY_IDENTITY } from '../../git/run-git.ts';
import { closeScratch } from '../../git/scratch.ts';
import { convoysOfMrs } from '../../ledger/convoy-lanes.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import type { LeaderLease } from '../leader-lease.ts';
import { type AttemptContext, landedTip, type Outcome, scratchPath } from './attempt.ts';
import { verifyWithRaces } from './batch-races.ts';
import { frozenNow } from './frozen-now.ts';
import type { GateJournal } from './gate-journal.ts';
import { closeBead, type Execute, record } from './outcomes.ts';
import { openRigRepo } from './rig-repo.ts';

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

/** What a verified batch tells the metrics (app/metrics.ts `observeBatch`). */
export interface BatchStats {
  /** Each member's wait from submission to this verification, in seconds. */
  waitsS: number[];
  verifications: number;
  seconds: number;
  failed: boolean;
}

export interface RefineryDeps {
  ledger: Ledger;
  execute: Execute;
  home: string;
  log: Log;
  now: () => Date;
  /** Verification attempts before a person decides (GT_MAX_MERGE_ATTEMPTS). */
  maxAttempts: number;
  /** How often the target may move under a verified tree before the MR is held. */
  maxTargetRaces: number;
  /** GT_MQ_MAX_WAIT: past this an MR goes ahead of higher-priority ones (default 30 min). */
  maxWaitMs?: number;
  gateEnv: NodeJS.ProcessEnv;
  journal: GateJournal;
  onOutcome?: (rig: string, mr: MergeRequest, outcome: Outcome['kind']) => void;
  onBatch?: (rig: string, batch: BatchStats) => void;
  /** Each gate as it starts (published for the rig's card). */
  onGateProgress?: (progress: GateProgress) => void;
}

const ACTOR = 'refinery';

/**
 * One rig's merge queue worker. Only the holder of the rig's lease merges (replicas, a restart
 * overlapping the old process), one MR at a time, highest priority then oldest first. A pass
 * starts by finishing what a dead holder left: a `verifying` MR is landed if its work is on the
 * target already (the move happened, the record did not), else queued again; a merged MR whose
 * bead is still open gets its bead closed. Every step is a compare-and-swap, so a repeated step
 * changes nothing.
 */
export class RigRefinery {
  private rig: Rig;
  private readonly d: RefineryDeps;
  private readonly lease: LeaderLease;
  private running: Promise<void> | null = null;
  /** Merged branches still checked out in a polecat's worktree when they landed: deleted later. */
  private readonly leftovers = new Set<string>();
  private again = false;
  private probesCleared = false;
  /** Where the running pass is, and since when: what `reportSlowPass` says of a pass that takes long. */
  private step = 'idle';
  private passStartedAt = 0;
  private slowReported = false;

  constructor(rig: Rig, lease: LeaderLease, deps: RefineryDeps) {
    this.rig = rig;
    this.lease = lease;
    this.d = deps;
  }

  /** Asks for a pass; passes never overlap (a wake during one runs another after it). */
  wake(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.passStartedAt = this.d.now().getTime();
    this.slowReported = false;
    this.running = this.passes().finally(() => {
      this.running = null;
      this.step = 'idle';
    });
    return this.running;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      await this.pass().catch((err: Error) =>
        this.d.log.warn(
          { rig: this.rig.name, err: err.message },
          'merge queue pass failed; retried on the next wake',
        ),
      );
    } while (this.again);
  }

  /**
   * A pass running longer than `afterMs` is logged once, with the step it is at: a queue that
   * seems stuck (gates that never end, a git command waiting on something) says where.
   */
  reportSlowPass(afterMs: number): void {
    const ranMs = this.d.now().getTime() - this.passStartedAt;
    if (this.running === null || this.slowReported || ranMs < afterMs) return;
    this.slowReported = true;
    this.d.log.info(
      { rig: this.rig.name, step: this.step, ran_s: Math.round(ranMs / 1000) },
      'merge queue pass still running',
    );
  }

  /** Kills the gates this queue has running (the service is stopping). */
  abandon(): void {
    this.d.journal.reapAll();
  }

  private leading = (): boolean => this.lease.token() !== null;

  private async pass(): Promise<void> {
    // The rig as it is now: `gt rig set` may have changed its gates or strategy since the last poll.
    this.step = 'reading the rig';
    this.rig = (await this.d.ledger.getRig(this.rig.name)) ?? this.rig;
    if (!this.leading() || !this.rig.repo) return;
    // Frozen: nothing new starts (the thaw's event wakes the queue again).
    if (this.rig.mq_frozen) return;
    this.step = 'clearing what earlier passes left';
    await this.dropLeftovers();
    await this.dropProbeWorktrees();
    this.d.journal.reapAll();
    this.step = 'recovering interrupted merges';
    await this.recover();
    // Frozen meanwhile: stop; what was verified waits in the queue for the thaw.
    for (let batch = await this.next(); batch.length > 0 && this.leading(); batch = await this.next()) {
      await this.process(batch);
      if (await frozenNow(this.d.ledger, this.rig.name)) return;
    }
  }

  private async next(): Promise<MergeRequest[]> {
    this.step = 'choosing the next batch';
    const queued = await this.d.ledger.listMergeRequests({ rig: this.rig.name, status: ['queued'] });
    if (queued.length === 0) return [];
    // A blocked bead's MR waits; the poll (or the next MR event) looks again once its blocker closed.
    const blocked = await this.d.ledger.listBlocked({ rig: this.rig.name });
    const lanes = {
      now: this.d.now(),
      maxWaitMs: this.d.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      convoyOf: await convoysOfMrs(this.d.ledger, queued),
    };
    return nextBatch(queued, new Set(blocked.map((b) => b.id)), batchSize(this.rig.merge_policy), lanes);
  }

  private write = (): WriteContext => ({ actor: ACTOR, now: this.d.now() });

  /** Claims the batch (queued → verifying, each a compare-and-swap), verifies it, records each member's end. */
  private async process(batch: MergeRequest[]): Promise<void> {
    const claimed: MergeRequest[] = [];
    for (const queued of batch) {
      if (await this.cancelledByHand(queued)) continue;
      const mr = await this.d.ledger.updateMergeRequest(
        queued.id,
        {
          expect: { status: 'queued', version: queued.version },
          set: { status: 'verifying', attempts: queued.attempts + 1 },
        },
        this.write(),
      );
      if (mr) claimed.push(mr); // else someone moved it (a person held or rejected it)
    }
    if (claimed.length === 0) return;
    this.step = `verifying ${claimed.map((mr) => mr.id).join(' ')}`;
    const context = await this.context(claimed.map((mr) => mr.id));
    const started = this.d.now();
    const { outcomes, untested, verifications } = await verifyWithRaces(
      claimed,
      context,
      this.d.maxTargetRaces,
    );
    this.d.onBatch?.(this.rig.name, {
      waitsS: claimed.map((mr) => (started.getTime() - Date.parse(mr.created_at)) / 1000),
      verifications,
      seconds: (this.d.now().getTime() - started.getTime()) / 1000,
      failed: [...outcomes.values()].some((o) => o.kind !== 'landed' && o.kind !== 'already-landed'),
    });
    this.d.journal.clear();
    this.step = 'recording the outcomes';
    const deps = this.outcomeDeps(context);
    for (const mr of claimed) {
      const outcome = outcomes.get(mr.id);
      if (!outcome) continue;
      this.d.log.info({ rig: this.rig.name, mr: mr.id, outcome: outcome.kind }, 'merge queue: attempt done');
      // Recorded first: an optional call would skip evaluating its arguments when there is no listener.
      const recorded = (await record(mr, outcome, deps)) ?? mr;
      this.d.onOutcome?.(this.rig.name, recorded, outcome.kind);
    }
    for (const mr of claimed.filter((m) => untested.some((w) => w.id === m.id))) await this.requeue(mr);
  }

  /** A batch member after the culprit: back in the queue as it was, its attempt not counted. */
  private async requeue(mr: MergeRequest): Promise<void> {
    await this.d.ledger.updateMergeRequest(
      mr.id,
      {
        expect: { status: 'verifying', version: mr.version },
        set: {
          status: 'queued',
          attempts: mr.attempts - 1,
          reason: 'queued again: an MR ahead of it in its batch failed',
        },
      },
      this.write(),
    );
  }

  /** A bead closed by hand while its MR waited: the MR goes, saying why. */
  private async cancelledByHand(mr: MergeRequest): Promise<boolean> {
    if (!mr.bead_id) return false;
    const bead = await this.d.ledger.getBead(mr.bead_id);
    if (bead && bead.status !== 'closed') return false;
    await this.d.ledger.updateMergeRequest(
      mr.id,
      {
        expect: { status: mr.status, version: mr.version },
        set: {
          status: 'cancelled',
          reason: `bead ${mr.bead_id} was ${bead ? 'closed by hand' : 'deleted'} while this waited`,
        },
      },
      this.write(),
    );
    return true;
  }

  private async context(verifying: string[] = []): Promise<AttemptContext> {
    return {
      repo: await openRigRepo(this.rig.repo as string),
      policy: this.rig.merge_policy,
      scratch: scratchPath(this.d.home, this.rig.name),
      gateEnv: this.d.gateEnv,
      identity: REFINERY_IDENTITY,
      onGateStart: (pgid) => this.d.journal.started(pgid),
      frozen: () => frozenNow(this.d.ledger, this.rig.name),
      onGate: (command, index, of) =>
        this.d.onGateProgress?.({
          rig: this.rig.name,
          mrs: verifying,
          command,
          index,
          of,
          started_at: this.d.now().toISOString(),
        }),
    };
  }

  private outcomeDeps(context: AttemptContext) {
    return {
      ledger: this.d.ledger,
      execute: this.d.execute,
      write: this.write,
      maxAttempts: this.d.maxAttempts,
      dropBranch: (branch: string) =>
        context.repo.dropBranch(branch).catch(() => {
          this.leftovers.add(branch);
        }),
    };
  }

  dropLater(branch: string): void {
    this.leftovers.add(branch);
  }

  /**
   * Once per process: the worktrees of parallel probes a dead holder left (a lower `--parallel`
   * would never reopen, so never remove, the ones beyond it).
   */
  private async dropProbeWorktrees(): Promise<void> {
    if (this.probesCleared) return;
    this.probesCleared = true;
    const scratch = scratchPath(this.d.home, this.rig.name);
    for (let k = 1; k < MAX_PARALLEL; k++)
      await closeScratch(this.rig.repo as string, `${scratch}.${k}`).catch(() => undefined); // not a repository: the attempt says so
  }

  /** A polecat's runner removes its worktree a moment after `gt done`: then its branch can go. */
  private async dropLeftovers(): Promise<void> {
    if (this.leftovers.size === 0) return;
    const repo = await openRigRepo(this.rig.repo as string);
    for (const branch of [...this.leftovers]) {
      await repo.dropBranch(branch).then(
        () => this.leftovers.delete(branch),
        () => undefined,
      );
    }
  }

  /** What a holder that died mid-merge left behind (see the class comment). */
  private async recover(): Promise<void> {
    const interrupted = await this.d.ledger.listMergeRequests({ rig: this.rig.name, status: ['verifying'] });
    for (const mr of interrupted) await this.resume(mr);
    for (const bead of await this.d.ledger.listBeads({ label: MERGING_LABEL, rig: this.rig.name })) {
      const [merged] = await this.d.ledger.listMergeRequests({ bead: bead.id, status: ['merged'] });
      if (merged) await closeBead(merged, this.d);
    }
  }

  private async resume(mr: MergeRequest): Promise<void> {
    const context = await this.context();
    const tip = await landedTip(mr, context.repo);
    if (tip) {
      await record(mr, { kind: 'already-landed', mergeCommit: tip }, this.outcomeDeps(context));
      return;
    }
    await this.d.ledger.updateMergeRequest(
      mr.id,
      {
        expect: { status: 'verifying', version: mr.version },
        set: { status: 'queued', reason: 'verification was interrupted; queued again' },
      },
      this.write(),
    );
  }
}
