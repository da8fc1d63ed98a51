import type { Bead } from '../../../domain/bead.ts';
import { usageError } from '../../../domain/errors.ts';
import type { StageEdge } from '../../../domain/staging.ts';
import { parseId } from '../../../domain/validation.ts';
import type { Ledger } from '../../../ledger/port.ts';
import { existingBeads, trackedBeads } from './tracked.ts';

/** What `gt convoy stage` analyses: the beads, their edges, and where they came from. */
export interface StageSet {
  kind: 'epic' | 'convoy' | 'ids';
  convoy: Bead | null;
  epic: Bead | null;
  beads: Bead[];
  edges: StageEdge[];
}

/** Classifies the arguments (one epic, one convoy, or work beads — never mixed) and loads the set. */
export async function collectStageSet(ledger: Ledger, rawIds: readonly string[]): Promise<StageSet> {
  const given = await loadAny(ledger, rawIds);
  const kinds = new Set(
    given.map((b) => (b.issue_type === 'epic' ? 'epic' : b.issue_type === 'convoy' ? 'convoy' : 'ids')),
  );
  if (kinds.size > 1) {
    throw usageError(
      'mixed_input',
      `mixed input: ${given.map((b) => `${b.id} (${b.issue_type})`).join(', ')}; stage an epic, a convoy or work beads, one kind at a time`,
    );
  }
  const kind = [...kinds][0] as StageSet['kind'];
  if (kind !== 'ids' && given.length > 1)
    throw usageError('one_container', `stage one ${kind} at a time, got ${given.length}`);
  const root = given[0] as Bead;
  const beads =
    kind === 'epic'
      ? await descendants(ledger, root)
      : kind === 'convoy'
        ? await trackedBeads(ledger, root.id)
        : given;
  if (kind === 'convoy' && beads.length === 0)
    throw usageError('empty_convoy', `convoy ${root.id} tracks no beads; add some with gt convoy add`);
  return {
    kind,
    convoy: kind === 'convoy' ? root : null,
    epic: kind === 'epic' ? root : null,
    beads,
    edges: await edgesOf(ledger, beads),
  };
}

async function loadAny(ledger: Ledger, rawIds: readonly string[]): Promise<Bead[]> {
  if (rawIds.length === 0)
    throw usageError('missing_argument', 'name an epic, a convoy or bead ids to stage');
  const ids = rawIds.map((r) => parseId(r));
  const convoys = (await ledger.listBeads({ ids, all: true })).filter((b) => b.issue_type === 'convoy');
  const others = ids.filter((id) => !convoys.some((c) => c.id === id));
  return [...convoys, ...(others.length ? await existingBeads(ledger, others) : [])];
}

/** The epic and every descendant (sub-epics and decisions included: they can gate work). */
async function descendants(ledger: Ledger, epic: Bead): Promise<Bead[]> {
  const all = [epic];
  for (let i = 0; i < all.length; i++) {
    all.push(...(await ledger.listBeads({ parent: (all[i] as Bead).id, all: true })));
  }
  return all;
}

/** Every dependency edge out of `beads` (blockers may lie outside the set). */
export async function edgesOf(ledger: Ledger, beads: readonly Bead[]): Promise<StageEdge[]> {
  const edges: StageEdge[] = [];
  for (const b of beads) {
    for (const d of await ledger.dependenciesOf(b.id))
      edges.push({ issue_id: d.issue_id, depends_on_id: d.depends_on_id, type: d.type });
  }
  return edges;
}
