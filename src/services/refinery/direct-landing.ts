import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../../bus/child-process.ts';
import type { DirectLanding, DirectWork, Landings } from '../../commands/command.ts';
import type { Rig } from '../../domain/rig.ts';
import { REFINERY_IDENTITY } from '../../git/run-git.ts';
import { type AttemptContext, attempt, type Outcome, scratchPath } from './attempt.ts';
import { GateJournal } from './gate-journal.ts';
import { failedGate } from './outcomes.ts';
import { openRigRepo } from './rig-repo.ts';

export interface DirectLandingDeps {
  home: string;
  gateEnv: NodeJS.ProcessEnv;
  /** How often the target may move under a verified tree before the landing gives up. */
  maxTargetRaces: number;
  /** A landed branch git would not delete yet (still checked out in the polecat's worktree). */
  dropLater: (rig: string, branch: string) => void;
  /** Why the rig may land nothing now (its queue is frozen), or null. */
  frozen: (rig: string) => Promise<string | null>;
}

/**
 * Strategy `direct`: `gt done` lands the polecat's work itself, in its own request — the same
 * attempt as the queue's (the target's tip plus the bound commit in a scratch worktree, the
 * rig's gates on exactly that tree, the target moved by compare-and-swap), without waiting
 * behind the queue. A failure goes back to the polecat at once, with the evidence, while its
 * session still holds the work: it fixes it and runs `gt done` again. The scratch worktree and
 * gate journal are this process's own, so a replica's direct landing and the queue of the
 * same rig never share one; the target's compare-and-swap keeps them from landing blind.
 */
export class DirectLandings implements Landings {
  private readonly d: DirectLandingDeps;
  private readonly journal: GateJournal;
  /** One direct landing per rig at a time in this process (they share its scratch worktree). */
  private readonly byRig = new Map<string, Promise<unknown>>();

  constructor(deps: DirectLandingDeps) {
    this.d = deps;
    this.journal = new GateJournal(journalPath(deps.home, process.pid));
    reapDeadProcesses(deps.home);
  }

  landNow(rig: Rig, work: DirectWork): Promise<DirectLanding> {
    const previous = this.byRig.get(rig.name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.land(rig, work));
    this.byRig.set(rig.name, next);
    return next;
  }

  private async land(rig: Rig, work: DirectWork): Promise<DirectLanding> {
    const context: AttemptContext = {
      repo: await openRigRepo(rig.repo as string),
      policy: rig.merge_policy,
      scratch: `${scratchPath(this.d.home, rig.name)}.direct.${process.pid}`,
      gateEnv: this.d.gateEnv,
      identity: REFINERY_IDENTITY,
      onGateStart: (pgid) => this.journal.started(pgid),
      frozen: () => this.d.frozen(rig.name),
    };
    const frozen = await this.d.frozen(rig.name);
    if (frozen) return { landed: false, code: 'queue_frozen', why: frozen };
    const asMr = { ...work, id: 'direct', gates: [], verified_tree: null, override: null };
    let outcome = await attempt(asMr, context);
    for (let race = 1; outcome.kind === 'target-moved' && race < this.d.maxTargetRaces; race++)
      outcome = await attempt(asMr, context);
    this.journal.clear();
    if (outcome.kind === 'landed' || outcome.kind === 'already-landed') {
      await context.repo.dropBranch(work.branch).catch(() => this.d.dropLater(rig.name, work.branch));
      return {
        landed: true,
        commit: outcome.mergeCommit,
        gates: outcome.kind === 'landed' ? outcome.gates : [],
      };
    }
    return { landed: false, ...refusal(rig, work, outcome) };
  }

  /** Kills this process's direct gates (the service is stopping). */
  abandon(): void {
    this.journal.reapAll();
  }
}

type Failure = Exclude<Outcome, { kind: 'landed' | 'already-landed' }>;

/** What the polecat is told (a refusal code and the evidence), so its next step is clear. */
function refusal(rig: Rig, work: DirectWork, o: Failure): { code: string; why: string } {
  switch (o.kind) {
    case 'conflict':
      return {
        code: 'merge_conflict',
        why: `conflicts with ${work.target} in: ${o.conflicts.join(', ')} — rebase onto ${work.target}, resolve, commit`,
      };
    case 'gates-failed':
      return { code: 'gates_failed', why: `${failedGate(o.gates)}\nmake the gate pass, commit` };
    case 'target-broken':
      return {
        code: 'target_broken',
        why: `gate \`${o.onTarget.command}\` fails on ${work.target} at ${o.tip.slice(0, 12)} too: the target is broken, not your work — escalate (gt done --status escalated)`,
      };
    case 'gate-broken':
      return {
        code: 'gate_cannot_run',
        why: `${failedGate(o.gates)}\nthe rig's gate could not run — escalate (gt done --status escalated)`,
      };
    case 'target-moved':
      return { code: 'target_moving', why: `${work.target} kept moving while your work was verified` };
    case 'stale':
      return { code: 'branch_moved', why: `${work.branch} moved to ${o.head.slice(0, 12)} meanwhile` };
    case 'branch-missing':
      return { code: 'branch_missing', why: `${work.branch} is gone from ${rig.name}'s repository` };
    case 'no-gates':
      return {
        code: 'no_gate_policy',
        why: `rig ${rig.name} has no gate policy; nothing lands unverified (gt rig set ${rig.name} --gate CMD, or --gate none)`,
      };
    case 'broken':
      return { code: 'repository_broken', why: o.why };
    case 'frozen':
      return { code: 'queue_frozen', why: o.why };
  }
}

const JOURNAL = /^direct\.(\d+)\.gates\.json$/;
const journalPath = (home: string, pid: number): string => join(home, 'refinery', `direct.${pid}.gates.json`);

/** Gates a dead service's direct landings left running (its journal names them) are killed. */
function reapDeadProcesses(home: string): void {
  const dir = join(home, 'refinery');
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir)) {
    const pid = Number(JOURNAL.exec(file)?.[1]);
    if (pid && (pid === process.pid || !processAlive(pid))) new GateJournal(join(dir, file)).reapAll();
  }
}
