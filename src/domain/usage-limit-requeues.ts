import type { Bead } from './bead.ts';
import { respawnCount } from './respawns.ts';

/**
 * How often a bead went back to the queue because its agent hit a usage limit: the bead's
 * `limits:N` label, changed in the same compare-and-swap that requeues it. Not a respawn — it
 * never counts toward the crash-loop limit — but it is a new incarnation: a polecat started on the
 * bead afterwards (even under the same name, with the same respawn count) must not be judged on
 * the limited process's exit report (domain/witness.ts currentProcess).
 */
const PREFIX = 'limits:';

export function limitRequeues(bead: Pick<Bead, 'labels'>): number {
  const label = bead.labels.find((l) => l.startsWith(PREFIX));
  return label ? Number(label.slice(PREFIX.length)) || 0 : 0;
}

export function limitRequeuePatch(bead: Pick<Bead, 'labels'>): {
  add_labels: string[];
  remove_labels: string[];
} {
  const n = limitRequeues(bead);
  return { add_labels: [`${PREFIX}${n + 1}`], remove_labels: n ? [`${PREFIX}${n}`] : [] };
}

/**
 * Which start of the bead a process is: every respawn and every limit requeue starts a new one.
 * The runner stamps it on its process reports; the witness ignores reports of another one.
 */
export const incarnationOf = (bead: Pick<Bead, 'labels'>): number => respawnCount(bead) + limitRequeues(bead);
