import type { Bead, IssueType, Status } from './bead.ts';
import { refused, usageError } from './errors.ts';

/**
 * Convoys (reference/convoy.md §2): `hq-cv-…` beads of type convoy that track beads of any rig
 * through `tracks` edges. Lifecycle: staged_ready | staged_warnings → open → closed; adding work
 * to a closed convoy reopens it.
 */
export type ConvoyStatus = 'open' | 'closed' | 'staged_ready' | 'staged_warnings';

export const OWNED_LABEL = 'gt:owned';
export const MERGE_STRATEGIES = ['direct', 'mr', 'local'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

export const CLOSE_REASONS = {
  completed: 'All tracked issues completed',
  forced: 'Force closed',
  landed: 'Landed by owner',
} as const;

/** Only these types are work a polecat can be given (convoy.md §3.1). */
export const SLINGABLE_TYPES: readonly IssueType[] = ['task', 'bug', 'feature', 'chore'];
/** What convoy progress and dispatchability are judged by: a narrow read of a tracked bead. */
export type TrackedState = Pick<Bead, 'id' | 'status' | 'assignee' | 'is_blocked' | 'issue_type' | 'rig'>;

export const isSlingableType = (t: IssueType): boolean => SLINGABLE_TYPES.includes(t);

export const isStaged = (s: Status): boolean => s === 'staged_ready' || s === 'staged_warnings';

export function requireConvoy(bead: Bead | null, id: string): Bead {
  if (!bead)
    throw refused('convoy_not_found', `convoy ${JSON.stringify(id)} not found; see \`gt convoy list --all\``);
  if (bead.issue_type !== 'convoy') {
    throw refused(
      'not_a_convoy',
      `${id} is not a convoy (type: ${bead.issue_type}); convoy ids look like hq-cv-…`,
    );
  }
  return bead;
}

export const isOwned = (convoy: Bead): boolean => convoy.labels.includes(OWNED_LABEL);

export function parseMerge(raw: string | undefined): MergeStrategy | undefined {
  if (raw === undefined) return undefined;
  if ((MERGE_STRATEGIES as readonly string[]).includes(raw)) return raw as MergeStrategy;
  throw usageError(
    'invalid_merge',
    `invalid --merge value ${JSON.stringify(raw)}: must be direct, mr, or local`,
  );
}

/** The tracked beads' progress; `completed` counts closed beads only. */
export interface Progress {
  completed: number;
  total: number;
}

export const progressOf = (tracked: readonly Pick<Bead, 'status'>[]): Progress => ({
  completed: tracked.filter((b) => b.status === 'closed').length,
  total: tracked.length,
});

/**
 * Whether a convoy lands now (convoy.md §3.5): open, not owned, and every tracked bead closed.
 * An empty convoy never lands: 0/0 means "nothing added yet" (rolling convoys), not "done".
 */
export function landsNow(convoy: Bead, tracked: readonly Pick<Bead, 'status'>[]): boolean {
  if (convoy.status !== 'open' || isOwned(convoy) || tracked.length === 0) return false;
  return tracked.every((b) => b.status === 'closed');
}

/** `gt convoy close` without --force: refused while tracked beads are open. */
export function checkConvoyClose(convoy: Bead, tracked: readonly Bead[], force: boolean): void {
  if (convoy.status === 'closed') return;
  const open = tracked.filter((b) => b.status !== 'closed').map((b) => b.id);
  if (open.length > 0 && !force) {
    throw refused(
      'convoy_has_open_work',
      `convoy ${convoy.id} has ${open.length} open issue(s): ${open.join(', ')}; use --force to close anyway`,
      {
        open,
      },
    );
  }
}

export function checkLand(convoy: Bead, tracked: readonly Bead[], force: boolean): void {
  if (!isOwned(convoy)) {
    throw refused(
      'not_owned',
      `convoy ${convoy.id} is not an owned convoy; use \`gt convoy close ${convoy.id}\` instead`,
    );
  }
  checkConvoyClose(convoy, tracked, force);
}
