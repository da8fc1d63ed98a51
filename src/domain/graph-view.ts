import type { Status } from './bead.ts';
import type { DepType, WaitsForGate } from './dependency.ts';

/** The slice of a bead the readiness rules need. */
export interface NodeState {
  id: string;
  status: Status;
  is_blocked: boolean;
}

export interface OutEdge {
  target: string;
  type: DepType;
  gate?: WaitsForGate;
}

export interface InEdge {
  source: string;
  type: DepType;
}

/**
 * A synchronous, read-only look at the dependency graph. The SQLite adapter answers it with
 * queries inside its write transaction; the MongoDB adapter pre-loads a neighbourhood into a
 * {@link MemoryGraph}. The rules in blocking.ts and cycles.ts only ever see this interface.
 */
export interface GraphView {
  node(id: string): NodeState | undefined;
  edgesFrom(id: string): OutEdge[];
  edgesTo(id: string, types: readonly DepType[]): InEdge[];
}

/** A GraphView over plain arrays: unit tests, and adapters that load a snapshot first. */
export class MemoryGraph implements GraphView {
  private readonly nodes = new Map<string, NodeState>();
  private readonly out = new Map<string, OutEdge[]>();
  private readonly in = new Map<string, InEdge[]>();

  constructor(nodes: Iterable<NodeState> = [], edges: Iterable<{ source: string } & OutEdge> = []) {
    for (const n of nodes) this.setNode(n);
    for (const e of edges) this.addEdge(e.source, e);
  }

  setNode(n: NodeState): void {
    this.nodes.set(n.id, { ...n });
  }

  addEdge(source: string, edge: OutEdge): void {
    const outList = this.out.get(source) ?? [];
    outList.push(edge);
    this.out.set(source, outList);
    const inList = this.in.get(edge.target) ?? [];
    inList.push({ source, type: edge.type });
    this.in.set(edge.target, inList);
  }

  removeEdge(source: string, target: string): void {
    this.out.set(
      source,
      (this.out.get(source) ?? []).filter((e) => e.target !== target),
    );
    this.in.set(
      target,
      (this.in.get(target) ?? []).filter((e) => e.source !== source),
    );
  }

  node(id: string): NodeState | undefined {
    return this.nodes.get(id);
  }

  edgesFrom(id: string): OutEdge[] {
    return this.out.get(id) ?? [];
  }

  edgesTo(id: string, types: readonly DepType[]): InEdge[] {
    return (this.in.get(id) ?? []).filter((e) => types.includes(e.type));
  }
}
