import { join } from 'node:path';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import type { GateResult, MergeRequest } from '../../domain/merge-request.ts';
import { alreadyLanded, isGitRepo, mergeBase, resolveCommit } from '../../git/repo.ts';
import { GitError } from '../../git/run-git.ts';
import { applyWork, closeScratch, openScratch } from '../../git/scratch.ts';
import { type GateRun, runGates } from './gate-runner.ts';
import type { RigRepo } from './rig-repo.ts';

/**
 * One verification of one merge request, start to landing (DESIGN.md §9): in the refinery's own
 * scratch worktree, the target's tip plus the MR's bound commit, the gates on exactly that tree,
 * then the target moved only if it still points where verification started. Deterministic: each
 * way it can end is an Outcome the engine records; nothing here writes the ledger.
 */
export type Outcome =
  | { kind: 'landed'; mergeCommit: string; gates: GateResult[] }
  | { kind: 'already-landed'; mergeCommit: string }
  | { kind: 'conflict'; conflicts: string[] }
  | { kind: 'gates-failed'; gates: GateResult[] }
  | { kind: 'target-moved'; gates: GateResult[] }
  | { kind: 'stale'; head: string }
  | { kind: 'branch-missing' }
  | { kind: 'no-gates' }
  | { kind: 'broken'; why: string };

export interface AttemptContext {
  repo: RigRepo;
  policy: MergePolicy;
  /** The refinery's scratch worktree for this rig (one at a time: the rig's lease). */
  scratch: string;
  gateEnv: NodeJS.ProcessEnv;
  identity: { name: string; email: string };
  onGateStart?: (pgid: number) => void;
}

export async function attempt(mr: MergeRequest, c: AttemptContext): Promise<Outcome> {
  try {
    return await tryAttempt(mr, c);
  } catch (err) {
    // git refused something the engine cannot retry its way out of (a protected branch, a
    // corrupt repository): hold it for a person once, never a hot loop.
    if (!(err instanceof GitError)) throw err;
    return { kind: 'broken', why: `git failed: ${err.message}` };
  }
}

async function tryAttempt(mr: MergeRequest, c: AttemptContext): Promise<Outcome> {
  if (!(await isGitRepo(c.repo.path)))
    return { kind: 'broken', why: `${c.repo.path} is not a git repository` };
  await c.repo.refresh();
  const head = await resolveCommit(c.repo.path, c.repo.branchRef(mr.branch));
  const tip = await resolveCommit(c.repo.path, c.repo.branchRef(mr.target));
  if (!tip) return { kind: 'broken', why: `the target branch ${mr.target} does not exist in ${c.repo.path}` };
  if (await landedOn(c.repo.path, mr, tip)) return { kind: 'already-landed', mergeCommit: tip };
  if (!head) return { kind: 'branch-missing' };
  if (head !== mr.sha) return { kind: 'stale', head };
  if (c.policy.gates === null) return { kind: 'no-gates' };
  return verifyAndLand(mr, tip, c, c.policy.gates);
}

/** The MR's commits are on the target already (a crash after the move, a hand merge). */
async function landedOn(path: string, mr: MergeRequest, tip: string): Promise<boolean> {
  if (!(await resolveCommit(path, mr.sha))) return false;
  const base = await mergeBase(path, mr.sha, tip);
  return base === mr.sha || (await alreadyLanded(path, tip, base, mr.sha));
}

/** The target's tip when the MR's work is on it already, else null (what crash recovery asks). */
export async function landedTip(mr: MergeRequest, repo: RigRepo): Promise<string | null> {
  await repo.refresh();
  const tip = await resolveCommit(repo.path, repo.branchRef(mr.target));
  return tip && (await landedOn(repo.path, mr, tip)) ? tip : null;
}

async function verifyAndLand(
  mr: MergeRequest,
  tip: string,
  c: AttemptContext,
  gates: string[],
): Promise<Outcome> {
  await openScratch(c.repo.path, c.scratch, tip);
  try {
    const base = await mergeBase(c.repo.path, mr.sha, tip);
    const applied = await applyWork(c.scratch, {
      style: c.policy.merge_style,
      base,
      source: mr.sha,
      message: `${mr.bead_id ?? mr.branch}: merge ${mr.branch} (${mr.id})`,
      identity: c.identity,
    });
    if (!applied.ok) return { kind: 'conflict', conflicts: applied.conflicts };
    // Nothing left to apply: every change of the branch is on the target already.
    if (applied.head === tip) return { kind: 'already-landed', mergeCommit: tip };
    const run = await runGates(gateRuns(gates), {
      cwd: c.scratch,
      timeoutMs: c.policy.gate_timeout_s * 1000,
      env: c.gateEnv,
      ...(c.onGateStart && { onStart: c.onGateStart }),
    });
    if (!run.passed) return { kind: 'gates-failed', gates: run.results };
    // Never land a tree that was not verified exactly as it lands: only if the target is still at `tip`.
    const moved = await c.repo.moveTarget(mr.target, applied.head, tip);
    return moved
      ? { kind: 'landed', mergeCommit: applied.head, gates: run.results }
      : { kind: 'target-moved', gates: run.results };
  } finally {
    await closeScratch(c.repo.path, c.scratch);
  }
}

const gateRuns = (gates: readonly string[]): GateRun[] =>
  gates.map((command, i) => ({ name: `gate ${i + 1}`, command }));

/** Where a rig's scratch worktree lives: under the service's home, never inside the rig's repository. */
export const scratchPath = (home: string, rig: string): string => join(home, 'refinery', rig);
