import { CYCLE_CHECKED, type DepType } from './dependency.ts';
import type { GraphView } from './graph-view.ts';

/**
 * Deadlock detection. The graph is the blocking edges plus child → parent edges: a child inherits
 * its parent's blocked state, so "a parent blocks on its own child" deadlocks exactly like
 * A → B → A. Upstream checks only blocks/conditional-blocks and then needs a separate
 * "child cannot depend on parent" guard; one graph covers both (and parent-child cycles).
 */

/** The path target → … → source if adding source → target would close a cycle, else null. */
export function cycleThrough(
  source: string,
  target: string,
  type: DepType,
  view: GraphView,
): string[] | null {
  if (!CYCLE_CHECKED.includes(type)) return null;
  if (source === target) return [source, source];
  const cameFrom = new Map<string, string>([[target, '']]);
  const queue = [target];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i] as string;
    for (const edge of view.edgesFrom(at)) {
      if (!CYCLE_CHECKED.includes(edge.type) || cameFrom.has(edge.target)) continue;
      cameFrom.set(edge.target, at);
      if (edge.target === source) return [source, ...pathTo(source, cameFrom)];
      queue.push(edge.target);
    }
  }
  return null;
}

function pathTo(end: string, cameFrom: Map<string, string>): string[] {
  const path: string[] = [];
  for (let at = end; at !== ''; at = cameFrom.get(at) ?? '') path.unshift(at);
  // path runs target … source; the new edge source → target closes it.
  return path;
}

/** Renders a cycle for messages: "a → b → c → a". */
export const describeCycle = (cycle: readonly string[]): string => cycle.join(' → ');

/**
 * Every elementary cycle found by a DFS over the cycle-checked edges (one per back edge), for
 * `bd dep cycles`. Inserts refuse cycles, so this only finds ones made by concurrent writers to a
 * MongoDB ledger (two inserts that each passed the check) or imported data.
 */
export function findCycles(ids: Iterable<string>, view: GraphView): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  // Iterative DFS: dependency chains can be far deeper than the JS call stack.
  for (const root of ids) {
    if (state.has(root)) continue;
    const stack: Array<{ id: string; next: string[] }> = [];
    const enter = (id: string) => {
      state.set(id, 'visiting');
      const next = view
        .edgesFrom(id)
        .filter((e) => CYCLE_CHECKED.includes(e.type))
        .map((e) => e.target);
      stack.push({ id, next });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: string[] };
      const target = top.next.shift();
      if (target === undefined) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const seen = state.get(target);
      if (seen === 'visiting') {
        const from = stack.findIndex((f) => f.id === target);
        cycles.push([...stack.slice(from).map((f) => f.id), target]);
      } else if (seen === undefined && view.node(target)) enter(target);
    }
  }
  return cycles;
}
