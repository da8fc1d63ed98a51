import type { Collection, Filter } from 'mongodb';
import { conflict, notFound } from '../../domain/errors.ts';
import {
  checkMove,
  type MergeRequest,
  type NewMergeRequest,
  OPEN_MR_STATUSES,
} from '../../domain/merge-request.ts';
import {
  isResubmission,
  laneOf,
  moveData,
  movedMergeRequest,
  mrExists,
  newMergeRequest,
  supersededReason,
} from '../merge-records.ts';
import type { MergeRequestChange, MergeRequestFilter, MergeSubmission, WriteContext } from '../port.ts';
import type { Cas } from './cas.ts';
import {
  type BeadDoc,
  type MergeRequestDoc,
  mergeRequestFromDoc,
  movableFields,
  type PendingEvent,
  type RigDoc,
} from './documents.ts';
import type { Outbox } from './outbox.ts';
import { pendingEvent } from './pending-event.ts';

const MAX_SUBMIT_ATTEMPTS = 50;
const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;
const WITHOUT_OUTBOX = { projection: { outbox: 0 } } as const;

/**
 * Merge requests on MongoDB, without transactions. A submission is one insert: the MR with the
 * next `lane_seq` of its lane (unique index: the insert is atomic on FerretDB too) and, in its
 * outbox, the `mr_submitted` event whose derived work supersedes the lane's older open MRs
 * (supersede.ts) — so a crash between the insert and the supersession is finished by whoever
 * publishes the event later. A move is a compare-and-swap through cas.ts on the MR document,
 * its `mr_updated` event in the same update.
 */
export class MergeRequestWrites {
  private readonly mrs: Collection<MergeRequestDoc>;
  private readonly rigs: Collection<RigDoc>;
  private readonly beads: Collection<BeadDoc>;
  private readonly cas: Cas;
  private readonly outbox: Outbox;

  constructor(
    mrs: Collection<MergeRequestDoc>,
    refs: { rigs: Collection<RigDoc>; beads: Collection<BeadDoc> },
    cas: Cas,
    outbox: Outbox,
  ) {
    this.mrs = mrs;
    this.rigs = refs.rigs;
    this.beads = refs.beads;
    this.cas = cas;
    this.outbox = outbox;
  }

  async submit(input: NewMergeRequest, ctx: WriteContext): Promise<MergeSubmission> {
    const lane = laneOf(input);
    for (let attempt = 0; attempt < MAX_SUBMIT_ATTEMPTS; attempt++) {
      // Looked at again after a lost race: the winner may have queued this very work.
      const same = (await this.openIn(lane)).find((mr) => isResubmission(mr, input));
      if (same) return { mr: same, reused: true, superseded: [] };
      if (await this.mrs.findOne({ _id: input.id }, { projection: { _id: 1 } })) throw mrExists(input.id);
      if (attempt === 0) await this.checkReferences(input);
      const submitted = await this.insert(input, lane, ctx);
      if (submitted) {
        await this.outbox.flush('merge_requests', input.id, [submitted]);
        const superseded = await this.mrs
          .find(
            { lane, status: 'superseded', reason: supersededReason(input.id) },
            { projection: { _id: 1 } },
          )
          .sort({ lane_seq: 1 })
          .toArray();
        return {
          mr: (await this.get(input.id)) as MergeRequest,
          reused: false,
          superseded: superseded.map((d) => d._id),
        };
      }
    }
    throw conflict('busy', `merge requests for ${lane} are arriving too fast to queue safely; retry`);
  }

  /** A compare-and-swap on status and version; a move the life cycle lacks is refused first. */
  async update(id: string, change: MergeRequestChange, ctx: WriteContext): Promise<MergeRequest | null> {
    checkMove(id, change.expect.status, change.set.status);
    let event: PendingEvent | null = null;
    const moved = await this.cas.write(
      this.mrs,
      id,
      (doc) => {
        if (doc.status !== change.expect.status || doc.version !== change.expect.version)
          return { skip: null };
        const next = movedMergeRequest(mergeRequestFromDoc(doc), change.set, ctx.now.toISOString());
        const data = moveData(id, doc.status, next.status, change.set.reason);
        event = pendingEvent('mr_updated', ctx, { bead_id: doc.bead_id, rig: doc.rig }, data);
        return { update: { $set: movableFields(next), $push: { outbox: event } }, result: next };
      },
      () => notFound('merge request', id),
    );
    if (moved && event) await this.outbox.flush('merge_requests', id, [event]);
    return moved;
  }

