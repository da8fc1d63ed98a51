import { type GateResult, gateCouldNotRun } from '../../domain/merge-request.ts';
import { resetScratch } from '../../git/scratch.ts';
import type { AttemptContext, Work } from './attempt.ts';
import { type GateRun, gatePassed, runGates } from './gate-runner.ts';

/**
 * Whether a tree (the target's tip plus the work, in the scratch worktree) may land, and if not,
 * whose failure it is:
 *  - `passed`: every gate exited 0 — or this very tree passed them before (a landing git refused,
 *    retried with the target unchanged: the same tree is the same verification), or a person
 *    with `mq:override` decided it lands anyway;
 *  - `gate-broken`: a gate could not run at all (exit 127, 126): the rig's setup, not the work;
 *  - `target-broken`: the failing gate fails on the target's tip alone too, proved by running it
 *    there: the target is broken, not the work (Gas Town's agent judged "pre-existing" and merged
 *    anyway; here a person decides, with that run as the evidence);
 *  - `gates-failed`: the work broke it.
 */
export type Verdict =
  | { kind: 'passed'; gates: GateResult[] }
  | { kind: 'gates-failed'; gates: GateResult[] }
  | { kind: 'gate-broken'; gates: GateResult[] }
  | { kind: 'target-broken'; gates: GateResult[]; onTarget: GateResult; tip: string };

export type GateFailure = Exclude<Verdict, { kind: 'passed' }>;

export async function verify(work: Work, tree: string, tip: string, c: AttemptContext): Promise<Verdict> {
  if (work.verified_tree === tree) return { kind: 'passed', gates: work.gates };
  if (work.override) return { kind: 'passed', gates: [] };
  const results = await runRigGates(c);
  return gatesPassed(results) ? { kind: 'passed', gates: results } : judge(results, tip, c);
}

/** The rig's gates on whatever the scratch worktree holds now: every result up to the first failure. */
export async function runRigGates(c: AttemptContext): Promise<GateResult[]> {
  return (await runGates(gateRuns(c.policy.gates ?? []), gateOptions(c))).results;
}

export const gatesPassed = (results: readonly GateResult[]): boolean => results.every(gatePassed);

/**
 * Whose failure failing gates on a tree built on `tip` are: the rig's (could not run), the
 * target's (the gate fails on `tip` alone too), or the work's. Leaves the scratch worktree at `tip`.
 */
export async function judge(results: GateResult[], tip: string, c: AttemptContext): Promise<GateFailure> {
  if (couldNotRun(results)) return { kind: 'gate-broken', gates: results };
  const gates = gateRuns(c.policy.gates ?? []).slice(0, results.length);
  const onTarget = await failsOnTarget(gates, tip, c);
  return onTarget
    ? { kind: 'target-broken', gates: results, onTarget, tip }
    : { kind: 'gates-failed', gates: results };
}

/**
 * Runs the gates up to the one that failed on the bare target, from a clean checkout of it: the
 * last one's result when it fails there the same way (the earlier ones passing), else null.
 */
async function failsOnTarget(gates: GateRun[], tip: string, c: AttemptContext): Promise<GateResult | null> {
  await resetScratch(c.scratch, tip);
  const run = await runGates(gates, gateOptions(c));
  const last = run.results.at(-1);
  const sameGate = run.results.length === gates.length;
  return last && sameGate && !gatePassed(last) && !gateCouldNotRun(last) ? last : null;
}

/** The last gate never ran the check (exit 127, 126, no start): the rig's setup, not the tree. */
export const couldNotRun = (results: readonly GateResult[]): boolean => {
  const failed = results.at(-1);
  return failed !== undefined && gateCouldNotRun(failed);
};

/** Failing gates on a tree whose prefix passed: the last piece of work broke it (or the gate cannot run). */
export const workFailure = (results: GateResult[]): GateFailure =>
  couldNotRun(results) ? { kind: 'gate-broken', gates: results } : { kind: 'gates-failed', gates: results };

const gateOptions = (c: AttemptContext) => ({
  cwd: c.scratch,
  timeoutMs: c.policy.gate_timeout_s * 1000,
  retries: c.policy.gate_retries,
  onGate: c.onGate && ((gate: GateRun, index: number, of: number) => c.onGate?.(gate.command, index, of)),
  env: c.gateEnv,
  ...(c.onGateStart && { onStart: c.onGateStart }),
});

const gateRuns = (gates: readonly string[]): GateRun[] =>
  gates.map((command, i) => ({ name: `gate ${i + 1}`, command }));
