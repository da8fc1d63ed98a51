import { findCycles } from '../../domain/cycles.ts';
import { CYCLE_CHECKED, type DepType } from '../../domain/dependency.ts';
import type { GraphView, OutEdge } from '../../domain/graph-view.ts';
import type { Database } from './database.ts';

const TYPES = CYCLE_CHECKED.map((t) => `'${t}'`).join(', ');
// Edges by the beads' rowids, in primary-key order (source id, then target id): the order the
// per-bead queries gave, so the DFS below reports the same cycles in the same order.
const EDGES = `SELECT s.rowid, t.rowid, d.type FROM deps d
  JOIN beads s ON s.id = d.issue_id JOIN beads t ON t.id = d.depends_on_id
  WHERE d.type IN (${TYPES}) ORDER BY d.issue_id, d.depends_on_id`;

/**
 * `bd dep cycles` over the whole graph. Asking the database bead by bead took 15–37 s at 500,000
 * edges, and holding the graph as objects cost the service some 350 MiB (bench:million); here
 * the edges stream into typed arrays of rowids. Beads whose every edge leads to beads without
 * edges are peeled off (Kahn) — such a bead can be on no cycle, and the DFS from one never meets
 * the rest — and the domain's DFS runs on what is left, almost always nothing: SQLite refuses a
 * cycle at every insert, so only a file written around the ledger can hold one.
 */
export function scanCycles(db: Database): string[][] {
  const maxRowid = Number(db.get('SELECT MAX(rowid) AS n FROM beads')?.n ?? 0);
  let from = new Int32Array(1024);
  let to = new Int32Array(1024);
  let kind = new Uint8Array(1024);
  let edges = 0;
  for (const [source, target, type] of db.iterateArrays(EDGES)) {
    if (edges === from.length) [from, to, kind] = [grow(from), grow(to), grow(kind)];
    from[edges] = Number(source);
    to[edges] = Number(target);
    kind[edges] = CYCLE_CHECKED.indexOf(type as DepType);
    edges++;
  }
  // Out-degrees, and every bead's incoming edges as one array sliced by `inStart` (CSR).
  const outDegree = new Int32Array(maxRowid + 1);
  const inStart = new Int32Array(maxRowid + 2);
  for (let e = 0; e < edges; e++) {
    add(outDegree, at(from, e), 1);
    add(inStart, at(to, e) + 1, 1);
  }
  for (let n = 0; n <= maxRowid; n++) add(inStart, n + 1, at(inStart, n));
  const inList = new Int32Array(edges);
  const fill = inStart.slice();
  for (let e = 0; e < edges; e++) {
    inList[at(fill, at(to, e))] = at(from, e);
    add(fill, at(to, e), 1);
  }
  const queue: number[] = [];
  for (let n = 0; n <= maxRowid; n++) if (outDegree[n] === 0) queue.push(n);
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i] as number;
    for (let k = at(inStart, n); k < at(inStart, n + 1); k++) {
      const p = at(inList, k);
      add(outDegree, p, -1);
      if (outDegree[p] === 0) queue.push(p);
    }
  }
  // What is left: on a cycle, or leading to one. Names only for those.
  const name = new Map<number, string>();
  const roots: string[] = [];
  const out = new Map<string, OutEdge[]>();
  const nameOf = (n: number) => {
    let id = name.get(n);
    if (id === undefined) {
      id = String(db.get('SELECT id FROM beads WHERE rowid = $n', { n })?.id);
      name.set(n, id);
    }
    return id;
  };
  for (let e = 0; e < edges; e++) {
    const [s, t] = [from[e] as number, to[e] as number];
    if (outDegree[s] === 0 || outDegree[t] === 0) continue;
    const source = nameOf(s);
    if (!out.has(source)) {
      out.set(source, []);
      roots.push(source);
    }
    out.get(source)?.push({ target: nameOf(t), type: CYCLE_CHECKED[kind[e] as number] as DepType });
  }
  const view: GraphView = {
    node: (id) => (out.has(id) ? { id, status: 'open', is_blocked: false } : undefined),
    edgesFrom: (id) => out.get(id) ?? [],
    edgesTo: () => [],
  };
  return findCycles(roots, view);
}

const at = (a: Int32Array, i: number): number => a[i] as number;
const add = (a: Int32Array, i: number, by: number): void => {
  a[i] = at(a, i) + by;
};

function grow<T extends Int32Array | Uint8Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}
