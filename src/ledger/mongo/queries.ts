import type { Collection, Filter } from 'mongodb';
import type { Bead } from '../../domain/bead.ts';
import { blockedBy } from '../../domain/blocking.ts';
import type { TrackedState } from '../../domain/convoy.ts';
import { findCycles } from '../../domain/cycles.ts';
import type { Dependency } from '../../domain/dependency.ts';
import {
  compareListed,
  DEFAULT_READY_LIMIT,
  NOT_READY_TYPES,
  type ReadyFilter,
} from '../../domain/readiness.ts';
import type { BeadCount, BeadFilter, BlockedBead } from '../port.ts';
import { toDependency } from './dependency-writes.ts';
import { type BeadDoc, beadFromDoc } from './documents.ts';
import { SnapshotCache } from './snapshot.ts';

const NO_INTERNALS = { projection: { outbox: 0 } } as const;
/** Code-unit order, as MongoDB sorts strings and SQLite's ORDER BY does (not locale order). */
const binary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Read-side queries. User input only ever appears as a value inside a filter we build. */
export class Queries {
  private readonly beads: Collection<BeadDoc>;

  constructor(beads: Collection<BeadDoc>) {
    this.beads = beads;
  }

  async listBeads(f: BeadFilter): Promise<Bead[]> {
    const filter: Filter<BeadDoc> = {};
    if (f.status && f.status.length > 0) filter.status = { $in: f.status };
    else if (!f.all) filter.status = { $nin: ['closed', 'pinned'] };
    // `$eq`: a value that is not a string (a bad caller) is compared literally, never run as an operator.
    if (f.rig !== undefined) filter.rig = { $eq: f.rig };
    if (f.issue_type !== undefined) filter.issue_type = { $eq: f.issue_type };
    if (f.assignee !== undefined) filter.assignee = { $eq: f.assignee };
    if (f.parent !== undefined) filter.parent = { $eq: f.parent };
    if (f.label !== undefined) filter.labels = { $eq: f.label };
    if (f.ids !== undefined) filter._id = { $in: f.ids };
    if (f.after !== undefined) {
      const { priority: p, created_at: c, id } = f.after;
      // The sort below, as a condition: strictly after the cursor bead.
      filter.$or = [
        { priority: { $gt: p } },
        { priority: { $eq: p }, created_at: { $lt: c } },
        { priority: { $eq: p }, created_at: { $eq: c }, _id: { $gt: id } },
      ];
    }
    const cursor = this.beads.find(filter, NO_INTERNALS).sort({ priority: 1, created_at: -1, _id: 1 });
    if (f.limit && f.limit > 0) cursor.limit(Math.floor(f.limit));
    return (await cursor.toArray()).map(beadFromDoc);
  }

  async countBeads(): Promise<BeadCount[]> {
    const groups = await this.beads
      .aggregate<{ _id: { t: string; s: string }; n: number }>([
        { $group: { _id: { t: '$issue_type', s: '$status' }, n: { $sum: 1 } } },
      ])
      .toArray();
    return groups.map((g) => ({ issue_type: g._id.t, status: g._id.s, count: g.n }));
  }

  async listOpenConvoyTracks(): Promise<Map<string, TrackedState[]>> {
    const convoys = await this.beads
      .find({ issue_type: 'convoy', status: 'open' }, { projection: { deps: 1 } })
      .toArray();
    const edges = convoys.map((c) => ({
      id: c._id,
      targets: (c.deps ?? [])
        .filter((e) => e.type === 'tracks')
        .map((e) => e.depends_on_id)
        .sort(binary),
    }));
    const projection = { status: 1, assignee: 1, is_blocked: 1, issue_type: 1, rig: 1 };
    const ids = [...new Set(edges.flatMap((e) => e.targets))];
    const states = new Map<string, TrackedState>();
    const filter = { _id: { $in: ids }, status: { $ne: 'closed' as const } };
    for (const d of await this.beads.find(filter, { projection }).toArray())
      states.set(d._id, {
        id: d._id,
        status: d.status,
        assignee: d.assignee ?? null,
        is_blocked: d.is_blocked,
        issue_type: d.issue_type,
        rig: d.rig ?? null,
      });
    const byConvoy = new Map<string, TrackedState[]>();
    for (const { id, targets } of edges) {
      const tracked = targets.flatMap((t) => states.get(t) ?? []);
      if (tracked.length > 0) byConvoy.set(id, tracked);
    }
    return byConvoy;
  }

  async listReady(f: ReadyFilter): Promise<Bead[]> {
    const filter: Filter<BeadDoc> = {
      status: 'open',
      is_blocked: false,
      assignee: { $in: [null, ''] },
      issue_type: { $nin: [...NOT_READY_TYPES] },
    };
    if (f.rig !== undefined) filter.rig = { $eq: f.rig };
    const limit = f.limit ?? DEFAULT_READY_LIMIT;
    const cursor = this.beads.find(filter, NO_INTERNALS).sort({ priority: 1, created_at: 1, _id: 1 });
    if (limit > 0) cursor.limit(limit);
    return (await cursor.toArray()).map(beadFromDoc);
  }

  async listBlocked(f: { rig?: string }): Promise<BlockedBead[]> {
    const filter: Filter<BeadDoc> = { is_blocked: true, status: { $nin: ['closed', 'pinned'] } };
    if (f.rig !== undefined) filter.rig = { $eq: f.rig };
    const docs = await this.beads.find(filter, NO_INTERNALS).toArray();
    const cache = new SnapshotCache(this.beads);
    for (const d of docs) cache.docs.set(d._id, d);
    const blocked = await cache.run((view) =>
      docs.map((d) => ({ ...beadFromDoc(d), blocked_by: blockedBy(d._id, view) })),
    );
    return blocked.sort(compareListed);
  }

  async dependenciesOf(id: string): Promise<Dependency[]> {
    const doc = await this.beads.findOne({ _id: id }, { projection: { deps: 1 } });
    return (doc?.deps ?? [])
      .map((e) => toDependency(id, e))
      .sort((a, b) => binary(a.depends_on_id, b.depends_on_id));
  }

  async dependentsOf(id: string): Promise<Dependency[]> {
    const sources = await this.beads
      .find({ 'deps.depends_on_id': id }, { projection: { deps: 1 } })
      .toArray();
    return sources
      .flatMap((s) => s.deps.filter((e) => e.depends_on_id === id).map((e) => toDependency(s._id, e)))
      .sort((a, b) => binary(a.issue_id, b.issue_id));
  }

  async findCycles(): Promise<string[][]> {
    const kinds = ['blocks', 'conditional-blocks', 'parent-child'];
    const docs = await this.beads.find({ 'deps.type': { $in: kinds } }, NO_INTERNALS).toArray();
    const cache = new SnapshotCache(this.beads);
    for (const d of docs) cache.docs.set(d._id, d);
    return cache.run((view) =>
      findCycles(
        docs.map((d) => d._id),
        view,
      ),
    );
  }
}
