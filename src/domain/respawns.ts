import type { Bead } from './bead.ts';

/**
 * The per-bead respawn counter (comms-supervision.md §4.5: persistent, never lost to a race). It
 * is the bead's `respawns:N` label, changed only by a compare-and-swap on the bead's version, so
 * it survives restarts and leader changes and `bd show` tells a person how often work died.
 * Releasing the bead keeps it (the work itself may be what kills polecats); reassigning by a
 * person's decision clears it.
 */
const PREFIX = 'respawns:';

export function respawnCount(bead: Pick<Bead, 'labels'>): number {
  const label = bead.labels.find((l) => l.startsWith(PREFIX));
  return label ? Number(label.slice(PREFIX.length)) || 0 : 0;
}

export function respawnPatch(bead: Pick<Bead, 'labels'>): { add_labels: string[]; remove_labels: string[] } {
  const n = respawnCount(bead);
  return { add_labels: [`${PREFIX}${n + 1}`], remove_labels: n ? [`${PREFIX}${n}`] : [] };
}

export function clearRespawns(bead: Pick<Bead, 'labels'>): { remove_labels: string[] } {
  return { remove_labels: bead.labels.filter((l) => l.startsWith(PREFIX)) };
}
