import type { Bead } from '../../../domain/bead.ts';
import { integrationBranchOf } from '../../../domain/integration-branch.ts';
import type { Ledger } from '../../../ledger/port.ts';

/**
 * Where a bead's work lands when not on its rig's target: the integration branch of the epic it
 * belongs to (its parent), if that epic has one. Its polecat starts from that branch too, so it
 * finds its siblings' landed work there.
 */
export async function integrationTargetOf(
  ledger: Ledger,
  bead: Pick<Bead, 'parent'>,
): Promise<string | null> {
  if (!bead.parent) return null;
  const epic = await ledger.getBead(bead.parent);
  return epic ? integrationBranchOf(epic) : null;
}