  async get(id: string): Promise<MergeRequest | null> {
    const doc = await this.mrs.findOne({ _id: id }, WITHOUT_OUTBOX);
    return doc ? mergeRequestFromDoc(doc) : null;
  }

  /**
   * Oldest first (ties by id, so every read gives one order); `newest`: see MergeRequestFilter.
   * A rig's last landings are one sorted, limited query on the `rig_merged` index (both modes:
   * a read is the same in each), so the server stops after `newest` documents.
   */
  async list(filter: MergeRequestFilter): Promise<MergeRequest[]> {
    const query: Filter<MergeRequestDoc> = {};
    if (filter.rig !== undefined) query.rig = filter.rig;
    if (filter.status !== undefined) query.status = { $in: [...filter.status] };
    if (filter.bead !== undefined) query.bead_id = filter.bead;
    if (filter.newest === undefined) {
      const docs = await this.mrs.find(query, WITHOUT_OUTBOX).sort({ created_at: 1, _id: 1 }).toArray();
      return docs.map(mergeRequestFromDoc);
    }
    // limit(0) is "no limit" to MongoDB: none asked for is none read.
    const limit = Math.max(0, Math.floor(filter.newest)) || 0; // NaN: none
    if (limit === 0) return [];
    const merged = filter.status?.length && filter.status.every((s) => s === 'merged');
    const order = merged ? ({ merged_at: -1, _id: -1 } as const) : ({ created_at: -1, _id: -1 } as const);
    const cursor = this.mrs.find(query, WITHOUT_OUTBOX).sort(order).limit(limit);
    return (await cursor.toArray()).map(mergeRequestFromDoc);
  }

  private async openIn(lane: string): Promise<MergeRequest[]> {
    const query = { lane, status: { $in: [...OPEN_MR_STATUSES] } };
    return (await this.mrs.find(query, WITHOUT_OUTBOX).sort({ lane_seq: 1 }).toArray()).map(
      mergeRequestFromDoc,
    );
  }

  /** Refuses an MR for a rig or bead the ledger does not know (neither is ever deleted). */
  private async checkReferences(input: NewMergeRequest): Promise<void> {
    if (!(await this.rigs.findOne({ _id: input.rig }, { projection: { _id: 1 } })))
      throw notFound('rig', input.rig);
    if (
      input.bead_id !== null &&
      !(await this.beads.findOne({ _id: input.bead_id }, { projection: { _id: 1 } }))
    )
      throw notFound('bead', input.bead_id);
  }

  /**
   * Inserts the MR as the lane's next submission (its event); null when another submission took that place
   * (or the id) first. `n + 1` is only tried after `n` was seen, so the lane's order has no holes.
   */
  private async insert(
    input: NewMergeRequest,
    lane: string,
    ctx: WriteContext,
  ): Promise<PendingEvent | null> {
    const [last] = await this.mrs
      .find({ lane }, { projection: { lane_seq: 1 } })
      .sort({ lane_seq: -1 })
      .limit(1)
      .toArray();
    const seq = (last?.lane_seq ?? 0) + 1;
    const { id, ...fields } = newMergeRequest(input, ctx);
    const ripple = { kind: 'supersede' as const, lane, seq, mr_id: id };
    const data = moveData(id, null, fields.status);
    const event = pendingEvent(
      'mr_submitted',
      ctx,
      { bead_id: fields.bead_id, rig: fields.rig },
      data,
      ripple,
    );
    try {
      await this.mrs.insertOne({ _id: id, ...fields, lane, lane_seq: seq, outbox: [event], rev: 1 });
      return event;
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }
}
