import type { Collection } from 'mongodb';
import {
  affectedByEdgeChange,
  affectedByStatusChange,
  isBlockedNow,
  propagateBlocked,
} from '../../domain/blocking.ts';
import type { Cas } from './cas.ts';
import type { BeadDoc, BeadRipple } from './documents.ts';
import { SnapshotCache } from './snapshot.ts';

const MAX_PASSES = 20;

/**
 * Keeps `is_blocked` right after a change, without multi-document transactions.
 *
 * A pass loads the neighbourhood the domain asks for into a snapshot (snapshot.ts: the changed
 * bead, its edges both ways, the targets' states, the children of waits-for spawners, and the
 * parent-child descendants reached while propagating), computes the affected set
 * (affectedByStatusChange / affectedByEdgeChange) and runs propagateBlocked on it. Each flip is
 * then written as a compare-and-swap on the bead's revision, and the value written is recomputed
 * (isBlockedNow) against that bead's document as re-read inside the CAS — so a flip never
 * contradicts the bead's own current status and edges, and a lost race re-reads and recomputes.
 *
 * The writer repeats passes until one flips nothing. A flag written from a stale read of a
 * neighbour is therefore always followed by a fresh read by the same writer, which corrects it;
 * and any later status or edge change is followed by its own writer's passes. So concurrent
 * writers (two replicas closing two blockers of one bead, a close racing a new blocker edge)
 * converge on the right flags; test/contract/mongo-specific.test.ts races them.
 */
export async function ripple(beads: Collection<BeadDoc>, cas: Cas, change: BeadRipple): Promise<void> {
  if (change.kind === 'none') return;
  let extra: string[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const cache = new SnapshotCache(beads);
    const flips = await cache.run((view, c) => {
      const origin = change.kind === 'status' ? change.id : change.source;
      const start =
        change.kind === 'status'
          ? affectedByStatusChange(change.id, view)
          : affectedByEdgeChange(change.source, change.target, change.type, view);
      // The write itself already set the origin's own flag (blockedOn), so propagateBlocked will not
      // see it flip: its children, which inherit it, are re-evaluated explicitly.
      const children = view.edgesTo(origin, ['parent-child']).map((e) => e.source);
      const flipped: string[] = [];
      propagateBlocked([...start, ...children, ...extra], view, (id, blocked) => {
        c.flips.set(id, blocked);
        flipped.push(id);
      });
      return flipped;
    });
    if (flips.length === 0) return;
    for (const id of flips)
      await writeFlag(beads, cas, id, { doc: cache.docs.get(id), blocked: cache.flips.get(id) });
    extra = [...new Set([...extra, ...flips])];
  }
}

/**
 * The flag a bead document should carry (isBlockedNow), reading its neighbours afresh. Writers pass
 * the document as their update will leave it, so a change and its bead's own flag are one write.
 */
export function blockedOn(
  beads: Collection<BeadDoc>,
  doc: BeadDoc,
  cache = new SnapshotCache(beads),
): Promise<boolean> {
  cache.docs.set(doc._id, doc);
  return cache.run((view) => isBlockedNow(doc._id, view));
}

/**
 * Sets the bead's flag to what the domain says on its current document (in order: parents first).
 * `seen` is the pass's snapshot of it and the flag computed there: written against that revision
 * without reading it again, and recomputed on a fresh read only if the bead moved meanwhile (the
 * bead's own status and edges are then still those the flag was computed from).
 */
async function writeFlag(
  beads: Collection<BeadDoc>,
  cas: Cas,
  id: string,
  seen: { doc: BeadDoc | null | undefined; blocked: boolean | undefined },
): Promise<void> {
  const start = seen.doc ?? undefined;
  await cas.write<BeadDoc, undefined>(
    beads,
    id,
    async (doc) => {
      const blocked =
        doc === start && seen.blocked !== undefined ? seen.blocked : await blockedOn(beads, doc);
      return doc.is_blocked === blocked
        ? { skip: undefined }
        : { update: { $set: { is_blocked: blocked } }, result: undefined };
    },
    () => new Error(`${id} vanished during the readiness ripple`),
    start ? { start } : {},
  );
}
