/**
 * Pure helpers of the merge queue's batch benchmark (bench/mq.bench.ts): the seeded choice of
 * failing merge requests, a model of how many gate runs — and rounds of gate time, runs verified
 * at once counting as one — the refinery's batches need for a given set of failing positions,
 * batch size and parallel probes (src/services/refinery/{batch,prefix-search}.ts, as a count),
 * and the reading of the gate's own log of its runs into batches, searches and rounds.
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

/** Gate runs and rounds of gate time (runs at the same time are one round) a drain costs. */
export interface ModelCost {
  runs: number;
  rounds: number;
}

/**
 * What the refinery's batches cost to drain a queue of `n` MRs (all passing but `failing`), each
 * failing on its own and in any stack holding it, `batch` at a time, `parallel` prefixes verified
 * at once (src/services/refinery/{batch,prefix-search}.ts, as a count): a lone MR is one run, plus
 * a run on the bare target when it fails (is the target broken?); a stack's first round verifies
 * the whole stack and, with parallel K > 1, K − 1 shorter prefixes beside it (spread evenly over
 * the ones below the top, passing stack or not); a failing stack's search goes on in rounds of K
 * prefixes splitting what is left in K + 1 (K = 1: a binary search) to its first failing member,
 * plus the bare-target run when that member is the stack's first; the prefix before it lands, the
 * members after it go back to the head of the queue. Written from the design, not from the code,
 * so the gate's log checks the one against the other.
 */
export function modelCost(n: number, failing: ReadonlySet<number>, batch: number, parallel = 1): ModelCost {
  let queue = Array.from({ length: n }, (_, i) => i);
  const cost = { runs: 0, rounds: 0 };
  while (queue.length > 0) {
    const stack = queue.slice(0, batch);
    const search = searchStack(
      stack.length,
      stack.findIndex((i) => failing.has(i)),
      parallel,
    );
    cost.runs += search.runs;
    cost.rounds += search.rounds;
    if (search.first === null) {
      queue = queue.slice(stack.length);
      continue;
    }
    if (search.first === 0) {
      cost.runs++;
      cost.rounds++;
    }
    queue = [...stack.slice(search.first + 1), ...queue.slice(stack.length)];
  }
  return cost;
}

/**
 * One stack of `size` members whose first failing member is `culprit` (−1: none), `parallel`
 * prefixes at a time: the runs and rounds of its search (the bare-target run not counted) and
 * the first failing member found (null: the stack passes).
 */
export function searchStack(
  size: number,
  culprit: number,
  parallel = 1,
): { runs: number; rounds: number; first: number | null } {
  const top = size - 1;
  const fails = (member: number) => culprit >= 0 && member >= culprit;
  let probes = [top, ...evenly(0, top - 1, parallel - 1)];
  let runs = 0;
  let rounds = 0;
  let lo = 0; // prefixes below lo pass
  let hi = top; // the prefix ending at hi fails
  for (;;) {
    runs += probes.length;
    rounds++;
    if (!fails(top)) return { runs, rounds, first: null };
    for (const p of probes) {
      if (fails(p)) hi = Math.min(hi, p);
      else lo = Math.max(lo, p + 1);
    }
    if (lo >= hi) return { runs, rounds, first: hi };
    probes = evenly(lo, hi - 1, parallel);
  }
}

/** `k` points cutting a…b into k + 1 nearly equal parts (every point when there are no more than k). */
function evenly(a: number, b: number, k: number): number[] {
  const n = b - a + 1;
  if (n <= 0 || k <= 0) return [];
  if (n <= k) return Array.from({ length: n }, (_, i) => a + i);
  const points = new Set<number>();
  for (let j = 1; j <= k; j++) points.add(a + Math.floor((j * n) / (k + 1)));
  return [...points];
}

