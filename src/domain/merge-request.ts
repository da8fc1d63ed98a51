import { conflict } from './errors.ts';

/**
 * A merge request: one polecat's (or person's) branch, bound to the commit it was submitted at,
 * waiting in its rig's merge queue to land on the target branch (reference/refinery.md). The
 * ledger keeps it; the refinery (services/) moves it through its states, each move a
 * compare-and-swap on `version` with an event.
 *
 *   queued ──▶ verifying ──▶ merged
 *     │  ▲         │
 *     │  └─────────┤ (the target moved, a crash: verify again)
 *     │            ├──▶ needs-rework ──▶ (resubmitted: superseded) · queued (retry) · held
 *     ▼            ▼
 *   held ◀─────── (escalated: attempts exhausted, branch missing, stale)
 *
 * Any open state can end as `rejected` (a person), `superseded` (a newer submission for the same
 * bead) or `cancelled` (its bead was closed by hand, its rig removed).
 */
export const MR_STATUSES = [
  'queued',
  'verifying',
  'merged',
  'needs-rework',
  'held',
  'rejected',
  'superseded',
  'cancelled',
] as const;
export type MrStatus = (typeof MR_STATUSES)[number];

/** States in which an MR still stands for its bead (one per bead at most). */
export const OPEN_MR_STATUSES: readonly MrStatus[] = ['queued', 'verifying', 'needs-rework', 'held'];

const NEXT: Record<MrStatus, readonly MrStatus[]> = {
  queued: ['verifying', 'held', 'rejected', 'superseded', 'cancelled'],
  verifying: ['merged', 'needs-rework', 'queued', 'held', 'rejected', 'superseded', 'cancelled'],
  'needs-rework': ['queued', 'held', 'rejected', 'superseded', 'cancelled'],
  held: ['queued', 'needs-rework', 'merged', 'rejected', 'superseded', 'cancelled'],
  merged: [],
  rejected: [],
  superseded: [],
  cancelled: [],
};

export const isOpenMr = (status: MrStatus): boolean => OPEN_MR_STATUSES.includes(status);

export const canMove = (from: MrStatus, to: MrStatus): boolean => NEXT[from].includes(to);

/** Refuses a move the life cycle does not have (a merged MR cannot be queued again). */
export function checkMove(id: string, from: MrStatus, to: MrStatus): void {
  if (!canMove(from, to))
    throw conflict('mr_state', `${id} is ${from}; it cannot become ${to}`, { from, to });
}

/** One gate run: what ran, how it ended, how long it took, the last lines it printed. */
export interface GateResult {
  name: string;
  command: string;
  /** Null when it did not exit by itself (killed at its timeout, or could not start). */
  exit: number | null;
  timed_out: boolean;
  duration_ms: number;
  /** The end of its output (at most GATE_EXCERPT_CHARS characters). */
  excerpt: string;
  /**
   * How many times it ran (the rig's flaky-gate retries): > 1 with exit 0 is a flake that passed
   * on a retry, recorded so a person sees it. Absent in results written before retries existed.
   */
  runs?: number;
}

export const GATE_EXCERPT_CHARS = 2_000;

/** The runner's own note when a gate's command could not be started at all. */
export const GATE_NOT_STARTED = '[gt] could not start';

/**
 * A gate that never ran the rig's check: bash's "command not found" (127) or "not executable"
 * (126), or a spawn that failed. That is the rig's setup failing, not the work under test: it
 * is never sent back to a polecat, and never taken for a failure the target has too (Gas Town
 * merged every branch when a missing toolchain failed them all alike, reference/refinery.md §4.1).
 */
export const gateCouldNotRun = (r: GateResult): boolean =>
  !r.timed_out &&
  (r.exit === 126 || r.exit === 127 || (r.exit === null && r.excerpt.includes(GATE_NOT_STARTED)));

export interface MergeRequest {
  /** `<rig prefix>-mr-<base36>`. */
  id: string;
  rig: string;
  /** The bead whose work this is; null for a branch a person queued without one. */
  bead_id: string | null;
  /** The polecat that submitted it (`alpha/Toast`), or null. */
  polecat: string | null;
  branch: string;
  /** The commit the branch pointed at when submitted: only this is ever verified and landed. */
  sha: string;
  target: string;
  /** The bead's priority at submission (0 highest). */
  priority: number;
  status: MrStatus;
  /** Verification attempts so far. */
  attempts: number;
  /** The gates of the latest attempt. */
  gates: GateResult[];
  /** Why it is in its state: the rework evidence, the rejection reason, what superseded it. */
  reason: string;
  /** The target's commit that holds this work, once merged. */
  merge_commit: string | null;
  submitted_by: string;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  /**
   * The tree (git tree hash) the gates last passed on. An attempt that builds exactly this tree
   * again (the target has not moved since; a push refused, then retried) lands without running
   * them a second time: the same tree is the same verification.
   */
  verified_tree: string | null;
  /** A person's decision to land without passing gates (`mq:override`), or null. */
  override: MergeOverride | null;
  version: number;
}

/** Who decided an MR lands though its gates do not pass, and why (audited, shown on the MR). */
export interface MergeOverride {
  by: string;
  reason: string;
  at: string;
}

export interface NewMergeRequest {
  /** Chosen by the caller (`<prefix>-mr-<base36>`); a taken id is refused (`mr_exists`). */
  id: string;
  rig: string;
  bead_id: string | null;
  polecat: string | null;
  branch: string;
  sha: string;
  target: string;
  priority: number;
}

/** The fields a transition may change (status always, the rest as the step needs). */
export interface MergeRequestPatch {
  status: MrStatus;
  attempts?: number;
  gates?: GateResult[];
  reason?: string;
  merge_commit?: string | null;
  merged_at?: string | null;
  verified_tree?: string | null;
  override?: MergeOverride | null;
}

/** A commit SHA as git prints it (full, lower-case hex). */
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
export const isSha = (raw: string): boolean => SHA.test(raw);

/**
 * Queue order: priority first (P0 before P4), then the oldest submission, then the id — so the
 * order is total and every replica computes the same one.
 */
export function queueOrder(a: MergeRequest, b: MergeRequest): number {
  return a.priority - b.priority || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}

/** The close reason of a bead whose work landed (what `merge-blocks` style checks look for). */
export const mergedReason = (mr: Pick<MergeRequest, 'id'>, sha: string): string =>
  `Merged in ${mr.id} at ${sha}`;

/** The close reason of a bead whose work `gt done` landed itself (strategy `direct`). */
export const directMergedReason = (sha: string): string => `Merged directly at ${sha}`;

/** The label a bead carries while its work waits in the merge queue (status blocked, assignee kept). */
export const MERGING_LABEL = 'gt:merging';
