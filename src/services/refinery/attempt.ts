import { join } from 'node:path';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import type { GateResult, MergeRequest } from '../../domain/merge-request.ts';
import { alreadyLanded, isGitRepo, mergeBase, resolveCommit } from '../../git/repo.ts';
import { GitError } from '../../git/run-git.ts';
import { applyWork, closeScratch, openScratch, treeOf } from '../../git/scratch.ts';
import type { RigRepo } from './rig-repo.ts';
import { type Verdict, verify } from './verify.ts';

/**
 * One verification of one piece of work, start to landing (DESIGN.md §9): in a scratch worktree,
 * the target's tip plus the work's bound commit, the gates on exactly that tree, then the target
 * moved only if it still points where verification started. Deterministic: each way it can end
 * is an Outcome the caller records; nothing here writes the ledger.
 */
export type Outcome =
  /** `tree`: the tree verified and landed (absent for a batch member below the stack's top). */
  | { kind: 'landed'; mergeCommit: string; gates: GateResult[]; tree?: string }
  | { kind: 'already-landed'; mergeCommit: string }
  | { kind: 'conflict'; conflicts: string[] }
  | Exclude<Verdict, { kind: 'passed' }>
  | { kind: 'target-moved'; gates: GateResult[]; tree: string }
  /** Verified, not landed: the rig's queue was frozen by then (`gt mq freeze`). */
  | { kind: 'frozen'; gates: GateResult[]; tree?: string; why: string }
  | { kind: 'stale'; head: string }
  | { kind: 'branch-missing' }
  | { kind: 'no-gates' }
  /** With `passed`: the gates passed on that tree before git refused the landing (a protected branch). */
  | { kind: 'broken'; why: string; passed?: { tree: string; gates: GateResult[] } };

/** What is landed: a merge request, or the same fields for a `direct` landing at `gt done`. */
export type Work = Pick<
  MergeRequest,
  'id' | 'branch' | 'sha' | 'target' | 'bead_id' | 'gates' | 'verified_tree' | 'override'
>;

export interface AttemptContext {
  repo: RigRepo;
  policy: MergePolicy;
  /** A scratch worktree only this attempt uses (the rig's lease, or a direct landing's own). */
  scratch: string;
  gateEnv: NodeJS.ProcessEnv;
  identity: { name: string; email: string };
  onGateStart?: (pgid: number) => void;
  /** Told as each gate of a verification starts (the queue's card shows it). */
  onGate?: (command: string, index: number, of: number) => void;
  /** Why nothing may land now (the queue is frozen), asked just before the target moves; null: land. */
  frozen?: () => Promise<string | null>;
}

export async function attempt(work: Work, c: AttemptContext): Promise<Outcome> {
  try {
    return await tryAttempt(work, c);
  } catch (err) {
    // git refused something the engine cannot retry its way out of (a corrupt repository):
    // hold it for a person once, never a hot loop.
    if (!(err instanceof GitError)) throw err;
    return { kind: 'broken', why: `git failed: ${err.message}` };
  }
}

async function tryAttempt(work: Work, c: AttemptContext): Promise<Outcome> {
  const tip = await targetTip(work.target, c);
  if (typeof tip !== 'string') return tip;
  return (await precheck(work, tip, c)) ?? verifyAndLand(work, tip, c);
}

/** The target's tip after a refresh, or why there is none to land on. */
export async function targetTip(target: string, c: AttemptContext): Promise<string | Outcome> {
  if (!(await isGitRepo(c.repo.path)))
    return { kind: 'broken', why: `${c.repo.path} is not a git repository` };
  await c.repo.refresh();
  const tip = await resolveCommit(c.repo.path, c.repo.branchRef(target));
  return tip ?? { kind: 'broken', why: `the target branch ${target} does not exist in ${c.repo.path}` };
}

/**
 * What ends an attempt before any work is applied (null: go on): the work is on the target
 * already, its branch is gone or moved since submission, or nothing lands without gates.
 */
export async function precheck(work: Work, tip: string, c: AttemptContext): Promise<Outcome | null> {
  const head = await resolveCommit(c.repo.path, c.repo.branchRef(work.branch));
  if (await landedOn(c.repo.path, work, tip)) return { kind: 'already-landed', mergeCommit: tip };
  if (!head) return { kind: 'branch-missing' };
  if (head !== work.sha) return { kind: 'stale', head };
  if (c.policy.gates === null && !work.override) return { kind: 'no-gates' };
  return null;
}

/** The work's commits are on the target already (a crash after the move, a hand merge). */
async function landedOn(path: string, work: Work, tip: string): Promise<boolean> {
  if (!(await resolveCommit(path, work.sha))) return false;
  const base = await mergeBase(path, work.sha, tip);
  return base === work.sha || (await alreadyLanded(path, tip, base, work.sha));
}

/** The target's tip when the work is on it already, else null (what crash recovery asks). */
export async function landedTip(work: Work, repo: RigRepo): Promise<string | null> {
  await repo.refresh();
  const tip = await resolveCommit(repo.path, repo.branchRef(work.target));
  return tip && (await landedOn(repo.path, work, tip)) ? tip : null;
}

async function verifyAndLand(work: Work, tip: string, c: AttemptContext): Promise<Outcome> {
  await openScratch(c.repo.path, c.scratch, tip);
  try {
    const base = await mergeBase(c.repo.path, work.sha, tip);
    const applied = await applyWork(c.scratch, {
      style: c.policy.merge_style,
      base,
      source: work.sha,
      message: `${work.bead_id ?? work.branch}: merge ${work.branch} (${work.id})`,
      identity: c.identity,
    });
    if (!applied.ok) return { kind: 'conflict', conflicts: applied.conflicts };
    // Nothing left to apply: every change of the branch is on the target already.
    if (applied.head === tip) return { kind: 'already-landed', mergeCommit: tip };
    const tree = await treeOf(c.scratch, applied.head);
    const verdict = await verify(work, tree, tip, c);
    if (verdict.kind !== 'passed') return verdict;
    return await land(work, applied.head, tip, tree, verdict.gates, c);
  } finally {
    await closeScratch(c.repo.path, c.scratch);
  }
}

/** Never land a tree that was not verified exactly as it lands: only if the target is still at `tip`. */
export async function land(
  work: Work,
  head: string,
  tip: string,
  tree: string,
  gates: GateResult[],
  c: AttemptContext,
): Promise<Outcome> {
  const frozen = await c.frozen?.();
  if (frozen) return { kind: 'frozen', gates, tree, why: frozen };
  try {
    const moved = await c.repo.moveTarget(work.target, head, tip);
    return moved ? { kind: 'landed', mergeCommit: head, gates, tree } : { kind: 'target-moved', gates, tree };
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    // A protected branch, a hook: the tree passed, so a retry once that is sorted lands without
    // running the gates again (as long as the target has not moved meanwhile).
    return {
      kind: 'broken',
      why: `git refused to move ${work.target}: ${err.message}`,
      passed: { tree, gates },
    };
  }
}

/** Where a rig's scratch worktree lives: under the service's home, never inside the rig's repository. */
export const scratchPath = (home: string, rig: string): string => join(home, 'refinery', rig);