/**
 * The most rounds after the whole stack's (bisection rounds) and the most runs in all a failing
 * stack of `size` can need at `parallel`, over every culprit position: the search's budget
 * (⌈log2 size⌉ bisection rounds, one run each, at parallel 1).
 */
export function searchBudget(size: number, parallel = 1): { rounds: number; runs: number } {
  let rounds = 0;
  let runs = 0;
  for (let culprit = 0; culprit < size; culprit++) {
    const s = searchStack(size, culprit, parallel);
    rounds = Math.max(rounds, s.rounds - 1);
    runs = Math.max(runs, s.runs);
  }
  return { rounds, runs };
}

/** The model's mean cost over many seeds: what a setting costs on average, not by luck. */
export function meanModelCost(
  n: number,
  failingCount: number,
  batch: number,
  parallel = 1,
  seeds = 1000,
): ModelCost {
  const total = { runs: 0, rounds: 0 };
  for (let s = 1; s <= seeds; s++) {
    const c = modelCost(n, new Set(pickFailing(n, failingCount, seededRandom(s))), batch, parallel);
    total.runs += c.runs;
    total.rounds += c.rounds;
  }
  return { runs: total.runs / seeds, rounds: total.rounds / seeds };
}

/**
 * One line of the gate's log: the target's tip, the tree's commit, commits on top of the tip, BAD
 * files, and when the gate's work started and ended (ms since the epoch; absent in older logs).
 */
export interface GateRun {
  tip: string;
  head: string;
  /** Commits stacked on the target's tip: 0 is a run on the bare target. */
  stacked: number;
  failed: boolean;
  start: number | null;
  end: number | null;
}

/** The gate's log, in the order the runs started (a line is written as its run ends). */
export function parseGateLog(text: string): GateRun[] {
  const runs = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [tip = '', head = '', stacked = '0', bad = '0', start, end] = line.trim().split(/\s+/);
      const ms = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
      return { tip, head, stacked: Number(stacked), failed: Number(bad) > 0, start: ms(start), end: ms(end) };
    });
  return runs.every((r) => r.start !== null)
    ? [...runs].sort((a, b) => (a.start as number) - (b.start as number))
    : runs;
}

export interface BatchRecord {
  /** Members stacked (the whole stack's run). */
  size: number;
  /** Runs on the stack's prefixes, the whole stack's included (bare-target runs not). */
  stackRuns: number;
  /** Rounds of those runs: runs that overlap in time are one round (without times, each run is one). */
  rounds: number;
  bareTarget: number;
  /** Index of the first failing member in the stack, or null when the stack passed. */
  culprit: number | null;
}

/**
 * The gate's runs grouped into the refinery's batches: a batch starts when the target's tip has
 * moved since the previous run or the previous run was on the bare target (which ends a failed
 * batch whose culprit was its first member). The whole stack's run is the one with the most
 * commits on the tip; the culprit is the shortest failing prefix (always verified: the search
 * only narrows onto tested prefixes).
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
    const onStack = g.filter((r) => r.stacked > 0);
    const size = Math.max(0, ...onStack.map((r) => r.stacked));
    const whole = onStack.find((r) => r.stacked === size);
    const failing = onStack.filter((r) => r.failed).map((r) => r.stacked);
    return {
      size,
      stackRuns: onStack.length,
      rounds: roundsOf(onStack),
      bareTarget: g.length - onStack.length,
      culprit: whole?.failed ? Math.min(...failing) - 1 : null,
    };
  });
}

/** Runs (in start order) grouped into rounds: a round takes every run that starts before all of it ended. */
export function roundsOf(runs: readonly GateRun[]): number {
  if (runs.some((r) => r.start === null || r.end === null)) return runs.length;
  let rounds = 0;
  let until = Number.NEGATIVE_INFINITY;
  for (const r of runs) {
    if ((r.start as number) >= until) {
      rounds++;
      until = r.end as number;
    } else until = Math.max(until, r.end as number);
  }
  return rounds;
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
