import { isSlingableType, type TrackedState } from './convoy.ts';
import { isReady } from './readiness.ts';
import type { Rig } from './rig.ts';

/** Why an open convoy is not moving (`gt convoy stranded`, the stranded scan). */
export type StrandedReason = 'ready_work_waiting' | 'empty' | 'stuck';

/**
 * A bead a feeder could dispatch now: ready (open, unassigned, unblocked), slingable, in an
 * unparked rig. One definition for the stranded scan and for feeding (upstream has two that
 * disagree, convoy.md §5.2 item 7).
 */
export const isDispatchable = (b: TrackedState, rigs: ReadonlyMap<string, Rig>): boolean =>
  isReady(b) && isSlingableType(b.issue_type) && b.rig !== null && rigs.get(b.rig)?.parked === false;

/**
 * Open convoys that are not moving: ready work nobody dispatched, no work at all (an empty
 * convoy stays open — it may be a rolling convoy — but someone should know), or stuck (nothing
 * ready, nothing in flight, not finished). Convoys with work in flight are progressing.
 */
export function strandedReason(
  tracked: readonly TrackedState[],
  ready: readonly TrackedState[],
): StrandedReason | null {
  if (tracked.length === 0) return 'empty';
  if (ready.length > 0) return 'ready_work_waiting';
  const open = tracked.filter((b) => b.status !== 'closed');
  const inFlight = open.some((b) => b.assignee || b.status === 'hooked' || b.status === 'in_progress');
  return open.length > 0 && !inFlight ? 'stuck' : null;
}
