import type { ApprovalRule } from '../domain/approval-rules.ts';
import type { Bead, BeadPatch, IssueType, NewBead, Status } from '../domain/bead.ts';
import type { ClaimExpectation } from '../domain/bead-changes.ts';
import type { TrackedState } from '../domain/convoy.ts';
import type { Dependency, DepType, WaitsForGate } from '../domain/dependency.ts';
import type { Mail } from '../domain/mail.ts';
import type { MergePolicy } from '../domain/merge-policy.ts';
import type { MergeRequest, MergeRequestPatch, MrStatus, NewMergeRequest } from '../domain/merge-request.ts';
import type { Nudge } from '../domain/nudge.ts';
import type { HookBead } from '../domain/polecat-signals.ts';
import type { ReadyFilter } from '../domain/readiness.ts';
import type { Compacted, RetentionPolicy } from '../domain/retention.ts';
import type { MqFreeze, NewRig, Rig } from '../domain/rig.ts';
import type { Pricer, UsageRecord, UsageReport } from '../domain/usage.ts';
import type { UsageFilter, UsageGroup, UsageSum } from '../domain/usage-filter.ts';
import type { UsageLimit } from '../domain/usage-limit.ts';

/**
 * The ledger: the system of record. Shaped by intent, not a document wrapper. Every method that
 * changes state
 *  - applies the domain rules (validation, guards, cycle checks) against the state it writes,
 *  - keeps `is_blocked` of every affected bead right (domain/blocking.ts),
 *  - appends one event per change, with a monotonic `seq`, in the same atomic step,
 *  - and throws DomainError (domain/errors.ts) on refusal, having changed nothing.
 * Both adapters (sqlite/, mongo/) pass the same contract suite (test/contract/).
 */

/** Who is writing and when: time is passed in so adapters and the domain never read a clock. */
export interface WriteContext {
  actor: string;
  now: Date;
}

export interface BeadFilter {
  /** Exact statuses; default: everything except closed (and pinned), unless `all`. */
  status?: Status[];
  all?: boolean;
  rig?: string;
  issue_type?: IssueType;
  assignee?: string;
  label?: string;
  parent?: string;
  ids?: string[];
  limit?: number;
  /**
   * Keyset paging: only beads after this one in the listing's order (priority, newest first, id).
   * A cursor, not an offset: beads created or closed between pages neither repeat nor hide others.
   */
  after?: Pick<Bead, 'id' | 'priority' | 'created_at'>;
}

export interface BlockedBead extends Bead {
  blocked_by: string[];
}

export interface CloseOptions {
  reason?: string;
  force?: boolean;
}

export interface Comment {
  id: string;
  issue_id: string;
  author: string;
  text: string;
  created_at: string;
}

/**
 * A claim is a compare-and-swap: it only applies when the bead is still in the expected state
 * (and, when `version` is given, unchanged since it was read). Labels may change in the same
 * step (the respawn counter, an escalation's `acked` or severity).
 */
export interface ClaimRequest {
  expect: ClaimExpectation;
  set: { status: Status; assignee: string | null } & Pick<
    BeadPatch,
    'add_labels' | 'remove_labels' | 'priority'
  >;
}

export type LedgerEventType =
  | 'bead_created'
  | 'bead_updated'
  | 'bead_status_changed'
  | 'bead_claimed'
  | 'bead_closed'
  | 'bead_reopened'
  | 'comment_added'
  | 'dependency_added'
  | 'dependency_removed'
  | 'mail_sent'
  | 'rig_added'
  | 'rig_parked'
  | 'rig_unparked'
  /**
   * A rig's merge policy changed (data `{ merge_policy }`), its approval allow-list (data
   * `{ approval_rules }`), its usage-limit pause (data `{ usage_limit }`) or its account (data `{ account }`).
   */
  | 'rig_updated'
  /** A rig's merge queue was frozen; data `{ mq_frozen }`, the freeze (who, why, when). */
  | 'rig_frozen'
  /** A rig's merge queue was thawed; data `{ mq_frozen: null, was }`, the freeze it ended. */
  | 'rig_thawed'
  | 'mr_submitted'
  | 'mr_updated';

