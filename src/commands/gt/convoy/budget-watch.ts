import type { Bead } from '../../../domain/bead.ts';
import { budgetOf, type ConvoyBudget, type LabelChange, spendStep } from '../../../domain/budget.ts';
import { toUsd } from '../../../domain/usage.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';

/** A convoy with its budget and what its agents have spent (micros). */
export interface BudgetView {
  convoy: Bead;
  budget: ConvoyBudget;
  spent: number;
}

/** Tries of one compare-and-swap against other writers of the convoy before giving up for now. */
const TRIES = 5;

/**
 * What the convoy's agents spent, in micros: the priced usage records counted towards it
 * (reported or estimated dollars; unpriced usage has none to count).
 */
export async function convoySpend(ledger: Ledger, convoyId: string): Promise<number> {
  const sums = await ledger.usageTotals({ convoy: convoyId }, null);
  return sums.reduce((n, s) => n + s.cost_micros, 0);
}

/** The convoy's budget and spend as they are now; null: no such convoy, or it has no budget. */
export async function budgetView(ledger: Ledger, convoyId: string): Promise<BudgetView | null> {
  const convoy = await ledger.getBead(convoyId);
  const budget = convoy?.issue_type === 'convoy' ? budgetOf(convoy) : null;
  if (!convoy || !budget) return null;
  return { convoy, budget, spent: await convoySpend(ledger, convoy.id) };
}

/**
 * What the convoy may still spend, in dollars (what `gt hook` gives a runner to cap a Claude run
 * with); null: no budget. Never below 0: a bead respawned once the budget is used up gets 0, so
 * the CLI stops at once rather than spending on without a cap.
 */
export async function remainingBudget(ledger: Ledger, convoyId: string): Promise<number | null> {
  const view = await budgetView(ledger, convoyId);
  return view ? toUsd(Math.max(view.budget.total - view.spent, 0)) : null;
}

/** One compare-and-swap of the convoy's labels at the version read; null: it moved meanwhile. */
export const swapLabels = (ledger: Ledger, convoy: Bead, change: LabelChange, write: WriteContext) =>
  ledger.claimBead(
    convoy.id,
    {
      expect: { status: convoy.status, assignee: convoy.assignee, version: convoy.version },
      set: {
        status: convoy.status,
        assignee: convoy.assignee,
        add_labels: change.add,
        remove_labels: change.remove,
      },
    },
    write,
  );

/**
 * After usage was recorded towards an open convoy: its spend against its budget moves the state
 * forward (80 % → `warned`, 100 % → `exhausted`) by compare-and-swap on the convoy's version, so
 * of two racing reports one moves it and the other finds it moved — each threshold once. The
 * label's event is what chat follows (the warning line, the budget card). Returns the view
 * after; null when the convoy has no budget.
 */
export async function watchBudget(ledger: Ledger, convoyId: string, write: WriteContext) {
  for (let i = 0; i < TRIES; i++) {
    const view = await budgetView(ledger, convoyId);
    if (view?.convoy.status !== 'open') return view;
    const step = spendStep(view.budget, view.spent);
    if (!step) return view;
    const moved = await swapLabels(ledger, view.convoy, step, write);
    const budget = moved && budgetOf(moved);
    if (moved && budget) return { convoy: moved, budget, spent: view.spent };
  }
  // Contended each time: the next report (or the dispatch check, which reads the spend itself)
  // sees it again.
  return budgetView(ledger, convoyId);
}
