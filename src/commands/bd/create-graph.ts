import type { Actor } from '../../domain/actor.ts';
import { homeRigOf } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { type BeadGraph, type GraphRef, parseGraphText } from '../../domain/bead-graph.ts';
import { placeGraph, referencedIds } from '../../domain/bead-graph-place.ts';
import { refName } from '../../domain/bead-graph-rules.ts';
import { CYCLE_CHECKED } from '../../domain/dependency.ts';
import { refused, usageError } from '../../domain/errors.ts';
import type { Ledger } from '../../ledger/port.ts';
import { allOrNothing } from '../all-or-nothing.ts';
import { flag, optString, reqString } from '../args.ts';
import type { CommandContext, CommandResult } from '../command.ts';
import { chooseRig } from '../rig-choice.ts';
import type { Args } from '../syntax.ts';

/** What `bd create --graph` answers: each node's bead by key (none on a dry run) and its rig. */
export interface GraphCreated {
  /** key → the new bead's id; empty on a dry run. */
  ids: Record<string, string>;
  /** key → the rig the bead goes (or would go) to; null: town-level, under a town-level parent. */
  rigs: Record<string, string | null>;
  edges: number;
  warnings: string[];
  dry_run: boolean;
}

/** A graph checked against the ledger: parsed, the beads it names by id, each node's rig. */
export interface ResolvedGraph {
  graph: BeadGraph;
  existing: ReadonlyMap<string, Bead>;
  rigs: ReadonlyMap<string, string | null>;
}

/** `bd create` flags that describe one bead: a graph gives those per node. */
const SINGLE_BEAD_ARGS = ['title', 'type', 'priority', 'description', 'acceptance', 'parent', 'labels'];
/** Ids per ledger read (an `IN (…)` list stays small). */
const READ_CHUNK = 500;
/** Beads of the ledger walked at most when looking for a cycle through them (beyond: the write's own check). */
const MAX_WALK = 5_000;

/**
 * Parses `--graph` and reads what it names — the scope check (access/create-graph-scope.ts) and
 * the command call this alike, so both see the same rigs. Rig of a top-level node that names
 * none: `--rig`, else the calling agent's own rig, else the town's only rig.
 */
export async function resolveGraph(ledger: Ledger, args: Args, actor: Actor): Promise<ResolvedGraph> {
  const graph = parseGraphText(reqString(args, 'graph'));
  const ids = referencedIds(graph);
  const found: Bead[] = [];
  for (let i = 0; i < ids.length; i += READ_CHUNK)
    found.push(...(await ledger.listBeads({ ids: ids.slice(i, i + READ_CHUNK), all: true })));
  const existing = new Map(found.map((b) => [b.id, b]));
  const rigRows = await ledger.listRigs();
  const planRig = optString(args, 'rig') ?? homeRigOf(actor) ?? undefined;
  const rigs = placeGraph(graph, {
    beads: existing,
    rigs: rigRows.map((r) => r.name),
    planRig: () => chooseRig(rigRows, planRig),
  });
  return { graph, existing, rigs };
}

/**
 * `bd create --graph`: every check first — the document (bead-graph.ts), then the ledger (ids,
 * rigs, cycles through existing beads) — so a bad plan writes nothing; then the beads, parents
 * before children, then the edges, all or nothing (all-or-nothing.ts). `--dry-run` stops after
 * the checks.
 */
