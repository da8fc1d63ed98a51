import type { Bead } from '../../../domain/bead.ts';
import { isOwned, progressOf, requireConvoy } from '../../../domain/convoy.ts';
import { notFound, refused } from '../../../domain/errors.ts';
import { MERGING_LABEL } from '../../../domain/merge-request.ts';
import { parseId } from '../../../domain/validation.ts';
import type { Ledger } from '../../../ledger/port.ts';

/** Reads shared by the convoy verbs: the convoy, its tracked beads, and the status view. */

export async function loadConvoy(ledger: Ledger, raw: string): Promise<Bead> {
  const id = parseId(raw, 'convoy');
  return requireConvoy(await ledger.getBead(id), id);
}

/** The tracked beads, in the order they were added (edge creation), whatever their rig. */
export async function trackedBeads(ledger: Ledger, convoyId: string): Promise<Bead[]> {
  const edges = (await ledger.dependenciesOf(convoyId))
    .filter((d) => d.type === 'tracks')
    .sort(
      (a, b) => a.created_at.localeCompare(b.created_at) || a.depends_on_id.localeCompare(b.depends_on_id),
    );
  if (edges.length === 0) return [];
  const beads = new Map(
    (await ledger.listBeads({ ids: edges.map((e) => e.depends_on_id), all: true })).map((b) => [b.id, b]),
  );
  return edges.map((e) => beads.get(e.depends_on_id)).filter((b): b is Bead => b !== undefined);
}

/** Open convoys tracking a bead (a bead may ride in several). */
export async function convoysTracking(ledger: Ledger, beadId: string, statuses = ['open']): Promise<Bead[]> {
  const ids = (await ledger.dependentsOf(beadId)).filter((d) => d.type === 'tracks').map((d) => d.issue_id);
  if (ids.length === 0) return [];
  return (await ledger.listBeads({ ids, all: true })).filter((c) => statuses.includes(c.status));
}

export interface TrackedItem {
  id: string;
  title: string;
  status: string;
  assignee: string | null;
  issue_type: string;
  rig: string | null;
  blocked: boolean;
}

export interface ConvoyStatusView {
  id: string;
  title: string;
  status: string;
  owned: boolean;
  completed: number;
  total: number;
  /** Done, waiting in the merge queue to land. */
  merging: number;
  tracked: TrackedItem[];
}

export function statusView(convoy: Bead, tracked: readonly Bead[]): ConvoyStatusView {
  const { completed, total } = progressOf(tracked);
  return {
    id: convoy.id,
    title: convoy.title,
    status: convoy.status,
    owned: isOwned(convoy),
    completed,
    total,
    merging: tracked.filter((b) => b.status !== 'closed' && b.labels.includes(MERGING_LABEL)).length,
    tracked: tracked.map((b) => ({
      id: b.id,
      title: b.title,
      status: b.status,
      assignee: b.assignee,
      issue_type: b.issue_type,
      rig: b.rig,
      blocked: b.is_blocked,
    })),
  };
}

/** Ids of the beads to track, validated and de-duplicated, all checked before anything changes. */
export async function existingBeads(ledger: Ledger, rawIds: readonly string[]): Promise<Bead[]> {
  const ids = [...new Set(rawIds.map((r) => parseId(r)))];
  const found = new Map((await ledger.listBeads({ ids, all: true })).map((b) => [b.id, b]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw notFound('bead', missing.join(', '));
  }
  const convoys = ids.filter((id) => found.get(id)?.issue_type === 'convoy');
  if (convoys.length > 0) {
    throw refused('convoy_in_convoy', `a convoy cannot track another convoy: ${convoys.join(', ')}`);
  }
  return ids.map((id) => found.get(id) as Bead);
}
