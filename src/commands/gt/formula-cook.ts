import type { Bead } from '../../domain/bead.ts';
import type { CookPlan } from '../../domain/formula/cook-plan.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { allOrNothing } from '../all-or-nothing.ts';

export interface Cooked {
  root: Bead;
  /** Each step's bead id by its key (`design`, `implement.approval`, …). */
  beads: Record<string, string>;
}

/**
 * Writes a cook plan into the ledger: the root epic in the rig, its beads under it (children
 * under their container), then the blocking edges — all or nothing (all-or-nothing.ts: a
 * failure part-way closes everything already written before it is reported).
 */
export function cook(ledger: Ledger, plan: CookPlan, rig: string, write: WriteContext): Promise<Cooked> {
  return allOrNothing(ledger, write, 'formula run', async (w) => {
    const root = await w.createBead({
      title: plan.root.title,
      description: plan.root.description,
      issue_type: 'epic',
      labels: plan.root.labels,
      rig,
    });
    const beads: Record<string, string> = {};
    for (const b of plan.beads) {
      const bead = await w.createBead({
        title: b.title,
        description: b.description,
        acceptance_criteria: b.acceptance,
        issue_type: b.type,
        priority: b.priority,
        labels: b.labels,
        parent: b.parent ? (beads[b.parent] as string) : root.id,
        rig,
      });
      beads[b.key] = bead.id;
    }
    for (const [dependent, dependency] of plan.edges)
      await w.addDependency(beads[dependent] as string, beads[dependency] as string, 'blocks');
    return { root, beads };
  });
}
