import type { GateResult } from '../../domain/merge-request.ts';
import { gatesPassed } from './verify.ts';

/** Verifies the stack's prefixes ending at these members, at once; their results by member. */
export type Probe = (members: number[]) => Promise<Map<number, GateResult[]>>;

/**
 * The first member of a stack (0…top) whose prefix fails its gates, or null when the whole stack
 * passes. Prefixes pass up to some member and fail from it on, so a search over them finds it:
 * one probe at a time is a binary search (⌈log2 n⌉ verifications after the whole stack's); with
 * `width` probes at once each round splits what is left in width + 1 — fewer rounds, more runs,
 * worth it only when the gates leave cores idle (BENCHMARKS.md, "parallel speculation"). The
 * first round verifies the whole stack and, with width > 1, the first split points beside it.
 */
export async function firstFailingPrefix(
  top: number,
  width: number,
  probe: Probe,
): Promise<{ first: number | null; runs: Map<number, GateResult[]> }> {
  const runs = new Map<number, GateResult[]>();
  let lo = 0; // every prefix before `lo` passes
  let hi = top; // the prefix ending at `hi` fails (once the whole stack is known to)
  let points = [top, ...spread(0, top - 1, width - 1)];
  for (;;) {
    for (const [member, results] of await probe(points)) runs.set(member, results);
    if (gatesPassed(runs.get(top) ?? [])) return { first: null, runs };
    for (const [member, results] of runs) {
      if (!gatesPassed(results)) hi = Math.min(hi, member);
    }
    for (const [member, results] of runs) {
      if (gatesPassed(results) && member < hi) lo = Math.max(lo, member + 1);
    }
    if (lo >= hi) return { first: hi, runs };
    points = spread(lo, hi - 1, width);
  }
}

/** Up to `k` members spread evenly over a…b (all of them when there are no more than k). */
export function spread(a: number, b: number, k: number): number[] {
  if (b < a || k <= 0) return [];
  const n = b - a + 1;
  if (n <= k) return Array.from({ length: n }, (_, i) => a + i);
  return [...new Set(Array.from({ length: k }, (_, j) => a + Math.floor(((j + 1) * n) / (k + 1))))];
}
