import type { Collection } from 'mongodb';
import { checkMove, isOpenMr, OPEN_MR_STATUSES } from '../../domain/merge-request.ts';
import { moveData, movedMergeRequest, supersededReason } from '../merge-records.ts';
import type { Cas } from './cas.ts';
import {
  type MergeRequestDoc,
  mergeRequestFromDoc,
  movableFields,
  type PendingEvent,
  type SupersedeRipple,
} from './documents.ts';
import { pendingEvent } from './pending-event.ts';

/**
 * The derived work of a submission (the `mr_submitted` event's ripple, run by the outbox before
 * the event is logged): every OLDER open MR of the lane becomes `superseded by <new>`. Older means
 * a lower `lane_seq`, which a unique index hands out in submission order; so of two concurrent
 * submissions the later one supersedes the earlier and never the reverse, and once both have
 * published, the lane has one open MR. Each move is a compare-and-swap (an MR that moved meanwhile
 * is re-read, and left alone once it is no longer open); a crash before it ran leaves the event in
 * the outbox, and whoever publishes it later runs this again. Returns the MRs it moved with their
 * own `mr_updated` events (queued in their outboxes, for the caller to publish).
 */
export async function supersedeOlder(
  mrs: Collection<MergeRequestDoc>,
  cas: Cas,
  submitted: PendingEvent,
  change: SupersedeRipple,
): Promise<Array<{ id: string; event: PendingEvent }>> {
  const older = await mrs
    .find(
      { lane: change.lane, lane_seq: { $lt: change.seq }, status: { $in: [...OPEN_MR_STATUSES] } },
      { projection: { _id: 1 } },
    )
    .toArray();
  const ctx = { actor: submitted.actor, now: new Date(submitted.at) };
  const reason = supersededReason(change.mr_id);
  const moved: Array<{ id: string; event: PendingEvent }> = [];
  for (const { _id: id } of older) {
    const event = await cas.write<MergeRequestDoc, PendingEvent | null>(
      mrs,
      id,
      (doc) => {
        if (!isOpenMr(doc.status)) return { skip: null };
        checkMove(id, doc.status, 'superseded');
        const next = movedMergeRequest(
          mergeRequestFromDoc(doc),
          { status: 'superseded', reason },
          submitted.at,
        );
        const subject = { bead_id: doc.bead_id, rig: doc.rig };
        const moveEvent = pendingEvent(
          'mr_updated',
          ctx,
          subject,
          moveData(id, doc.status, next.status, reason),
        );
        return { update: { $set: movableFields(next), $push: { outbox: moveEvent } }, result: moveEvent };
      },
      () => new Error(`${id} vanished while being superseded`),
    );
    if (event) moved.push({ id, event });
  }
  return moved;
}
