import { describe, expect, it } from 'vitest';
import { gtRigAdd } from '../../src/commands/gt/rig.ts';
import { parseWords } from '../../src/commands/syntax.ts';
import {
  describeMergePolicy,
  gateRetries,
  type MergePolicy,
  parseGateRetries,
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

  it('reads --gate-retries as a whole number from 0 to 5, refusing anything else with what to give', () => {
    expect([0, 1, 5].map((n) => parseGateRetries(String(n)))).toEqual([0, 1, 5]);
    expect(parseGateRetries(' 2 ')).toBe(2);
    for (const bad of ['9', '6', '-1', 'x', '', '1.5', '2x', '0x1', '1e0', 'Infinity']) {
      expect(() => parseGateRetries(bad), bad).toThrow(
        expect.objectContaining({
          kind: 'usage',
          code: 'invalid_gate_retries',
          message: expect.stringMatching(/whole number from 0 .* to 5, e\.g\. --gate-retries 2$/),
        }),
      );
    }
  });

  it('reads a policy without gate_retries (stored before it existed) or with a bad one as 0', () => {
    const legacy: MergePolicy = {
      merge: 'mr',
      gates: ['npm test'],
      gate_timeout_s: 900,
      merge_style: 'rebase',
    };
    expect(gateRetries(legacy)).toBe(0);
    expect(gateRetries({ ...legacy, gate_retries: 3 })).toBe(3);
    for (const bad of [-1, 1.5, 6, Number.NaN, '2' as unknown as number])
      expect(gateRetries({ ...legacy, gate_retries: bad }), String(bad)).toBe(0);
    expect(describeMergePolicy(legacy)).toBe('mr · gates: npm test (15m) · rebase · batch 4');
    expect(describeMergePolicy({ ...legacy, gate_retries: 0 })).toBe(
      'mr · gates: npm test (15m) · rebase · batch 4',
    );
    expect(describeMergePolicy({ ...legacy, gate_retries: 1 })).toBe(
      'mr · gates: npm test (15m, 1 retry) · rebase · batch 4',
    );
    expect(describeMergePolicy({ ...legacy, gate_retries: 2 })).toBe(
      'mr · gates: npm test (15m, 2 retries) · rebase · batch 4',
    );
  });
});
