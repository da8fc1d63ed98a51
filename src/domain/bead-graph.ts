import type { IssueType, Priority } from './bead.ts';
import { checkGraphShape } from './bead-graph-rules.ts';
import { DomainError, usageError } from './errors.ts';
import { parseRigName } from './rig.ts';
import {
  parseAssignee,
  parseDescription,
  parseId,
  parseLabels,
  parsePriority,
  parseTitle,
  parseWorkType,
} from './validation.ts';

/**
 * A whole plan as one document — what a planner (the Mayor) emits for `bd create --graph`:
 * `{nodes: [{key, title, …, parent_key | parent_id}], edges: [{from_key | from_id, to_key | to_id,
 * type}]}`, where an edge's `from` depends on its `to` (upstream's graph_apply shape). Keys are
 * the plan's own names for its beads; ids name beads already in the ledger.
 *
 * Everything that can be judged from the document alone is judged here, before any write, and
 * every problem is reported at once, each naming its node or edge and the fix: a planner that
 * gets one error per round trip would take twenty round trips to fix twenty.
 */

/** More than a planner should emit in one go; bigger plans are split (later ones name beads by id). */
export const MAX_GRAPH_NODES = 2_000;
export const MAX_GRAPH_EDGES = 20_000;
/** What the CLI reads and the service accepts; far above a 2,000-node plan of sane descriptions. */
export const MAX_GRAPH_BYTES = 4 * 1024 * 1024;
const MAX_KEY = 200;
/** A graph with hundreds of problems is the wrong file: the first ones say so. */
const MAX_PROBLEMS = 25;

/** Edge types a plan may use. Parent links are the nodes' `parent_key`; `tracks` is convoys'. */
export const GRAPH_EDGE_TYPES = [
  'blocks',
  'conditional-blocks',
  'waits-for',
  'related',
  'discovered-from',
] as const;
export type GraphEdgeType = (typeof GRAPH_EDGE_TYPES)[number];

/** A node of this graph (`key`) or a bead already in the ledger (`id`). */
export type GraphRef = { key: string } | { id: string };

export interface GraphNode {
  key: string;
  /** Its place in the file (`nodes[i]`), for messages. */
  index: number;
  title: string;
  issue_type: IssueType;
  description: string;
  acceptance_criteria: string;
  assignee: string | null;
  priority?: Priority;
  labels: string[];
  parent: GraphRef | null;
  /** The rig the node names itself; null: its parent's, else the plan's. */
  rig: string | null;
}

export interface GraphEdge {
  /** Its place in the file (`edges[i]`), for messages. */
  index: number;
  from: GraphRef;
  to: GraphRef;
  type: GraphEdgeType;
}

export interface BeadGraph {
  /** Parents before their children: the order they can be written in. */
  nodes: GraphNode[];
  /** In the order they are best written (bead-graph-rules.ts downstreamFirst); `index` is the file's. */
  edges: GraphEdge[];
  /** Fields that were ignored and repeated edges that were dropped, each named by its path. */
  warnings: string[];
}

const TOP_KEYS = new Set(['nodes', 'edges']);
const NODE_KEYS = new Set([
  'key',
  'title',
  'type',
  'description',
  'acceptance',
  'acceptance_criteria',
  'assignee',
  'priority',
  'labels',
  'metadata',
  'parent_key',
  'parent_id',
  'rig',
]);
const EDGE_KEYS = new Set(['from_key', 'from_id', 'to_key', 'to_id', 'type']);

/** Problems found so far (each names its node or edge and the fix), and warnings. */
export class GraphProblems {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  private more = 0;
  /** Unknown fields by where and name (`nodes[].dependson`) → the paths that carry them. */
  private readonly unknownFields = new Map<string, { paths: string[]; known: string }>();

  /** One warning per unknown field name, however many nodes repeat it. */
  unknown(kind: string, path: string, known: string): void {
    const seen = this.unknownFields.get(kind) ?? { paths: [], known };
    seen.paths.push(path);
    this.unknownFields.set(kind, seen);
  }

  /** The warnings, unknown fields summarised (three paths each, then a count). */
  allWarnings(): string[] {
    const unknown = [...this.unknownFields.values()].map(({ paths, known }) => {
      const shown = paths.slice(0, 3).join(', ');
      const more = paths.length > 3 ? ` and ${paths.length - 3} more` : '';
      return `${shown}${more}: unknown field, ignored (known here: ${known})`;
    });
    return [...unknown, ...this.warnings];
  }

  add(message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(message);
    else this.more++;
  }

