import { type MergeRequest, queueOrder } from './merge-request.ts';

/** Without `--batch`: up to four MRs verified together (1 = one at a time). */
export const DEFAULT_BATCH = 4;
export const MAX_BATCH = 16;

/**
 * The MRs the queue verifies next, stacked in this order (services/refinery/batch.ts): the first
 * ready one in queue order, then the ones after it, up to `max`. Ready means queued and its bead
 * waiting on nothing — work whose bead is still blocked by an open bead (a dependency added
 * after submission) must not land before what it depends on; it becomes ready when the blocker
 * closes. Alone in its batch: a P0 (it jumps the queue and nothing may slow it down), an MR a
 * person decided to land anyway or one whose tree passed before (neither runs the gates). Only
 * MRs for the same target branch stack together.
 */
export function nextBatch(
  queued: readonly MergeRequest[],
  blockedBeads: ReadonlySet<string>,
  max: number,
): MergeRequest[] {
  const ready = queued
    .filter((mr) => mr.status === 'queued' && !(mr.bead_id && blockedBeads.has(mr.bead_id)))
    .sort(queueOrder);
  const [first] = ready;
  if (!first) return [];
  if (alone(first)) return [first];
  const batch = [first];
  for (const mr of ready.slice(1)) {
    if (batch.length >= max) break;
    if (!alone(mr) && mr.target === first.target) batch.push(mr);
  }
  return batch;
}

const alone = (mr: MergeRequest): boolean =>
  mr.priority === 0 || mr.override !== null || mr.verified_tree !== null;
