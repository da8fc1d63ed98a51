import { conflict } from '../domain/errors.ts';
import type { MergeRequest, MergeRequestPatch, MrStatus, NewMergeRequest } from '../domain/merge-request.ts';
import type { WriteContext } from './port.ts';

/**
 * What both ledger adapters do alike with merge request records: build one, apply a move, name
 * its lane and its events. Kept here (not in domain/) because the lane and the event data are
 * how the ledger stores and reports MRs, not merge rules.
 */

/**
 * The MRs that replace one another: those of one bead, or — for a branch queued without a bead —
 * those of that branch in its rig. A lane has at most one open MR. Bead ids never hold a `:`.
 */
export const laneOf = (mr: Pick<NewMergeRequest, 'bead_id' | 'rig' | 'branch'>): string =>
  mr.bead_id ?? `branch:${mr.rig}/${mr.branch}`;

/** The same work submitted again: nothing to queue. */
export const isResubmission = (open: MergeRequest, input: NewMergeRequest): boolean =>
  open.branch === input.branch && open.sha === input.sha;

export const supersededReason = (newer: string): string => `superseded by ${newer}`;

export const mrExists = (id: string) =>
  conflict('mr_exists', `merge request ${id} already exists; submit under a new id`, { id });

export function newMergeRequest(input: NewMergeRequest, ctx: WriteContext): MergeRequest {
  const now = ctx.now.toISOString();
  return {
    id: input.id,
    rig: input.rig,
    bead_id: input.bead_id,
    polecat: input.polecat,
    branch: input.branch,
    sha: input.sha,
    target: input.target,
    priority: input.priority,
    status: 'queued',
    attempts: 0,
    gates: [],
    reason: '',
    merge_commit: null,
    submitted_by: ctx.actor,
    created_at: now,
    updated_at: now,
    merged_at: null,
    verified_tree: null,
    override: null,
    version: 1,
  };
}

/** The MR after a move: the patch's fields (absent ones kept), a new version. */
export function movedMergeRequest(mr: MergeRequest, set: MergeRequestPatch, now: string): MergeRequest {
  const next: MergeRequest = { ...mr, status: set.status, updated_at: now, version: mr.version + 1 };
  if (set.attempts !== undefined) next.attempts = set.attempts;
  if (set.gates !== undefined) next.gates = set.gates;
  if (set.reason !== undefined) next.reason = set.reason;
  if (set.merge_commit !== undefined) next.merge_commit = set.merge_commit;
  if (set.merged_at !== undefined) next.merged_at = set.merged_at;
  if (set.verified_tree !== undefined) next.verified_tree = set.verified_tree;
  if (set.override !== undefined) next.override = set.override;
  return next;
}

/**
 * Event data of a move (`mr_updated`) or a submission (`mr_submitted`, from null). The reason is
 * the move's own: a move without one says '' rather than repeat why the MR was in its old state.
 */
export const moveData = (mrId: string, from: MrStatus | null, to: MrStatus, reason = '') => ({
  mr_id: mrId,
  from,
  to,
  reason,
});
