import { notFound } from '../../domain/errors.ts';
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
import { mergeRequestFromRow, mergeRequestParams } from './rows.ts';
import type { Writer } from './writer.ts';

const COLUMNS =
  'id, rig, bead_id, lane, polecat, branch, sha, target, priority, status, attempts, gates, reason, merge_commit, submitted_by, created_at, updated_at, merged_at, verified_tree, override, version';
const PARAMS = COLUMNS.split(', ')
  .map((c) => `$${c}`)
  .join(', ');
const OPEN_IN_LANE = `SELECT * FROM merge_requests WHERE lane = $lane
  AND status IN (${OPEN_MR_STATUSES.map((s) => `'${s}'`).join(', ')}) ORDER BY created_at, id`;

/**
 * The ORDER BY (and LIMIT) of a listing. The last landings of a rig walk merge_requests_rig_merged
 * backwards and stop after `newest` rows, however many the rig has landed.
 */
function orderOf(filter: MergeRequestFilter): string {
  if (filter.newest === undefined) return 'ORDER BY created_at, id';
  const limit = Math.max(0, Math.floor(filter.newest)) || 0; // NaN: none
  const merged = filter.status?.length && filter.status.every((s) => s === 'merged');
  return `ORDER BY ${merged ? 'merged_at DESC, id DESC' : 'created_at DESC, id DESC'} LIMIT ${limit}`;
}

/**
 * Merge requests in SQLite. Each write is one transaction (the change and its events), so a
 * submission's reuse check, insert and supersession see and leave one consistent lane.
 */
export class MergeRequestWrites {
  private readonly w: Writer;

  constructor(writer: Writer) {
    this.w = writer;
  }

  submit(input: NewMergeRequest, ctx: WriteContext): MergeSubmission {
    return this.w.db.transaction(() => {
      const lane = laneOf(input);
      const open = this.w.db.all(OPEN_IN_LANE, { lane }).map(mergeRequestFromRow);
      const same = open.find((mr) => isResubmission(mr, input));
      if (same) return { mr: same, reused: true, superseded: [] };
      if (this.find(input.id)) throw mrExists(input.id);
      this.checkReferences(input);
      // The older ones go first, so a reader of `mr_submitted` already finds them superseded.
      for (const older of open)
        this.move(older, { status: 'superseded', reason: supersededReason(input.id) }, ctx);
      const mr = newMergeRequest(input, ctx);
      this.w.db.run(
        `INSERT INTO merge_requests (${COLUMNS}) VALUES (${PARAMS})`,
        mergeRequestParams(mr, lane),
      );
      this.w.event('mr_submitted', ctx, mr.bead_id, mr.rig, moveData(mr.id, null, mr.status));
      return { mr, reused: false, superseded: open.map((o) => o.id) };
    });
  }

  /** A compare-and-swap on status and version; a move the life cycle lacks is refused first. */
  update(id: string, change: MergeRequestChange, ctx: WriteContext): MergeRequest | null {
    return this.w.db.transaction(() => {
      checkMove(id, change.expect.status, change.set.status);
      const mr = this.find(id);
      if (!mr) throw notFound('merge request', id);
      if (mr.status !== change.expect.status || mr.version !== change.expect.version) return null;
      return this.move(mr, change.set, ctx);
    });
  }

  find(id: string): MergeRequest | null {
    const row = this.w.db.get('SELECT * FROM merge_requests WHERE id = $id', { id });
    return row ? mergeRequestFromRow(row) : null;
  }

  /** Oldest first (ties by id, so every read gives one order); `newest`: see MergeRequestFilter. */
  list(filter: MergeRequestFilter): MergeRequest[] {
    const where: string[] = [];
    const params: string[] = [];
    const add = (sql: string, ...values: string[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.rig !== undefined) add('rig = ?', filter.rig);
    if (filter.status !== undefined)
      add(`status IN (${filter.status.map(() => '?').join(', ') || "''"})`, ...filter.status);
    if (filter.bead !== undefined) add('bead_id = ?', filter.bead);
    const sql = `SELECT * FROM merge_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${orderOf(filter)}`;
    return this.w.db.allPositional(sql, params).map(mergeRequestFromRow);
  }

  /** Refuses an MR for a rig or bead the ledger does not know. */
  private checkReferences(input: NewMergeRequest): void {
    if (!this.w.db.get('SELECT name FROM rigs WHERE name = $name', { name: input.rig }))
      throw notFound('rig', input.rig);
    if (input.bead_id !== null) this.w.load(input.bead_id);
  }

  private move(mr: MergeRequest, set: MergeRequestChange['set'], ctx: WriteContext): MergeRequest {
    checkMove(mr.id, mr.status, set.status);
    const next = movedMergeRequest(mr, set, ctx.now.toISOString());
    const { changes } = this.w.db.run(
      `UPDATE merge_requests SET status = $status, attempts = $attempts, gates = $gates, reason = $reason,
         merge_commit = $merge_commit, updated_at = $updated_at, merged_at = $merged_at,
         verified_tree = $verified_tree, override = $override, version = $version
       WHERE id = $id AND version = $expected`,
      { ...mergeRequestParams(next, laneOf(next)), expected: mr.version },
    );
    if (changes !== 1) throw new Error(`lost update on ${mr.id}: version ${mr.version} changed`);
    this.w.event('mr_updated', ctx, mr.bead_id, mr.rig, moveData(mr.id, mr.status, next.status, set.reason));
    return next;
  }
}
