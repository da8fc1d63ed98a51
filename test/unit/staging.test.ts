import { describe, expect, it } from 'vitest';
import type { IssueType, Status } from '../../src/domain/bead.ts';
import type { DepType } from '../../src/domain/dependency.ts';
import { planStage, type StageInput } from '../../src/domain/stage-plan.ts';
import {
  buildDag,
  computeWaves,
  firstCycle,
  type StageEdge,
  type StageNode,
} from '../../src/domain/staging.ts';

const node = (
  id: string,
  issue_type: IssueType = 'task',
  status: Status = 'open',
  rig: string | null = 'r',
): StageNode => ({
  id,
  title: id,
  issue_type,
  status,
  rig,
});
/** `blocker` blocks `dependent` (bd dep add dependent blocker). */
const blocks = (blocker: string, dependent: string, type: DepType = 'blocks'): StageEdge => ({
  issue_id: dependent,
  depends_on_id: blocker,
  type,
});
const waves = (nodes: StageNode[], edges: StageEdge[], outsideOpen: string[] = []) =>
  computeWaves(buildDag(nodes, edges), (id) => outsideOpen.includes(id));
const plan = (over: Partial<StageInput> & Pick<StageInput, 'nodes'>) =>
  planStage({ edges: [], epicInput: false, parkedRigs: new Set(), isOpenOutside: () => false, ...over });

describe('cycle detection (convoy.md §4 1–5)', () => {
  const cycle = (ids: string[], edges: StageEdge[]) =>
    firstCycle(
      buildDag(
        ids.map((i) => node(i)),
        edges,
      ),
    );
  it('finds two-node cycles, self loops and back edges; none in chains and diamonds', () => {
    expect(cycle(['a', 'b'], [blocks('a', 'b'), blocks('b', 'a')])).toEqual(['a', 'b', 'a']);
    expect(cycle(['a'], [blocks('a', 'a')])).toEqual(['a', 'a']);
    expect(cycle(['a', 'b', 'c'], [blocks('a', 'b'), blocks('b', 'c')])).toBeNull();
    expect(
      cycle(['a', 'b', 'c', 'd'], [blocks('a', 'b'), blocks('a', 'c'), blocks('b', 'd'), blocks('c', 'd')]),
    ).toBeNull();
    expect(
      cycle(['a', 'b', 'c', 'd'], [blocks('a', 'b'), blocks('b', 'c'), blocks('c', 'd'), blocks('d', 'b')]),
    ).toEqual(['b', 'c', 'd', 'b']);
  });
});

describe('waves (convoy.md §4 6–17)', () => {
  it('independent, chain, diamond and mixed shapes', () => {
    expect(waves([node('c'), node('a'), node('b')], []).waves).toEqual([
      { wave: 1, issues: ['a', 'b', 'c'] },
    ]);
    expect(
      waves([node('a'), node('b'), node('c')], [blocks('a', 'b'), blocks('b', 'c')]).waves.map(
        (w) => w.issues,
      ),
    ).toEqual([['a'], ['b'], ['c']]);
    const diamond = [blocks('a', 'b'), blocks('a', 'c'), blocks('b', 'd'), blocks('c', 'd')];
    expect(
      waves(
        ['a', 'b', 'c', 'd'].map((i) => node(i)),
        diamond,
      ).waves.map((w) => w.issues),
    ).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(
      waves(
        ['a', 'b', 'c', 'd'].map((i) => node(i)),
        [blocks('a', 'b'), blocks('b', 'd')],
      ).waves.map((w) => w.issues),
    ).toEqual([['a', 'c'], ['b'], ['d']]);
  });

  it('waves hold slingable types only; every blocking type counts; parent-child does not', () => {
    const nodes = [
      node('e', 'epic'),
      node('d', 'decision'),
      node('t', 'task'),
      node('b', 'bug'),
      node('f', 'feature'),
      node('c', 'chore'),
    ];
    expect(waves(nodes, [{ issue_id: 't', depends_on_id: 'e', type: 'parent-child' }]).waves).toEqual([
      { wave: 1, issues: ['b', 'c', 'f', 't'] },
    ]);
    for (const type of ['blocks', 'conditional-blocks', 'waits-for'] as const) {
      expect(waves([node('a'), node('b')], [blocks('a', 'b', type)]).waves).toHaveLength(2);
    }
  });

  it('open non-slingable blockers gate; closed ones do not; gating is transitive', () => {
    const r = waves([node('dec', 'decision'), node('t1'), node('t2')], [blocks('dec', 't1')]);
    expect(r).toEqual({ waves: [{ wave: 1, issues: ['t2'] }], gated: [{ id: 't1', gated_by: ['dec'] }] });
    const t = waves(
      [node('dec', 'decision'), node('a'), node('b'), node('c')],
      [blocks('dec', 'a'), blocks('a', 'b')],
    );
    expect(t.gated).toEqual([
      { id: 'a', gated_by: ['dec'] },
      { id: 'b', gated_by: [] },
    ]);
    expect(waves([node('dec', 'decision', 'closed'), node('t1')], [blocks('dec', 't1')]).waves).toEqual([
      { wave: 1, issues: ['t1'] },
    ]);
    expect(waves([node('ep', 'epic'), node('t1')], [blocks('ep', 't1')]).gated).toEqual([
      { id: 't1', gated_by: ['ep'] },
    ]);
    expect(waves([node('t1')], [blocks('dec', 't1')], ['dec'])).toEqual({
      waves: [],
      gated: [{ id: 't1', gated_by: ['dec'] }],
    });
  });

  it('closed beads are done: no wave, and they do not block', () => {
    expect(waves([node('a', 'task', 'closed'), node('b')], [blocks('a', 'b')]).waves).toEqual([
      { wave: 1, issues: ['b'] },
    ]);
  });
});

