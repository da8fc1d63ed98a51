import { describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/domain/merge-request.ts';
import { firstFailingPrefix, spread } from '../../src/services/refinery/prefix-search.ts';

const result = (pass: boolean): GateResult[] => [
  { name: 'gate 1', command: 'x', exit: pass ? 0 : 1, timed_out: false, duration_ms: 1, excerpt: '' },
];

/** A stack whose prefixes fail from member `first` on (null: none fails); records each round. */
function stackFailingFrom(first: number | null) {
  const rounds: number[][] = [];
  const probe = async (members: number[]) => {
    rounds.push(members);
    return new Map(members.map((m) => [m, result(first === null || m < first)]));
  };
  return { rounds, probe };
}

describe('the search for the first failing prefix', () => {
  it('spreads probes evenly, all of them when few', () => {
    expect(spread(0, 2, 1)).toEqual([1]);
    expect(spread(0, 6, 3)).toEqual([1, 3, 5]);
    expect(spread(2, 3, 3)).toEqual([2, 3]);
    expect(spread(3, 2, 2)).toEqual([]);
    expect(spread(0, 5, 0)).toEqual([]);
  });

  it('one probe at a time: the whole stack, then a binary search within ⌈log2 n⌉', async () => {
    for (const [n, first] of [
      [4, 2],
      [4, 0],
      [4, 3],
      [8, 5],
      [16, 1],
    ] as const) {
      const s = stackFailingFrom(first);
      expect((await firstFailingPrefix(n - 1, 1, s.probe)).first).toBe(first);
      expect(s.rounds[0]).toEqual([n - 1]);
      expect(s.rounds.flat().length).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(n)));
    }
  });

  it('a passing stack costs one verification; wider probes find the culprit in fewer rounds', async () => {
    const passing = stackFailingFrom(null);
    expect((await firstFailingPrefix(7, 1, passing.probe)).first).toBeNull();
    expect(passing.rounds).toEqual([[7]]);
    for (let first = 0; first < 8; first++) {
      const narrow = stackFailingFrom(first);
      const wide = stackFailingFrom(first);
      expect((await firstFailingPrefix(7, 1, narrow.probe)).first).toBe(first);
      expect((await firstFailingPrefix(7, 3, wide.probe)).first).toBe(first);
      expect(wide.rounds.length).toBeLessThanOrEqual(narrow.rounds.length);
      expect(wide.rounds.length).toBeLessThanOrEqual(2);
    }
  });
});
