/**
 * A seeded generator (mulberry32) for the fault points: each run prints its seed, and
 * GT_FAULTS_SEED=<n> replays the same kill points.
 */
export function seededRandom(label: string): {
  seed: number;
  next: () => number;
  between: (a: number, b: number) => number;
} {
  const seed = Number(process.env.GT_FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  process.stdout.write(`${label}: fault seed ${seed} (GT_FAULTS_SEED=${seed} replays it)\n`);
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, between: (lo, hi) => lo + Math.floor(next() * (hi - lo)) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
