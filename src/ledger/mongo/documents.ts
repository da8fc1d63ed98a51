import type { ApprovalRule } from '../../domain/approval-rules.ts';
import type { Bead } from '../../domain/bead.ts';
import type { Dependency } from '../../domain/dependency.ts';
import type { Mail } from '../../domain/mail.ts';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import type { MergeRequest } from '../../domain/merge-request.ts';
import { LEGACY_MERGE_POLICY, type MqFreeze, type Rig } from '../../domain/rig.ts';
import type { UsageLimit } from '../../domain/usage-limit.ts';
import type { LedgerEventType } from '../port.ts';

/**
 * Document shapes of the MongoDB ledger. A bead document carries its OUTGOING edges (`deps`), so
 * adding an edge is one atomic update of its source, and an `outbox` of events not yet published
 * to `events`, written in the same atomic update as the change they describe.
 */

/** The is_blocked ripple a bead event needs (ripple.ts). */
export type BeadRipple =
  | { kind: 'none' }
  | { kind: 'status'; id: string }
  | { kind: 'edge'; source: string; target: string; type: string };

/** A submission's derived work: the older open MRs of its lane become superseded (supersede.ts). */
export interface SupersedeRipple {
  kind: 'supersede';
  lane: string;
  seq: number;
  mr_id: string;
}

/** What a pending event needs to re-run its derived work after a crash. */
export type Ripple = BeadRipple | SupersedeRipple;

export interface PendingEvent {
  id: string;
  type: LedgerEventType;
  bead_id: string | null;
  rig: string | null;
  actor: string;
  at: string;
  data: Record<string, unknown>;
  ripple: Ripple;
  /** Wall clock of the writer when queued (absent on entries written before it existed). */
  queued_at?: Date;
}

export type EdgeDoc = Omit<Dependency, 'issue_id'>;

export interface BeadDoc extends Omit<Bead, 'id'> {
  _id: string;
  prefix: string;
  deps: EdgeDoc[];
  outbox: PendingEvent[];
  /** Compare-and-swap token for every change of the document (fields, edges, outbox). */
  rev: number;
}

export interface RigDoc
  extends Omit<
    Rig,
    'name' | 'env' | 'merge_policy' | 'mq_frozen' | 'approval_rules' | 'account' | 'usage_limit'
  > {
  _id: string;
  /** Absent in documents written before rigs had it: read as []. */
  env?: string[];
  /** Absent in documents written before rigs had it: read as LEGACY_MERGE_POLICY. */
  merge_policy?: MergePolicy;
  /** Absent in documents written before merge queues could be frozen: read as null. */
  mq_frozen?: MqFreeze | null;
  /** Absent in documents written before rigs had an approval allow-list: read as []. */
  approval_rules?: ApprovalRule[];
  /** Absent in documents written before rigs could share an account: read as null (its own). */
  account?: string | null;
  /** Absent in documents written before usage-limit pauses: read as null. */
  usage_limit?: UsageLimit | null;
  outbox: PendingEvent[];
  rev: number;
}

export interface MergeRequestDoc extends Omit<MergeRequest, 'id'> {
  _id: string;
  /** The MRs that replace one another (ledger/merge-records.ts `laneOf`). */
  lane: string;
  /** Submission order within the lane, unique with it: later supersedes earlier (supersede.ts). */
  lane_seq: number;
  outbox: PendingEvent[];
  rev: number;
}

export interface EventDoc {
  /** The pending event's id: publishing the same event twice is a duplicate key, not a copy. */
  _id: string;
  seq: number;
  type: LedgerEventType;
  bead_id: string | null;
  rig: string | null;
  actor: string;
  at: string;
  data: Record<string, unknown>;
  /** Wall clock of the publisher; lets readers tell a settling gap from a permanent one. */
  published_at?: Date;
}

export const COLLECTIONS = {
  beads: 'beads',
  rigs: 'rigs',
  events: 'events',
  /** The mongodb mode's event log (paged-event-log.ts). */
  event_pages: 'event_pages',
  /** Which mode's layout the database holds (event-layout.ts). */
  meta: 'meta',
  locks: 'locks',
  slots: 'slots',
  mail: 'mail',
  nudges: 'nudges',
  comments: 'comments',
  merge_requests: 'merge_requests',
  audit: 'audit',
  idempotency: 'idempotency',
  usage: 'usage',
} as const;

export function beadFromDoc(d: BeadDoc): Bead {
  return {
    id: d._id,
    title: d.title,
    description: d.description,
    acceptance_criteria: d.acceptance_criteria ?? '',
    status: d.status,
    priority: d.priority,
    issue_type: d.issue_type,
    assignee: d.assignee ?? null,
    labels: d.labels ?? [],
    parent: d.parent ?? null,
    rig: d.rig ?? null,
    created_at: d.created_at,
    created_by: d.created_by,
    updated_at: d.updated_at,
    closed_at: d.closed_at ?? null,
    close_reason: d.close_reason ?? '',
    is_blocked: d.is_blocked === true,
    version: d.version,
  };
}

/** The user-visible fields a CAS update may set. is_blocked and parent have their own writers. */
export function fieldsOf(b: Bead): Partial<BeadDoc> {
  return {
    title: b.title,
    description: b.description,
    acceptance_criteria: b.acceptance_criteria,
    status: b.status,
    priority: b.priority,
    issue_type: b.issue_type,
    assignee: b.assignee,
    labels: b.labels,
    updated_at: b.updated_at,
    closed_at: b.closed_at,
    close_reason: b.close_reason,
    version: b.version,
  };
}

export function rigFromDoc(d: RigDoc): Rig {
  return {
    name: d._id,
    prefix: d.prefix,
    repo: d.repo ?? null,
    max_polecats: d.max_polecats,
    runtime: d.runtime ?? null,
    command: d.command ?? null,
    env: d.env ?? [],
    merge_policy: d.merge_policy ?? { ...LEGACY_MERGE_POLICY },
    parked: d.parked === true,
    mq_frozen: d.mq_frozen ?? null,
    approval_rules: d.approval_rules ?? [],
    account: d.account ?? null,
    usage_limit: d.usage_limit ?? null,
    created_at: d.created_at,
    version: d.version,
  };
}

export function mergeRequestFromDoc(d: MergeRequestDoc): MergeRequest {
  const { _id, lane: _lane, lane_seq: _seq, outbox: _outbox, rev: _rev, ...fields } = d;
  // Documents written before these fields existed lack them.
  return {
    id: _id,
    ...fields,
    verified_tree: fields.verified_tree ?? null,
    override: fields.override ?? null,
  };
}

/** The fields a move may change (merge-records.ts `movedMergeRequest`); the rest is set at submission. */
export function movableFields(mr: MergeRequest): Partial<MergeRequestDoc> {
  return {
    status: mr.status,
    attempts: mr.attempts,
    gates: mr.gates,
    reason: mr.reason,
    merge_commit: mr.merge_commit,
    updated_at: mr.updated_at,
    merged_at: mr.merged_at,
    verified_tree: mr.verified_tree,
    override: mr.override,
    version: mr.version,
  };
}

/** A comment, with its pending events (the outbox relays them). */
export interface CommentDoc {
  _id: string;
  issue_id: string;
  author: string;
  text: string;
  created_at: string;
  rev: number;
  outbox: PendingEvent[];
}

/** A mail, with its pending events. */
export interface MailDoc extends Omit<Mail, 'id'> {
  _id: string;
  rev: number;
  outbox: PendingEvent[];
}