export interface MergeSubmission {
  mr: MergeRequest;
  /** An open MR of the same bead, branch and SHA was there already (nothing changed). */
  reused: boolean;
  /** Ids of the open MRs this one superseded. */
  superseded: string[];
}

/** Without `newest`: every match, oldest submission first (created_at, then id). */
export interface MergeRequestFilter {
  rig?: string;
  status?: readonly MrStatus[];
  bead?: string;
  /**
   * At most this many (0 or less: none). With `status: ['merged']` (only): the most recently
   * merged first — merged_at descending, then id descending, the order the queue card ranks
   * landings in — so a reader of the last landings does not read a rig's whole history (indexed
   * by rig, status, merged_at in both adapters). Any other filter has no merged_at to rank by
   * for all of its MRs: there it is the most recently submitted first (created_at descending,
   * then id descending).
   */
  newest?: number;
}

export interface MergeRequestChange {
  expect: { status: MrStatus; version: number };
  set: MergeRequestPatch;
}

export interface BeadCount {
  issue_type: string;
  status: string;
  count: number;
}

export interface LedgerEvent {
  seq: number;
  type: LedgerEventType;
  bead_id: string | null;
  rig: string | null;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

export interface MailMark {
  read?: boolean;
  acked?: boolean;
  archived?: boolean;
}

/** A polecat slot of a rig: at most one bead per name; the name pool size is the rig's capacity. */
export interface Slot {
  rig: string;
  name: string;
  bead_id: string;
  taken_at: string;
}

/** A slot with its bead's hook state (null: the bead is gone): what the witness judges. */
export interface SlotHook extends Slot {
  bead: HookBead | null;
}

export interface AuditRecord {
  at: string;
  actor: string;
  actor_kind: 'human' | 'agent' | 'system';
  source: string;
  verb: string;
  args: Record<string, unknown>;
  outcome: 'ok' | 'refused' | 'error';
  message?: string;
}

export interface Ledger {
  readonly kind: 'sqlite' | 'mongo';
  /** Creates tables/collections and indexes idempotently. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws when the store cannot answer (drives /readyz). */
  ping(): Promise<void>;
  /** What the store is and how it is used (the start-up log line, /readyz `details`). */
  describe(): Record<string, string>;
  /**
   * Whether `err`, thrown by one of this ledger's calls, means the store could not be reached
   * (the command may be retried) rather than a bug. The registry asks it first: a ping after the
   * store came back would answer, and misreport the outage as an internal error.
   */
  isUnavailableError(err: unknown): boolean;

