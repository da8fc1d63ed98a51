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

export async function verify(work: Work, tree: string, tip: string, c: AttemptContext): Promise<Verdict> {
  if (work.verified_tree === tree) return { kind: 'passed', gates: work.gates };
  if (work.override) return { kind: 'passed', gates: [] };
  const gates = gateRuns(c.policy.gates ?? []);
  const run = await runGates(gates, gateOptions(c));
  if (run.passed) return { kind: 'passed', gates: run.results };
  const failed = run.results.at(-1) as GateResult;
  if (gateCouldNotRun(failed)) return { kind: 'gate-broken', gates: run.results };
  const onTarget = await failsOnTarget(gates.slice(0, run.results.length), tip, c);
  return onTarget
    ? { kind: 'target-broken', gates: run.results, onTarget, tip }
    : { kind: 'gates-failed', gates: run.results };
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

const gateOptions = (c: AttemptContext) => ({
  cwd: c.scratch,
  timeoutMs: c.policy.gate_timeout_s * 1000,
  retries: c.policy.gate_retries,
  env: c.gateEnv,
  ...(c.onGateStart && { onStart: c.onGateStart }),
});

const gateRuns = (gates: readonly string[]): GateRun[] =>
  gates.map((command, i) => ({ name: `gate ${i + 1}`, command }));
