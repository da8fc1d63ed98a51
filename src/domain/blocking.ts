import { isActive } from './bead.ts';
import { DIRECT_BLOCKING } from './dependency.ts';
import type { GraphView } from './graph-view.ts';

/**
 * Whether a bead is blocked right now (beads.md §3.3), given the current state of its neighbours.
 * Deliberate choices (see docs/decisions.md):
 * - every non-closed, non-pinned status blocks, whatever rig the blocker lives in (one ledger, so
 *   cross-rig edges are real edges, unlike upstream's "external" targets that never block);
 * - conditional-blocks blocks like blocks (failure-only semantics are not modelled);
 * - an open parent does not block its children; a blocked parent does (inheritance);
 * - waits-for on a spawner with no children does not block (nothing to wait for).
 */
export function isBlockedNow(id: string, view: GraphView): boolean {
  const self = view.node(id);
  if (!self || !isActive(self.status)) return false;
  return view.edgesFrom(id).some((edge) => {
    const target = view.node(edge.target);
    if (!target) return false;
    if (DIRECT_BLOCKING.includes(edge.type)) return isActive(target.status);
    if (edge.type === 'parent-child') return target.is_blocked;
    if (edge.type === 'waits-for') return waitsForBlocks(edge.target, edge.gate ?? 'all-children', view);
    return false;
  });
}

function waitsForBlocks(spawner: string, gate: 'all-children' | 'any-children', view: GraphView): boolean {
  const children = childrenOf(spawner, view);
  const anyOpen = children.some((c) => isActive(c));
  if (!anyOpen) return false;
  if (gate === 'any-children') return !children.some((c) => c === 'closed');
  return true;
}

const childrenOf = (id: string, view: GraphView) =>
  view
    .edgesTo(id, ['parent-child'])
    .map((e) => view.node(e.source)?.status)
    .filter((s) => s !== undefined);

/** Beads whose blocked state may change when `id` crosses the active ↔ closed/pinned boundary. */
export function affectedByStatusChange(id: string, view: GraphView): string[] {
  const dependers = view.edgesTo(id, DIRECT_BLOCKING).map((e) => e.source);
  const parents = view
    .edgesFrom(id)
    .filter((e) => e.type === 'parent-child')
    .map((e) => e.target);
  const waiters = parents.flatMap((p) => view.edgesTo(p, ['waits-for']).map((e) => e.source));
  return [id, ...dependers, ...waiters];
}

/** Beads whose blocked state may change when the edge source → target (of `type`) appears or goes. */
export function affectedByEdgeChange(
  source: string,
  target: string,
  type: string,
  view: GraphView,
): string[] {
  const waiters = type === 'parent-child' ? view.edgesTo(target, ['waits-for']).map((e) => e.source) : [];
  return [source, ...waiters];
}

/**
 * Re-evaluate `start` and ripple outwards: when a bead's flag flips, its children (which inherit
 * it) are re-evaluated in turn. Converges because parent-child edges form a forest (cycles.ts
 * refuses parent-child cycles). `write` persists each flip; it must also update what `view` sees.
 */
export function propagateBlocked(
  start: Iterable<string>,
  view: GraphView,
  write: (id: string, blocked: boolean) => void,
): string[] {
  const flipped: string[] = [];
  const queue = [...new Set(start)];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    const node = view.node(id);
    if (!node) continue;
    const now = isBlockedNow(id, view);
    if (now === node.is_blocked) continue;
    write(id, now);
    flipped.push(id);
    for (const child of view.edgesTo(id, ['parent-child'])) queue.push(child.source);
  }
  return flipped;
}

/** The targets of blocks / conditional-blocks / waits-for edges that block `id` right now. */
export function activeDirectBlockers(id: string, view: GraphView): string[] {
  const direct = view
    .edgesFrom(id)
    .filter((e) => {
      const target = view.node(e.target);
      if (!target) return false;
      if (DIRECT_BLOCKING.includes(e.type)) return isActive(target.status);
      return e.type === 'waits-for' && waitsForBlocks(e.target, e.gate ?? 'all-children', view);
    })
    .map((e) => e.target);
  return [...new Set(direct)].sort();
}

/** What `bd blocked` shows: the active direct blockers, or the parent when blocked only by inheritance. */
export function blockedBy(id: string, view: GraphView): string[] {
  const direct = activeDirectBlockers(id, view);
  if (direct.length > 0) return direct;
  const parent = view.edgesFrom(id).find((e) => e.type === 'parent-child' && view.node(e.target)?.is_blocked);
  return parent ? [parent.target] : [];
}
