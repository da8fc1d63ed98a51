/**
 * The bead (work item) model. Field names are snake_case because they ARE the wire contract
 * (CLI-CONTRACT.md, beads JSON); keeping one shape avoids a mapping layer that could drift.
 */

export const STATUSES = [
  'open',
  'in_progress',
  'blocked',
  'hooked',
  'deferred',
  'pinned',
  'closed',
  // Convoy-only statuses (a staged convoy has not launched yet).
  'staged_ready',
  'staged_warnings',
] as const;
export type Status = (typeof STATUSES)[number];

/** Types a user may create with `bd create -t`. */
export const WORK_TYPES = ['task', 'bug', 'feature', 'chore', 'epic', 'decision'] as const;
/** Types the system creates itself: convoys (`gt convoy`) and escalations (`gt escalate`). */
export const SYSTEM_TYPES = ['convoy', 'escalation'] as const;
export type IssueType = (typeof WORK_TYPES)[number] | (typeof SYSTEM_TYPES)[number];

export type Priority = 0 | 1 | 2 | 3 | 4;

export interface Bead {
  id: string;
  title: string;
  description: string;
  /** What done means; part of a polecat's prompt. */
  acceptance_criteria: string;
  status: Status;
  priority: Priority;
  issue_type: IssueType;
  assignee: string | null;
  labels: string[];
  /** Derived from the bead's parent-child edge; kept on the record so `--parent` filters are one lookup. */
  parent: string | null;
  /** The rig whose prefix the id carries; null for town-level (`hq-`) beads, which cannot be slung. */
  rig: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  closed_at: string | null;
  close_reason: string;
  /** Materialised readiness flag (beads.md §4.1), maintained in the same write as the change. */
  is_blocked: boolean;
  /** Incremented by every change: the compare-and-swap token. */
  version: number;
}

/** What a caller supplies to create a bead; everything else is defaulted or derived. */
export interface NewBead {
  title: string;
  description?: string;
  acceptance_criteria?: string;
  issue_type?: IssueType;
  priority?: Priority;
  labels?: string[];
  parent?: string | null;
  rig?: string | null;
  assignee?: string | null;
  status?: Status;
  /** An explicit id (system use: convoys, imports). Normal creates generate one. */
  id?: string;
}

/** Fields `bd update` may change. Status changes to/from closed go through the close rules. */
export interface BeadPatch {
  title?: string;
  description?: string;
  acceptance_criteria?: string;
  status?: Status;
  priority?: Priority;
  assignee?: string | null;
  add_labels?: string[];
  remove_labels?: string[];
}

/** A blocker that is not closed or pinned still blocks (beads.md §3.3). */
export const isActive = (status: Status): boolean => status !== 'closed' && status !== 'pinned';

export const isSystemType = (t: IssueType): boolean => (SYSTEM_TYPES as readonly string[]).includes(t);
