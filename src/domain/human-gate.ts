import type { Bead } from './bead.ts';

/**
 * A human gate is a `decision` bead a formula run cooked (domain/formula/cook-plan.ts): a person
 * approves it, which closes it, and what waited on it is fed to polecats. The labels say so:
 * `gate:human` (the approval after a gated step) or `formula-type:human` (a step that is itself
 * a person's decision). A `decision` bead a person made by hand is not a gate.
 */
export const isHumanGate = (b: Pick<Bead, 'issue_type' | 'labels'>): boolean =>
  b.issue_type === 'decision' && (b.labels.includes('gate:human') || b.labels.includes('formula-type:human'));

export const approvedReason = (by: string, note: string | undefined): string =>
  `Approved by ${by}${note ? `: ${note}` : ''}`;
