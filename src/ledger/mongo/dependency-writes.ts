import type { Collection } from 'mongodb';
import type { Dependency, DepType, WaitsForGate } from '../../domain/dependency.ts';
import { checkNewEdge } from '../../domain/dependency-rules.ts';
import { notFound } from '../../domain/errors.ts';
import type { WriteContext } from '../port.ts';
import type { Cas } from './cas.ts';
import { type BeadDoc, beadFromDoc, type EdgeDoc, type PendingEvent } from './documents.ts';
import type { Outbox } from './outbox.ts';
import { ofBead, pendingEvent } from './pending-event.ts';
import { blockedOn } from './ripple.ts';
import { SnapshotCache } from './snapshot.ts';

/**
 * Edges live in their source document, so adding or removing one is a compare-and-swap on the
 * source, which also sets the source's own is_blocked (ripple.ts `blockedOn`): a bead never shows
 * as ready with an open blocker it already has. The ripple then re-evaluates everyone else. The cycle check reads a snapshot; two concurrent inserts on different sources could
 * each pass it (there is no multi-document transaction), which `bd dep cycles` then reports.
 */
export class DependencyWrites {
  private readonly beads: Collection<BeadDoc>;
  private readonly cas: Cas;
  private readonly outbox: Outbox;

  constructor(beads: Collection<BeadDoc>, cas: Cas, outbox: Outbox) {
    this.beads = beads;
    this.cas = cas;
    this.outbox = outbox;
  }

  async add(
    issueId: string,
    dependsOnId: string,
    type: DepType,
    ctx: WriteContext,
    gate?: WaitsForGate,
  ): Promise<Dependency> {
    const now = ctx.now.toISOString();
    const { dep, written } = await this.cas.write<
      BeadDoc,
      { dep: Dependency; written: PendingEvent[] | null }
    >(
      this.beads,
      issueId,
      async (source) => {
        const cache = new SnapshotCache(this.beads);
        cache.docs.set(issueId, source);
        await cache.fetch([dependsOnId], []);
        const targetDoc = cache.docs.get(dependsOnId);
        if (!targetDoc) throw notFound('bead', dependsOnId);
        const existing = source.deps.find((d) => d.depends_on_id === dependsOnId);
        const bead = beadFromDoc(source);
        const verdict = await cache.run((view) =>
          checkNewEdge(bead, beadFromDoc(targetDoc), type, existing?.type, view),
        );
        if (verdict === 'exists')
          return { skip: { dep: toDependency(issueId, existing as EdgeDoc), written: null } };
        const edge: EdgeDoc = { depends_on_id: dependsOnId, type, created_at: now, created_by: ctx.actor };
        if (gate) edge.gate = gate;
        const parent =
          type === 'parent-child'
            ? { parent: dependsOnId, version: source.version + 1, updated_at: now }
            : {};
        const after = { ...source, ...parent, deps: [...source.deps, edge] };
        const is_blocked = await blockedOn(this.beads, after, cache); // the source's flag, in this write
        const ripple = { kind: 'edge' as const, source: issueId, target: dependsOnId, type };
        const data = { depends_on_id: dependsOnId, type };
        const event = pendingEvent('dependency_added', ctx, ofBead(bead), data, ripple);
        return {
          update: { $push: { deps: edge, outbox: event }, $set: { ...parent, is_blocked } },
          result: { dep: toDependency(issueId, edge), written: [event] },
        };
      },
      () => notFound('bead', issueId),
    );
    if (written) await this.outbox.flush('beads', issueId, written);
    return dep;
  }

  async remove(issueId: string, dependsOnId: string, ctx: WriteContext): Promise<boolean> {
    const removed = await this.cas.write<BeadDoc, PendingEvent | null>(
      this.beads,
      issueId,
      async (source) => {
        const existing = source.deps.find((d) => d.depends_on_id === dependsOnId);
        if (!existing) return { skip: null };
        const parent =
          existing.type === 'parent-child'
            ? { parent: null, version: source.version + 1, updated_at: ctx.now.toISOString() }
            : {};
        const ripple = { kind: 'edge' as const, source: issueId, target: dependsOnId, type: existing.type };
        const data = { depends_on_id: dependsOnId, type: existing.type };
        const event = pendingEvent('dependency_removed', ctx, ofBead(beadFromDoc(source)), data, ripple);
        const deps = source.deps.filter((d) => d !== existing);
        const is_blocked = await blockedOn(this.beads, { ...source, ...parent, deps });
        return { update: { $set: { deps, ...parent, is_blocked }, $push: { outbox: event } }, result: event };
      },
      () => notFound('bead', issueId),
    );
    if (removed) await this.outbox.flush('beads', issueId, [removed]);
    return removed !== null;
  }
}

export const toDependency = (issueId: string, e: EdgeDoc): Dependency => {
  const dep: Dependency = {
    issue_id: issueId,
    depends_on_id: e.depends_on_id,
    type: e.type,
    created_at: e.created_at,
    created_by: e.created_by,
  };
  if (e.gate) dep.gate = e.gate;
  return dep;
};