  addRig(rig: NewRig, ctx: WriteContext): Promise<Rig>;
  getRig(name: string): Promise<Rig | null>;
  listRigs(): Promise<Rig[]>;
  setRigParked(name: string, parked: boolean, ctx: WriteContext): Promise<Rig>;
  /**
   * Replaces the fields of the rig's merge policy that `policy` gives (a whole policy replaces
   * it all), keeping the others, by compare-and-swap on the rig's version: the version moves and
   * a `rig_updated` event is written in the same step. Nothing is written when nothing changes.
   */
  setRigMergePolicy(name: string, policy: Partial<MergePolicy>, ctx: WriteContext): Promise<Rig>;
  /**
   * Freezes the rig's merge queue (`freeze` given: stored as it is in `mq_frozen`) or thaws it
   * (null), by compare-and-swap on the rig: a freeze applies only to a rig that is not frozen, a
   * thaw only to one that is, so of two concurrent freezes exactly one wins. The version moves
   * and one `rig_frozen` / `rig_thawed` event is written in the same step. Refused, having
   * changed nothing: an unknown rig (`not_found`); a freeze of a frozen rig (conflict
   * `mq_frozen`, saying who froze it, when and why; details `{ mq_frozen }`); a thaw of a rig
   * that is not frozen (conflict `mq_not_frozen`).
   */
  setRigFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Promise<Rig>;
  /**
   * Adds `rule` to the rig's approval allow-list (`approval_rules`, domain/approval-rules.ts) by
   * compare-and-swap on the rig: the version moves and one `rig_updated` event with data
   * `{ approval_rules }` (the whole new list) is written in the same step; of two concurrent adds
   * both are kept. An equal rule (tool, match, value) already there writes nothing. Refused,
   * having changed nothing: an unknown rig (`not_found`); a list at MAX_RULES (`too_many_rules`).
   */
  addRigApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Promise<Rig>;
  /**
   * Removes `rule` (the one of the same tool, match and value) from the rig's allow-list by
   * compare-and-swap on the rig: it applies only while the rule is still there and, when
   * `expectVersion` is given, only while the rig is still at that version (both read inside the
   * compare-and-swap). The version moves and one `rig_updated` event with data `{ approval_rules }`
   * (the whole new list) is written in the same step. Refused, having changed nothing: an unknown
   * rig (`not_found`); a rig past `expectVersion` (conflict `stale_version`); a rule no longer
   * there (conflict `rule_gone`) — domain/approval-rules.ts `withoutRule`.
   */
  removeRigApprovalRule(
    name: string,
    rule: ApprovalRule,
    ctx: WriteContext,
    expectVersion?: number,
  ): Promise<Rig>;
  /**
   * Sets the rig's usage-limit pause (`usage_limit`, domain/usage-limit.ts; null clears it) by
   * compare-and-swap on the rig's version: it applies only while the rig is still at
   * `expectVersion`, and returns null otherwise (someone changed the rig meanwhile: read it again
   * and decide again). When it applies, the version moves and one `rig_updated` event with data
   * `{ usage_limit }` is written in the same step. Refused: an unknown rig (`not_found`).
   */
  setRigUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Promise<Rig | null>;
  /**
   * Names the agent account the rig's polecats spend (null: its own; domain/usage-limit-account.ts).
   * The version moves and one `rig_updated` event with data `{ account }` is written in the same
   * step; nothing is written when it is already so. Refused: an unknown rig (`not_found`).
   */
  setRigAccount(name: string, account: string | null, ctx: WriteContext): Promise<Rig>;

  /** Generates the id (prefix of the rig, `hq` without one, `P.n` under a parent) unless given. */
  createBead(input: NewBead, ctx: WriteContext): Promise<Bead>;
  getBead(id: string): Promise<Bead | null>;
  listBeads(filter: BeadFilter): Promise<Bead[]>;
  updateBead(id: string, patch: BeadPatch, ctx: WriteContext): Promise<Bead>;
  closeBead(id: string, options: CloseOptions, ctx: WriteContext): Promise<Bead>;
  reopenBead(id: string, ctx: WriteContext): Promise<Bead>;
  /** Returns null when the bead is no longer in the expected state (someone else won). */
  claimBead(id: string, claim: ClaimRequest, ctx: WriteContext): Promise<Bead | null>;
  addComment(id: string, text: string, ctx: WriteContext): Promise<Comment>;
  /**
   * `bd import` only: after replaying an imported bead through the verbs above (each stamped at
   * its own time), sets its `updated_at` to the time the file gives, which no verb can write.
   * The version moves; no event (the replayed writes have theirs). Refused: `not_found`.
   */
  restoreUpdatedAt(id: string, updatedAt: string): Promise<void>;
  /**
   * `bd export`'s pages: every bead (any status; only `rig`'s when given) whose id sorts after
   * `after` (null: from the start), in id order (code units), at most `limit`.
   */
  beadsAfter(after: string | null, limit: number, rig?: string): Promise<Bead[]>;
  listComments(id: string): Promise<Comment[]>;

  addDependency(
    issueId: string,
    dependsOnId: string,
    type: DepType,
    ctx: WriteContext,
    gate?: WaitsForGate,
  ): Promise<Dependency>;
  /** Returns false when there was no such edge. */
  removeDependency(issueId: string, dependsOnId: string, ctx: WriteContext): Promise<boolean>;
  dependenciesOf(id: string): Promise<Dependency[]>;
  dependentsOf(id: string): Promise<Dependency[]>;

  /**
   * The tracked beads of every open convoy that are not closed, narrow (what progress is judged
   * by), grouped by convoy (no order promised within one): one read for the stranded scan.
   * Convoys with nothing left open are absent.
   */
  listOpenConvoyTracks(): Promise<Map<string, TrackedState[]>>;
  /** How many beads there are by type and status, in one read (the /metrics gauges). */
  countBeads(): Promise<BeadCount[]>;
  listReady(filter: ReadyFilter): Promise<Bead[]>;
  listBlocked(filter: { rig?: string }): Promise<BlockedBead[]>;
  findCycles(): Promise<string[][]>;

