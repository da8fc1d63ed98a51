import type { Bead } from './bead.ts';
import { activeDirectBlockers } from './blocking.ts';
import { refused } from './errors.ts';
import type { GraphView } from './graph-view.ts';

/**
 * Guards for closing a bead (beads.md §4.7). Every path that ends in `closed` goes through here,
 * including `bd update --status closed` (upstream lets that bypass the guards; we do not, so a
 * script cannot close blocked work by accident).
 */
export function checkClose(bead: Bead, force: boolean, view: GraphView): void {
  if (bead.status === 'closed') {
    throw refused(
      'already_closed',
      `${bead.id} is already closed; use \`bd reopen ${bead.id}\` to work on it again`,
    );
  }
  if (force) return;
  if (bead.status === 'pinned') {
    throw refused('pinned', `${bead.id} is pinned; use --force to close it anyway`);
  }
  const openChildren = bead.issue_type === 'epic' ? openChildrenOf(bead.id, view) : [];
  if (openChildren.length > 0) {
    throw refused(
      'open_children',
      `epic ${bead.id} has open children [${openChildren.join(', ')}]; close them first or use --force`,
      { open_children: openChildren },
    );
  }
  // Only active *direct* blockers refuse the close: a bead blocked through its parent may close.
  const blockers = activeDirectBlockers(bead.id, view);
  if (blockers.length > 0) {
    throw refused(
      'blocked',
      `${bead.id} is blocked by open issues [${blockers.join(', ')}]; close them first or use --force`,
      {
        blocked_by: blockers,
      },
    );
  }
}

export function checkReopen(bead: Bead): void {
  if (bead.status === 'open') {
    throw refused('already_open', `${bead.id} is already open`);
  }
}

/** Children (parent-child dependents) not yet closed. */
export const openChildrenOf = (id: string, view: GraphView): string[] =>
  view
    .edgesTo(id, ['parent-child'])
    .filter((e) => view.node(e.source)?.status !== 'closed')
    .map((e) => e.source)
    .sort();
