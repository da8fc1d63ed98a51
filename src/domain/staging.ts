import { type Bead, isActive } from './bead.ts';
import { isSlingableType } from './convoy.ts';
import type { DepType } from './dependency.ts';

/**
 * Staging a convoy (reference/convoy.md §3.9–§3.13): a DAG over the staged beads, the first
 * dependency cycle, Kahn waves with gates, and the findings. Pure: the caller loads the beads,
 * their edges and which rigs are parked.
 *
 * Deliberate differences from upstream (docs/decisions.md):
 * - closed beads are done: they get no wave and never block;
 * - an open blocker OUTSIDE the staged set gates its dependents (upstream ignores it, then
 *   feeding stalls on it at run time without the plan saying so);
 * - no `missing-branch` warning (upstream never checks a branch) and no validation bead.
 */
export const STAGE_BLOCKING: readonly DepType[] = ['blocks', 'conditional-blocks', 'waits-for'];
export const CAPACITY_WARNING = 5;

export type StageNode = Pick<Bead, 'id' | 'title' | 'issue_type' | 'status' | 'rig'>;
export interface StageEdge {
  issue_id: string;
  depends_on_id: string;
  type: DepType;
}

export interface Finding {
  category: 'cycle' | 'no-rig' | 'orphan' | 'blocked-rig' | 'cross-rig' | 'capacity' | 'gated';
  bead_ids: string[];
  message: string;
  suggested_fix?: string;
}

export interface Wave {
  wave: number;
  issues: string[];
}

export interface StagePlan {
  status: 'staged_ready' | 'staged_warnings' | 'error';
  waves: Wave[];
  gated: Array<{ id: string; gated_by: string[] }>;
  warnings: Finding[];
  errors: Finding[];
  /** The beads a convoy of this plan tracks: the slingable ones. */
  slingable: string[];
}

interface Dag {
  nodes: Map<string, StageNode>;
  /** id → blockers of id (any status; may lie outside the staged set). */
  blockedBy: Map<string, string[]>;
  /** id → ids it blocks, inside the set. */
  blocks: Map<string, string[]>;
}

export function buildDag(nodes: readonly StageNode[], edges: readonly StageEdge[]): Dag {
  const dag: Dag = { nodes: new Map(nodes.map((n) => [n.id, n])), blockedBy: new Map(), blocks: new Map() };
  for (const e of edges) {
    if (!STAGE_BLOCKING.includes(e.type) || !dag.nodes.has(e.issue_id)) continue;
    push(dag.blockedBy, e.issue_id, e.depends_on_id);
    if (dag.nodes.has(e.depends_on_id)) push(dag.blocks, e.depends_on_id, e.issue_id);
  }
  return dag;
}

const push = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);

/** The first cycle over blocking edges, blocker → dependent, deterministic (sorted ids). */
export function firstCycle(dag: Dag): string[] | null {
  const color = new Map<string, 'grey' | 'black'>();
  const parent = new Map<string, string>();
  for (const root of [...dag.nodes.keys()].sort()) {
    if (color.has(root)) continue;
    const stack: Array<{ id: string; next: string[] }> = [
      { id: root, next: [...(dag.blocks.get(root) ?? [])].sort() },
    ];
    color.set(root, 'grey');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: string[] };
      const v = top.next.shift();
      if (v === undefined) {
        color.set(top.id, 'black');
        stack.pop();
        continue;
      }
      if (color.get(v) === 'grey') {
        const path = [top.id];
        for (let at = top.id; at !== v; ) {
          at = parent.get(at) as string;
          path.unshift(at);
        }
        return [...path, v];
      }
      if (!color.has(v)) {
        color.set(v, 'grey');
        parent.set(v, top.id);
        stack.push({ id: v, next: [...(dag.blocks.get(v) ?? [])].sort() });
      }
    }
  }
  return null;
}

/** Kahn layering of the open slingable beads; open non-slingable or outside blockers are gates. */
export function computeWaves(
  dag: Dag,
  isOpenOutside: (id: string) => boolean,
): Pick<StagePlan, 'waves' | 'gated'> {
  const work = [...dag.nodes.values()]
    .filter((n) => isSlingableType(n.issue_type) && n.status !== 'closed')
    .map((n) => n.id);
  const inWork = new Set(work);
  const gatesOf = (id: string) =>
    (dag.blockedBy.get(id) ?? []).filter((b) => {
      if (inWork.has(b)) return false;
      const node = dag.nodes.get(b);
      return node ? isActive(node.status) : isOpenOutside(b);
    });
  const indegree = new Map(
    work.map((id) => [
      id,
      (dag.blockedBy.get(id) ?? []).filter((b) => inWork.has(b)).length + gatesOf(id).length,
    ]),
  );
  const waves: Wave[] = [];
  let layer = work.filter((id) => indegree.get(id) === 0).sort();
  while (layer.length > 0) {
    waves.push({ wave: waves.length + 1, issues: layer });
    const next: string[] = [];
    for (const id of layer) {
      indegree.delete(id);
      for (const dependent of dag.blocks.get(id) ?? []) {
        if (!indegree.has(dependent)) continue;
        const left = (indegree.get(dependent) as number) - 1;
        indegree.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    layer = next.sort();
  }
  const gated = [...indegree.keys()].sort().map((id) => ({ id, gated_by: gatesOf(id).sort() }));
  return { waves, gated };
}
