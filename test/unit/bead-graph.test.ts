import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BeadGraph,
  MAX_GRAPH_BYTES,
  MAX_GRAPH_NODES,
  parseBeadGraph,
  parseGraphText,
} from '../../src/domain/bead-graph.ts';
import { type LedgerFacts, placeGraph, referencedIds } from '../../src/domain/bead-graph-place.ts';
import { DomainError, usageError } from '../../src/domain/errors.ts';
import { fuzzOptions, nastyJson, nastyString } from '../support/fuzz.ts';

/**
 * The plan document of `bd create --graph` (formulas.md §5.3 item 5), judged before anything is
 * written: every refusal names its node or edge and what to do, all problems at once.
 */

/** What the API fuzz test asks of every refusal: it says what to do. */
const SAYS_WHAT_TO_DO =
  /usage:|see |send |run |try |use |check |narrow|must |ask |one of|expected|needs? |give |write |name |between|at most|limit|only |cannot |already |not found|not a valid|is empty|unknown /i;

const node = (key: string, extra: Record<string, unknown> = {}) => ({ key, title: `Do ${key}`, ...extra });
const abc = [node('a'), node('b'), node('c')];

/** The refusal of `raw`: its code and each problem line (or the whole message when it has none). */
function refusal(run: () => unknown): { code: string; kind: string; lines: string[]; message: string } {
  try {
    run();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const problems = err.details.problems as string[] | undefined;
    expect(err.message).toMatch(SAYS_WHAT_TO_DO);
    return { code: err.code, kind: err.kind, lines: problems ?? [err.message], message: err.message };
  }
  throw new Error('accepted');
}
const problemsOf = (raw: unknown) => refusal(() => parseBeadGraph(raw)).lines;

