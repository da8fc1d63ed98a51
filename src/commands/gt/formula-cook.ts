import type { Bead } from '../../domain/bead.ts';
import type { CookPlan } from '../../domain/formula/cook-plan.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';

export interface Cooked {
  root: Bead;
  /** Each step's bead id by its key (`design`, `implement.approval`, …). */
  beads: Record<string, string>;
}

/**
 * Writes a cook plan into the ledger: the root epic in the rig, its beads under it (children
 * under their container), then the blocking edges. The ledger has no transaction across calls,
 * so a failure part-way closes everything already written (reason saying so) before it is
 * reported: from the user's side nothing half-made stays open.
 */
export async function cook(
  ledger: Ledger,
  plan: CookPlan,
  rig: string,
  write: WriteContext,
): Promise<Cooked> {
  const created: string[] = [];
  try {
    const root = await ledger.createBead(
      {
        title: plan.root.title,
        description: plan.root.description,
        issue_type: 'epic',
        labels: plan.root.labels,
        rig,
      },
      write,
    );
    created.push(root.id);
    const beads: Record<string, string> = {};
    for (const b of plan.beads) {
      const bead = await ledger.createBead(
        {
          title: b.title,
          description: b.description,
          acceptance_criteria: b.acceptance,
          issue_type: b.type,
          priority: b.priority,
          labels: b.labels,
          parent: b.parent ? (beads[b.parent] as string) : root.id,
          rig,
        },
        write,
      );
      created.push(bead.id);
      beads[b.key] = bead.id;
    }
    for (const [dependent, dependency] of plan.edges)
      await ledger.addDependency(beads[dependent] as string, beads[dependency] as string, 'blocks', write);
    return { root, beads };
  } catch (err) {
    await undo(ledger, created, (err as Error).message, write);
    throw err;
  }
}

async function undo(ledger: Ledger, ids: string[], why: string, write: WriteContext): Promise<void> {
  // Children first: a container closes after what it holds.
  for (const id of [...ids].reverse())
    await ledger
      .closeBead(id, { reason: `formula run failed, nothing kept: ${why}`.slice(0, 500), force: true }, write)
      .catch(() => undefined);
}
