import { parallelProbes } from '../../domain/merge-policy.ts';
import type { GateResult } from '../../domain/merge-request.ts';
import { mergeBase } from '../../git/repo.ts';
import { GitError } from '../../git/run-git.ts';
import { applyWork, closeScratch, openScratch, resetScratch, treeOf } from '../../git/scratch.ts';
import { type AttemptContext, land, type Outcome, precheck, targetTip, type Work } from './attempt.ts';
import { firstFailingPrefix } from './prefix-search.ts';
import { couldNotRun, judge, runRigGates, workFailure } from './verify.ts';

/**
 * A speculative batch (reference/refinery.md §3.4, fixed where Gas Town's dormant code is
 * silent): the members, in queue order, stacked on the target's tip in the scratch worktree —
 * each member's own commits, per the rig's merge style — and the stacked tree verified once.
 * Passing, the target moves to the stack's top in one compare-and-swap. Failing, a search over
 * the stack's prefixes finds the first member whose prefix fails (prefix-search.ts: one at a time,
 * ⌈log2 n⌉ more verifications at most — the bisection budget, bounded by construction; with
 * `--parallel K`, fewer rounds of K runs at once); the prefix before it —
 * verified exactly as it lands — lands, the culprit goes to rework, and the members after it
 * go back to the queue untested. A member that conflicts with the ones before it is dropped to
 * rework before anything is verified.
 */
export interface BatchResult {
  /** What ended each member's attempt, by its id; members absent here were not judged. */
  outcomes: Map<string, Outcome>;
  /** Members after the culprit: back in the queue, their attempt not counted. */
  untested: Work[];
  /** Trees verified (each a run of the rig's gates; a run on the bare target not counted). */
  verifications: number;
}

interface Stacked {
  work: Work;
  /** The stack's commit once this member is applied on the ones before it. */
  head: string;
}

export async function attemptBatch(works: readonly Work[], c: AttemptContext): Promise<BatchResult> {
  const result: BatchResult = { outcomes: new Map(), untested: [], verifications: 0 };
  const tip = await targetTip(works[0]?.target ?? '', c);
  if (typeof tip !== 'string') {
    for (const w of works) result.outcomes.set(w.id, tip);
    return result;
  }
  const candidates: Work[] = [];
  for (const w of works) {
    const ended = await precheck(w, tip, c);
    if (ended) result.outcomes.set(w.id, ended);
    else candidates.push(w);
  }
  if (candidates.length === 0) return result;
  await openScratch(c.repo.path, c.scratch, tip);
  try {
    const stack = await stackUp(candidates, tip, c, result);
    if (stack.length > 0) await verifyStack(stack, tip, c, result);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    for (const w of candidates)
      if (!result.outcomes.has(w.id))
        result.outcomes.set(w.id, { kind: 'broken', why: `git failed: ${err.message}` });
  } finally {
    await closeScratch(c.repo.path, c.scratch);
  }
  return result;
}

/** Applies each member on the ones before it; one that conflicts is dropped (its outcome set). */
async function stackUp(
  works: Work[],
  tip: string,
  c: AttemptContext,
  result: BatchResult,
): Promise<Stacked[]> {
  const stack: Stacked[] = [];
  for (const work of works) {
    const applied = await applyWork(c.scratch, {
      style: c.policy.merge_style,
      base: await mergeBase(c.repo.path, work.sha, tip),
      source: work.sha,
      message: `${work.bead_id ?? work.branch}: merge ${work.branch} (${work.id})`,
      identity: c.identity,
    });
    if (applied.ok) stack.push({ work, head: applied.head });
    else result.outcomes.set(work.id, { kind: 'conflict', conflicts: applied.conflicts });
  }
  return stack;
}

async function verifyStack(stack: Stacked[], tip: string, c: AttemptContext, result: BatchResult) {
  const top = stack.length - 1;
  const width = parallelProbes(c.policy);
  const search = await firstFailingPrefix(top, width, (members) => probe(stack, members, c, result));
  const runs = search.runs;
  if (search.first === null) return landPrefix(stack, top, tip, runs.get(top) ?? [], c, result);
  // A gate that cannot run fails every prefix alike: the first member is held for it.
  const full = runs.get(top) ?? [];
  const first = couldNotRun(full) ? 0 : search.first;
  const culprit = stack[first] as Stacked;
  const failed = couldNotRun(full) ? full : (runs.get(first) ?? []);
  // The first member alone on the tip: is the tip itself broken? A later one: what precedes it passed.
  const verdict = first === 0 ? await judge(failed, tip, c) : workFailure(failed);
  result.outcomes.set(culprit.work.id, verdict);
  result.untested.push(...stack.slice(first + 1).map((s) => s.work));
  if (first > 0) await landPrefix(stack, first - 1, tip, runs.get(first - 1) ?? [], c, result);
}

/**
 * Verifies the prefixes ending at `members` at the same time: the first in the batch's own
 * scratch worktree, each other one in a worktree of its own beside it (opened one after another:
 * git locks its worktree list), removed afterwards.
 */
async function probe(stack: Stacked[], members: number[], c: AttemptContext, result: BatchResult) {
  const dirs = members.map((_, k) => (k === 0 ? c.scratch : `${c.scratch}.${k}`));
  const heads = members.map((m) => (stack[m] as Stacked).head);
  await resetScratch(c.scratch, heads[0] as string);
  for (let k = 1; k < members.length; k++)
    await openScratch(c.repo.path, dirs[k] as string, heads[k] as string);
  try {
    result.verifications += members.length;
    const all = await Promise.all(dirs.map((dir) => runRigGates({ ...c, scratch: dir })));
    return new Map(members.map((m, k) => [m, all[k] as GateResult[]]));
  } finally {
    for (const dir of dirs.slice(1)) await closeScratch(c.repo.path, dir);
  }
}

/** Moves the target from `tip` to the stack's `last` member (verified as it is): they all land, or none. */
async function landPrefix(
  stack: Stacked[],
  last: number,
  tip: string,
  gates: GateResult[],
  c: AttemptContext,
  result: BatchResult,
) {
  const top = stack[last] as Stacked;
  const moved = await land(top.work, top.head, tip, await treeOf(c.scratch, top.head), gates, c);
  for (const member of stack.slice(0, last + 1))
    result.outcomes.set(member.work.id, asMember(moved, member, top));
}

/**
 * What the stack's move means for one member: landed at its own commit; frozen without the
 * stack's tree (the member alone would build another tree: it is verified again after the thaw).
 */
function asMember(moved: Outcome, member: Stacked, top: Stacked): Outcome {
  if (moved.kind === 'landed' && member !== top)
    return { kind: 'landed', mergeCommit: member.head, gates: moved.gates };
  if (moved.kind === 'frozen') return { kind: 'frozen', gates: moved.gates, why: moved.why };
  return moved;
}