describe('bd create --graph: the document', () => {
  it('a valid plan: defaults, parents before children, its edges', () => {
    const g = parseBeadGraph({
      nodes: [
        node('child', { parent_key: 'epic', priority: 'P1', labels: ['db', 'db'], acceptance: 'green' }),
        node('epic', { type: 'epic', rig: 'alpha' }),
        node('other', { parent_id: 'al-x1', assignee: 'alpha/Toast', type: 'bug' }),
      ],
      edges: [
        { from_key: 'other', to_key: 'child' },
        { from_key: 'child', to_id: 'AL-Y2', type: 'related' },
      ],
    });
    expect(g.nodes.map((n) => n.key)).toEqual(['epic', 'other', 'child']);
    expect(g.nodes[2]).toMatchObject({
      issue_type: 'task',
      priority: 1,
      labels: ['db'],
      acceptance_criteria: 'green',
      parent: { key: 'epic' },
      rig: null,
    });
    expect(g.nodes[1]).toMatchObject({ parent: { id: 'al-x1' }, assignee: 'alpha/Toast', issue_type: 'bug' });
    expect(g.edges).toEqual([
      { index: 0, from: { key: 'other' }, to: { key: 'child' }, type: 'blocks' },
      { index: 1, from: { key: 'child' }, to: { id: 'al-y2' }, type: 'related' },
    ]);
    expect(g.warnings).toEqual([]);
    expect(referencedIds(g).sort()).toEqual(['al-x1', 'al-y2']);
  });

  it('an edge to a missing key names the edge, the key and the keys there are', () => {
    expect(problemsOf({ nodes: abc, edges: [{}, {}, { from_key: 'a', to_key: 'nope' }].slice(2) })).toEqual([
      'edges[0]: to_key "nope" names no node; use one of the keys: a, b, c',
    ]);
    const { lines, code, kind, message } = refusal(() =>
      parseBeadGraph({
        nodes: abc,
        edges: [
          { from_key: 'b', to_key: 'a' },
          { from_key: 'c', to_key: 'b' },
          { from_key: 'a', to_key: 'nope' },
        ],
      }),
    );
    expect({ code, kind }).toEqual({ code: 'invalid_graph', kind: 'usage' });
    expect(lines).toEqual(['edges[2]: to_key "nope" names no node; use one of the keys: a, b, c']);
    expect(message).toMatch(/^the graph cannot be created \(nothing was written\); fix this/);
  });

  it('refuses what is not a graph, too big a graph, and bad JSON, saying what to give', () => {
    expect(refusal(() => parseGraphText('{"nodes": [')).message).toMatch(
      /not valid JSON .*give a JSON object/,
    );
    expect(refusal(() => parseGraphText(' '.repeat(MAX_GRAPH_BYTES + 1))).code).toBe('graph_too_large');
    expect(refusal(() => parseBeadGraph([])).message).toMatch(/must be a JSON object/);
    expect(refusal(() => parseBeadGraph({ edges: [] })).message).toMatch(/needs "nodes"/);
    expect(refusal(() => parseBeadGraph({ nodes: [] })).message).toMatch(/at least one node/);
    expect(refusal(() => parseBeadGraph({ nodes: abc, edges: {} })).message).toMatch(
      /"edges" must be an array/,
    );
    const many = Array.from({ length: MAX_GRAPH_NODES + 1 }, (_, i) => node(`n${i}`));
    expect(refusal(() => parseBeadGraph({ nodes: many })).message).toMatch(
      /2001 nodes; the limit is 2000: split/,
    );
    const edges = Array.from({ length: 20_001 }, () => ({ from_key: 'a', to_key: 'b' }));
    expect(refusal(() => parseBeadGraph({ nodes: abc, edges })).code).toBe('graph_too_large');
  });

  it('refuses each bad node field, naming the node', () => {
    const lines = problemsOf({
      nodes: [
        'a string',
        { title: 'no key' },
        node('x'.repeat(201)),
        node('dup'),
        node('dup'),
        { key: 'untitled', title: '  ' },
        node('t', { type: 'convoy' }),
        node('t2', { type: 'story' }),
        node('d', { description: 42 }),
        node('p', { priority: 7 }),
        node('l1', { labels: 'a,b' }),
        node('l2', { labels: ['has space'] }),
        node('as', { assignee: 'a/b/c' }),
        node('r', { rig: 'Not A Rig' }),
        node('both', { parent_key: 'dup', parent_id: 'al-1' }),
        node('orphan', { parent_key: 'nobody' }),
        node('self', { parent_key: 'self' }),
        node('badid', { parent_id: 'not an id' }),
      ],
    });
    expect(lines).toEqual([
      'nodes[0] must be an object; give at least {"key": …, "title": …}',
      expect.stringMatching(/^nodes\[1\]\.key is missing or empty; give every node a unique key/),
      expect.stringMatching(/^nodes\[2\]\.key is too long; give every node a unique key \(at most 200/),
      expect.stringMatching(/^nodes\[5\] \("untitled"\)\.title: title is empty; give the bead a title/),
      expect.stringMatching(/^nodes\[6\] \("t"\)\.type: convoys are created with `gt convoy create`/),
      expect.stringMatching(/^nodes\[7\] \("t2"\)\.type: unknown type "story"; use one of: task, bug/),
      'nodes[8] ("d").description: description must be text',
      expect.stringMatching(/^nodes\[9\] \("p"\)\.priority: priority 7 is out of range; use 0/),
      'nodes[10] ("l1").labels: labels must be an array of strings, e.g. ["backend", "db"]',
      expect.stringMatching(/^nodes\[11\] \("l2"\)\.labels: label "has space" may not contain spaces/),
      expect.stringMatching(
        /^nodes\[12\] \("as"\)\.assignee: assignee "a\/b\/c" is not an agent address; use/,
      ),
      expect.stringMatching(/^nodes\[13\] \("r"\)\.rig: rig name "Not A Rig" is invalid; use lower-case/),
      'nodes[14] ("both"): give parent_key or parent_id, not both',
      expect.stringMatching(/^nodes\[17\] \("badid"\)\.parent_id: not an id is not a valid bead id/),
      'nodes[4].key "dup" is already the key of nodes[3]; give each node its own key',
      'nodes[15] ("orphan").parent_key "nobody" names no node; use one of the keys: dup, untitled, t, t2, d, p, l1, l2, as, r, both, orphan, self, badid',
      'nodes[16] ("self").parent_key: a node cannot be its own parent; name another node',
    ]);
  });

  it('refuses each bad edge, naming the edge', () => {
    const lines = problemsOf({
      nodes: [...abc, node('epic', { type: 'epic' }), node('kid', { parent_key: 'a' })],
      edges: [
        7,
        { to_key: 'a' },
        { from_key: 'a', from_id: 'al-1', to_key: 'b' },
        { from_key: 'a', to_key: 'b', type: 'depends' },
        { from_key: 'a', to_key: 'b', type: 'parent-child' },
        { from_key: 'a', to_key: 'b', type: 'tracks' },
        { from_id: 'al-1', to_id: 'al-2' },
        { from_key: 'a', to_key: 'a' },
        { from_key: 'a', to_key: 'b' },
        { from_key: 'a', to_key: 'b', type: 'related' },
        { from_key: 'kid', to_key: 'a' },
        { from_key: 'c', to_key: 'epic' },
        { from_key: 'b', to_key: 'ghost' },
      ],
    });
    expect(lines).toEqual([
      'edges[0] must be an object such as {"from_key": "b", "to_key": "a"} (b depends on a)',
      "edges[1] needs from_key (a node's key) or from_id (an existing bead's id); an edge's from depends on its to",
      'edges[2]: give from_key or from_id, not both',
      expect.stringMatching(
        /^edges\[3\]\.type: unknown edge type "depends"; use one of: blocks, conditional-blocks/,
      ),
      expect.stringMatching(
        /^edges\[4\]\.type: parent-child is not an edge here; give the child node "parent_key"/,
      ),
      'edges[5].type: tracks edges belong to convoys; use gt convoy add after creating',
      "edges[6] joins two existing beads (al-1 → al-2); use bd dep add for that (a graph's edges touch its own nodes)",
      'edges[7]: "a" cannot depend on itself; name another node',
      'edges[9]: "a" → "b" is already edges[8] (blocks); two beads cannot be joined twice, keep only one type',
      'edges[10]: "kid" already sits under "a" (its parent); drop the edge, two beads cannot be joined twice',
      expect.stringMatching(
        /^edges\[11\]: "c" → "epic": a blocks edge from task to epic cannot be: .*parent_key/,
      ),
      'edges[12]: to_key "ghost" names no node; use one of the keys: a, b, c, epic, kid',
    ]);
  });

  it('orders the edges for writing: a node’s before those of what it depends on, existing beads’ first', () => {
    const g = parseBeadGraph({
      nodes: [node('a'), node('b'), node('c'), node('kid', { parent_key: 'a' })],
      edges: [
        { from_key: 'b', to_key: 'a' },
        { from_key: 'c', to_key: 'b' },
        { from_key: 'a', to_id: 'al-1', type: 'related' },
        { from_id: 'al-2', to_key: 'c' },
        { from_key: 'c', to_key: 'kid' },
      ],
    });
    // Levels: a 0, kid 1 (under a), b 1, c 2.
    expect(g.edges.map((e) => e.index)).toEqual([3, 1, 4, 0, 2]);
  });

  it('refuses cycles of blocking edges and parent links among the new nodes', () => {
    const chain = {
      nodes: abc,
      edges: [
        { from_key: 'a', to_key: 'b' },
        { from_key: 'b', to_key: 'c' },
      ],
    };
    expect(parseBeadGraph(chain).edges).toHaveLength(2);
    expect(
      problemsOf({
        ...chain,
        edges: [...chain.edges, { from_key: 'c', to_key: 'a', type: 'conditional-blocks' }],
      }),
    ).toEqual([
      'the plan loops: "a" → "b" → "c" → "a"; remove one of those edges or parent links (blocking edges and parents cannot form a cycle)',
    ]);
    // A parent waiting on its own child deadlocks too (cycles.ts); a related edge never does.
    expect(
      problemsOf({
        nodes: [node('p'), node('k', { parent_key: 'p' })],
        edges: [{ from_key: 'p', to_key: 'k' }],
      }),
    ).toEqual([expect.stringMatching(/^the plan loops: "p" → "k" → "p"/)]);
    expect(problemsOf({ nodes: [node('x', { parent_key: 'y' }), node('y', { parent_key: 'x' })] })).toEqual([
      expect.stringMatching(/^the plan loops: "x" → "y" → "x"/),
    ]);
    expect(
      parseBeadGraph({
        nodes: abc,
        edges: [
          { from_key: 'a', to_key: 'b', type: 'related' },
          { from_key: 'b', to_key: 'a', type: 'related' },
        ],
      }).edges,
    ).toHaveLength(2);
  });

  it('warns about unknown fields by path (one warning per field name) and drops repeated edges', () => {
    const g = parseBeadGraph({
      nodes: [
        node('a', { dependson: ['b'], metadata: { x: 1 } }),
        node('b', { dependson: [] }),
        node('c', { tags: [] }),
      ],
      edges: [
        { from_key: 'a', to_key: 'b', weight: 2 },
        { from_key: 'a', to_key: 'b' },
      ],
      convoys: [],
    });
    expect(g.edges).toHaveLength(1);
    expect(g.warnings).toEqual([
      'convoys: unknown field, ignored (known here: nodes, edges)',
      expect.stringMatching(
        /^nodes\[0\]\.dependson, nodes\[1\]\.dependson: unknown field, ignored \(known here: key, title/,
      ),
      expect.stringMatching(/^nodes\[2\]\.tags: unknown field/),
      'edges[0].weight: unknown field, ignored (known here: from_key, from_id, to_key, to_id, type)',
      expect.stringMatching(/^nodes\[\]\.metadata \(1 node\(s\)\): not stored/),
      'edges[1] repeats edges[0] ("a" → "b"); ignored',
    ]);
    const many = parseBeadGraph({ nodes: Array.from({ length: 50 }, (_, i) => node(`n${i}`, { x: 1 })) });
    expect(many.warnings).toEqual([
      expect.stringMatching(/^nodes\[0\]\.x, nodes\[1\]\.x, nodes\[2\]\.x and 47 more:/),
    ]);
  });

  it('any document: accepted, or refused saying what to do (never another kind of error)', () => {
    const value = fc.oneof(nastyString, nastyJson, fc.constantFrom('a', 'b', 'epic', 'al-1', 'P1', 3));
    const field = (names: string[]) => fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 6 });
    const doc = fc.record(
      {
        nodes: fc.oneof(
          fc.array(field(['key', 'title', 'type', 'priority', 'labels', 'parent_key', 'parent_id', 'rig']), {
            maxLength: 5,
          }),
          nastyJson,
        ),
        edges: fc.oneof(
          fc.array(field(['from_key', 'from_id', 'to_key', 'to_id', 'type']), { maxLength: 5 }),
          nastyJson,
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(doc, nastyJson), (raw) => {
        try {
          parseGraphText(JSON.stringify(raw) ?? 'null');
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          expect(err.message).toMatch(SAYS_WHAT_TO_DO);
        }
      }),
      fuzzOptions(500),
    );
  });

  it('reports every problem at once, up to a limit', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => ({ key: `n${i}`, title: '' }));
    const { lines, message } = refusal(() => parseBeadGraph({ nodes }));
    expect(lines).toHaveLength(25);
    expect(message).toMatch(/… and 15 more problem\(s\)$/);
  });
});

