import type { Ledger, WriteContext } from '../src/ledger/port.ts';
import { percentile, round } from './stats.ts';

/**
 * The ledger workload, the same for every adapter:
 *  1. `creates` beads, one createBead call each, timed one by one;
 *  2. grow to `beads` beads with `edges` blocking edges (each edge points to an older bead, so
 *     the graph is acyclic), then time `bd ready` (listReady, default limit) `readySamples` times.
 */
export interface WorkloadSize {
  creates: number;
  beads: number;
  edges: number;
  readySamples: number;
}

export interface WorkloadResult {
  createsPerSecond: number;
  createMedianMs: number;
  createP99Ms: number;
  readyMedianMs: number;
  readyP99Ms: number;
  blockedBeads: number;
  setupSeconds: number;
}

export async function runLedgerWorkload(
  ledger: Ledger,
  size: WorkloadSize,
  progress: (msg: string) => void,
): Promise<WorkloadResult> {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const ctx = (): WriteContext => ({ actor: 'bench', now: new Date(t++) });
  const ids: string[] = [];
  const createMs: number[] = [];
  const started = performance.now();
  for (let i = 0; i < size.creates; i++) {
    const t0 = performance.now();
    ids.push((await ledger.createBead({ title: `bench bead ${i}`, priority: (i % 5) as 0 }, ctx())).id);
    createMs.push(performance.now() - t0);
  }
  const createSeconds = (performance.now() - started) / 1000;
  progress(`created ${size.creates} beads in ${createSeconds.toFixed(1)} s`);

  const setupStart = performance.now();
  while (ids.length < size.beads) {
    ids.push(
      (await ledger.createBead({ title: `bench bead ${ids.length}`, priority: (ids.length % 5) as 0 }, ctx()))
        .id,
    );
    if (ids.length % 20_000 === 0) progress(`  ${ids.length} beads`);
  }
  const random = lcg(42);
  for (let e = 0; e < size.edges; e++) {
    // Source from the newer half, target strictly older: acyclic, and about half the beads end up blocked.
    const source = Math.floor(size.beads / 2) + (e % Math.ceil(size.beads / 2));
    const target = Math.floor(random() * source);
    try {
      await ledger.addDependency(ids[source] as string, ids[target] as string, 'blocks', ctx());
    } catch {
      // The same pair drawn twice: already there.
    }
    if ((e + 1) % 20_000 === 0) progress(`  ${e + 1} edges`);
  }
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const blockedBeads = (await ledger.listBlocked({})).length;
  progress(
    `graph ready: ${ids.length} beads, ${size.edges} edges, ${blockedBeads} blocked (setup ${setupSeconds.toFixed(0)} s)`,
  );

  const readyMs: number[] = [];
  for (let i = 0; i < size.readySamples; i++) {
    const t0 = performance.now();
    const ready = await ledger.listReady({});
    readyMs.push(performance.now() - t0);
    if (ready.length === 0) throw new Error('ready returned nothing: the workload is wrong');
  }
  return {
    createsPerSecond: round(size.creates / createSeconds, 0),
    createMedianMs: round(percentile(createMs, 50), 3),
    createP99Ms: round(percentile(createMs, 99), 3),
    readyMedianMs: round(percentile(readyMs, 50), 3),
    readyP99Ms: round(percentile(readyMs, 99), 3),
    blockedBeads,
    setupSeconds: round(setupSeconds, 1),
  };
}

/** A tiny seeded generator so every run builds the same graph. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
