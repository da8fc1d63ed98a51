import type { Bead } from '../../domain/bead.ts';
import { refused } from '../../domain/errors.ts';
import { escalationView } from '../../domain/escalation.ts';
import type { MergeRequest, MrStatus } from '../../domain/merge-request.ts';
import type { MergeStep } from '../../domain/resolution.ts';
import type { WriteContext } from '../../ledger/port.ts';
import type { CommandContext } from '../command.ts';
import { heldMergeOf, landAnyway, moveMergeRequest } from './mq/back-to-work.ts';

/**
 * The decisions a `merge-failed` escalation proposes, on its bead's held merge request: each one
 * compare-and-swap on the MR, applied inside the escalation's own decision (one click, one
 * change, the card rewritten). Checked before deciding, so a refusal changes nothing.
 */
export async function heldMergeFor(ctx: CommandContext, e: Bead): Promise<MergeRequest> {
  const { bead_id } = escalationView(e);
  const held = bead_id ? await heldMergeOf(ctx.services.ledger, bead_id) : null;
  if (!held)
    throw refused(
      'condition_cleared',
      `${e.id} has no held merge request to act on (any more); resolve it with --action acknowledge`,
    );
  return held;
}

type PersonStep = Exclude<MergeStep, 'land-anyway'>;
const NEXT: Record<PersonStep, MrStatus> = { retry: 'queued', rework: 'needs-rework', reject: 'rejected' };

export async function applyMergeStep(
  ctx: CommandContext,
  step: MergeStep,
  mr: MergeRequest,
  write: WriteContext,
): Promise<void> {
  if (step === 'land-anyway') {
    await landAnyway(ctx.services.ledger, mr, `decided on escalation for ${mr.bead_id ?? mr.branch}`, write);
    return;
  }
  const done = { retry: 'retried', rework: 'sent back for rework', reject: 'rejected' }[step];
  const why = step === 'retry' ? '' : `: ${mr.reason}`;
  await moveMergeRequest(ctx.services.ledger, mr, NEXT[step], `${done} by ${ctx.actor.id}${why}`, write);
}
