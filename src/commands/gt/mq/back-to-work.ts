import { MERGING_LABEL, type MergeRequest } from '../../../domain/merge-request.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { sling } from '../sling.ts';

/**
 * A bead whose merge request will not land as it is goes back to work: open, unassigned, the
 * reason noted. `resling` hands it to a polecat at once (rework: the hook's prompt carries the
 * evidence); otherwise it waits in the queue to be planned again (a rejection).
 */
export async function backToWork(
  ledger: Ledger,
  beadId: string,
  why: string,
  write: WriteContext,
  resling: boolean,
): Promise<void> {
  const bead = await ledger.getBead(beadId);
  if (!bead || bead.status === 'closed') return;
  await ledger.updateBead(beadId, { status: 'open', assignee: null, remove_labels: [MERGING_LABEL] }, write);
  await ledger.addComment(beadId, why, write);
  // A failed sling (the rig full or parked) is picked up by the stranded scan.
  if (resling) await sling(ledger, beadId, undefined, false, write).catch(() => undefined);
}

/** The merge request a person decides on for a bead: its held one. */
export async function heldMergeOf(ledger: Ledger, beadId: string): Promise<MergeRequest | null> {
  const [held] = await ledger.listMergeRequests({ bead: beadId, status: ['held'] });
  return held ?? null;
}
