import type { MrStatus } from './merge-request.ts';

/**
 * The decisions a person takes on a merge request, and the states each applies to: one table
 * for the `gt mq` verbs and the buttons a chat card offers, so a card never offers what the
 * verb would refuse.
 *  retry        held | needs-rework → queued (verified again as submitted)
 *  hold         queued | needs-rework → held (the queue passes it by)
 *  release      held → queued
 *  reject       any open state → rejected (the bead goes back to be worked again)
 *  rework       held → needs-rework (a polecat gets it with the evidence)
 *  land-anyway  held → queued, to land without its gates (mq:override)
 */
export const MR_DECISIONS = {
  retry: ['held', 'needs-rework'],
  hold: ['queued', 'needs-rework'],
  release: ['held'],
  reject: ['queued', 'needs-rework', 'held', 'verifying'],
  rework: ['held'],
  'land-anyway': ['held'],
} as const satisfies Record<string, readonly MrStatus[]>;

export type MrDecision = keyof typeof MR_DECISIONS;

export const mayDecide = (decision: MrDecision, status: MrStatus): boolean =>
  (MR_DECISIONS[decision] as readonly MrStatus[]).includes(status);