  /** Runs a field check of validation.ts, prefixing its message with the field's path. */
  field<T>(path: string, check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.add(`${path}: ${err.message}`);
      return undefined;
    }
  }

  /** Throws everything found, as one error; nothing when the graph is sound. */
  throwIfAny(make: (message: string, details: Record<string, unknown>) => DomainError): void {
    if (this.problems.length === 0) return;
    const more = this.more > 0 ? [`… and ${this.more} more problem(s)`] : [];
    const lines = [...this.problems, ...more].map((p) => `  - ${p}`);
    throw make(
      `the graph cannot be created (nothing was written); fix ${this.problems.length + this.more === 1 ? 'this' : 'these'} and send it again:\n${lines.join('\n')}`,
      { problems: this.problems },
    );
  }
}

const invalidGraph = (message: string, details: Record<string, unknown>) =>
  usageError('invalid_graph', message, details);

/** Parses the JSON text of a graph (the CLI sends a file's text as it is). */
export function parseGraphText(text: string): BeadGraph {
  const bytes = new TextEncoder().encode(text).byteLength;
  if (bytes > MAX_GRAPH_BYTES)
    throw usageError(
      'graph_too_large',
      `the graph is ${mib(bytes)}; the limit is ${mib(MAX_GRAPH_BYTES)}: split the plan into several graphs (a later one names earlier beads with to_id)`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw usageError(
      'invalid_graph',
      `the graph is not valid JSON (${(err as Error).message}); give a JSON object {"nodes": […], "edges": […]} (docs/plans.md shows one)`,
    );
  }
  return parseBeadGraph(raw);
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Checks a parsed graph document; throws one usage error listing every problem. */
export function parseBeadGraph(raw: unknown): BeadGraph {
  if (!isObject(raw))
    throw usageError(
      'invalid_graph',
      'the graph must be a JSON object {"nodes": […], "edges": […]}; see docs/plans.md for one',
    );
  const p = new GraphProblems();
  warnUnknown(raw, TOP_KEYS, '', p);
  const rawNodes = raw.nodes;
  if (!Array.isArray(rawNodes) || rawNodes.length === 0)
    throw usageError(
      'invalid_graph',
      'the graph needs "nodes": an array with at least one node such as {"key": "design", "title": "Design the schema"}',
    );
  if (rawNodes.length > MAX_GRAPH_NODES)
    throw usageError(
      'graph_too_large',
      `the graph has ${rawNodes.length} nodes; the limit is ${MAX_GRAPH_NODES}: split the plan (a later graph names earlier beads with to_id)`,
    );
  const rawEdges = raw.edges ?? [];
  if (!Array.isArray(rawEdges))
    throw usageError(
      'invalid_graph',
      '"edges" must be an array of {"from_key", "to_key", "type"} (from depends on to); give [] or leave it out for none',
    );
  if (rawEdges.length > MAX_GRAPH_EDGES)
    throw usageError(
      'graph_too_large',
      `the graph has ${rawEdges.length} edges; the limit is ${MAX_GRAPH_EDGES}: split the plan`,
    );
  const nodes = rawNodes.map((n, i) => parseNode(n, i, p)).filter((n): n is GraphNode => n !== null);
  const edges = rawEdges.map((e, i) => parseEdge(e, i, p)).filter((e): e is GraphEdge => e !== null);
  const metadata = rawNodes.filter((n) => isObject(n) && n.metadata !== undefined).length;
  if (metadata > 0)
    p.warnings.push(
      `nodes[].metadata (${metadata} node(s)): not stored (a bead has no metadata field); put what a worker needs in the description`,
    );
  // Keys of nodes that failed other checks still count: an edge to one is not a second problem.
  const declared = new Set(
    rawNodes.flatMap((n) => (isObject(n) && validKey(n.key) ? [n.key as string] : [])),
  );
  const graph = checkGraphShape(nodes, edges, declared, p);
  p.throwIfAny(invalidGraph);
  return { ...graph, warnings: p.allWarnings() };
}

function parseNode(raw: unknown, i: number, p: GraphProblems): GraphNode | null {
  const path = `nodes[${i}]`;
  if (!isObject(raw)) {
    p.add(`${path} must be an object; give at least {"key": …, "title": …}`);
    return null;
  }
  const key: string = typeof raw.key === 'string' ? raw.key : '';
  if (!validKey(key)) {
    p.add(
      `${path}.key ${key.length > MAX_KEY ? 'is too long' : 'is missing or empty'}; give every node a unique key (at most ${MAX_KEY} characters), e.g. "design"`,
    );
    return null;
  }
  const at = `${path} ("${key}")`;
  warnUnknown(raw, NODE_KEYS, path, p);
  const title = p.field(`${at}.title`, () => parseTitle(raw.title));
  const type = p.field(`${at}.type`, () =>
    raw.type === undefined ? 'task' : parseWorkType(scalar(raw.type, 'a type such as "task"')),
  );
  const description = p.field(`${at}.description`, () => parseDescription(raw.description));
  const acceptance = p.field(`${at}.acceptance`, () =>
    parseDescription(raw.acceptance ?? raw.acceptance_criteria),
  );
  const assignee = p.field(`${at}.assignee`, () => parseAssignee(raw.assignee));
  const priority = p.field(`${at}.priority`, () =>
    raw.priority === undefined || raw.priority === null
      ? undefined
      : parsePriority(scalar(raw.priority, 'a number 0-4')),
  );
  const labels = p.field(`${at}.labels`, () => parseNodeLabels(raw.labels));
  const rig = p.field(`${at}.rig`, () =>
    raw.rig === undefined || raw.rig === null ? null : parseRigName(raw.rig),
  );
  const parent = parseRef(raw, 'parent', at, p, false);
  if (
    title === undefined ||
    type === undefined ||
    description === undefined ||
    acceptance === undefined ||
    assignee === undefined ||
    labels === undefined ||
    rig === undefined ||
    parent === undefined
  )
    return null;
  return {
    key,
    index: i,
    title,
    issue_type: type,
    description,
    acceptance_criteria: acceptance,
    assignee,
    ...(priority !== undefined && { priority }),
    labels,
    parent,
    rig,
  };
}

function parseNodeLabels(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((l) => typeof l !== 'string'))
    throw usageError('invalid_label', 'labels must be an array of strings, e.g. ["backend", "db"]');
  return parseLabels(raw);
}

