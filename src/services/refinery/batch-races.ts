import { type AttemptContext, attempt, type Outcome, type Work } from './attempt.ts';
import { attemptBatch, type BatchResult } from './batch.ts';

/**
 * Verifies a batch (one MR: the single attempt, which also honours a verified tree or an
 * override) and, while the target moves under a verified tree (another lander, a person), does
 * it again on the new tip for the members that lost the race — up to `races` rounds in all;
 * those still losing then end `target-moved`. Never merged blind.
 */
export async function verifyWithRaces(
  works: readonly Work[],
  c: AttemptContext,
  races: number,
): Promise<BatchResult> {
  const result: BatchResult = { outcomes: new Map(), untested: [], verifications: 0 };
  let pending = [...works];
  for (let round = 1; pending.length > 0; round++) {
    const r = pending.length === 1 ? await single(pending[0] as Work, c) : await attemptBatch(pending, c);
    result.verifications += r.verifications;
    result.untested.push(...r.untested);
    for (const [id, outcome] of r.outcomes) result.outcomes.set(id, outcome);
    if (round >= races) break;
    pending = pending.filter((w) => r.outcomes.get(w.id)?.kind === 'target-moved');
  }
  return result;
}

async function single(work: Work, c: AttemptContext): Promise<BatchResult> {
  const outcome: Outcome = await attempt(work, c);
  const ranGates = 'gates' in outcome && outcome.gates.length > 0 && outcome.gates !== work.gates;
  return { outcomes: new Map([[work.id, outcome]]), untested: [], verifications: ranGates ? 1 : 0 };
}
