import type { Status } from '../../domain/bead.ts';
import type { DepType, WaitsForGate } from '../../domain/dependency.ts';
import type { GraphView, InEdge, NodeState, OutEdge } from '../../domain/graph-view.ts';
import type { Database } from './database.ts';

/** The domain's GraphView answered by indexed queries; used inside write transactions. */
export class SqliteGraphView implements GraphView {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  node(id: string): NodeState | undefined {
    const r = this.db.get('SELECT id, status, is_blocked FROM beads WHERE id = $id', { id });
    return r
      ? { id: String(r.id), status: r.status as Status, is_blocked: Number(r.is_blocked) === 1 }
      : undefined;
  }

  edgesFrom(id: string): OutEdge[] {
    return this.db.all('SELECT depends_on_id, type, gate FROM deps WHERE issue_id = $id', { id }).map((r) => {
      const edge: OutEdge = { target: String(r.depends_on_id), type: r.type as DepType };
      if (r.gate) edge.gate = r.gate as WaitsForGate;
      return edge;
    });
  }

  edgesTo(id: string, types: readonly DepType[]): InEdge[] {
    return types.flatMap((type) =>
      this.db
        .all('SELECT issue_id FROM deps WHERE depends_on_id = $id AND type = $type', { id, type })
        .map((r) => ({ source: String(r.issue_id), type })),
    );
  }
}
