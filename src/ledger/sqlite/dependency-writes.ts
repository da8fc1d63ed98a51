import { affectedByEdgeChange } from '../../domain/blocking.ts';
import type { Dependency, DepType, WaitsForGate } from '../../domain/dependency.ts';
import { checkNewEdge } from '../../domain/dependency-rules.ts';
import type { WriteContext } from '../port.ts';
import { depFromRow } from './rows.ts';
import type { Writer } from './writer.ts';

/** Adding and removing edges: rules from the domain, cycle check and write in one transaction. */
export class DependencyWrites {
  private readonly w: Writer;

  constructor(writer: Writer) {
    this.w = writer;
  }

  add(
    issueId: string,
    dependsOnId: string,
    type: DepType,
    ctx: WriteContext,
    gate?: WaitsForGate,
  ): Dependency {
    return this.w.db.transaction(() => {
      const source = this.w.load(issueId);
      const target = this.w.load(dependsOnId);
      const existing = this.find(issueId, dependsOnId);
      if (checkNewEdge(source, target, type, existing?.type, this.w.view) === 'exists')
        return existing as Dependency;
      const now = ctx.now.toISOString();
      this.w.db.run(
        `INSERT INTO deps (issue_id, depends_on_id, type, gate, created_at, created_by)
         VALUES ($issue_id, $depends_on_id, $type, $gate, $now, $actor)`,
        { issue_id: issueId, depends_on_id: dependsOnId, type, gate: gate ?? null, now, actor: ctx.actor },
      );
      if (type === 'parent-child') this.setParent(issueId, dependsOnId, ctx);
      this.w.event('dependency_added', ctx, issueId, source.rig, { depends_on_id: dependsOnId, type });
      this.w.propagate(affectedByEdgeChange(issueId, dependsOnId, type, this.w.view));
      return this.find(issueId, dependsOnId) as Dependency;
    });
  }

  remove(issueId: string, dependsOnId: string, ctx: WriteContext): boolean {
    return this.w.db.transaction(() => {
      const source = this.w.load(issueId);
      const existing = this.find(issueId, dependsOnId);
      if (!existing) return false;
      this.w.db.run('DELETE FROM deps WHERE issue_id = $a AND depends_on_id = $b', {
        a: issueId,
        b: dependsOnId,
      });
      if (existing.type === 'parent-child') this.setParent(issueId, null, ctx);
      this.w.event('dependency_removed', ctx, issueId, source.rig, {
        depends_on_id: dependsOnId,
        type: existing.type,
      });
      this.w.propagate(affectedByEdgeChange(issueId, dependsOnId, existing.type, this.w.view));
      return true;
    });
  }

  private setParent(id: string, parent: string | null, ctx: WriteContext): void {
    this.w.db.run(
      'UPDATE beads SET parent = $parent, updated_at = $now, version = version + 1 WHERE id = $id',
      {
        id,
        parent,
        now: ctx.now.toISOString(),
      },
    );
  }

  private find(issueId: string, dependsOnId: string): Dependency | undefined {
    const row = this.w.db.get('SELECT * FROM deps WHERE issue_id = $a AND depends_on_id = $b', {
      a: issueId,
      b: dependsOnId,
    });
    return row ? depFromRow(row) : undefined;
  }
}