  /**
   * Takes the first free slot among `names` for `beadId` (atomically: two callers never get the
   * same name); null when every name is taken.
   */
  takeSlot(rig: string, beadId: string, names: readonly string[], ctx: WriteContext): Promise<string | null>;
  /** Frees a slot, only if it is still held for `beadId`. Returns whether it was. */
  freeSlot(rig: string, name: string, beadId: string): Promise<boolean>;
  listSlots(rig: string): Promise<Slot[]>;
  /** Every slot of every rig with its bead's hook state, in one read (the witness's snapshot). */
  listSlotHooks(): Promise<SlotHook[]>;

  /** Stores a message (and its `mail_sent` event); the id is the caller's (a UUID). */
  putMail(mail: Mail, ctx: WriteContext): Promise<Mail>;
  getMail(id: string): Promise<Mail | null>;
  /** Mail addressed to any of `to`, oldest first; archived ones only when asked. */
  listMail(to: readonly string[], options: { archived?: boolean }): Promise<Mail[]>;
  /** Sets read/ack receipts (the first one wins) and the archived flag. */
  markMail(id: string, mark: MailMark, ctx: WriteContext): Promise<Mail>;
  mailThread(threadId: string): Promise<Mail[]>;

  /** Queues a nudge for an offline agent, keeping at most `max` (oldest dropped; their ids returned). */
  queueNudge(nudge: Nudge, max: number): Promise<string[]>;
  /** Removes and returns the agent's pending, unexpired nudges, oldest first (each handed out once). */
  takeNudges(to: string, now: Date): Promise<Nudge[]>;

  /**
   * Queues a merge request in one atomic step: an open MR of the same bead with the same branch
   * and SHA is returned unchanged (`reused`); every other open MR of the bead becomes
   * `superseded` (reason `superseded by <id>`), so a bead has at most one open MR. Events:
   * `mr_submitted`, and `mr_updated` for each superseded one.
   */
  submitMergeRequest(input: NewMergeRequest, ctx: WriteContext): Promise<MergeSubmission>;
  getMergeRequest(id: string): Promise<MergeRequest | null>;
  /** Oldest first. */
  listMergeRequests(filter: MergeRequestFilter): Promise<MergeRequest[]>;
  /**
   * Moves an MR by compare-and-swap on its status and version (event `mr_updated` with `from`,
   * `to` and `reason`); null when it moved meanwhile. A move the life cycle lacks is refused.
   */
  updateMergeRequest(id: string, change: MergeRequestChange, ctx: WriteContext): Promise<MergeRequest | null>;

  /**
   * Stores what a usage report adds (domain/usage.ts usageStep): a cumulative report's difference
   * from the last totals recorded for its (bead, session), read and written atomically — of two
   * racing reports of one session each is compared with the other's totals, never both with the
   * same. `price` prices tokens the CLI gave no dollars for. Null: the report added nothing (a
   * repeat of the session's last totals). A record, like the audit: no ledger event.
   */
  recordUsage(report: UsageReport, ctx: WriteContext, price?: Pricer): Promise<UsageRecord | null>;
  /** Sums of the records `filter` matches, one per value of `by` (one in all without); no order promised. */
  usageTotals(filter: UsageFilter, by: UsageGroup | null): Promise<UsageSum[]>;

  eventsSince(seq: number, limit?: number): Promise<LedgerEvent[]>;
  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(limit: number): Promise<AuditRecord[]>;
  /** True the first time a key is seen (until it expires), false for a repeat. */
  recordIdempotencyKey(key: string, expiresAt: Date): Promise<boolean>;
  /**
   * Deletes what the retention policy (domain/retention.ts) lets go: events written before
   * `events.before` whose seq is below `events.belowSeq` (never the newest event), audit records
   * written before `audit.before` but the newest `audit.keepNewest`, and expired idempotency keys.
   * In deletes of at most `policy.batch` rows, each its own short write, yielding in between so
   * other work goes on; idempotent (run again with the same policy, it removes nothing).
   */
  compactHistory(policy: RetentionPolicy): Promise<Compacted>;
}
