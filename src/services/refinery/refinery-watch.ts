import { gateRetries } from '../../domain/merge-policy.ts';
import type { MergeRequest } from '../../domain/merge-request.ts';
import type { Rig } from '../../domain/rig.ts';
import type { Ledger } from '../../ledger/port.ts';
import type { Execute } from './outcomes.ts';

/** Beyond every gate's timeout, how long a verification may still take (git work, bookkeeping). */
const SLACK_MS = 120_000;

/**
 * How long one verification of a rig may take at most: every gate to its timeout, each run as
 * often as its retries allow, twice (a failing gate is run again on the bare target, to tell
 * whose failure it is), and some slack.
 */
export const verificationBudgetMs = (rig: Rig): number => {
  const p = rig.merge_policy;
  const runs = 2 * (1 + gateRetries(p));
  return (p.gates?.length ?? 0) * runs * p.gate_timeout_s * 1000 + SLACK_MS;
};

/**
 * The witness's look at the merge queues (reference/refinery.md §8): a merge request verifying
 * for longer than its rig's budget means a gate outlived its timeout or the queue's holder died
 * and nobody took over. One `merge-failed` escalation per bead (reports fold), proposing a retry.
 * Returns the stale MRs.
 */
export async function watchRefineries(ledger: Ledger, execute: Execute, now: Date): Promise<MergeRequest[]> {
  const rigs = new Map((await ledger.listRigs()).map((r) => [r.name, r]));
  const stale = (await ledger.listMergeRequests({ status: ['verifying'] })).filter((mr) => {
    const rig = rigs.get(mr.rig);
    return rig !== undefined && now.getTime() - Date.parse(mr.updated_at) > verificationBudgetMs(rig);
  });
  for (const mr of stale) {
    const minutes = Math.round((now.getTime() - Date.parse(mr.updated_at)) / 60_000);
    await execute('gt escalate', {
      summary: `the merge queue of ${mr.rig} has been verifying ${mr.id} for ${minutes} min`,
      severity: 'high',
      kind: 'merge-failed',
      message: `${mr.id} (${mr.branch}) is still verifying: a gate outlived its timeout, or the service holding ${mr.rig}'s queue died and no replica took it over. Look at the service logs; gt mq status ${mr.id}.`,
      ...(mr.bead_id && { bead: mr.bead_id }),
    });
  }
  return stale;
}
