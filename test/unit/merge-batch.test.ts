import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH, type Lanes, laneOrder, nextBatch } from '../../src/domain/merge-batch.ts';
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
/** No ageing within these tests' minutes, no convoys. */
const lanes: Lanes = { now: new Date('2026-01-01T00:10:00Z'), maxWaitMs: 3_600_000, convoyOf: new Map() };

describe('which merge requests are verified together', () => {
  it('takes the first ready ones in queue order, up to the batch size', () => {
    const queue = [mr('m5'), mr('m1', { priority: 3 }), mr('m2'), mr('m3'), mr('m4')];
    expect(ids(nextBatch(queue, none, 3, lanes))).toEqual(['m2', 'm3', 'm4']);
    expect(ids(nextBatch(queue, none, 1, lanes))).toEqual(['m2']);
    expect(ids(nextBatch(queue, none, 16, lanes))).toEqual(['m2', 'm3', 'm4', 'm5', 'm1']);
  });

  it('passes by work whose bead is blocked, and what is not queued', () => {
    const queue = [mr('m1'), mr('m2'), mr('m3', { status: 'held' }), mr('m4')];
    expect(ids(nextBatch(queue, new Set(['b-m1']), 4, lanes))).toEqual(['m2', 'm4']);
    expect(nextBatch([mr('m1')], new Set(['b-m1']), 4, lanes)).toEqual([]);
  });

  it('verifies a P0, a landing a person decided, and a tree verified before, alone', () => {
    expect(ids(nextBatch([mr('m1', { priority: 0 }), mr('m2'), mr('m3')], none, 4, lanes))).toEqual(['m1']);
    const override = { by: 'carol', reason: 'r', at: '2026-01-01T00:00:00Z' };
    expect(ids(nextBatch([mr('m1', { override }), mr('m2')], none, 4, lanes))).toEqual(['m1']);
    expect(ids(nextBatch([mr('m1', { verified_tree: 'abc' }), mr('m2')], none, 4, lanes))).toEqual(['m1']);
    // …and never adds them to someone else's batch.
    expect(ids(nextBatch([mr('m1'), mr('m2', { override }), mr('m3')], none, 4, lanes))).toEqual([
      'm1',
      'm3',
    ]);
  });

  it('stacks only merge requests for the first one’s target branch', () => {
    const queue = [mr('m1'), mr('m2', { target: 'integration/e1' }), mr('m3')];
    expect(ids(nextBatch(queue, none, 4, lanes))).toEqual(['m1', 'm3']);
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

  it('ages: a P4 that waited the maximum goes ahead of a stream of P1s; a P0 still goes first', () => {
    const at = (min: number) => `2026-01-01T00:${String(min).padStart(2, '0')}:00Z`;
    const p4 = mr('m0', { priority: 4, created_at: at(0) });
    const p1s = [1, 2, 3].map((i) => mr(`m${i}`, { priority: 1, created_at: at(10 + i) }));
    const p0 = mr('m9', { priority: 0, created_at: at(20) });
    const young = { ...lanes, now: new Date(at(25)), maxWaitMs: 30 * 60_000 };
    expect(ids(laneOrder([p4, ...p1s, p0], young))).toEqual(['m9', 'm1', 'm2', 'm3', 'm0']);
    const old = { ...young, now: new Date(at(31)) };
    expect(ids(laneOrder([p4, ...p1s, p0], old))).toEqual(['m9', 'm0', 'm1', 'm2', 'm3']);
  });

  it('lets convoys take turns within a priority, so a large convoy does not starve a small one', () => {
    const at = (sec: number) => `2026-01-01T00:00:${String(sec).padStart(2, '0')}Z`;
    const big = [1, 2, 3, 4].map((i) => mr(`b${i}`, { created_at: at(i) }));
    const small = [mr('s1', { created_at: at(5) }), mr('s2', { created_at: at(6) })];
    const loose = mr('x1', { created_at: at(7) });
    const convoyOf = new Map([
      ...big.map((m) => [m.id, 'cv-big'] as const),
      ...small.map((m) => [m.id, 'cv-small'] as const),
    ]);
    expect(ids(laneOrder([...big, ...small, loose], { ...lanes, convoyOf }))).toEqual([
      'b1',
      's1',
      'x1',
      'b2',
      's2',
      'b3',
      'b4',
    ]);
    expect(ids(nextBatch([...big, ...small, loose], none, 4, { ...lanes, convoyOf }))).toEqual([
      'b1',
      's1',
      'x1',
      'b2',
    ]);
  });
});
