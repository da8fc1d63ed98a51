import { describe, expect, it } from 'vitest';
import { gtRigAdd } from '../../src/commands/gt/rig.ts';
import { parseWords } from '../../src/commands/syntax.ts';
import {
  describeMergePolicy,
  parseGates,
  parseGateTimeout,
  parseMergeStrategy,
} from '../../src/domain/merge-policy.ts';
import { canMove, type MergeRequest, MR_STATUSES, queueOrder } from '../../src/domain/merge-request.ts';

const mr = (id: string, priority: number, created_at: string) =>
  ({ id, priority, created_at }) as MergeRequest;

describe('merge queue rules', () => {
  it('orders by priority, then age, then id: the same order on every replica', () => {
    const queue = [
      mr('a-mr-3', 3, '2026-01-01T00:00:00Z'),
      mr('a-mr-2', 1, '2026-01-02T00:00:00Z'),
      mr('a-mr-b', 1, '2026-01-01T00:00:00Z'),
      mr('a-mr-a', 1, '2026-01-01T00:00:00Z'),
    ].sort(queueOrder);
    expect(queue.map((m) => m.id)).toEqual(['a-mr-a', 'a-mr-b', 'a-mr-2', 'a-mr-3']);
  });

  it('has no way back from an end, and no way to land without verifying or a person', () => {
    for (const end of ['merged', 'rejected', 'superseded', 'cancelled'] as const)
      for (const to of MR_STATUSES) expect(canMove(end, to)).toBe(false);
    expect(canMove('queued', 'merged')).toBe(false);
    expect(canMove('needs-rework', 'merged')).toBe(false);
    expect(canMove('verifying', 'merged')).toBe(true);
  });

  it('keeps a gate command whole, commas and all', () => {
    const args = parseWords(
      ['x', '--gate', 'npm test -- --x=a,b', '--gate', 'make lint'],
      gtRigAdd.syntax,
      gtRigAdd.usage,
    );
    expect(args.gate).toEqual(['npm test -- --x=a,b', 'make lint']);
  });

  it('reads the merge policy flags, refusing what would be ambiguous', () => {
    expect(parseGates([])).toBeNull();
    expect(parseGates(['none'])).toEqual([]);
    expect(parseGates(['npm ci', 'npm test'])).toEqual(['npm ci', 'npm test']);
    expect(() => parseGates(['none', 'npm test'])).toThrow(/alone/);
    expect(parseGateTimeout('90s')).toBe(90);
    expect(parseGateTimeout('15m')).toBe(900);
    expect(() => parseGateTimeout('2d')).toThrow(/90s, 15m or 2h/);
    expect(() => parseMergeStrategy('yolo')).toThrow(/mr, direct, local/);
    expect(
      describeMergePolicy({ merge: 'mr', gates: null, gate_timeout_s: 900, merge_style: 'rebase' }),
    ).toMatch(/NOT CONFIGURED \(nothing lands\)/);
  });
});
