import { conflict } from '../../../domain/errors.ts';
import {
  MERGING_LABEL,
  type MergeOverride,
  type MergeRequest,
  type MrStatus,
} from '../../../domain/merge-request.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { sling } from '../sling.ts';

/**
 * A person's move of a merge request (`gt mq …`, a merge-failed escalation's buttons): one
 * compare-and-swap on its version — of two people deciding at once, one wins, the other is told.
 * A rejected MR's bead goes back to the queue to be planned again; one sent back for rework goes
 * to a polecat at once, its hook's prompt carrying why.
 */
export async function moveMergeRequest(
  ledger: Ledger,
  mr: MergeRequest,
  to: MrStatus,
  reason: string,
  write: WriteContext,
  override?: MergeOverride,
): Promise<MergeRequest> {
  const moved = await ledger.updateMergeRequest(
    mr.id,
    {
      expect: { status: mr.status, version: mr.version },
      // A land-anyway decision counts for the landing it was given for: any other move drops it.
      set: { status: to, reason, override: override ?? null },
    },
    write,
  );
  if (!moved)
    throw conflict('stale_version', `${mr.id} changed meanwhile; look again with gt mq status ${mr.id}`);
  if ((to === 'rejected' || to === 'needs-rework') && mr.bead_id)
    await backToWork(ledger, mr.bead_id, `Merge ${mr.id} ${reason}`, write, to === 'needs-rework');
  return moved;
}

/**
 * A bead whose merge request will not land as it is goes back to work: open, unassigned, the
 * reason noted. `resling` hands it to a polecat at once; otherwise it waits in the queue.
 */
async function backToWork(
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

/**
 * A person with `mq:override` lands a held MR though its gates did not pass: queued again with
 * the decision on it; the refinery still applies it cleanly on the target's tip (a conflict
 * cannot land) and moves the target by compare-and-swap, without running the gates.
 */
export function landAnyway(
  ledger: Ledger,
  mr: MergeRequest,
  reason: string,
  write: WriteContext,
): Promise<MergeRequest> {
  const override = { by: write.actor, reason, at: write.now.toISOString() };
  return moveMergeRequest(
    ledger,
    mr,
    'queued',
    `to land anyway, by ${write.actor}: ${reason}`,
    write,
    override,
  );
}

/** The merge request a person decides on for a bead: its held one. */
export async function heldMergeOf(ledger: Ledger, beadId: string): Promise<MergeRequest | null> {
  const [held] = await ledger.listMergeRequests({ bead: beadId, status: ['held'] });
  return held ?? null;
}
