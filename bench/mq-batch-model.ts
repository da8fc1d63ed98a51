/**
 * Pure helpers of the merge queue's batch benchmark (bench/mq.bench.ts): the seeded choice of
 * failing merge requests, a model of how many gate runs the refinery's batches need for a given
 * set of failing positions (src/services/refinery/batch.ts, as a count), and the reading of the
 * gate's own log of its runs into batches and bisections.
 */

/** mulberry32: a small seeded PRNG, so a seed always picks the same failing MRs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct positions out of `n` (a partial Fisher–Yates shuffle), ascending. */
export function pickFailing(n: number, count: number, random: () => number): number[] {
  const positions = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [positions[i], positions[j]] = [positions[j] as number, positions[i] as number];
  }
  return positions.slice(0, count).sort((a, b) => a - b);
}

/**
 * Gate runs the refinery needs to drain a queue of `n` MRs (all passing but `failing`), each
 * failing on its own and in any stack holding it, `batch` at a time: a lone MR is one run, plus
 * a run on the bare target when it fails (is the target broken?); a stack is one run, and when it
 * fails a binary search over its prefixes to the first failing member, plus the bare-target run
 * when that member is the stack's first; the prefix before it lands, the members after it go
 * back to the head of the queue.
 */
export function modelGateRuns(n: number, failing: ReadonlySet<number>, batch: number): number {
  let queue = Array.from({ length: n }, (_, i) => i);
  let runs = 0;
  while (queue.length > 0) {
    const stack = queue.slice(0, batch);
    runs++;
    const first = stack.findIndex((i) => failing.has(i));
    if (first < 0) {
      queue = queue.slice(stack.length);
      continue;
    }
    let lo = 0;
    let hi = stack.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      runs++;
      if (mid >= first) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0) runs++;
    queue = [...stack.slice(lo + 1), ...queue.slice(stack.length)];
  }
  return runs;
}

/** The model's mean gate runs over many seeds: what a batch size costs on average, not by luck. */
export function meanModelGateRuns(n: number, failingCount: number, batch: number, seeds = 1000): number {
  let total = 0;
  for (let s = 1; s <= seeds; s++)
    total += modelGateRuns(n, new Set(pickFailing(n, failingCount, seededRandom(s))), batch);
  return total / seeds;
}

/** One line of the gate's log: the target's tip, the tree's commit, commits on top of the tip, BAD files. */
export interface GateRun {
  tip: string;
  head: string;
  /** Commits stacked on the target's tip: 0 is a run on the bare target. */
  stacked: number;
  failed: boolean;
}

export function parseGateLog(text: string): GateRun[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [tip = '', head = '', stacked = '0', bad = '0'] = line.trim().split(/\s+/);
      return { tip, head, stacked: Number(stacked), failed: Number(bad) > 0 };
    });
}

export interface BatchRecord {
  size: number;
  runs: number;
  /** Runs after the whole stack's (bisection), bare-target runs excluded. */
  bisections: number;
  bareTarget: number;
  /** Index of the first failing member in the stack, or null when the stack passed. */
  culprit: number | null;
}

/**
 * The gate's runs grouped into the refinery's batches: a batch starts when the target's tip has
 * moved since the previous run or the previous run was on the bare target (which ends a failed
 * batch whose culprit was its first member); its first run is the whole stack's. The culprit is
 * the shortest failing prefix (always verified: the search only narrows onto tested prefixes).
 */
export function batchesOf(runs: readonly GateRun[]): BatchRecord[] {
  const groups: GateRun[][] = [];
  for (const [i, run] of runs.entries()) {
    const previous = runs[i - 1];
    const starts = !previous || previous.tip !== run.tip || previous.stacked === 0;
    if (starts) groups.push([run]);
    else groups.at(-1)?.push(run);
  }
  return groups.map((g) => {
    const top = g[0] as GateRun;
    const failing = g.filter((r) => r.stacked > 0 && r.failed).map((r) => r.stacked);
    return {
      size: top.stacked,
      runs: g.length,
      bisections: g.slice(1).filter((r) => r.stacked > 0).length,
      bareTarget: g.filter((r) => r.stacked === 0).length,
      culprit: top.failed ? Math.min(...failing) - 1 : null,
    };
  });
}

/**
 * The fewest gate runs any queue that runs them one at a time can need on average to drain `n`
 * MRs of which a uniformly random `failing` fail: each run answers pass or fail (one bit), and the
 * end (which MRs landed) names the failing set, one of C(n, failing): log2 C(n, failing) bits.
 */
export function informationBound(n: number, failing: number): number {
  let bits = 0;
  for (let i = 0; i < failing; i++) bits += Math.log2((n - i) / (i + 1));
  return bits;
}
