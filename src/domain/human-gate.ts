import type { Bead } from './bead.ts';
import { isTimerGate } from './timer-gate.ts';

/**
 * A human gate is a `decision` bead a formula run cooked (domain/formula/cook-plan.ts): a person
 * approves it, which closes it, and what waited on it is fed to polecats. The labels say so:
 * `gate:human` (the approval after a gated step) or `formula-type:human` (a step that is itself
 * a person's decision). A `decision` bead a person made by hand is not a gate, and a timer gate
 * (timer-gate.ts) never is, whatever labels it gained: the clock opens it, nobody approves it.
 */
export const isHumanGate = (b: Pick<Bead, 'issue_type' | 'labels'>): boolean =>
  b.issue_type === 'decision' &&
  !isTimerGate(b) &&
  (b.labels.includes('gate:human') || b.labels.includes('formula-type:human'));

/** A gate a formula run cooked, a person's or the clock's: what its convoy tracks besides work. */
export const isFormulaGate = (b: Pick<Bead, 'issue_type' | 'labels'>): boolean =>
  isHumanGate(b) || isTimerGate(b);

export const approvedReason = (by: string, note: string | undefined): string =>
  `Approved by ${by}${note ? `: ${note}` : ''}`;
