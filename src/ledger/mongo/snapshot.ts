import type { Collection, Filter } from 'mongodb';
import type { DepType } from '../../domain/dependency.ts';
import type { GraphView, InEdge, NodeState, OutEdge } from '../../domain/graph-view.ts';
import type { BeadDoc } from './documents.ts';

/**
 * The domain's rules need a synchronous GraphView; MongoDB answers asynchronously. So a rule is
 * run against a snapshot that records what it asked for and did not have; the missing documents
 * are fetched (one batched query per kind) and the rule is run again, until it asks for nothing
 * new. Rules are pure, so re-running them is safe; writes happen only after the final run.
 */
class RecordingGraph implements GraphView {
  readonly missingNodes = new Set<string>();
  readonly missingIncoming = new Set<string>();
  private readonly cache: SnapshotCache;

  constructor(cache: SnapshotCache) {
    this.cache = cache;
  }

  node(id: string): NodeState | undefined {
    const doc = this.cache.docs.get(id);
    if (doc === undefined) this.missingNodes.add(id);
    return doc ? { id, status: doc.status, is_blocked: this.cache.blocked(id) } : undefined;
  }

  edgesFrom(id: string): OutEdge[] {
    const doc = this.cache.docs.get(id);
    if (doc === undefined) this.missingNodes.add(id);
    return (doc?.deps ?? []).map((e) => {
      const edge: OutEdge = { target: e.depends_on_id, type: e.type };
      if (e.gate) edge.gate = e.gate;
      return edge;
    });
  }

  edgesTo(id: string, types: readonly DepType[]): InEdge[] {
    const incoming = this.cache.incoming.get(id);
    if (incoming === undefined) {
      this.missingIncoming.add(id);
      return [];
    }
    return incoming.filter((e) => types.includes(e.type));
  }
}

export class SnapshotCache {
  /** null = known not to exist. */
  readonly docs = new Map<string, BeadDoc | null>();
  readonly incoming = new Map<string, InEdge[]>();
  /** is_blocked values written during this run (the rule sees its own flips). */
  readonly flips = new Map<string, boolean>();
  private readonly beads: Collection<BeadDoc>;

  constructor(beads: Collection<BeadDoc>) {
    this.beads = beads;
  }

  blocked(id: string): boolean {
    return this.flips.get(id) ?? this.docs.get(id)?.is_blocked === true;
  }

  /** Runs `rule` until it needs nothing more; returns its last result. */
  async run<T>(rule: (view: GraphView, cache: SnapshotCache) => T): Promise<T> {
    for (let round = 0; round < 10_000; round++) {
      this.flips.clear();
      const view = new RecordingGraph(this);
      const result = rule(view, this);
      if (view.missingNodes.size === 0 && view.missingIncoming.size === 0) return result;
      await this.fetch([...view.missingNodes], [...view.missingIncoming]);
    }
    throw new Error('graph snapshot did not converge');
  }

  /**
   * Loads the missing documents and the sources of edges into `incomingOf`, in ONE query (an `$or`
   * of both) — each fetch round is one round trip. A document already in the snapshot is not
   * replaced by an edge source's copy: writers put the version their update will leave there.
   */
  async fetch(nodeIds: string[], incomingOf: string[]): Promise<void> {
    const clauses: Filter<BeadDoc>[] = [];
    if (nodeIds.length > 0) clauses.push({ _id: { $in: nodeIds } });
    if (incomingOf.length > 0) clauses.push({ 'deps.depends_on_id': { $in: incomingOf } });
    const [only, ...more] = clauses;
    if (!only) return;
    const requested = new Set(nodeIds);
    const wanted = new Set(incomingOf);
    for (const id of nodeIds) this.docs.set(id, null);
    for (const id of incomingOf) this.incoming.set(id, []);
    const found = await this.beads
      .find(more.length > 0 ? { $or: clauses } : only, { projection: { outbox: 0 } })
      .toArray();
    for (const doc of found) {
      if (requested.has(doc._id) || !this.docs.has(doc._id)) this.docs.set(doc._id, doc);
      for (const e of doc.deps) {
        if (wanted.has(e.depends_on_id))
          this.incoming.get(e.depends_on_id)?.push({ source: doc._id, type: e.type });
      }
    }
  }
}