export async function createGraph(args: Args, ctx: CommandContext): Promise<CommandResult<GraphCreated>> {
  const extra = SINGLE_BEAD_ARGS.filter((name) => args[name] !== undefined);
  if (extra.length > 0)
    throw usageError(
      'graph_with_fields',
      `--graph takes every bead from the graph; drop ${extra.map((n) => (n === 'title' ? '<title>' : `--${n}`)).join(', ')} and give those per node`,
    );
  const ledger = ctx.services.ledger;
  const resolved = await resolveGraph(ledger, args, ctx.actor);
  await refuseCyclesThroughLedger(ledger, resolved.graph);
  const { graph, rigs } = resolved;
  // Answers list the nodes as the file does (they are written parents first).
  const keys = [...graph.nodes].sort((a, b) => a.index - b.index).map((n) => n.key);
  const summary = {
    rigs: Object.fromEntries(keys.map((k) => [k, rigs.get(k) ?? null])),
    edges: graph.edges.length,
    warnings: graph.warnings,
  };
  if (flag(args, 'dry-run')) return { data: { ids: {}, ...summary, dry_run: true } };
  // A Map: keys are the planner's text, and `__proto__` is a fine key for it.
  const ids = new Map<string, string>();
  const idOf = (ref: GraphRef): string => ('key' in ref ? (ids.get(ref.key) as string) : ref.id);
  await allOrNothing(ledger, ctx.write(), 'bd create --graph', async (w) => {
    for (const node of graph.nodes) {
      const bead = await w.createBead({
        title: node.title,
        description: node.description,
        acceptance_criteria: node.acceptance_criteria,
        issue_type: node.issue_type,
        labels: node.labels,
        assignee: node.assignee,
        ...(node.priority !== undefined && { priority: node.priority }),
        // A child goes with its parent (the ledger puts it there); a top-level node to its rig.
        ...(node.parent ? { parent: idOf(node.parent) } : { rig: rigs.get(node.key) ?? null }),
      });
      ids.set(node.key, bead.id);
    }
    for (const edge of graph.edges) await w.addDependency(idOf(edge.from), idOf(edge.to), edge.type);
  });
  return {
    data: { ids: Object.fromEntries(keys.map((k) => [k, ids.get(k) as string])), ...summary, dry_run: false },
  };
}

/**
 * An edge from an existing bead to a new node (`from_id`) closes a cycle when that bead is
 * reachable from the node — through the plan's edges and the ledger's. Checked here so that a
 * dry run tells; the ledger's own check at the write would only undo the whole plan.
 */
async function refuseCyclesThroughLedger(ledger: Ledger, graph: BeadGraph): Promise<void> {
  const back = graph.edges.filter((e) => 'id' in e.from && 'key' in e.to && CYCLE_CHECKED.includes(e.type));
  if (back.length === 0) return;
  const out = new Map<string, GraphRef[]>();
  const token = (ref: GraphRef) => ('key' in ref ? `k:${ref.key}` : `i:${ref.id}`);
  const link = (from: GraphRef, to: GraphRef) => out.set(token(from), [...(out.get(token(from)) ?? []), to]);
  for (const node of graph.nodes) if (node.parent) link({ key: node.key }, node.parent);
  for (const e of graph.edges) if (CYCLE_CHECKED.includes(e.type)) link(e.from, e.to);
  const loaded = new Set<string>();
  for (const edge of back) {
    const target = token(edge.from);
    const seen = new Set([token(edge.to)]);
    const queue: GraphRef[] = [edge.to];
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i] as GraphRef;
      if ('id' in at && !loaded.has(at.id) && loaded.size < MAX_WALK) {
        loaded.add(at.id);
        for (const dep of await ledger.dependenciesOf(at.id))
          if (CYCLE_CHECKED.includes(dep.type)) link(at, { id: dep.depends_on_id });
      }
      for (const next of out.get(token(at)) ?? []) {
        if (token(next) === target)
          throw refused(
            'cycle',
            `the graph cannot be created (nothing was written): edges[${edge.index}] ${refName(edge.from)} → ${refName(edge.to)} would close a cycle, since ${refName(edge.to)} already leads back to ${refName(edge.from)}; remove that edge`,
          );
        if (seen.has(token(next))) continue;
        seen.add(token(next));
        queue.push(next);
      }
    }
  }
}

/** `key → id` lines (or the rigs on a dry run), then the warnings. */
export function graphText(r: GraphCreated): string {
  const keys = Object.keys(r.rigs);
  const lines = r.dry_run
    ? [
        `dry run: ${keys.length} bead(s) and ${r.edges} edge(s) would be created; nothing was written`,
        ...keys.map((k) => `${k} → (new, rig ${r.rigs[k] ?? 'none'})`),
      ]
    : keys.map((k) => `${k} → ${r.ids[k]}`);
  return [...lines, ...r.warnings.map((w) => `warning: ${w}`)].join('\n');
}