describe('bd create --graph: against the ledger', () => {
  const graph = (raw: unknown): BeadGraph => parseBeadGraph(raw);
  const facts = (over: Partial<LedgerFacts> = {}): LedgerFacts => ({
    beads: new Map([
      ['al-1', { id: 'al-1', rig: 'alpha', issue_type: 'task' }],
      ['al-e', { id: 'al-e', rig: 'alpha', issue_type: 'epic' }],
      ['hq-1', { id: 'hq-1', rig: null, issue_type: 'task' }],
    ]),
    rigs: ['alpha', 'beta'],
    planRig: () => 'beta',
    ...over,
  });
  const placeProblems = (raw: unknown, f = facts()) => {
    const r = refusal(() => placeGraph(graph(raw), f));
    expect(r.kind).toBe('refused');
    return r.lines;
  };

  it('places each node: its own rig, else its parent’s, else the plan’s', () => {
    const placed = placeGraph(
      graph({
        nodes: [
          node('own', { rig: 'alpha' }),
          node('plan'),
          node('kid', { parent_key: 'own' }),
          node('grandkid', { parent_key: 'kid', rig: 'alpha' }),
          node('under', { parent_id: 'al-1' }),
          node('town', { parent_id: 'hq-1' }),
        ],
      }),
      facts(),
    );
    expect(Object.fromEntries(placed)).toEqual({
      own: 'alpha',
      plan: 'beta',
      kid: 'alpha',
      grandkid: 'alpha',
      under: 'alpha',
      town: null,
    });
    // The plan's rig is asked for only when a top-level node needs it.
    const none = () => {
      throw usageError('missing_rig', 'give the rig the plan is for: --rig alpha|beta');
    };
    expect(
      placeGraph(graph({ nodes: [node('a', { rig: 'alpha' })] }), facts({ planRig: none })).get('a'),
    ).toBe('alpha');
  });

  it('refuses ids not found, rigs that do not exist, a child in another rig, and no rig at all', () => {
    const none = () => {
      throw usageError('missing_rig', 'give the rig the plan is for: --rig alpha|beta');
    };
    expect(
      placeProblems(
        {
          nodes: [
            node('a'),
            node('b', { rig: 'gamma' }),
            node('c', { parent_id: 'al-404' }),
            node('d', { parent_id: 'al-1', rig: 'beta' }),
            node('e', { parent_key: 'b', rig: 'alpha' }),
          ],
          edges: [
            { from_key: 'a', to_id: 'al-405' },
            { from_id: 'be-406', to_key: 'a' },
          ],
        },
        facts({ planRig: none }),
      ),
    ).toEqual([
      'give the rig the plan is for: --rig alpha|beta (or give each top-level node a "rig")',
      'nodes[1] ("b").rig "gamma" names no rig; see gt rig list (alpha, beta)',
      'nodes[2] ("c").parent_id al-404 not found; check the id with bd show al-404',
      'nodes[3] ("d") names rig beta but its parent is in alpha; give it no "rig" (a child goes with its parent)',
      'nodes[4] ("e") names rig alpha but its parent is in gamma; give it no "rig" (a child goes with its parent)',
      'edges[0].to_id al-405 not found; check the id with bd show al-405',
      'edges[1].from_id be-406 not found; check the id with bd show be-406',
    ]);
  });

  it('refuses a blocks edge between an epic and a non-epic that is in the ledger already', () => {
    expect(
      placeProblems({
        nodes: [node('a'), node('e', { type: 'epic' })],
        edges: [
          { from_key: 'a', to_id: 'al-e' },
          { from_key: 'e', to_id: 'al-1', type: 'related' },
          { from_id: 'al-1', to_key: 'a' },
        ],
      }),
    ).toEqual([expect.stringMatching(/^edges\[0\]: "a" → al-e: a blocks edge from task to epic cannot be/)]);
  });
});
