import type { Bead } from './bead.ts';
import type { BeadGraph, GraphNode, GraphRef } from './bead-graph.ts';
import { GraphProblems } from './bead-graph.ts';
import { epicBlockProblem, refName } from './bead-graph-rules.ts';
import { DomainError, refused } from './errors.ts';

/**
 * A parsed plan against what the ledger holds: the beads it names by id exist, the rigs it names
 * exist, and each node's rig — its own, else its parent's, else the plan's. Pure: the command
 * layer reads the facts first (one read of the named beads, one of the rigs).
 */
export interface LedgerFacts {
  /** The beads the graph names by id, those that exist. */
  beads: ReadonlyMap<string, Pick<Bead, 'id' | 'rig' | 'issue_type'>>;
  /** Every rig of the town. */
  rigs: readonly string[];
  /** The rig of a top-level node that names none; throws (a DomainError) when there is no choice. */
  planRig: () => string;
}

/** Every id the graph names (parents, edge ends): what the ledger is asked about. */
export const referencedIds = (graph: BeadGraph): string[] => [
  ...new Set([
    ...graph.nodes.flatMap((n) => (n.parent && 'id' in n.parent ? [n.parent.id] : [])),
    ...graph.edges.flatMap((e) => [e.from, e.to].flatMap((r) => ('id' in r ? [r.id] : []))),
  ]),
];

/**
 * Each node's rig by key (null: town-level, under a town-level parent), or one refusal listing
 * every problem: an id not found, a rig that does not exist, a child naming a rig other than its
 * parent's, an epic/non-epic `blocks` edge with an existing bead, no rig to put the plan in.
 */
export function placeGraph(graph: BeadGraph, facts: LedgerFacts): Map<string, string | null> {
  const p = new GraphProblems();
  const known = new Set(facts.rigs);
  const rigList = facts.rigs.join(', ') || 'none yet; add one with gt rig add';
  let planRig: string | null | undefined;
  const defaultRig = (): string | null => {
    if (planRig !== undefined) return planRig;
    try {
      planRig = facts.planRig();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      p.add(`${err.message} (or give each top-level node a "rig")`);
      planRig = null;
    }
    return planRig;
  };
  const placed = new Map<string, string | null>();
  for (const node of graph.nodes) {
    const at = `nodes[${node.index}] ("${node.key}")`;
    if (node.rig !== null && !known.has(node.rig))
      p.add(`${at}.rig "${node.rig}" names no rig; see gt rig list (${rigList})`);
    const parentRig = rigOfParent(node, placed, facts);
    if (parentRig === 'not found') {
      const id = (node.parent as { id: string }).id;
      p.add(`${at}.parent_id ${id} not found; check the id with bd show ${id}`);
      placed.set(node.key, node.rig);
    } else if (parentRig === undefined) placed.set(node.key, node.rig ?? defaultRig());
    else {
      if (node.rig !== null && node.rig !== parentRig)
        p.add(
          `${at} names rig ${node.rig} but its parent is in ${parentRig ?? 'no rig (town-level)'}; give it no "rig" (a child goes with its parent)`,
        );
      placed.set(node.key, parentRig);
    }
  }
  const types = new Map(graph.nodes.map((n) => [n.key, n.issue_type]));
  const typeOf = (ref: GraphRef) => ('id' in ref ? facts.beads.get(ref.id)?.issue_type : types.get(ref.key));
  // In the file's order, for the reader (graph.edges are in write order).
  for (const edge of [...graph.edges].sort((a, b) => a.index - b.index)) {
    const at = `edges[${edge.index}]`;
    for (const side of ['from', 'to'] as const) {
      const ref = edge[side];
      if ('id' in ref && !facts.beads.has(ref.id))
        p.add(`${at}.${side}_id ${ref.id} not found; check the id with bd show ${ref.id}`);
    }
    if (edge.type !== 'blocks') continue;
    const from = typeOf(edge.from);
    const to = typeOf(edge.to);
    const problem = from && to && ('id' in edge.from || 'id' in edge.to) ? epicBlockProblem(from, to) : null;
    if (problem) p.add(`${at}: ${refName(edge.from)} → ${refName(edge.to)}: ${problem}`);
  }
  p.throwIfAny((message, details) => refused('invalid_graph', message, details));
  return placed;
}

/** The parent's rig (null: town-level); undefined for a top-level node. */
function rigOfParent(
  node: GraphNode,
  placed: ReadonlyMap<string, string | null>,
  facts: LedgerFacts,
): string | null | undefined | 'not found' {
  const parent = node.parent;
  if (parent === null) return undefined;
  // Parents come first (bead-graph-rules.ts orders them), so a parent node is placed already.
  if ('key' in parent) return placed.get(parent.key) ?? null;
  const bead = facts.beads.get(parent.id);
  return bead ? bead.rig : 'not found';
}
