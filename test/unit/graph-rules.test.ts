import { describe, expect, it } from 'vitest';
import type { Status } from '../../src/domain/bead.ts';
import { blockedBy, isBlockedNow, propagateBlocked } from '../../src/domain/blocking.ts';
import { cycleThrough, findCycles } from '../../src/domain/cycles.ts';
import type { DepType } from '../../src/domain/dependency.ts';
import { MemoryGraph } from '../../src/domain/graph-view.ts';

const node = (id: string, status: Status = 'open', is_blocked = false) => ({ id, status, is_blocked });
const edge = (source: string, target: string, type: DepType) => ({ source, target, type });

describe('blocking rules on an in-memory graph', () => {
  it('blocks on active targets only, and only through blocking edge types', () => {
    const g = new MemoryGraph(
      [node('a'), node('b'), node('c', 'closed'), node('d', 'pinned'), node('e')],
      [
        edge('a', 'b', 'related'),
        edge('a', 'c', 'blocks'),
        edge('a', 'd', 'blocks'),
        edge('e', 'b', 'discovered-from'),
      ],
    );
    expect(isBlockedNow('a', g)).toBe(false);
    g.addEdge('a', { target: 'b', type: 'blocks' });
    expect(isBlockedNow('a', g)).toBe(true);
    expect(blockedBy('a', g)).toEqual(['b']);
  });

  it('missing targets never block', () => {
    const g = new MemoryGraph([node('a')], [edge('a', 'ghost', 'blocks')]);
    expect(isBlockedNow('a', g)).toBe(false);
  });

  it('ripples a flip down parent-child chains and back when it clears', () => {
    const g = new MemoryGraph(
      [node('x'), node('gp'), node('p'), node('c')],
      [edge('p', 'gp', 'parent-child'), edge('c', 'p', 'parent-child'), edge('gp', 'x', 'blocks')],
    );
    const write = (id: string, b: boolean) =>
      g.setNode({ ...(g.node(id) as ReturnType<typeof node>), is_blocked: b });
    expect(propagateBlocked(['gp'], g, write)).toEqual(['gp', 'p', 'c']);
    expect(blockedBy('c', g)).toEqual(['p']);
    g.setNode(node('x', 'closed'));
    expect(propagateBlocked(['gp'], g, write)).toEqual(['gp', 'p', 'c']);
    expect(['gp', 'p', 'c'].map((id) => g.node(id)?.is_blocked)).toEqual([false, false, false]);
  });
});

describe('cycle rules', () => {
  it('names the cycle an edge would close, through blocking and parent-child edges', () => {
    const g = new MemoryGraph(
      [node('a'), node('b'), node('c')],
      [edge('a', 'b', 'blocks'), edge('b', 'c', 'parent-child')],
    );
    expect(cycleThrough('c', 'a', 'blocks', g)).toEqual(['c', 'a', 'b', 'c']);
    expect(cycleThrough('c', 'a', 'related', g)).toBeNull();
    expect(cycleThrough('a', 'c', 'blocks', g)).toBeNull();
  });

  it('finds existing cycles and survives chains deeper than the call stack', () => {
    const n = 50_000;
    const nodes = Array.from({ length: n }, (_, i) => node(`n${i}`));
    const edges = Array.from({ length: n - 1 }, (_, i) => edge(`n${i}`, `n${i + 1}`, 'blocks'));
    const g = new MemoryGraph(nodes, edges);
    expect(findCycles(['n0'], g)).toEqual([]);
    g.addEdge(`n${n - 1}`, { target: 'n0', type: 'blocks' });
    const cycles = findCycles(['n0'], g);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n + 1);
  });
});
