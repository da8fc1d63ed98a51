import type { Bead } from './bead.ts';
import { cycleThrough, describeCycle } from './cycles.ts';
import type { DepType } from './dependency.ts';
import { conflict, refused } from './errors.ts';
import type { GraphView } from './graph-view.ts';

/**
 * What must hold before an edge `source → target` is stored (beads.md §3.4), in the order the
 * user would want to hear about it. Throws a DomainError; returns 'exists' when the very same
 * edge is already there (adding it again is a no-op, not an error).
 */
export function checkNewEdge(
  source: Bead,
  target: Bead,
  type: DepType,
  existingType: DepType | undefined,
  view: GraphView,
): 'new' | 'exists' {
  if (source.id === target.id) {
    throw refused('self_dependency', `${source.id} cannot depend on itself; name a different bead`);
  }
  if (existingType === type) return 'exists';
  if (existingType !== undefined) {
    throw conflict(
      'edge_type_conflict',
      `${source.id} already depends on ${target.id} with type ${existingType}; run \`bd dep remove ${source.id} ${target.id}\` first`,
    );
  }
  if (type === 'blocks' && (source.issue_type === 'epic') !== (target.issue_type === 'epic')) {
    throw refused(
      'epic_task_block',
      'epics can only block epics and tasks only tasks; use --type parent-child to put work under an epic',
    );
  }
  if (type === 'tracks' && source.issue_type !== 'convoy') {
    throw refused('tracks_reserved', 'tracks edges belong to convoys; use `gt convoy add`');
  }
  if (type === 'parent-child' && source.parent !== null) {
    throw conflict(
      'already_has_parent',
      `${source.id} already has parent ${source.parent}; remove that edge first (bd dep remove ${source.id} ${source.parent})`,
    );
  }
  const cycle = cycleThrough(source.id, target.id, type, view);
  if (cycle) {
    throw refused(
      'cycle',
      `adding ${source.id} → ${target.id} would create a cycle: ${describeCycle(cycle)}`,
      {
        cycle,
      },
    );
  }
  return 'new';
}
