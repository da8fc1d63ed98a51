import { blocksDispatch, budgetOf, dispatchRefusal } from '../../../domain/budget.ts';
import { refused } from '../../../domain/errors.ts';
import type { Ledger } from '../../../ledger/port.ts';
import { convoySpend } from './budget-watch.ts';
import { convoysTracking } from './tracked.ts';

/**
 * The budget's say on a dispatch (`gt sling`, and so the feeder, the stranded scan, `gt convoy
 * launch` and a released bead): refused while an open convoy tracking the bead has used its
 * budget or was stopped — by its labels, or by its spend itself, so a report whose threshold
 * was never marked still stops dispatch. Reads only: a refusal changes nothing. Beads already
 * running are not this check's business: they finish (or `gt convoy budget --stop --hard`).
 */
export async function refuseOverBudget(ledger: Ledger, beadId: string): Promise<void> {
  for (const convoy of await convoysTracking(ledger, beadId)) {
    const budget = budgetOf(convoy);
    if (!budget) continue;
    const spent = await convoySpend(ledger, convoy.id);
    if (blocksDispatch(budget, spent))
      throw refused('over_budget', dispatchRefusal(beadId, convoy.id, budget, spent), {
        convoy: convoy.id,
      });
  }
}

/**
 * Whether a convoy holds its beads back for its budget: the stranded scan leaves its ready beads
 * alone rather than slinging them to be refused (and audited) on every pass.
 */
export async function heldByBudget(ledger: Ledger, convoyId: string): Promise<boolean> {
  const convoy = await ledger.getBead(convoyId);
  const budget = convoy && budgetOf(convoy);
  return budget ? blocksDispatch(budget, await convoySpend(ledger, convoyId)) : false;
}