/**
 * `<side>_key` or `<side>_id`: exactly one (`required`), at most one otherwise. Undefined when
 * wrong (recorded), null when absent and allowed.
 */
function parseRef(
  raw: Record<string, unknown>,
  side: 'parent' | 'from' | 'to',
  at: string,
  p: GraphProblems,
  required: boolean,
): GraphRef | null | undefined {
  const key = raw[`${side}_key`];
  const id = raw[`${side}_id`];
  const hasKey = key !== undefined && key !== null;
  const hasId = id !== undefined && id !== null;
  if (hasKey && hasId) {
    p.add(`${at}: give ${side}_key or ${side}_id, not both`);
    return undefined;
  }
  if (hasKey) {
    if (typeof key === 'string' && key.trim() !== '') return { key };
    p.add(`${at}.${side}_key must be a node's key (a non-empty string)`);
    return undefined;
  }
  if (hasId) return p.field(`${at}.${side}_id`, () => ({ id: parseId(id) }));
  if (!required) return null;
  p.add(
    `${at} needs ${side}_key (a node's key) or ${side}_id (an existing bead's id); an edge's from depends on its to`,
  );
  return undefined;
}

function parseEdge(raw: unknown, i: number, p: GraphProblems): GraphEdge | null {
  const at = `edges[${i}]`;
  if (!isObject(raw)) {
    p.add(`${at} must be an object such as {"from_key": "b", "to_key": "a"} (b depends on a)`);
    return null;
  }
  warnUnknown(raw, EDGE_KEYS, at, p);
  const from = parseRef(raw, 'from', at, p, true);
  const to = parseRef(raw, 'to', at, p, true);
  const type = p.field(`${at}.type`, () => parseEdgeType(raw.type));
  if (!from || !to || type === undefined) return null;
  return { index: i, from, to, type };
}

function parseEdgeType(raw: unknown): GraphEdgeType {
  if (raw === undefined || raw === null) return 'blocks';
  if ((GRAPH_EDGE_TYPES as readonly unknown[]).includes(raw)) return raw as GraphEdgeType;
  if (raw === 'parent-child')
    throw usageError(
      'invalid_dep_type',
      'parent-child is not an edge here; give the child node "parent_key" (or "parent_id") instead',
    );
  if (raw === 'tracks')
    throw usageError('invalid_dep_type', 'tracks edges belong to convoys; use gt convoy add after creating');
  throw usageError(
    'invalid_dep_type',
    `unknown edge type ${JSON.stringify(raw)}; use one of: ${GRAPH_EDGE_TYPES.join(', ')} (default blocks)`,
  );
}

/** `where`: `nodes[3]` (or '' for the top level); `kind` groups the same field of every node. */
function warnUnknown(raw: Record<string, unknown>, known: Set<string>, where: string, p: GraphProblems) {
  const kind = where.replace(/\[\d+\]/, '[]');
  const names = [...known].filter((k) => k !== 'acceptance_criteria').join(', ');
  for (const name of Object.keys(raw))
    if (!known.has(name)) p.unknown(`${kind}.${name}`, where ? `${where}.${name}` : name, names);
}

/**
 * validation.ts reads types and priorities through String(), which throws on an object without
 * a usable toString (`{"toString": 1}`): anything but text or a number is refused first.
 */
function scalar(raw: unknown, want: string): string | number {
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  throw usageError('invalid_graph', `${JSON.stringify(raw)} is not ${want}; give ${want}`);
}

const validKey = (key: unknown): boolean =>
  typeof key === 'string' && key.trim() !== '' && key.length <= MAX_KEY;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
