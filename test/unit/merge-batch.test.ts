import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH, nextBatch } from '../../src/domain/merge-batch.ts';
import { batchSize, parseBatch } from '../../src/domain/merge-policy.ts';
import type { MergeRequest } from '../../src/domain/merge-request.ts';

const mr = (id: string, over: Partial<MergeRequest> = {}): MergeRequest =>
  ({
    id,
    status: 'queued',
    priority: 2,
    created_at: `2026-01-01T00:00:0${id.slice(-1)}Z`,
    bead_id: `b-${id}`,
    target: 'main',
    override: null,
    verified_tree: null,
    ...over,
  }) as MergeRequest;
const ids = (batch: MergeRequest[]) => batch.map((m) => m.id);
const none = new Set<string>();

describe('which merge requests are verified together', () => {
  it('takes the first ready ones in queue order, up to the batch size', () => {
    const queue = [mr('m5'), mr('m1', { priority: 3 }), mr('m2'), mr('m3'), mr('m4')];
    expect(ids(nextBatch(queue, none, 3))).toEqual(['m2', 'm3', 'm4']);
    expect(ids(nextBatch(queue, none, 1))).toEqual(['m2']);
    expect(ids(nextBatch(queue, none, 16))).toEqual(['m2', 'm3', 'm4', 'm5', 'm1']);
  });

  it('passes by work whose bead is blocked, and what is not queued', () => {
    const queue = [mr('m1'), mr('m2'), mr('m3', { status: 'held' }), mr('m4')];
    expect(ids(nextBatch(queue, new Set(['b-m1']), 4))).toEqual(['m2', 'm4']);
    expect(nextBatch([mr('m1')], new Set(['b-m1']), 4)).toEqual([]);
  });

  it('verifies a P0, a landing a person decided, and a tree verified before, alone', () => {
    expect(ids(nextBatch([mr('m1', { priority: 0 }), mr('m2'), mr('m3')], none, 4))).toEqual(['m1']);
    const override = { by: 'carol', reason: 'r', at: '2026-01-01T00:00:00Z' };
    expect(ids(nextBatch([mr('m1', { override }), mr('m2')], none, 4))).toEqual(['m1']);
    expect(ids(nextBatch([mr('m1', { verified_tree: 'abc' }), mr('m2')], none, 4))).toEqual(['m1']);
    // …and never adds them to someone else's batch.
    expect(ids(nextBatch([mr('m1'), mr('m2', { override }), mr('m3')], none, 4))).toEqual(['m1', 'm3']);
  });

  it('stacks only merge requests for the first one’s target branch', () => {
    const queue = [mr('m1'), mr('m2', { target: 'integration/e1' }), mr('m3')];
    expect(ids(nextBatch(queue, none, 4))).toEqual(['m1', 'm3']);
  });

  it('reads --batch as 1 to 16, and a stored policy without one as the default', () => {
    expect(parseBatch('1')).toBe(1);
    expect(parseBatch(' 8 ')).toBe(8);
    for (const bad of ['0', '17', 'x', '2.5', '-1', ''])
      expect(() => parseBatch(bad)).toThrow(/1 \(one at a time\) to 16/);
    expect(batchSize({})).toBe(DEFAULT_BATCH);
    expect(batchSize({ batch: 1 })).toBe(1);
    expect(batchSize({ batch: 99 })).toBe(DEFAULT_BATCH);
  });
});
