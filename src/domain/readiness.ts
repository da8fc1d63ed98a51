import type { Bead, IssueType } from './bead.ts';

/**
 * `bd ready`: open, unassigned, not blocked, not a container. Deliberate choices:
 * - only `open` is ready (upstream's CLI behaviour; in_progress/hooked work is taken);
 * - epics and convoys are containers, escalations are requests for help: none is ready work
 *   (upstream beads#5583);
 * - order is priority, then oldest first, then id: a work queue should not starve old work
 *   (upstream sorts newest first within a priority).
 */
export const NOT_READY_TYPES: readonly IssueType[] = ['epic', 'convoy', 'escalation'];

export interface ReadyFilter {
  rig?: string;
  limit?: number;
}

export const DEFAULT_READY_LIMIT = 100;

export const isReady = (b: Pick<Bead, 'status' | 'is_blocked' | 'assignee' | 'issue_type'>): boolean =>
  b.status === 'open' &&
  !b.is_blocked &&
  (b.assignee === null || b.assignee === '') &&
  !NOT_READY_TYPES.includes(b.issue_type);

export function compareReady(a: Bead, b: Bead): number {
  return a.priority - b.priority || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}

/** `bd list` and `bd blocked` order: priority, then newest first (upstream's list order). */
export function compareListed(a: Bead, b: Bead): number {
  return a.priority - b.priority || b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id);
}
