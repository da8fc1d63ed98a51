import { type MergeRequest, queueOrder } from './merge-request.ts';

/** Without `--batch`: up to four MRs verified together (1 = one at a time). */
export const DEFAULT_BATCH = 4;
export const MAX_BATCH = 16;
/** GT_MQ_MAX_WAIT's default: half an hour behind higher-priority work at most. */
export const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

/** What the queue's order depends on beyond the MRs themselves. */
export interface Lanes {
  now: Date;
  /** GT_MQ_MAX_WAIT: past this, an MR goes ahead of higher-priority ones (ageing). */
  maxWaitMs: number;
  /** The convoy each MR's bead rides in, by MR id (absent: none). */
  convoyOf: ReadonlyMap<string, string>;
}

/**
 * The order the queue takes its MRs in (and `gt mq list` shows):
 *  1. P0s, oldest first: they jump the queue;
 *  2. MRs that have waited GT_MQ_MAX_WAIT or longer, oldest first: a P4 behind a stream of P1s
 *     still lands within the maximum wait;
 *  3. the rest by priority; within one priority the convoys take turns (each convoy's oldest
 *     first, the convoy with the oldest waiting MR first), so one large convoy cannot starve the
 *     rest. An MR outside any convoy is a lane of its own.
 */
export function laneOrder(queued: readonly MergeRequest[], lanes: Lanes): MergeRequest[] {
  const waited = (mr: MergeRequest) => lanes.now.getTime() - Date.parse(mr.created_at);
  const urgent = queued.filter((mr) => mr.priority === 0).sort(queueOrder);
  const aged = queued.filter((mr) => mr.priority > 0 && waited(mr) >= lanes.maxWaitMs).sort(byAge);
  const rest = queued.filter((mr) => mr.priority > 0 && waited(mr) < lanes.maxWaitMs);
  const priorities = [...new Set(rest.map((mr) => mr.priority))].sort((a, b) => a - b);
  const turns = priorities.flatMap((p) =>
    takeTurns(
      rest.filter((mr) => mr.priority === p),
      lanes.convoyOf,
    ),
  );
  return [...urgent, ...aged, ...turns];
}

const byAge = (a: MergeRequest, b: MergeRequest): number =>
  a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);

/** Round robin over the convoys' lanes, each lane oldest first. */
function takeTurns(mrs: MergeRequest[], convoyOf: ReadonlyMap<string, string>): MergeRequest[] {
  const lanes = new Map<string, MergeRequest[]>();
  for (const mr of [...mrs].sort(byAge)) {
    const lane = convoyOf.get(mr.id) ?? `mr:${mr.id}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), mr]);
  }
  const order: MergeRequest[] = [];
  const queues = [...lanes.values()]; // insertion order: the lane with the oldest MR first
  for (let round = 0; order.length < mrs.length; round++)
    for (const q of queues) if (q[round]) order.push(q[round] as MergeRequest);
  return order;
}

/**
 * The MRs the queue verifies next, stacked in this order (services/refinery/batch.ts): the first
 * ready one in lane order, then the ones after it, up to `max`. Ready means queued and its bead
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
  lanes: Lanes,
): MergeRequest[] {
  const ready = laneOrder(
    queued.filter((mr) => mr.status === 'queued' && !(mr.bead_id && blockedBeads.has(mr.bead_id))),
    lanes,
  );
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
