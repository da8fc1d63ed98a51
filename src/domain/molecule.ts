import type { Bead } from './bead.ts';

/**
 * A formula run's beads form a molecule: a root epic (labelled `formula:<name>`, no parent; see
 * formula/cook-plan.ts), its steps and gates, and the `children` containers (epics) that hold
 * some of them. When the last of them closes, the run is done, and its root closes by itself
 * (reference formulas.md §3.1, bd's `autoCloseCompletedMolecule`) — so a finished run no longer
 * reads as open work. A plain epic never closes by itself: a person made it, a person says when
 * it is done (as upstream).
 *
 * Ours beyond upstream: a container closes too, once everything under it is closed. bd leaves
 * it open, which would keep the root open for ever, and — because a container may `need` another
 * — would hold the later one's children back until someone closed it by hand.
 */
export const MOLECULE_COMPLETE_REASON = 'All steps complete';

export type MoleculeNode = Pick<Bead, 'id' | 'issue_type' | 'labels' | 'parent' | 'status'>;

/** The root of a formula run: an epic carrying its formula's label, with no parent. */
export const isFormulaRoot = (b: Pick<Bead, 'issue_type' | 'labels' | 'parent'>): boolean =>
  b.issue_type === 'epic' && b.parent === null && b.labels.some((l) => l.startsWith('formula:'));

export interface Ancestor extends MoleculeNode {
  /** Some of its children not closed (any two suffice: at most one is the ancestor below it). */
  openChildren: readonly string[];
}

/**
 * After a bead closed: the ancestors to close, nearest first (the order they must close in —
 * an epic refuses to close over open children). `chain` is the closed bead's ancestors, its
 * parent first and the top-most last. Nothing unless the top is a formula root. Walking up, an
 * ancestor already closed is passed over (a redelivered event, or one closed by hand); the walk
 * stops at the first that is not an epic (a bead someone hung under a step is work, not a
 * container) or that still has something open under it besides the ancestor just decided on.
 */
export function ancestorsToClose(chain: readonly Ancestor[]): string[] {
  const top = chain.at(-1);
  if (!top || !isFormulaRoot(top)) return [];
  const close: string[] = [];
  let below: string | null = null;
  for (const a of chain) {
    if (a.status === 'closed') {
      below = null;
      continue;
    }
    if (a.issue_type !== 'epic') break;
    if (a.openChildren.some((id) => id !== below)) break;
    close.push(a.id);
    below = a.id;
  }
  return close;
}