describe('stage plan findings (convoy.md §4 27–32)', () => {
  it('a cycle or a town-level bead is an error, and nothing else is computed', () => {
    const cyc = plan({ nodes: [node('a'), node('b')], edges: [blocks('a', 'b'), blocks('b', 'a')] });
    expect(cyc).toMatchObject({
      status: 'error',
      waves: [],
      errors: [{ category: 'cycle', message: expect.stringContaining('a → b → a') }],
    });
    const town = plan({ nodes: [node('hq-1', 'task', 'open', null)] });
    expect(town.errors).toMatchObject([{ category: 'no-rig', bead_ids: ['hq-1'] }]);
    expect(plan({ nodes: [node('e', 'epic')] }).errors[0]?.message).toMatch(/nothing to stage/);
  });

  it('clean chains stage ready; parked rigs, cross-rig, capacity, orphans and gates warn', () => {
    expect(plan({ nodes: [node('a'), node('b')], edges: [blocks('a', 'b')] }).status).toBe('staged_ready');
    const parked = plan({ nodes: [node('a')], parkedRigs: new Set(['r']) });
    expect(parked).toMatchObject({
      status: 'staged_warnings',
      warnings: [{ category: 'blocked-rig', suggested_fix: 'gt rig unpark r' }],
    });
    const cross = plan({
      nodes: [node('a', 'task', 'open', 'x'), node('b', 'task', 'open', 'x'), node('c', 'task', 'open', 'y')],
    });
    expect(cross.warnings).toMatchObject([{ category: 'cross-rig', bead_ids: ['c'] }]);
    const wide = plan({ nodes: ['1', '2', '3', '4', '5', '6'].map((i) => node(i)) });
    expect(wide.warnings.map((w) => w.category)).toEqual(['capacity']);
    const epic = plan({
      nodes: [node('a'), node('b'), node('c')],
      edges: [blocks('a', 'b')],
      epicInput: true,
    });
    expect(epic.warnings).toMatchObject([{ category: 'orphan', bead_ids: ['c'] }]);
    expect(plan({ nodes: [node('a'), node('c')], epicInput: false }).status).toBe('staged_ready');
    const gated = plan({
      nodes: [node('d', 'decision'), node('t')],
      edges: [blocks('d', 't')],
      epicInput: true,
    });
    expect(gated.warnings.map((w) => w.category)).toEqual(['gated']);
  });
});

/** A seeded generator so a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomDag(seed: number) {
  const r = rng(seed);
  const n = 5 + Math.floor(r() * 45);
  const types: IssueType[] = ['task', 'task', 'bug', 'feature', 'chore', 'decision', 'epic'];
  const nodes = Array.from({ length: n }, (_, i) =>
    node(
      `n${String(i).padStart(2, '0')}`,
      types[Math.floor(r() * types.length)],
      r() < 0.1 ? 'closed' : 'open',
    ),
  );
  const edges: StageEdge[] = [];
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++)
      if (r() < 0.08) edges.push(blocks(nodes[j]?.id as string, nodes[i]?.id as string));
  }
  return { nodes, edges, r };
}

describe('wave properties over 200 random DAGs (PT-01..06)', () => {
  it('every open slingable bead is in exactly one wave or gated; every blocker is earlier or a gate', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { nodes, edges } = randomDag(seed);
      const result = waves(nodes, edges);
      const waveOf = new Map<string, number>();
      for (const w of result.waves)
        for (const id of w.issues) {
          expect(waveOf.has(id), `seed ${seed}: ${id} twice`).toBe(false);
          waveOf.set(id, w.wave);
        }
      const gated = new Set(result.gated.map((g) => g.id));
      const work = nodes.filter(
        (x) => ['task', 'bug', 'feature', 'chore'].includes(x.issue_type) && x.status !== 'closed',
      );
      expect(waveOf.size + gated.size, `seed ${seed}`).toBe(work.length);
      for (const id of waveOf.keys()) expect(gated.has(id)).toBe(false);
      const byId = new Map(nodes.map((x) => [x.id, x]));
      for (const e of edges) {
        const mine = waveOf.get(e.issue_id);
        if (mine === undefined) continue;
        const blocker = byId.get(e.depends_on_id) as StageNode;
        if (blocker.status === 'closed') continue;
        expect(
          waveOf.get(e.depends_on_id),
          `seed ${seed}: ${e.depends_on_id} before ${e.issue_id}`,
        ).toBeLessThan(mine);
      }
      expect(waves(nodes, edges)).toEqual(result); // deterministic
    }
  });

  it('a back edge always makes a cycle error whose path follows real edges', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { nodes, edges, r } = randomDag(seed);
      // Close a cycle: a forward path a → … → b exists by construction once we add one.
      const a = Math.floor(r() * (nodes.length - 1));
      const b = a + 1 + Math.floor(r() * (nodes.length - a - 1));
      const ids = nodes.map((x) => x.id);
      const withCycle = [
        ...edges,
        blocks(ids[a] as string, ids[b] as string),
        blocks(ids[b] as string, ids[a] as string),
      ];
      const cycle = firstCycle(buildDag(nodes, withCycle));
      expect(cycle, `seed ${seed}`).not.toBeNull();
      const set = new Set(withCycle.map((e) => `${e.depends_on_id}>${e.issue_id}`));
      for (let i = 1; i < (cycle as string[]).length; i++) {
        expect(set.has(`${cycle?.[i - 1]}>${cycle?.[i]}`), `seed ${seed}`).toBe(true);
      }
      expect(
        planStage({
          nodes,
          edges: withCycle,
          epicInput: false,
          parkedRigs: new Set(),
          isOpenOutside: () => false,
        }).status,
      ).toBe('error');
    }
  });
});
