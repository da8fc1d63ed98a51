import { LEGACY_REFUSALS } from '../../domain/beads-jsonl-edges.ts';
import type { Dependency } from '../../domain/dependency.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { type ImportPlan, type IssuePlan, UNDONE } from './import-plan.ts';

/**
 * Writes a checked plan (import-plan.ts) through the ledger's ordinary verbs, so every rule,
 * the is_blocked upkeep and the events apply as for any write; each write is stamped with the
 * time the file gives (created_at for a create, the edge's and the comment's own times,
 * closed_at for a close), and `restoreUpdatedAt` puts back the updated_at no verb can write.
 *
 * Order: beads, then updates, comments and edges (both ends exist by then), closes last (a
 * closed bead's edges are added while it is open, as they were upstream). All or nothing as
 * far as the user can tell: when a write fails part-way, the edges added to beads that were
 * there before are removed and the beads created are closed with a reason starting UNDONE —
 * the ledger never deletes — and a later import takes those over as if they were new.
 */

export interface ImportCounts {
  created: number;
  updated: number;
  comments: number;
  edges: number;
}

export async function writeImport(ledger: Ledger, plan: ImportPlan, importer: string): Promise<ImportCounts> {
  const at = (time: string, actor?: string): WriteContext => ({
    actor: actor || importer,
    now: new Date(time),
  });
  const created: string[] = [];
  const edgesAdded: Array<[string, string]> = [];
  const edgesDropped: Dependency[] = [];
  const counts: ImportCounts = { created: 0, updated: 0, comments: 0, edges: 0 };
  try {
    for (const p of plan.issues) {
      if (p.action === 'create') {
        await create(ledger, p, at);
        created.push(p.issue.id);
        counts.created++;
      } else if (p.action === 'update') {
        await update(ledger, p, at(p.issue.updated_at, importer));
        counts.updated++;
      }
      for (const c of p.comments) await ledger.addComment(p.issue.id, c.text, at(c.created_at, c.author));
      counts.comments += p.comments.length;
    }
    for (const p of plan.issues)
      for (const d of p.dropEdges) {
        await ledger.removeDependency(d.issue_id, d.depends_on_id, at(p.issue.updated_at, importer));
        edgesDropped.push(d);
      }
    for (const e of plan.edges) {
      const ctx = at(e.edge.created_at, e.edge.created_by);
      try {
        await ledger.addDependency(e.source, e.edge.depends_on_id, e.type, ctx, e.edge.gate);
      } catch (err) {
        // A cycle (or another rule) only the ledger sees: kept as a link, and said so.
        if (!(err instanceof DomainError) || !LEGACY_REFUSALS.includes(err.code) || e.type === 'related')
          throw err;
        await ledger.addDependency(e.source, e.edge.depends_on_id, 'related', ctx);
        plan.warnings.push(
          `${e.source} → ${e.edge.depends_on_id}: ${e.type} imported as related: ${err.message}`,
        );
      }
      edgesAdded.push([e.source, e.edge.depends_on_id]);
      counts.edges++;
    }
    for (const p of plan.issues) {
      if (p.action !== 'create' || p.issue.status !== 'closed') continue;
      const reason = p.issue.close_reason;
      await ledger.closeBead(
        p.issue.id,
        { reason, force: true },
        at(p.issue.closed_at ?? p.issue.updated_at),
      );
    }
    for (const p of plan.issues)
      if (p.action !== 'unchanged') await ledger.restoreUpdatedAt(p.issue.id, p.issue.updated_at);
    return counts;
  } catch (err) {
    await undo(ledger, created, edgesAdded, err, importer);
    // Edges a newer file dropped come back (best effort, as the undo above).
    for (const d of edgesDropped.reverse())
      await ledger
        .addDependency(d.issue_id, d.depends_on_id, d.type, { actor: importer, now: new Date() }, d.gate)
        .catch(() => undefined);
    throw err;
  }
}

async function create(ledger: Ledger, p: IssuePlan, at: (time: string, actor?: string) => WriteContext) {
  const i = p.issue;
  await ledger.createBead(
    {
      id: i.id,
      title: i.title,
      description: i.description,
      acceptance_criteria: i.acceptance_criteria,
      issue_type: i.issue_type,
      priority: i.priority,
      labels: i.labels,
      assignee: i.assignee,
      rig: p.rig,
      // Closed at its own time, after its edges.
      status: i.status === 'closed' ? 'open' : i.status,
    },
    at(i.created_at, i.created_by),
  );
}

/** Fields first, then the status: leaving closed is a reopen, entering it a close (guards forced: the file is the truth). */
async function update(ledger: Ledger, p: IssuePlan, ctx: WriteContext) {
  const before = p.existing;
  if (!before) return;
  const i = p.issue;
  // A bead a failed import closed (UNDONE) is reopened and written afresh.
  const undone = before.status === 'closed' && before.close_reason.startsWith(UNDONE);
  const reopened = before.status === 'closed' && (i.status !== 'closed' || undone);
  if (reopened) await ledger.reopenBead(i.id, ctx);
  const now = reopened ? 'open' : before.status;
  const status = i.status !== now && i.status !== 'closed' ? { status: i.status } : {};
  if (Object.keys(p.patch).length > 0 || 'status' in status)
    await ledger.updateBead(i.id, { ...p.patch, ...status }, ctx);
  if (i.status === 'closed' && (before.status !== 'closed' || undone))
    await ledger.closeBead(
      i.id,
      { reason: i.close_reason, force: true },
      { ...ctx, now: new Date(i.closed_at ?? i.updated_at) },
    );
}

async function undo(
  ledger: Ledger,
  created: readonly string[],
  edges: ReadonlyArray<[string, string]>,
  err: unknown,
  importer: string,
): Promise<void> {
  const ctx = { actor: importer, now: new Date() };
  const ours = new Set(created);
  const why = `${UNDONE} ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
  // Best effort: the failure may be the store going away, and then these fail too.
  for (const [issue, dependsOn] of [...edges].reverse())
    if (!ours.has(issue)) await ledger.removeDependency(issue, dependsOn, ctx).catch(() => undefined);
  for (const id of [...created].reverse())
    await ledger.closeBead(id, { reason: why, force: true }, ctx).catch(() => undefined);
}
