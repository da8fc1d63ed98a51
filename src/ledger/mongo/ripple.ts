import type { Collection } from 'mongodb';
import { affectedByEdgeChange, affectedByStatusChange, propagateBlocked } from '../../domain/blocking.ts';
import type { Cas } from './cas.ts';
import type { BeadDoc, Ripple } from './documents.ts';
import { SnapshotCache } from './snapshot.ts';

/**
 * Keeps `is_blocked` right after a change, without multi-document transactions.
 *
 * Each writer, after its own state change, recomputes the affected beads from fresh reads and
 * writes the flips (each a compare-and-swap, so no other field is overwritten), then repeats the
 * pass until it finds nothing to flip. A flag written from a stale read is therefore always
 * followed by a fresh read by the same writer, which corrects it; and any later status change is
 * followed by its own writer's passes. So concurrent writers (two replicas closing two blockers
 * of one bead) converge on the right flags.
 */
export async function ripple(beads: Collection<BeadDoc>, cas: Cas, change: Ripple): Promise<void> {
  if (change.kind === 'none') return;
  let extra: string[] = [];
  for (let pass = 0; pass < 20; pass++) {
    const cache = new SnapshotCache(beads);
    const flips = await cache.run((view, c) => {
      const start =
        change.kind === 'status'
          ? affectedByStatusChange(change.id, view)
          : affectedByEdgeChange(change.source, change.target, change.type, view);
      const flipped: Array<[string, boolean]> = [];
      propagateBlocked([...start, ...extra], view, (id, blocked) => {
        c.flips.set(id, blocked);
        flipped.push([id, blocked]);
      });
      return flipped;
    });
    if (flips.length === 0) return;
    for (const [id, blocked] of flips) {
      await cas.write(
        beads,
        id,
        (doc) =>
          doc.is_blocked === blocked
            ? { skip: undefined }
            : { update: { $set: { is_blocked: blocked } }, result: undefined },
        () => new Error(`${id} vanished during the readiness ripple`),
      );
    }
    extra = [...new Set([...extra, ...flips.map(([id]) => id)])];
  }
}
